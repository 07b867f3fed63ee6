"""Every URL, for every kind of visitor: anonymous, wrong role, other site, right role."""

import pytest
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import User
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory

pytestmark = pytest.mark.django_db

NURSE_OR_PHYSICIAN = {"nurse", "physician"}

# (url name, needs a patient, needs a course, roles allowed). Every patient URL is in this table; a
# test
# below fails when a new URL is added without it.
PATIENT_URLS = [
    ("patients:list", False, False, NURSE_OR_PHYSICIAN),
    ("patients:create", False, False, NURSE_OR_PHYSICIAN),
    ("patients:update", True, False, NURSE_OR_PHYSICIAN),
    ("patients:mark_in_error", True, False, NURSE_OR_PHYSICIAN),
    ("patients:end_follow_up", True, False, {"physician"}),
    ("patients:ai_course_create", True, False, NURSE_OR_PHYSICIAN),
    ("patients:ai_course_update", True, True, NURSE_OR_PHYSICIAN),
    ("patients:ai_course_mark_in_error", True, True, NURSE_OR_PHYSICIAN),
]
POST_ONLY_URLS = [("patients:resume_follow_up", {"physician"})]
ROLES = ["nurse", "physician", "admin"]


def _url(name: str, patient: Patient | None, course: bool) -> str:
    if patient is None:
        return reverse(name)
    if course:
        course_obj = AromataseInhibitorCourseFactory(patient=patient)
        return reverse(name, args=[patient.pk, course_obj.pk])
    return reverse(name, args=[patient.pk])


@pytest.fixture
def users(nurse: User, physician: User, admin_user: User) -> dict[str, User]:
    return {"nurse": nurse, "physician": physician, "admin": admin_user}


def test_every_patient_url_is_in_the_table() -> None:
    from patients.urls import urlpatterns

    names = {f"patients:{p.name}" for p in urlpatterns}  # type: ignore[union-attr]
    assert names == {row[0] for row in PATIENT_URLS} | {row[0] for row in POST_ONLY_URLS}


@pytest.mark.parametrize(("name", "needs_patient", "needs_course", "allowed"), PATIENT_URLS)
def test_anonymous_is_sent_to_login(
    client: Client,
    patient: Patient,
    name: str,
    needs_patient: bool,
    needs_course: bool,
    allowed: set[str],
) -> None:
    url = _url(name, patient if needs_patient else None, needs_course)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "needs_patient", "needs_course", "allowed"), PATIENT_URLS)
def test_each_role_gets_200_or_403(
    client: Client,
    users: dict[str, User],
    patient: Patient,
    role: str,
    name: str,
    needs_patient: bool,
    needs_course: bool,
    allowed: set[str],
) -> None:
    client.force_login(users[role])
    url = _url(name, patient if needs_patient else None, needs_course)
    response = client.get(url)
    assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize("role", ["nurse", "physician"])
@pytest.mark.parametrize(
    ("name", "needs_patient", "needs_course", "allowed"),
    [row for row in PATIENT_URLS if row[1] and "nurse" in row[3]],
)
def test_another_sites_patient_is_404(
    client: Client,
    users: dict[str, User],
    foreign_patient: Patient,
    role: str,
    name: str,
    needs_patient: bool,
    needs_course: bool,
    allowed: set[str],
) -> None:
    client.force_login(users[role])
    response = client.get(_url(name, foreign_patient, needs_course))
    assert response.status_code == 404


def test_physician_on_another_sites_patient_end_follow_up_is_404(
    physician_client: Client, foreign_patient: Patient
) -> None:
    response = physician_client.get(reverse("patients:end_follow_up", args=[foreign_patient.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "allowed"), POST_ONLY_URLS)
def test_post_only_urls(
    client: Client,
    users: dict[str, User],
    patient: Patient,
    role: str,
    name: str,
    allowed: set[str],
) -> None:
    client.force_login(users[role])
    url = reverse(name, args=[patient.pk])
    assert client.get(url).status_code == (405 if role in allowed else 403)
    assert client.post(url).status_code == (302 if role in allowed else 403)


def test_anonymous_post_only_url_redirects(client: Client, patient: Patient) -> None:
    response = client.post(reverse("patients:resume_follow_up", args=[patient.pk]))
    assert response.status_code == 302


def test_home_sends_clinicians_to_patients_and_shows_admins_their_links(
    client: Client, users: dict[str, User]
) -> None:
    assert client.get(reverse("home")).status_code == 302  # anonymous: to login
    client.force_login(users["nurse"])
    assert client.get(reverse("home"))["Location"] == reverse("patients:list")
    client.force_login(users["admin"])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert reverse("admin:accounts_user_changelist") in response.text
    assert "Patients" not in response.text


@pytest.mark.parametrize("role", ["nurse", "physician"])
def test_clinicians_cannot_open_the_admin_site(
    client: Client, users: dict[str, User], role: str
) -> None:
    client.force_login(users[role])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_admin_site_shows_users_and_audit_but_no_clinical_record(
    admin_client_: Client, patient: Patient
) -> None:
    response = admin_client_.get(reverse("admin:index"))
    assert response.status_code == 200
    assert reverse("admin:accounts_user_changelist") in response.text
    assert reverse("admin:audit_auditevent_changelist") in response.text
    assert "patients" not in response.text.lower().split("<body")[1].split("recent actions")[0]


@pytest.mark.parametrize(
    "url_name", ["accounts:password_change", "accounts:password_change_done", "home"]
)
def test_account_pages_need_login(client: Client, url_name: str) -> None:
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", ["accounts:password_change", "accounts:password_change_done"])
def test_account_pages_open_to_every_role(
    client: Client, users: dict[str, User], role: str, url_name: str
) -> None:
    client.force_login(users[role])
    assert client.get(reverse(url_name)).status_code == 200


def test_login_and_health_need_no_login(client: Client) -> None:
    assert client.get(reverse("accounts:login")).status_code == 200
    assert client.get(reverse("health")).status_code == 200
