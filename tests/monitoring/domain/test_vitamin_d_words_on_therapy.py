"""nurse12 F16: a deficient vitamin D said "replete before denosumab (hypocalcaemia risk)" after
denosumab had started and a dose was given. Before a planned drug, or one starting on the day
judged (the checklists), it says before; on a drug running since, while on it."""

from datetime import timedelta

import pytest

from monitoring import domain
from tests.monitoring.domain.builders import AS_OF, ai, history, lab, normal_scan, therapy

A = domain.Analyte
DMAB = domain.BoneTherapyDrug.DENOSUMAB
WEEKS_AGO = (AS_OF - timedelta(days=12)).isoformat()
SAMPLED = (AS_OF - timedelta(days=5)).isoformat()


def _deficient(course: domain.BoneTherapyCourse) -> str:
    assessment = domain.assess(
        history(
            aromatase_inhibitors=(ai("2024-01-01"),),
            dexa_scans=(normal_scan(),),
            labs=(lab(SAMPLED, A.VITAMIN_D_25OH, "12"),),
            bone_therapy=(course,),
        ),
        as_of=AS_OF,
    )
    (alert,) = [a for a in assessment.alerts if a.code is domain.AlertCode.VITAMIN_D_DEFICIENT]
    assert alert.severity is domain.Severity.HIGH
    return alert.message


@pytest.mark.parametrize(
    ("course", "words"),
    [
        (therapy(DMAB, None), "replete before denosumab (hypocalcaemia risk)"),
        (therapy(DMAB, AS_OF.isoformat()), "replete before denosumab (hypocalcaemia risk)"),
        (
            therapy(DMAB, WEEKS_AGO, doses=(WEEKS_AGO,)),
            "replete while on denosumab (hypocalcaemia risk)",
        ),
        (
            therapy(DMAB, WEEKS_AGO, stop=AS_OF.isoformat(), doses=(WEEKS_AGO,)),
            f"replete: denosumab was started on {WEEKS_AGO} (hypocalcaemia risk)",
        ),
    ],
    ids=["planned", "starting-today", "running", "stopped-since"],
)
def test_the_deficiency_says_when_to_replete_by_the_drug_s_state(
    course: domain.BoneTherapyCourse, words: str
) -> None:
    assert _deficient(course).endswith(f"; {words}.")
