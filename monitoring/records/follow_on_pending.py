"""A denosumab follow-on still pending, as ending follow-up names it and asks to confirm it.

A physician ended the follow-up of a patient whose denosumab had just been stopped with no
follow-on (phys12 F1). DMAB-STOP was a warning then (critical only after the last dose + 6
months), the form named only high and critical alerts, and once ended the patient was on no
dashboard or worklist and not reassessed: the alert never turned critical where anyone saw it. So
a follow-on pending, like an active denosumab course (`selectors.active_bone_therapy`), needs the
physician's tick naming the follow-on, its date and the rebound risk.

The rule is the domain's (DMAB-STOP: `domain.follow_on_due`, `domain.follow_on_infusion_awaited`),
read on today's history; nothing is counted here. A record the rules refuse falls back on the
stored DMAB-STOP alert's own words, so the tick is still asked.
"""

from django.utils import timezone

from monitoring import domain
from monitoring.domain import AlertCode
from monitoring.domain.thresholds import DENOSUMAB_INTERVAL_MONTHS
from monitoring.models import Alert
from monitoring.records.safety import patient_history
from patients.models import Patient
from patients.signals import ActiveTreatment

DMAB_STOP_CODES = (
    AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON,
    AlertCode.DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED,
)
REBOUND = "without it the patient risks rebound vertebral fractures"
UNSEEN = (
    "Once follow-up ends the patient is on no dashboard or worklist and is not reassessed, so "
    "nobody is reminded of it."
)


def follow_on_pending(*, patient: Patient) -> list[ActiveTreatment]:
    """The bisphosphonate follow-on to a stopped denosumab course while DMAB-STOP stands today
    (none given yet, or zoledronic acid started as one with its infusion not recorded), with what
    ending follow-up needs confirmed; [] when no follow-on is pending."""
    today = timezone.localdate()
    try:
        history = patient_history(patient)
    except domain.HistoryError:
        return _from_stored_alert(patient)
    due = domain.follow_on_due(history, today)
    if due is None:
        return []
    by = (
        f"overdue since {due.due_by:%Y-%m-%d}"
        if due.due_by < today
        else f"due by {due.due_by:%Y-%m-%d}"
    )
    dated = (
        f"{by} ({DENOSUMAB_INTERVAL_MONTHS} months after the last dose, {due.last_dose:%Y-%m-%d})"
    )
    started = domain.follow_on_infusion_awaited(history, today)
    if started is not None:
        warning = (
            f"Zoledronic acid was started on {started:%Y-%m-%d} as the follow-on to denosumab, "
            f"its first infusion not recorded yet: the follow-on is {dated}; {REBOUND}."
        )
        what = (
            f"the first zoledronic acid infusion, started on {started:%Y-%m-%d} as the "
            "follow-on to denosumab"
        )
    else:
        warning = (
            f"Denosumab is stopped with no bisphosphonate follow-on in place: one is {dated}; "
            f"{REBOUND}."
        )
        what = "the bisphosphonate follow-on to denosumab"
    return [ActiveTreatment(f"{warning} {UNSEEN}", f"{what}, {dated}: {REBOUND}")]


def _from_stored_alert(patient: Patient) -> list[ActiveTreatment]:
    """The open DMAB-STOP alert's words, when the record cannot be read by the rules now."""
    alert = (
        Alert.objects.filter(patient=patient, cleared_at__isnull=True, code__in=DMAB_STOP_CODES)
        .order_by("-severity_rank")
        .first()
    )
    if alert is None:
        return []
    return [ActiveTreatment(f"{alert.message} {UNSEEN}", f"the follow-on: {alert.message}")]
