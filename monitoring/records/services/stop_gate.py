"""Stopping denosumab without a follow-on: the physician confirms it before the stop is saved.

A stop saved silently raised DENOSUMAB_STOPPED_NO_FOLLOW_ON (critical after the last dose + 6
months) only afterwards, on the patient page (phys11 F6). Now a save that stops a denosumab
course, leaving no bisphosphonate follow-on, is refused until the physician confirms it, as the
end-follow-up form asks before ending an active denosumab course; with the confirmation it saves
as before, and its audit row keeps the words confirmed.

The rule is the domain's (DMAB-STOP, `domain/rules/denosumab_stop.py`): a what-if assessment of
the patient's history with the course as the save leaves it, read back as its DMAB-STOP alert,
whose words name the last dose and the date the follow-on is due by. What counts as the follow-on
is the rule's too, nothing is restated here. A zoledronic acid course started as the follow-on,
its infusion not recorded yet (`follow_on_infusion_awaited`), is a follow-on decided: no prompt.

A switch (a new course whose save stops the denosumab course, `switch_stop_warning`) is asked the
same way: the what-if holds the new course as the form gives it, so a bisphosphonate running from
today, or zoledronic acid started as the follow-on, asks nothing; one planned with no start date
(or from a later day) is no follow-on yet for the rule, and asks (recheck11 #1: such a switch
saved unasked, then raised the critical DENOSUMAB_STOPPED_NO_FOLLOW_ON).

The therapy form shows the warning and the tick (`forms.therapy`); the services judge it again
under the patient's lock (a follow-on recorded meanwhile counts), here.
"""

import dataclasses
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils import timezone

from monitoring import domain
from monitoring.domain import RuleId
from monitoring.models import BoneTherapyCourse
from monitoring.records.safety import history_course, patient_history
from monitoring.records.services.guards import EntryConflictError
from patients.models import Patient
from patients.switching import CourseSwitch

CONFIRM_FIELD = "confirm_denosumab_stop"


class UnconfirmedStopError(EntryConflictError):
    """The save stops denosumab with no follow-on and the physician has not confirmed it;
    nothing was saved. `warning` is the rule's words, as judged under the lock."""

    def __init__(self, warning: str) -> None:
        self.warning = warning
        super().__init__(
            CONFIRM_FIELD,
            "Denosumab is stopped with no bisphosphonate follow-on recorded: tick this to stop "
            "it anyway, or start the follow-on first. Nothing was saved.",
        )


def stop_warning(
    *, patient: Patient, values: Mapping[str, Any], stored: BoneTherapyCourse | None
) -> str:
    """The DMAB-STOP alert's words if saving `values` (over `stored`, as saved before; None for
    a new course) gives a denosumab course a stop date (or another one) and leaves no follow-on;
    "" otherwise (another drug, no stop date, the stop date unchanged, a follow-on recorded)."""

    def value(name: str) -> Any:
        return values.get(name) if name in values or stored is None else getattr(stored, name)

    drug, stop = value("drug"), value("stop_date")
    if drug != domain.BoneTherapyDrug.DENOSUMAB or not isinstance(stop, date):
        return ""
    if stored is not None and (stored.drug, stored.stop_date) == (drug, stop):
        return ""
    history = patient_history(patient)
    edited = history_course(history, stored) if stored is not None else None
    start = value("start_date")
    course = domain.BoneTherapyCourse(
        drug=domain.BoneTherapyDrug.DENOSUMAB,
        start_date=start if isinstance(start, date) else None,
        stop_date=stop,
        doses=edited.doses if edited is not None else (),
    )
    others = tuple(other for other in history.bone_therapy if other is not edited)
    return _no_follow_on_words(dataclasses.replace(history, bone_therapy=(*others, course)), stop)


def switch_stop_warning(
    *, patient: Patient, values: Mapping[str, Any], stopped: BoneTherapyCourse, stop_date: date
) -> str:
    """The DMAB-STOP alert's words if a new course saved with `values` in a switch that stops
    `stopped` (as stored) on `stop_date` leaves no follow-on; "" otherwise (the stopped course is
    no denosumab, the new course is the follow-on or zoledronic acid started as one)."""
    if stopped.drug != domain.BoneTherapyDrug.DENOSUMAB:
        return ""
    history = patient_history(patient)
    edited = history_course(history, stopped)
    others = tuple(other for other in history.bone_therapy if other is not edited)
    course = (
        dataclasses.replace(edited, stop_date=stop_date)
        if edited is not None
        else domain.BoneTherapyCourse(
            drug=domain.BoneTherapyDrug.DENOSUMAB,
            start_date=stopped.start_date,
            stop_date=stop_date,
        )
    )
    start, stop = values.get("start_date"), values.get("stop_date")
    new = domain.BoneTherapyCourse(
        drug=domain.BoneTherapyDrug(str(values["drug"])),
        start_date=start if isinstance(start, date) else None,
        stop_date=stop if isinstance(stop, date) else None,
        dose=str(values.get("dose") or "") or None,
    )
    what_if = dataclasses.replace(history, bone_therapy=(*others, course, new))
    return _no_follow_on_words(what_if, stop_date)


def _no_follow_on_words(what_if: domain.History, stop: date) -> str:
    """DMAB-STOP's alert words in `what_if` when it stands as no follow-on; "" when it does not
    stand, or stands for a zoledronic acid course started as the follow-on (its infusion
    awaited: the decision is made)."""
    # On the day the stop takes effect (the forms take no stop date after today).
    as_of = max(timezone.localdate(), stop)
    if domain.follow_on_infusion_awaited(what_if, as_of) is not None:
        return ""
    alerts = domain.assess(what_if, as_of=as_of).alerts
    return next((alert.message for alert in alerts if RuleId.DMAB_STOP in alert.rules), "")


def stop_audit(
    *,
    patient: Patient,
    values: Mapping[str, Any],
    stored: BoneTherapyCourse | None,
    confirmed: bool,
    switch: CourseSwitch | None = None,
) -> dict[str, Any]:
    """What the save's audit row keeps of a denosumab stop without a follow-on: the rule's words
    the physician confirmed (nothing when the save stops no denosumab, or a follow-on is
    recorded). Refuses (UnconfirmedStopError) such a stop without `confirmed`. `switch`: the
    course a new course's save stops (already stopped when this runs, under the patient's lock)."""
    warning = stop_warning(patient=patient, values=values, stored=stored)
    if not warning and switch is not None and switch.stop_date is not None:
        warning = switch_stop_warning(
            patient=patient,
            values=values,
            stopped=BoneTherapyCourse.objects.get(pk=switch.course_pk),
            stop_date=switch.stop_date,
        )
    if not warning:
        return {}
    if not confirmed:
        raise UnconfirmedStopError(warning)
    return {"denosumab_stop_confirmed": warning}
