"""The letter pages: the patient's and the family doctor's letter, one page each, audited as a view
of the record. The clinician's copy (`?copy=clinician`) shows the rule id of each sentence; the
copy to send leaves them out of the page altogether. A lab value a sentence quotes reads as
entered, as the labs table shows it (`labs.patient_lab_readings`).
"""

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from bonehealth.accounts.http import AuthenticatedHttpRequest
from monitoring.overview.ai_words import DOCTOR_OPENING, PATIENT_OPENING, patient_ai_state
from monitoring.overview.follow_up_ended import follow_up_ended_of
from monitoring.overview.labs import patient_lab_readings
from monitoring.overview.letter_denosumab_stop import stopped_denosumab_of
from monitoring.overview.letter_kidney_stop import kidney_stop_of
from monitoring.overview.letter_lifestyle import habits_of
from monitoring.overview.letter_supplements import taken_supplements
from monitoring.overview.letter_therapy import DOCTOR, PATIENT, course_facts
from monitoring.overview.letter_wording import THERAPY_DECISION_ALERT
from monitoring.overview.letter_z_score import z_score_of
from monitoring.overview.letters import letter
from monitoring.overview.patient import patient_viewed
from monitoring.records import selectors
from monitoring.templatetags.monitoring_display import lowest_z_score

TEMPLATES = {PATIENT: "monitoring/letter_patient.html", DOCTOR: "monitoring/letter_doctor.html"}


@require_GET
@permission_required("patients.view_patient", raise_exception=True)
def letter_view(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    """A one-page letter; `?copy=clinician` (the clinic's file copy) adds the rule id of each
    sentence."""
    if kind not in TEMPLATES:
        raise Http404("No such letter.")
    patient, assessment = patient_viewed(request, pk)
    data = assessment.data if assessment else {}
    courses = course_facts(patient.valid_therapy)  # type: ignore[attr-defined]
    today = timezone.localdate()
    state = patient_ai_state(patient.valid_ai_courses, today)  # type: ignore[attr-defined]
    context = {
        "patient": patient,
        "assessment": assessment,
        "letter": letter(
            data,
            kind,
            courses,
            today,
            patient.sex,
            # The Z-score the patient page and summary show, found the same way.
            z_score_of(lowest_z_score(patient.valid_scans)),  # type: ignore[attr-defined]
            undecided=therapy_decision_awaited(patient),
            stopped=stopped_denosumab_of(patient, today),
            supplements=taken_supplements(patient, dated=True),
            ended=follow_up_ended_of(patient),
            habits=habits_of(patient),
            kidney_stop=kidney_stop_of(patient, today),
        ),
        # What the letter says of the aromatase inhibitor, as the record stands (nurse10 4).
        "ai_opening": (PATIENT_OPENING if kind == PATIENT else DOCTOR_OPENING)[state],
        # A result a sentence quotes reads as the labs table shows it (as entered).
        "lab_readings": patient_lab_readings(patient),
        "clinician": request.GET.get("copy") == "clinician",
        "kind": kind,
    }
    return render(request, TEMPLATES[kind], context)


def therapy_decision_awaited(patient: Any) -> bool:
    """Whether the therapy decision awaits a physician: BONE_THERAPY_INDICATED is open and no one
    who may decide therapy has acknowledged it (a nurse's note leaves it unacknowledged)."""
    return any(
        alert.code == THERAPY_DECISION_ALERT and alert.acknowledged_at is None
        for alert in selectors.patient_open_alerts(patient=patient)
    )
