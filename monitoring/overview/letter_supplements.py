"""The letters' advice on vitamin D and calcium as the supplements recorded stand.

The rules know nothing of supplements: REPLETE_VITAMIN_D and the advice every patient gets
(CALCIUM_VITAMIN_D) read the same whether or not a supplement is taken. A patient recorded as
taking vitamin D was told "we recommend a vitamin D supplement" (nurse12 F10): she is told to keep
taking it and that the dose may need checking; her doctor, that one is recorded as taken.

nurse13 #5: the supplement was started after the low result, and the letters said her vitamin D
was low "although" she took one. The record is a yes/no with no start date; the day it was last
recorded as "yes" is known (its audit trail, or at the latest the record's last change). Only a
supplement on record before the day the judged vitamin D was sampled reads "although ... the dose
may need checking"; one recorded on that day or later, or since a day not known, is worded
neutrally: she now takes one, and the vitamin D is checked again by its recheck date (the
schedule's `vitamin_d_recheck`, VITD). The spec is silent (the conservative reading: never
suggest that a treatment failed when the record cannot tell).
"""

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.utils import timezone

from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models.choices import Analyte


@dataclass(frozen=True)
class TakenSupplements:
    calcium: bool
    vitamin_d: bool
    # The day vitamin D was last recorded as taken, and the day the latest 25-OH vitamin D was
    # sampled (the one the rules judge): None when not known or not on record.
    vitamin_d_recorded_on: date | None = None
    vitamin_d_sampled_on: date | None = None

    @property
    def vitamin_d_before_sample(self) -> bool:
        """Whether vitamin D was on record as taken before the day of the vitamin D judged."""
        recorded, sampled = self.vitamin_d_recorded_on, self.vitamin_d_sampled_on
        return (
            self.vitamin_d and recorded is not None and sampled is not None and recorded < sampled
        )


def taken_supplements(patient: Any, *, dated: bool = False) -> TakenSupplements | None:
    """The supplements recorded for `patient` (a one-to-one that may be missing), or None;
    `dated` (the letters) adds when vitamin D was recorded as taken and sampled."""
    recorded = getattr(patient, "supplements", None)
    if recorded is None:
        return None
    taken = TakenSupplements(calcium=recorded.calcium, vitamin_d=recorded.vitamin_d)
    if not (dated and recorded.vitamin_d):
        return taken
    return replace(
        taken,
        vitamin_d_recorded_on=vitamin_d_recorded_on(recorded),
        vitamin_d_sampled_on=_latest_vitamin_d_sample(patient),
    )


def _turned_on(event: AuditEvent) -> bool:
    value = event.changes.get("vitamin_d")
    if event.action == AuditAction.CHANGE:
        return isinstance(value, list) and value[-1:] == [True]
    return value is True  # a creation: the values it was created with


def vitamin_d_recorded_on(recorded: Any) -> date:
    """The day vitamin D was last recorded as taken on `recorded` (a Supplements row whose
    vitamin_d is yes): its latest creation or change to yes in the audit trail; without one,
    the day of the record's last change, by which it was yes."""
    events = AuditEvent.objects.filter(
        object_type=recorded._meta.label_lower,
        object_id=str(recorded.pk),
        action__in=[AuditAction.CREATE, AuditAction.CHANGE],
    ).order_by("-at", "-id")
    turned = next((event for event in events if _turned_on(event)), None)
    return timezone.localdate(turned.at if turned is not None else recorded.updated_at)


def _latest_vitamin_d_sample(patient: Any) -> date | None:
    """The sample day of the patient's latest valid 25-OH vitamin D up to today (the rules judge
    the latest of the last 12 months), from the records the page loaded."""
    today = timezone.localdate()
    days = [
        lab.sample_date
        for lab in getattr(patient, "valid_labs", ())
        if lab.analyte == Analyte.VITAMIN_D_25OH and lab.sample_date <= today
    ]
    return max(days, default=None)


def supplements_words(taken: TakenSupplements | None) -> str:
    """The supplements recorded, as the summary prints them (the advice depends on them)."""
    if taken is None:
        return "Supplements: not recorded."
    return (
        f"Supplements: calcium {'yes' if taken.calcium else 'no'}, "
        f"vitamin D {'yes' if taken.vitamin_d else 'no'}."
    )


# REPLETE_VITAMIN_D with vitamin D recorded as taken, to the patient: on record before the day of
# the low result, or since then (or since a day not known), when nothing says the supplement
# failed; `{recheck}` says when her vitamin D is checked again.
PATIENT_TAKING_BEFORE = (
    "Your vitamin D is low although you take a vitamin D supplement: please keep taking it. The "
    "dose may need checking; we will talk this through with you."
)
PATIENT_TAKING_SINCE = (
    "Your vitamin D was low. You now take a vitamin D supplement: please keep taking it. We will "
    "check your vitamin D again{recheck}."
)
# The same to the doctor, as a clause: after "Vitamin D repletion is advised; ", or as a sentence
# of its own after the words of a drug already started (`letter_overrides`).
DOCTOR_TAKING_BEFORE = (
    "a vitamin D supplement was recorded as taken before this result, so its dose may need checking"
)
DOCTOR_TAKING_SINCE = (
    "a vitamin D supplement is recorded as taken{recorded}, not before this result: recheck "
    "vitamin D{recheck}"
)
DOCTOR_REPLETE = "Vitamin D repletion is advised; {clause}."
# `{recheck}` by letter (0 the patient's, 1 the doctor's): the recheck date to come, or passed.
RECHECK_BY = (" by {day}", " by {day}")
RECHECK_PASSED = (" soon (it was due by {day})", " (due since {day})")

KEEP_TAKING_BOTH = (
    "Please keep taking your calcium and vitamin D supplements.",
    "Adequate calcium and vitamin D intake should be kept up (calcium and vitamin D supplements "
    "are recorded as taken).",
)
KEEP_TAKING_ONE = (
    "Please keep taking your {taken} supplement, and make sure you get enough {other}, from food "
    "or from a supplement.",
    "Adequate calcium and vitamin D intake should be kept up (a {taken} supplement is recorded "
    "as taken, none of {other}).",
)


def vitamin_d_taken_words(
    taken: TakenSupplements, index: int, recheck: date | None, today: date
) -> str:
    """What letter `index` says of a vitamin D supplement recorded as taken beside a low result:
    the patient's sentence, or the doctor's clause; "although" (its dose may need checking) only
    if it was on record before the result. `recheck` is the schedule's vitamin D recheck."""
    if taken.vitamin_d_before_sample:
        return (PATIENT_TAKING_BEFORE, DOCTOR_TAKING_BEFORE)[index]
    when = ""
    if recheck is not None:
        words = RECHECK_PASSED if recheck < today else RECHECK_BY
        when = words[index].format(day=recheck.isoformat())
    recorded = taken.vitamin_d_recorded_on
    on = f" from {recorded.isoformat()}" if recorded is not None else ""
    return (PATIENT_TAKING_SINCE, DOCTOR_TAKING_SINCE)[index].format(recheck=when, recorded=on)


def supplement_advice(
    code: str,
    taken: TakenSupplements | None,
    index: int,
    *,
    recheck: date | None = None,
    today: date | None = None,
) -> str | None:
    """The words of recommendation `code` in letter `index` (0 the patient's, 1 the doctor's)
    given the supplements `taken`, or None where the letters' usual words fit; `recheck` is the
    vitamin D recheck date of the schedule, `today` the letter's day."""
    if taken is None:
        return None
    if code == "REPLETE_VITAMIN_D" and taken.vitamin_d:
        words = vitamin_d_taken_words(taken, index, recheck, today or timezone.localdate())
        return DOCTOR_REPLETE.format(clause=words) if index else words
    if code != "CALCIUM_VITAMIN_D" or not (taken.calcium or taken.vitamin_d):
        return None
    if taken.calcium and taken.vitamin_d:
        return KEEP_TAKING_BOTH[index]
    names = ("calcium", "vitamin D") if taken.calcium else ("vitamin D", "calcium")
    return KEEP_TAKING_ONE[index].format(taken=names[0], other=names[1])
