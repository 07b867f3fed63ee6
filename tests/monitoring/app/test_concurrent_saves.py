"""Double submits and two clinicians at once, as real concurrent requests: each thread posts the
form on its own database connection, all released together. Exactly one save wins; every other
gets the form back with a message, never a 500 and never a second row."""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring import domain
from monitoring.assessment.refresh import (
    RefreshSummary,
    _sync_alerts,
    assessments_refresh,
    open_alerts_by_key,
)
from monitoring.models import (
    Alert,
    BoneTherapyCourse,
    BoneTherapyDose,
    FraxResult,
    LabResult,
    Supplements,
)
from patients.models import Patient
from tests.factories import ScannerFactory, results_in_range
from tests.html_forms import posted_data
from tests.races import (
    POSTGRESQL_ONLY,
    at_once,
    clients,
    created_events,
    one_winner,
    same_form_at_once,
)

pytestmark = POSTGRESQL_ONLY

TODAY = timezone.localdate()


def test_four_submits_of_one_lab_form_store_one_result(ward: Site, jane: Patient) -> None:
    url = reverse("monitoring:labs_create", args=[jane.pk])
    data = {
        "sample_date": (TODAY - timedelta(days=2)).isoformat(),
        "vitamin_d_25oh_value": "31",
        "vitamin_d_25oh_unit": "ng/mL",
    }
    refused = same_form_at_once(ward, "nurse", 4, url, data)
    for response in refused:
        assert "25-OH vitamin D result from" in response.text
        assert "is already recorded for this patient" in response.text
    assert LabResult.objects.filter(patient=jane).count() == 1
    assert created_events(LabResult) == 1


def test_four_submits_of_one_dose_store_one_dose(ward: Site, jane: Patient) -> None:
    course = BoneTherapyCourse.objects.create(
        patient=jane, drug="denosumab", start_date=TODAY - timedelta(days=200)
    )
    url = reverse("monitoring:dose_create", args=[jane.pk, course.pk])
    # No labs: the pre-treatment checks fail, overridden with a reason.
    given = {
        "given_on": (TODAY - timedelta(days=1)).isoformat(),
        "safety_override": "on",
        "override_reason": "labs checked at the other hospital",
    }
    refused = same_form_at_once(ward, "nurse", 4, url, given)
    for response in refused:
        assert "is already recorded for this course" in response.text
    assert BoneTherapyDose.objects.filter(course=course).count() == 1
    assert created_events(BoneTherapyDose) == 1


def test_two_nurses_recording_doses_a_day_apart_store_one(ward: Site, jane: Patient) -> None:
    """Each dose alone passes every check; together the second is early (the interval check).
    Under the patient's lock the second writer sees the first dose, just recorded, and is asked
    whether it is the same injection (nurse11 F3)."""
    results_in_range(jane, TODAY - timedelta(days=7))
    course = BoneTherapyCourse.objects.create(
        patient=jane,
        drug="denosumab",
        start_date=TODAY - timedelta(days=200),
        dental_review_date=TODAY - timedelta(days=220),
    )
    url = reverse("monitoring:dose_create", args=[jane.pk, course.pk])
    days = [TODAY - timedelta(days=2), TODAY - timedelta(days=1)]
    nurses = clients(ward, "nurse", 2)
    refused = one_winner(
        at_once(
            [
                lambda c=c, day=day: c.post(url, {"given_on": day.isoformat()})
                for c, day in zip(nurses, days, strict=True)
            ]
        )
    )
    assert "Time since the previous dose" in refused[0].text
    assert "is already recorded for this course (entered by" in refused[0].text
    assert "is this the same injection?" in refused[0].context["form"].errors["given_on"][0]
    assert BoneTherapyDose.objects.filter(course=course).count() == 1
    assert created_events(BoneTherapyDose) == 1


def test_two_first_supplements_saves_store_one_row(ward: Site, jane: Patient) -> None:
    url = reverse("monitoring:supplements", args=[jane.pk])
    first, second = clients(ward, "nurse", 2)
    responses = at_once(
        [
            lambda: first.post(url, {"calcium": "yes", "vitamin_d": "no", "version": 0}),
            lambda: second.post(url, {"calcium": "no", "vitamin_d": "yes", "version": 0}),
        ]
    )
    (refused,) = one_winner(responses)
    assert "changed by someone else after you opened the form" in refused.text
    assert Supplements.objects.filter(patient=jane).count() == 1
    assert created_events(Supplements) == 1
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE).exists()


def test_two_acknowledgements_at_once_keep_the_first(ward: Site, jane: Patient) -> None:
    assessments_refresh([jane.pk])  # the assessment row an acknowledgement locks
    warning = domain.Alert(
        code=domain.AlertCode("DENOSUMAB_DUE"),
        severity=domain.Severity("warning"),
        message="due",
        rules=(domain.RuleId.DMAB_SCHEDULE,),
        sources=(),
    )
    _sync_alerts(
        {jane.pk: (warning,)}, open_alerts_by_key([jane.pk]), timezone.now(), RefreshSummary()
    )
    alert = Alert.objects.get(patient=jane, code="DENOSUMAB_DUE")
    url = reverse("monitoring:alert_acknowledge", args=[alert.pk])
    nurse, physician = clients(ward, "nurse", 1)[0], clients(ward, "physician", 1)[0]
    responses = at_once(
        [
            lambda: nurse.post(url, {"note": "phoned the patient"}),
            lambda: physician.post(url, {"note": "injection booked"}),
        ]
    )
    (refused,) = one_winner(responses, refused_status=409)
    alert.refresh_from_db()
    winner = "nurse0" if responses[0].status_code == 302 else "physician0"
    assert alert.acknowledged_by.username == winner
    assert f"{winner} acknowledged this alert first" in refused.text
    assert alert.acknowledgement_note in refused.text
    events = AuditEvent.objects.filter(object_type="monitoring.alert", object_id=str(alert.pk))
    assert [event.username for event in events] == [winner]


def test_two_group_acknowledgements_at_once_keep_the_first_for_every_site(
    ward: Site, jane: Patient
) -> None:
    assessments_refresh([jane.pk])  # the assessment row an acknowledgement locks
    alerts = [
        Alert.objects.create(
            patient=jane,
            code="RAPID_BMD_LOSS",
            site=site,
            severity="warning",
            severity_rank=1,
            message="loss",
            raised_at=timezone.now(),
        )
        for site in ("lumbar_spine", "total_hip", "femoral_neck")
    ]
    url = reverse("monitoring:alert_group_acknowledge", args=[jane.pk, "RAPID_BMD_LOSS"])
    ids = [a.pk for a in alerts]
    nurse, physician = clients(ward, "nurse", 1)[0], clients(ward, "physician", 1)[0]
    responses = at_once(
        [
            lambda: nurse.post(url, {"note": "phoned the patient", "alert": ids}),
            lambda: physician.post(url, {"note": "denosumab planned", "alert": ids}),
        ]
    )
    (refused,) = one_winner(responses, refused_status=409)
    winner = "nurse0" if responses[0].status_code == 302 else "physician0"
    assert f"{winner} acknowledged this alert first" in refused.text
    stored = Alert.objects.filter(pk__in=ids).select_related("acknowledged_by")
    assert {a.acknowledged_by.username for a in stored} == {winner}  # never a mix
    events = AuditEvent.objects.filter(object_type="monitoring.alert", action=AuditAction.CHANGE)
    assert sorted(int(e.object_id) for e in events) == sorted(ids)
    assert {e.username for e in events} == {winner}


def test_two_registrations_of_one_mrn_store_one_patient(ward: Site) -> None:
    data = {
        "site": ward.pk,
        "mrn": "B2002",
        "name": "Ada Lovelace",
        "birth_date": "1956-03-02",
        "sex": "F",
        "menopausal_status": "postmenopausal",
        "smoking": "never",
        "oral_glucocorticoid_months": "0",
    }
    url = reverse("patients:create")
    refused = same_form_at_once(ward, "nurse", 2, url, data)
    for response in refused:
        assert "MRN B2002 is already registered at North General" in response.text
    assert Patient.objects.filter(mrn="B2002").count() == 1
    assert created_events(Patient) == 1


def test_two_identical_scans_at_once_store_one(ward: Site, jane: Patient) -> None:
    scanner = ScannerFactory(site=ward)
    url = reverse("monitoring:scan_create", args=[jane.pk])
    data = {
        "scan_date": (TODAY - timedelta(days=4)).isoformat(),
        "scanner": scanner.pk,
        "lumbar_spine_bmd": "0.912",
        "lumbar_spine_t_score": "-1.2",
    }
    refused = same_form_at_once(ward, "nurse", 2, url, data)
    for response in refused:
        assert "is already recorded for this patient" in response.text
    assert jane.dexa_scans.count() == 1


def test_four_submits_of_one_frax_result_store_one(ward: Site, jane: Patient) -> None:
    url = reverse("monitoring:frax_create", args=[jane.pk])
    data = {
        "assessed_on": (TODAY - timedelta(days=2)).isoformat(),
        "major_osteoporotic_pct": "12.0",
        "hip_pct": "2.0",
    }
    refused = same_form_at_once(ward, "nurse", 4, url, data)
    for response in refused:
        assert "is already recorded" in response.text
    assert FraxResult.objects.filter(patient=jane).count() == 1
    assert created_events(FraxResult) == 1


def test_double_submits_of_both_kinds_of_frax_on_one_day_store_one_of_each(
    ward: Site, jane: Patient
) -> None:
    # F1: one result per day and kind; the two kinds of one day are both kept.
    url = reverse("monitoring:frax_create", args=[jane.pk])
    without_bmd = {
        "assessed_on": (TODAY - timedelta(days=2)).isoformat(),
        "major_osteoporotic_pct": "20.0",
        "hip_pct": "3.0",
    }
    with_bmd = {**without_bmd, "major_osteoporotic_pct": "19.9", "hip_pct": "2.9", "with_bmd": "on"}
    nurses = clients(ward, "nurse", 4)
    posts = [without_bmd, without_bmd, with_bmd, with_bmd]
    responses = at_once(
        [lambda c=c, d=d: c.post(url, d) for c, d in zip(nurses, posts, strict=True)]
    )
    saved_without, saved_with = one_winner(responses[:2]), one_winner(responses[2:])
    assert "A FRAX result without BMD from" in saved_without[0].text
    assert "A FRAX result with BMD from" in saved_with[0].text
    stored = FraxResult.objects.filter(patient=jane)
    assert sorted(stored.values_list("with_bmd", "hip_pct")) == [
        (False, Decimal("3.0")),
        (True, Decimal("2.9")),
    ]
    assert created_events(FraxResult) == 2


def test_two_starts_of_one_therapy_store_one_course(ward: Site, jane: Patient) -> None:
    results_in_range(jane, TODAY - timedelta(days=10))  # the start's checks pass
    url = reverse("monitoring:therapy_create", args=[jane.pk])
    data = {"drug": "alendronate", "start_date": (TODAY - timedelta(days=1)).isoformat()}
    refused = same_form_at_once(ward, "physician", 2, url, data)
    for response in refused:
        assert "is already recorded" in response.text
    assert BoneTherapyCourse.objects.filter(patient=jane).count() == 1
    assert created_events(BoneTherapyCourse) == 1


def test_two_antiresorptives_started_at_once_store_one_course(ward: Site, jane: Patient) -> None:
    """Two physicians start different drugs at the same moment: the second sees the first under
    the patient's lock and is refused; never two antiresorptives at once."""
    results_in_range(jane, TODAY - timedelta(days=10))  # the start's checks pass
    url = reverse("monitoring:therapy_create", args=[jane.pk])
    start = (TODAY - timedelta(days=1)).isoformat()
    first, second = clients(ward, "physician", 2)
    responses = at_once(
        [
            lambda: first.post(url, {"drug": "alendronate", "start_date": start}),
            lambda: second.post(url, {"drug": "risedronate", "start_date": start}),
        ]
    )
    (refused,) = one_winner(responses)
    assert "two antiresorptives are never given together" in refused.text
    assert BoneTherapyCourse.objects.filter(patient=jane).count() == 1
    assert created_events(BoneTherapyCourse) == 1


def test_two_saves_of_one_opened_edit_form_at_once_never_lose_a_change(
    ward: Site, jane: Patient
) -> None:
    """Both open the form, then save different fields at the same moment: one is saved, the other
    refused with the winner's value shown, and saving that form again keeps both changes."""
    url = reverse("patients:update", args=[jane.pk])
    nurse, physician = clients(ward, "nurse", 1) + clients(ward, "physician", 1)
    by_nurse = posted_data(nurse.get(url).text, having="version") | {"name": "Jane Renamed"}
    by_physician = posted_data(physician.get(url).text, having="version") | {"weight_kg": "71.5"}
    responses = at_once(
        [lambda: nurse.post(url, by_nurse), lambda: physician.post(url, by_physician)]
    )
    (refused,) = one_winner(responses)
    assert "changed by someone else" in refused.text
    jane.refresh_from_db()
    assert (jane.name == "Jane Renamed") != (jane.weight_kg == Decimal("71.5"))  # one of them
    loser = nurse if refused is responses[0] else physician
    assert loser.post(url, posted_data(refused.text, having="version")).status_code == 302
    jane.refresh_from_db()
    assert jane.name == "Jane Renamed"
    assert jane.weight_kg == Decimal("71.5")


def test_a_nurses_dental_review_and_a_physicians_change_at_once_keep_one(
    ward: Site, jane: Patient
) -> None:
    """The nurse's dental review and the physician's change of the same course, both opened at
    version 1 and saved at once: one is saved, the other gets its form back, nothing half-way."""
    course = BoneTherapyCourse.objects.create(patient=jane, drug="denosumab")
    (nurse,) = clients(ward, "nurse", 1)
    (physician,) = clients(ward, "physician", 1)
    review = reverse("monitoring:dental_review", args=[jane.pk, course.pk])
    change = reverse("monitoring:therapy_update", args=[jane.pk, course.pk])
    day = (TODAY - timedelta(days=2)).isoformat()
    reviewed = posted_data(nurse.get(review).text, having="version") | {"dental_review_date": day}
    changed = posted_data(physician.get(change).text, having="version") | {"dose": "60 mg"}
    one_winner(
        at_once([lambda: nurse.post(review, reviewed), lambda: physician.post(change, changed)])
    )
    stored = BoneTherapyCourse.objects.get(pk=course.pk)
    assert stored.version == 2
    assert (str(stored.dental_review_date), stored.dose) in {(day, ""), ("None", "60 mg")}
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE).count() == 1
