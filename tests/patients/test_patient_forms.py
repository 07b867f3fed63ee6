"""Patient registration and editing as a nurse uses them: validation by the field, values kept."""

import datetime as dt
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from bonehealth.audit.models import AuditAction, AuditEvent
from patients.models import AromataseInhibitorCourse, Patient
from tests.factories import (
    AromataseInhibitorCourseFactory,
    DexaScanFactory,
    LabResultFactory,
    PatientFactory,
)
from tests.html_forms import posted_data

pytestmark = pytest.mark.django_db


def valid_data(site: Site, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "site": site.pk,
        "mrn": "b2002",
        "name": "Ada Lovelace",
        "birth_date": "1956-03-02",
        "sex": "F",
        "menopausal_status": "postmenopausal",
        "breast_cancer_diagnosis_date": "2023-11-20",
        "height_cm": "162.0",
        "weight_kg": "58.5",
        "smoking": "never",
        "oral_glucocorticoid_months": "0",
        "ai_drug": "anastrozole",
        "ai_start_date": "2024-01-15",
        "ai_planned_duration_months": "60",
    }
    data.update(overrides)
    return data


def test_register_patient_with_first_ai_course(nurse_client: Client, site: Site) -> None:
    response = nurse_client.post(reverse("patients:create"), valid_data(site))
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:patient", args=[patient.pk])
    assert patient.mrn == "B2002"  # normalised to upper case
    course = AromataseInhibitorCourse.objects.get()
    assert (course.patient, course.drug, str(course.start_date)) == (
        patient,
        "anastrozole",
        "2024-01-15",
    )
    actions = list(
        AuditEvent.objects.exclude(action=AuditAction.LOGIN)
        .order_by("id")
        .values_list("action", "object_type")
    )
    assert actions == [
        (AuditAction.CREATE, "patients.patient"),
        (AuditAction.CREATE, "patients.aromataseinhibitorcourse"),
    ]


def test_register_without_ai_course(nurse_client: Client, site: Site) -> None:
    data = valid_data(site, ai_drug="", ai_start_date="", ai_planned_duration_months="")
    assert nurse_client.post(reverse("patients:create"), data).status_code == 302
    assert AromataseInhibitorCourse.objects.count() == 0


def test_planned_ai_start_may_be_in_the_future(nurse_client: Client, site: Site) -> None:
    future = timezone.localdate() + timedelta(days=30)
    response = nurse_client.post(reverse("patients:create"), valid_data(site, ai_start_date=future))
    assert response.status_code == 302


TOMORROW = timezone.localdate() + timedelta(days=1)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"birth_date": TOMORROW}, "birth_date", "cannot be in the future"),
        ({"birth_date": "1899-12-31"}, "birth_date", "before 1900"),
        ({"birth_date": "31/02/1956"}, "birth_date", "Enter a valid date"),
        ({"breast_cancer_diagnosis_date": TOMORROW}, "breast_cancer_diagnosis_date", "future"),
        (
            {"breast_cancer_diagnosis_date": "1950-01-01"},
            "breast_cancer_diagnosis_date",
            "before the date of birth",
        ),
        (
            {"prior_fragility_fracture": "on", "prior_fracture_date": TOMORROW},
            "prior_fracture_date",
            "future",
        ),
        ({"prior_fracture_date": "2020-01-01"}, "prior_fragility_fracture", "Tick this"),
        ({"ai_start_date": "1950-01-01"}, "ai_start_date", "before the date of birth"),
        ({"ai_drug": ""}, "ai_drug", "Choose the drug"),
        (
            {"ai_planned_duration_months": "0"},
            "ai_planned_duration_months",
            "Enter between 1 and 240 months.",
        ),
        (
            {"ai_planned_duration_months": "241"},
            "ai_planned_duration_months",
            "Enter between 1 and 240 months.",
        ),
        ({"height_cm": "99.9"}, "height_cm", "between 100 and 230"),
        ({"height_cm": "230.1"}, "height_cm", "between 100 and 230"),
        ({"weight_kg": "24.9"}, "weight_kg", "between 25 and 250"),
        ({"weight_kg": "250.1"}, "weight_kg", "between 25 and 250"),
        ({"mrn": "A 1"}, "mrn", "letters, digits"),
        ({"mrn": ""}, "mrn", "required"),
        (
            {"oral_glucocorticoid_months": "-1"},
            "oral_glucocorticoid_months",
            "greater than or equal to 0",
        ),
        ({"smoking": "sometimes"}, "smoking", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_by_the_field_and_kept(
    nurse_client: Client, site: Site, overrides: dict[str, object], field: str, message: str
) -> None:
    data = valid_data(site, **overrides)
    response = nurse_client.post(reverse("patients:create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field]), form.errors
    assert Patient.objects.count() == 0
    assert AuditEvent.objects.exclude(action=AuditAction.LOGIN).count() == 0
    # What the user typed is shown again.
    assert 'value="Ada Lovelace"' in response.text


@pytest.mark.parametrize(("height", "weight"), [("100", "25"), ("230", "250")])
def test_range_limits_are_inclusive(
    nurse_client: Client, site: Site, height: str, weight: str
) -> None:
    response = nurse_client.post(
        reverse("patients:create"), valid_data(site, height_cm=height, weight_kg=weight)
    )
    assert response.status_code == 302


def test_today_is_accepted_as_a_past_date(nurse_client: Client, site: Site) -> None:
    today = timezone.localdate()
    data = valid_data(site, breast_cancer_diagnosis_date=today, ai_start_date=today)
    assert nurse_client.post(reverse("patients:create"), data).status_code == 302


def test_mrn_unique_within_site_only(nurse_client: Client, site: Site, other_site: Site) -> None:
    PatientFactory(site=site, mrn="B2002")
    PatientFactory(site=other_site, mrn="B2003")
    response = nurse_client.post(reverse("patients:create"), valid_data(site))
    assert "already registered at North General" in response.context["form"].errors["mrn"][0]
    # Same MRN at another site is fine.
    response = nurse_client.post(reverse("patients:create"), valid_data(site, mrn="B2003"))
    assert response.status_code == 302


def test_mrn_of_a_patient_entered_in_error_can_be_reused(nurse_client: Client, site: Site) -> None:
    PatientFactory(site=site, mrn="B2002", entered_in_error=True)
    assert nurse_client.post(reverse("patients:create"), valid_data(site)).status_code == 302


def test_cannot_register_at_a_site_the_user_does_not_work_at(
    nurse_client: Client, other_site: Site
) -> None:
    response = nurse_client.post(reverse("patients:create"), valid_data(other_site))
    assert "Select a valid choice" in response.context["form"].errors["site"][0]
    assert Patient.objects.count() == 0


def test_a_failure_while_saving_the_course_leaves_no_patient(
    nurse_client: Client, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from patients import services

    def boom(**kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "ai_course_create", boom)
    nurse_client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        nurse_client.post(reverse("patients:create"), valid_data(site))
    assert Patient.objects.count() == 0
    assert AuditEvent.objects.exclude(action=AuditAction.LOGIN).count() == 0


def test_edit_records_old_and_new_values(nurse_client: Client, patient: Patient) -> None:
    url = reverse("patients:update", args=[patient.pk])
    form = nurse_client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(site=patient.site_id, weight_kg="61.5", smoking="current", version=1)
    response = nurse_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    patient.refresh_from_db()
    assert (str(patient.weight_kg), patient.smoking, patient.version) == ("61.5", "current", 2)
    event = AuditEvent.objects.get(action=AuditAction.CHANGE)
    assert event.changes["smoking"] == ["never", "current"]
    assert event.changes["weight_kg"] == ["60.0", "61.5"]
    assert event.changes["version"] == [1, 2]
    assert event.patient == patient


def test_second_of_two_concurrent_edits_is_refused(
    client: Client, nurse_client: Client, physician_client_factory: Client, patient: Patient
) -> None:
    url = reverse("patients:update", args=[patient.pk])
    initial = {
        k: v for k, v in nurse_client.get(url).context["form"].initial.items() if v is not None
    }
    first = dict(initial, site=patient.site_id, weight_kg="70.0", version=1)
    second = dict(initial, site=patient.site_id, weight_kg="55.0", name="Jane Changed", version=1)
    assert physician_client_factory.post(url, first).status_code == 302
    response = nurse_client.post(url, second)
    assert response.status_code == 200
    form = response.context["form"]
    assert "changed by someone else" in " ".join(form.non_field_errors())
    assert "physician changed this to “70.0”" in form.errors["weight_kg"][0]
    assert 'value="Jane Changed"' in response.text  # the nurse's typing is kept
    patient.refresh_from_db()
    assert (str(patient.weight_kg), patient.name) == ("70.0", "Jane Example")  # not overwritten
    # Having seen the other change, the nurse may save again deliberately.
    resubmit = dict(second, version=response.context["form"].data["version"])
    assert nurse_client.post(url, resubmit).status_code == 302
    patient.refresh_from_db()
    assert str(patient.weight_kg) == "55.0"


@pytest.fixture
def physician_client_factory(physician: object) -> Client:
    other = Client()
    other.force_login(physician)
    return other


def test_mark_patient_in_error_hides_it_and_keeps_it(
    nurse_client: Client, patient: Patient
) -> None:
    url = reverse("patients:mark_in_error", args=[patient.pk])
    response = nurse_client.post(url, {"reason": "x"})
    assert "at least 5 characters" in response.context["form"].errors["reason"][0]
    response = nurse_client.post(url, {"reason": "registered twice", "version": patient.version})
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.entered_in_error
    assert patient.error_reason == "registered twice"
    assert patient.error_marked_by.username == "nurse"
    assert nurse_client.get(reverse("monitoring:patient", args=[patient.pk])).status_code == 404
    assert "A1001" not in nurse_client.get(reverse("patients:list")).text
    assert AuditEvent.objects.filter(action=AuditAction.MARK_ERROR, patient=patient).exists()


def test_physician_ends_and_resumes_follow_up(physician_client: Client, patient: Patient) -> None:
    url = reverse("patients:end_follow_up", args=[patient.pk])
    response = physician_client.post(url, {"ended_on": TOMORROW, "reason": "moved away"})
    assert "future" in response.context["form"].errors["ended_on"][0]
    response = physician_client.post(url, {"ended_on": "2025-01-01", "reason": "moved away"})
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.follow_up_status == "ended"
    assert "A1001" not in physician_client.get(reverse("patients:list")).text
    assert "A1001" in physician_client.get(reverse("patients:list") + "?ended=1").text
    physician_client.post(reverse("patients:resume_follow_up", args=[patient.pk]))
    patient.refresh_from_db()
    assert patient.follow_up_status == "active"
    assert patient.follow_up_ended_on is None


# One dated entry of each kind a patient's record may hold, and how a refusal names it.
ENTRIES = pytest.mark.parametrize(
    ("record", "what"),
    [
        ("ai", "aromatase-inhibitor start on 2023-03-01"),
        ("scan", "DEXA scan on 2024-01-10"),
        ("lab", "lab result on 2024-06-01"),
    ],
)


def _record(patient: Patient, record: str) -> None:
    if record == "ai":
        AromataseInhibitorCourseFactory(patient=patient, start_date=dt.date(2023, 3, 1))
    elif record == "scan":
        DexaScanFactory(patient=patient, scan_date=dt.date(2024, 1, 10))
    else:
        LabResultFactory(patient=patient, sample_date=dt.date(2024, 6, 1))


@ENTRIES
def test_follow_up_cannot_end_before_an_entry_of_the_record(
    physician_client: Client, patient: Patient, record: str, what: str
) -> None:
    _record(patient, record)
    events = AuditEvent.objects.count()
    url = reverse("patients:end_follow_up", args=[patient.pk])
    response = physician_client.post(url, {"ended_on": "1990-01-01", "reason": "moved away"})
    assert response.status_code == 200
    assert what in response.context["form"].errors["ended_on"][0]
    patient.refresh_from_db()
    assert patient.follow_up_status == "active"
    assert AuditEvent.objects.count() == events


def test_a_planned_ai_start_does_not_bound_the_end_of_follow_up(
    physician_client: Client, patient: Patient
) -> None:

    AromataseInhibitorCourseFactory(patient=patient, start_date=TOMORROW)
    url = reverse("patients:end_follow_up", args=[patient.pk])
    response = physician_client.post(url, {"ended_on": "2025-01-01", "reason": "declined"})
    assert response.status_code == 302


class TestAiCourseForm:
    def url(self, patient: Patient) -> str:
        return reverse("patients:ai_course_create", args=[patient.pk])

    def test_add_course(self, nurse_client: Client, patient: Patient) -> None:
        response = nurse_client.post(
            self.url(patient), {"drug": "letrozole", "start_date": "2024-01-01"}
        )
        assert response.status_code == 302
        assert patient.ai_courses.get().drug == "letrozole"

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"start_date": "1950-01-01"}, "start_date", "before the patient's date of birth"),
            ({"stop_date": "2024-01-01"}, "start_date", "Enter the start date"),
            (
                {"start_date": "2024-02-01", "stop_date": "2024-01-01"},
                "stop_date",
                "before the start",
            ),
            ({"start_date": "2024-01-01", "stop_date": TOMORROW}, "stop_date", "future"),
            (
                {"start_date": "2024-01-01", "stop_reason": "nausea"},
                "stop_date",
                "Enter the stop date",
            ),
            ({"planned_duration_months": "0"}, "planned_duration_months", "between 1 and 240"),
            ({"planned_duration_months": "241"}, "planned_duration_months", "between 1 and 240"),
            ({"drug": "tamoxifen"}, "drug", "Select a valid choice"),
        ],
    )
    def test_bad_course(
        self,
        nurse_client: Client,
        patient: Patient,
        data: dict[str, object],
        field: str,
        message: str,
    ) -> None:
        response = nurse_client.post(self.url(patient), {"drug": "anastrozole", **data})
        assert message in " ".join(response.context["form"].errors[field])
        assert patient.ai_courses.count() == 0

    def test_record_a_stop_then_mark_in_error(self, nurse_client: Client, patient: Patient) -> None:
        course = patient.ai_courses.create(drug="anastrozole", start_date="2024-01-15")
        url = reverse("patients:ai_course_update", args=[patient.pk, course.pk])
        data = {
            "drug": "anastrozole",
            "start_date": "2024-01-15",
            "stop_date": "2024-06-01",
            "stop_reason": "arthralgia",
            "version": 1,
        }
        assert nurse_client.post(url, data).status_code == 302
        course.refresh_from_db()
        assert (str(course.stop_date), course.version) == ("2024-06-01", 2)
        url = reverse("patients:ai_course_mark_in_error", args=[patient.pk, course.pk])
        marked = nurse_client.post(url, {"reason": "wrong patient", "version": course.version})
        assert marked.status_code == 302
        course.refresh_from_db()
        assert course.entered_in_error
        detail = nurse_client.get(reverse("monitoring:patient", args=[patient.pk]))
        assert "No aromatase-inhibitor course recorded" in detail.text


def test_a_second_end_of_follow_up_never_replaces_the_first(
    physician_client: Client, patient: Patient
) -> None:
    url = reverse("patients:end_follow_up", args=[patient.pk])
    first = {"ended_on": "2025-11-01", "reason": "moved away"}
    assert physician_client.post(url, first).status_code == 302
    events = AuditEvent.objects.count()
    response = physician_client.post(url, {"ended_on": "2025-11-20", "reason": "died"})
    assert response.status_code == 200
    assert "already ended on 2025-11-01 (moved away)" in response.text
    patient.refresh_from_db()
    assert (patient.follow_up_ended_on, patient.follow_up_end_reason) == (
        dt.date(2025, 11, 1),
        "moved away",
    )
    assert AuditEvent.objects.count() == events


def test_resuming_an_active_follow_up_changes_nothing(
    physician_client: Client, patient: Patient
) -> None:
    events = AuditEvent.objects.count()
    response = physician_client.post(
        reverse("patients:resume_follow_up", args=[patient.pk]), follow=True
    )
    assert "Follow-up was already active." in response.text
    assert AuditEvent.objects.exclude(action=AuditAction.VIEW).count() == events


@ENTRIES
def test_a_birth_date_after_an_entry_of_the_record_is_refused(
    nurse_client: Client, patient: Patient, record: str, what: str
) -> None:
    _record(patient, record)
    url = reverse("patients:update", args=[patient.pk])
    data = posted_data(nurse_client.get(url).text, having="version")
    events = AuditEvent.objects.exclude(action=AuditAction.VIEW).count()
    response = nurse_client.post(url, data | {"birth_date": "2024-12-25"})
    assert response.status_code == 200
    assert what in response.context["form"].errors["birth_date"][0]
    patient.refresh_from_db()
    assert patient.birth_date == dt.date(1958, 4, 12)
    assert AuditEvent.objects.exclude(action=AuditAction.VIEW).count() == events


@pytest.mark.django_db
def test_a_child_birth_date_or_a_name_on_two_lines_is_refused(site: Site) -> None:
    from datetime import date

    from django.utils import timezone

    from patients.forms import PatientForm

    today = timezone.localdate()
    data = {
        "site": site.pk,
        "mrn": "K1",
        "name": "Jane\nExample",
        "birth_date": date(today.year - 5, 1, 1).isoformat(),
        "sex": "F",
        "menopausal_status": "postmenopausal",
        "smoking": "never",
        "oral_glucocorticoid_months": "0",
    }
    form = PatientForm(data, sites=Site.objects.all())
    assert not form.is_valid()
    assert form.errors["name"] == [
        "Write the name on one line, without tabs or invisible characters."
    ]
    assert "makes the patient 5" in form.errors["birth_date"][0]


def test_an_edit_saved_as_opened_says_nothing_changed(
    nurse_client: Client, patient: Patient
) -> None:
    """The form as the page sends it, unchanged: no new version, no audit row, and the message
    says so (a tester read "Patient record saved." after saving nothing)."""
    url = reverse("patients:update", args=[patient.pk])
    opened = posted_data(nurse_client.get(url).text, having="mrn")
    response = nurse_client.post(url, opened, follow=True)
    assert "Nothing was changed: the record is as it was." in response.text
    assert "Patient record saved." not in response.text
    patient.refresh_from_db()
    assert patient.version == 1
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE).exists()
