"""What the printouts say of the aromatase inhibitor, by where the patient stands with it on the
day (`AiState`: taking one, one to come, only stopped ones, or none on record).

The densitometry request and both letters said "on an aromatase inhibitor" of a patient with no
course (nurse10 4); each now says what her record holds. The state is the rules' own
(`rules.context.ai_state`, which words BP-DURATION's drug holiday the same way).
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from monitoring.domain.rules.context import AiState, ai_state, course_status


def patient_ai_state(courses: Iterable[Any], today: dt.date) -> AiState:
    """The state of the patient's aromatase inhibitor on `today`, from her valid courses (each
    with `start_date` and `stop_date`), as the rules classify a course."""
    return ai_state(course_status(c.start_date, c.stop_date, today) for c in courses)


# The clinical question of the DEXA request.
SCAN_QUESTION: dict[AiState, str] = {
    AiState.ACTIVE: "Bone loss on an aromatase inhibitor",
    AiState.PLANNED: "Bone density before a planned aromatase inhibitor",
    AiState.STOPPED: "Bone density after aromatase-inhibitor therapy (now stopped)",
    AiState.NONE: "Bone density assessment (no aromatase inhibitor on record)",
}
# The opening of the letter to the family doctor.
DOCTOR_OPENING: dict[AiState, str] = {
    AiState.ACTIVE: "We monitor bone health during aromatase-inhibitor therapy.",
    AiState.PLANNED: "We monitor bone health before and during the planned aromatase-inhibitor "
    "therapy.",
    AiState.STOPPED: "We monitor bone health after aromatase-inhibitor therapy, which has stopped.",
    AiState.NONE: "We monitor bone health in our clinic; no aromatase-inhibitor course is on "
    "record.",
}
# The opening of the letter to the patient.
PATIENT_OPENING: dict[AiState, str] = {
    AiState.ACTIVE: "You take an aromatase inhibitor, a medicine that can thin the bones over "
    "time, so we check your bones regularly.",
    AiState.PLANNED: "You are due to start an aromatase inhibitor, a medicine that can thin the "
    "bones over time, so we check your bones regularly.",
    AiState.STOPPED: "You have taken an aromatase inhibitor, a medicine that can thin the bones, "
    "so we keep checking your bones.",
    AiState.NONE: "We check your bone health in our clinic, as some treatments after cancer can "
    "thin the bones.",
}
