"""What the page of a patient whose follow-up has ended says of a denosumab follow-on pending.

Once follow-up ends the patient is on no dashboard or worklist and the nightly reassessment skips
her (`records.selectors.active_patient_ids`): her stored DMAB-STOP alert stays a warning after the
follow-on's date has passed (phys12 F1). The product keeps ended patients off the dashboard
(product.md: "ended patients leave the worklist and dashboard but keep their record"), so the
patient page says it, from today's history read by the rules (`letter_denosumab_stop.
stopped_denosumab`), whatever the stored alert last said.
"""

import datetime as dt

from monitoring.domain.thresholds import DENOSUMAB_INTERVAL_MONTHS
from monitoring.overview.letter_denosumab_stop import StoppedDenosumab


def ended_follow_on_words(*, ended: bool, stopped: StoppedDenosumab | None, today: dt.date) -> str:
    """The pending follow-on to stopped denosumab of a patient whose follow-up ended, in words
    with its date and the rebound risk; "" while followed or with no follow-on pending."""
    if not ended or stopped is None:
        return ""
    if stopped.infusion_awaited is not None:
        what = (
            f"zoledronic acid was started on {stopped.infusion_awaited:%Y-%m-%d} as the "
            "follow-on, its first infusion not recorded"
        )
    else:
        what = "no bisphosphonate follow-on is recorded"
    when = (
        f"was due by {stopped.due_by:%Y-%m-%d} and is overdue"
        if stopped.due_by < today
        else f"is due by {stopped.due_by:%Y-%m-%d}"
    )
    return (
        f"Denosumab stopped on {stopped.stop:%Y-%m-%d} (last dose "
        f"{stopped.last_dose:%Y-%m-%d}) and {what}: the follow-on {when} (the last dose + "
        f"{DENOSUMAB_INTERVAL_MONTHS} months). Without it the patient risks rebound vertebral "
        "fractures. Nobody is reminded while follow-up has ended: resume follow-up, or make sure "
        "it is given elsewhere."
    )
