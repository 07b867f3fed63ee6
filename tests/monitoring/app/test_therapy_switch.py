"""The switch on the therapy form ("Stop the current course in this save"): it stops the course the
page showed, at the version shown, or nothing (physician8 D7), and a stop before that course's last
dose is refused next to its date, as the course's own edit form refuses it (physician8 D2)."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditEvent
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from patients.models import Patient
from tests.factories import LabResultFactory
from tests.html_forms import posted_data

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
REASON = "checked with the patient; MDT agreed"


@pytest.fixture
def denosumab(patient: Patient, physician: User) -> BoneTherapyCourse:
    return BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        dose="60 mg",
        start_date=TODAY - timedelta(days=200),
        entered_by=physician,
    )


def _url(patient: Patient) -> str:
    return reverse("monitoring:therapy_create", args=[patient.pk])


def _opened(client: Client, patient: Patient) -> dict[str, str]:
    """What the page, as opened, would post."""
    return posted_data(client.get(_url(patient)).text, having="drug")


def _switch(opened: dict[str, str], drug: str, **more: str) -> dict[str, str]:
    return {
        **opened,
        "drug": drug,
        "start_date": TODAY.isoformat(),
        "stop_current": "on",
        "stop_current_on": TODAY.isoformat(),
        "safety_override": "on",
        "override_reason": REASON,
        **more,
    }


def _stored(course: BoneTherapyCourse) -> dict[str, Any]:
    course.refresh_from_db()
    return {"stop_date": course.stop_date, "reason": course.stop_reason, "v": course.version}


def test_the_page_carries_the_course_it_offers_to_stop(
    physician_client: Client, patient: Patient, denosumab: BoneTherapyCourse
) -> None:
    opened = _opened(physician_client, patient)
    assert opened["stop_course"] == str(denosumab.pk)
    assert opened["stop_course_version"] == str(denosumab.version)


def test_a_stale_tab_stops_nothing_it_did_not_show(
    physician_client: Client, patient: Patient, denosumab: BoneTherapyCourse
) -> None:
    tab1 = _opened(physician_client, patient)
    tab2 = _opened(physician_client, patient)
    saved = physician_client.post(_url(patient), _switch(tab1, "alendronate"))
    assert saved.status_code == 302
    alendronate = BoneTherapyCourse.objects.get(drug="alendronate")
    before = _stored(alendronate)
    events = AuditEvent.objects.count()

    refused = physician_client.post(_url(patient), _switch(tab2, "risedronate"))

    assert refused.status_code == 200
    form = refused.context["form"]
    [message] = form.errors["stop_current"]
    assert f"The current course is now {alendronate} (entered by physician at" in message
    assert "Nothing was saved" in message
    # Nothing saved: the course tab 1 started runs on unchanged, no risedronate course.
    assert _stored(alendronate) == before
    assert not BoneTherapyCourse.objects.filter(drug="risedronate").exists()
    assert _stored(denosumab)["stop_date"] == TODAY
    assert AuditEvent.objects.count() == events  # nothing written
    # The input is kept; the box is unticked and the page now names, and carries, the course
    # current now, so ticking it again is a decision made on what is shown.
    assert form["drug"].value() == "risedronate"
    assert form["override_reason"].value() == REASON
    assert "stop_current" not in form.data
    assert form.data["stop_course"] == str(alendronate.pk)
    assert f"Stop {alendronate} (a switch)" in refused.text


def test_ticking_again_after_the_refusal_stops_the_course_named(
    physician_client: Client, patient: Patient, denosumab: BoneTherapyCourse
) -> None:
    # A kidney function on file: no check fails, so the switch is all the page refuses.
    LabResultFactory(
        patient=patient,
        sample_date=TODAY - timedelta(days=30),
        analyte="egfr",
        value=70,
        entered_value=70,
        entered_unit="mL/min/1.73m2",
    )
    tab1 = _opened(physician_client, patient)
    tab2 = _opened(physician_client, patient)
    # The colleague's switch, recorded on the day it happened, a week ago (a switch never stops
    # a course on its own first day: nurse9 F10).
    week_ago = (TODAY - timedelta(days=7)).isoformat()
    physician_client.post(
        _url(patient), _switch(tab1, "alendronate", start_date=week_ago, stop_current_on=week_ago)
    )
    refused = physician_client.post(_url(patient), _switch(tab2, "risedronate"))
    again = posted_data(refused.text, having="drug")
    assert physician_client.post(_url(patient), {**again, "stop_current": "on"}).status_code == 302
    alendronate = BoneTherapyCourse.objects.get(drug="alendronate")
    assert _stored(alendronate)["stop_date"] == TODAY
    assert BoneTherapyCourse.objects.get(drug="risedronate").stop_date is None


def test_a_course_changed_since_the_page_opened_is_not_stopped(
    physician_client: Client, patient: Patient, denosumab: BoneTherapyCourse
) -> None:
    opened = _opened(physician_client, patient)
    BoneTherapyCourse.objects.filter(pk=denosumab.pk).update(dose="60 mg s.c.", version=2)
    refused = physician_client.post(_url(patient), _switch(opened, "alendronate"))
    assert (
        "was changed since this form was opened"
        in refused.context["form"].errors["stop_current"][0]
    )
    assert _stored(denosumab) == {"stop_date": None, "reason": "", "v": 2}
    assert BoneTherapyCourse.objects.count() == 1


def test_a_course_stopped_since_the_page_opened_is_not_stopped_again(
    physician_client: Client, patient: Patient, denosumab: BoneTherapyCourse
) -> None:
    opened = _opened(physician_client, patient)
    stopped = TODAY - timedelta(days=3)
    BoneTherapyCourse.objects.filter(pk=denosumab.pk).update(stop_date=stopped, version=2)
    refused = physician_client.post(_url(patient), _switch(opened, "alendronate"))
    assert "no longer running" in refused.context["form"].errors["stop_current"][0]
    assert _stored(denosumab) == {"stop_date": stopped, "reason": "", "v": 2}
    assert BoneTherapyCourse.objects.count() == 1


def test_a_switch_stopping_before_the_last_dose_is_refused_beside_its_date(
    physician_client: Client, patient: Patient, physician: User, denosumab: BoneTherapyCourse
) -> None:
    for ago in (200, 20):
        BoneTherapyDose.objects.create(
            course=denosumab, given_on=TODAY - timedelta(days=ago), entered_by=physician
        )
    opened = _opened(physician_client, patient)
    before = _stored(denosumab)
    events = AuditEvent.objects.count()
    typo = (TODAY - timedelta(days=100)).isoformat()

    response = physician_client.post(
        _url(patient), _switch(opened, "alendronate", stop_current_on=typo)
    )

    assert response.status_code == 200
    form = response.context["form"]
    [message] = form.errors["stop_current_on"]
    last = TODAY - timedelta(days=20)
    assert f"A dose was given on {last:%Y-%m-%d}" in message
    assert "a course stops on or after its last dose" in message
    assert _stored(denosumab) == before
    assert BoneTherapyCourse.objects.count() == 1
    assert AuditEvent.objects.count() == events  # nothing written
    assert form["stop_current_on"].value() == typo
    assert form["drug"].value() == "alendronate"
    assert form.data["stop_current"] == "on"


def test_a_switch_stopping_a_course_on_its_first_day_is_refused(
    physician_client: Client, patient: Patient, denosumab: BoneTherapyCourse
) -> None:
    """nurse9 F10, for bone therapy: the form opened again after a switch offers the course just
    started; stopping it on its own first day would leave a course of no day."""
    physician_client.post(_url(patient), _switch(_opened(physician_client, patient), "alendronate"))
    again = _opened(physician_client, patient)  # now offering the alendronate course
    refused = physician_client.post(_url(patient), _switch(again, "alendronate"))
    (error,) = refused.context["form"].errors["stop_current_on"]
    assert "this same day: a switch would leave it no day at all" in error
    alendronate = BoneTherapyCourse.objects.get(drug="alendronate")
    assert alendronate.stop_date is None
    assert BoneTherapyCourse.objects.filter(drug="alendronate").count() == 1
