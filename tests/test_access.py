"""Every URL, for every kind of visitor: anonymous, wrong role, other site, right role.

Also, over the same tables: every form refuses a POST without a CSRF token, and every page sends
the strict Content-Security-Policy.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts.models import User
from bonehealth.accounts.tokens import enrolment_token_generator
from patients.models import Patient
from tests.conftest import login
from tests.factories import AromataseInhibitorCourseFactory, UserFactory
from tests.monitoring.app.test_access_monitoring import POST_ONLY as MONITORING_POST_ONLY
from tests.monitoring.app.test_access_monitoring import URLS as MONITORING_URLS
from tests.monitoring.app.test_access_monitoring import records

pytestmark = pytest.mark.django_db

NURSE_OR_PHYSICIAN = {"nurse", "physician"}

# (url name, needs a patient, needs a course, roles allowed). Every patient URL is in this table; a
# test
# below fails when a new URL is added without it.
PATIENT_URLS = [
    ("patients:list", False, False, NURSE_OR_PHYSICIAN),
    ("patients:create", False, False, NURSE_OR_PHYSICIAN),
    # Who may restore a patient marked entered in error (the permission ending follow-up needs).
    ("patients:in_error_list", False, False, {"physician"}),
    ("patients:update", True, False, NURSE_OR_PHYSICIAN),
    ("patients:mark_in_error", True, False, NURSE_OR_PHYSICIAN),
    ("patients:end_follow_up", True, False, {"physician"}),
    ("patients:ai_course_create", True, False, NURSE_OR_PHYSICIAN),
    ("patients:ai_course_update", True, True, NURSE_OR_PHYSICIAN),
    ("patients:ai_course_mark_in_error", True, True, NURSE_OR_PHYSICIAN),
]
POST_ONLY_URLS = [("patients:resume_follow_up", {"physician"}), ("patients:restore", {"physician"})]
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
    login(users[role], client)
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
    login(users[role], client)
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
    login(users[role], client)
    url = reverse(name, args=[patient.pk])
    assert client.get(url).status_code == (405 if role in allowed else 403)
    assert client.post(url).status_code == (302 if role in allowed else 403)


@pytest.mark.parametrize(("name", "allowed"), POST_ONLY_URLS)
def test_anonymous_post_only_url_redirects(
    client: Client, patient: Patient, name: str, allowed: set[str]
) -> None:
    response = client.post(reverse(name, args=[patient.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_home_sends_clinicians_to_their_lists_and_shows_admins_their_links(
    client: Client, users: dict[str, User]
) -> None:
    assert client.get(reverse("home")).status_code == 302  # anonymous: to login
    login(users["nurse"], client)
    assert client.get(reverse("home"))["Location"] == reverse("monitoring:worklist")
    login(users["physician"], client)
    assert client.get(reverse("home"))["Location"] == reverse("monitoring:dashboard")
    login(users["admin"], client)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert reverse("accounts:user_list") in response.text
    assert reverse("audit:list") in response.text
    assert "Patients" not in response.text


@pytest.fixture
def superuser_client(site: object) -> Client:
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    TOTPDevice.objects.create(user=root, name="test", confirmed=True)
    return login(root)


@pytest.mark.parametrize("role", ["nurse", "physician", "admin"])
def test_clinicians_and_admins_cannot_open_the_admin_site(
    client: Client, users: dict[str, User], role: str
) -> None:
    login(users[role], client)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_admin_site_shows_users_and_audit_but_no_clinical_record(
    superuser_client: Client, patient: Patient
) -> None:
    response = superuser_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert reverse("admin:accounts_user_changelist") in response.text
    assert reverse("admin:audit_auditevent_changelist") in response.text
    assert "patients" not in response.text.lower().split("<body")[1].split("recent actions")[0]


# Pages of one's own account: GET status for each role (an admin already has a verified device,
# so the set-up and verify steps send them on; a clinician without a device has nothing to verify).
SELF_SERVICE_URLS = {
    "home": {"nurse": 302, "physician": 302, "admin": 200},
    "accounts:password_change": {"nurse": 200, "physician": 200, "admin": 200},
    "accounts:password_change_done": {"nurse": 200, "physician": 200, "admin": 200},
    "accounts:two_factor": {"nurse": 200, "physician": 200, "admin": 200},
    "accounts:otp_setup": {"nurse": 200, "physician": 200, "admin": 302},
    "accounts:otp_verify": {"nurse": 302, "physician": 302, "admin": 302},
}
# POST-only self-service: a clinician may turn off their own two-factor, an admin may not.
SELF_SERVICE_POST_URLS = {
    "accounts:two_factor_disable": {"nurse": 302, "physician": 302, "admin": 403},
    "accounts:sessions_end_others": {"nurse": 302, "physician": 302, "admin": 302},
}

# User administration and the audit trail: (url name, needs a target user, roles allowed).
ADMIN_URLS = [
    ("accounts:user_list", False, {"admin"}),
    ("accounts:user_create", False, {"admin"}),
    ("accounts:user_update", True, {"admin"}),
    ("accounts:user_password_reset", True, {"admin"}),
    ("accounts:site_list", False, {"admin"}),
    ("audit:list", False, {"admin"}),
    ("audit:export", False, {"admin"}),
]
ADMIN_POST_ONLY_URLS = [
    ("accounts:user_deactivate", {"admin"}),
    ("accounts:user_reactivate", {"admin"}),
]
# The clinical rules reference holds no patient data: every signed-in role reads it (clinicians
# follow links from alerts to it; admins read what the scanners' LSC values feed).
REFERENCE_URLS = [("rules", {"nurse", "physician", "admin"})]
# Open without login.
PUBLIC_URLS = ["accounts:login", "health"]
# Open without login, but only with a valid one-time token in the address (the e-mailed link).
TOKEN_URLS = ["accounts:enrol"]
# Served by Django: logout is POST-only and open to anyone. The idle timer's keep-alive answers a
# script (401 without a live session, for every role alike): tests/accounts/test_keep_alive.py.
OTHER_URLS = {"accounts:logout", "accounts:keep_alive"}


def _all_url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _all_url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_url_is_in_a_table() -> None:
    """A new URL fails here until it is added to a table above (and so tested by role)."""
    tabled = (
        {row[0] for row in PATIENT_URLS}
        | {row[0] for row in POST_ONLY_URLS}
        | set(SELF_SERVICE_URLS)
        | set(SELF_SERVICE_POST_URLS)
        | {row[0] for row in ADMIN_URLS}
        | {row[0] for row in ADMIN_POST_ONLY_URLS}
        | set(PUBLIC_URLS)
        | set(TOKEN_URLS)
        | {row[0] for row in REFERENCE_URLS}
        | OTHER_URLS
        # Monitoring URLs have their own table, with the records they need, beside their tests.
        | {row[0] for row in MONITORING_URLS}
        | {row[0] for row in MONITORING_POST_ONLY}
    )
    ours = {name for name in _all_url_names() if not name.startswith("admin:")}
    assert ours - tabled == set()
    assert tabled - ours == set()


def _admin_url(name: str, target: User | None) -> str:
    return reverse(name, args=[target.pk]) if target is not None else reverse(name)


@pytest.mark.parametrize("url_name", [*SELF_SERVICE_URLS, *SELF_SERVICE_POST_URLS])
def test_account_pages_need_login(client: Client, url_name: str) -> None:
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", list(SELF_SERVICE_URLS))
def test_account_pages_for_every_role(
    client: Client, users: dict[str, User], role: str, url_name: str
) -> None:
    login(users[role], client)
    assert client.get(reverse(url_name)).status_code == SELF_SERVICE_URLS[url_name][role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", list(SELF_SERVICE_POST_URLS))
def test_self_service_post_urls(
    client: Client, users: dict[str, User], role: str, url_name: str
) -> None:
    login(users[role], client)
    assert client.get(reverse(url_name)).status_code == 405
    assert client.post(reverse(url_name)).status_code == SELF_SERVICE_POST_URLS[url_name][role]


@pytest.mark.parametrize(("name", "allowed"), REFERENCE_URLS)
def test_reference_pages_send_anonymous_to_login(
    client: Client, name: str, allowed: set[str]
) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "allowed"), REFERENCE_URLS)
def test_reference_pages_by_role(
    client: Client, users: dict[str, User], role: str, name: str, allowed: set[str]
) -> None:
    login(users[role], client)
    assert client.get(reverse(name)).status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize(("name", "needs_target", "allowed"), ADMIN_URLS)
def test_admin_pages_send_anonymous_to_login(
    client: Client, nurse: User, name: str, needs_target: bool, allowed: set[str]
) -> None:
    response = client.get(_admin_url(name, nurse if needs_target else None))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "needs_target", "allowed"), ADMIN_URLS)
def test_admin_pages_by_role(
    client: Client,
    users: dict[str, User],
    role: str,
    name: str,
    needs_target: bool,
    allowed: set[str],
) -> None:
    login(users[role], client)
    response = client.get(_admin_url(name, users["nurse"] if needs_target else None))
    assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "allowed"), ADMIN_POST_ONLY_URLS)
def test_admin_post_only_urls(
    client: Client, users: dict[str, User], role: str, name: str, allowed: set[str]
) -> None:
    url = reverse(name, args=[users["nurse"].pk])
    assert client.post(url).status_code == 302  # anonymous: to login
    login(users[role], client)
    assert client.get(url).status_code == (405 if role in allowed else 403)
    assert client.post(url).status_code == (302 if role in allowed else 403)


def test_an_admin_without_a_clinical_role_cannot_read_a_patient(
    admin_client_: Client, patient: Patient
) -> None:
    assert admin_client_.get(reverse("monitoring:patient", args=[patient.pk])).status_code == 403
    assert admin_client_.get(reverse("patients:list")).status_code == 403


def test_an_admin_who_is_also_a_nurse_reads_patients_of_their_sites(
    client: Client, admin_user: User, patient: Patient, foreign_patient: Patient
) -> None:
    from django.contrib.auth.models import Group

    admin_user.groups.add(Group.objects.get(name="nurse"))
    login(admin_user, client)
    assert client.get(reverse("monitoring:patient", args=[patient.pk])).status_code == 200
    assert client.get(reverse("monitoring:patient", args=[foreign_patient.pk])).status_code == 404


def _every_get_page(users: dict[str, User], patient: Patient) -> list[tuple[str, str]]:
    """(role, url) for every page each role may open."""
    pages = [
        ("nurse", _url(n, patient if p else None, c)) for n, p, c, a in PATIENT_URLS if "nurse" in a
    ]
    pages += [("physician", _url(n, patient if p else None, c)) for n, p, c, a in PATIENT_URLS]
    pages += [
        ("admin", _admin_url(name, users["nurse"] if target else None))
        for name, target, _ in ADMIN_URLS
    ]
    pages += [
        (role, reverse(name))
        for name, statuses in SELF_SERVICE_URLS.items()
        for role, status in statuses.items()
        if status == 200
    ]
    pages += [("", reverse(name)) for name in PUBLIC_URLS]
    pages += [("", _enrol_url(users["nurse"], "a-wrong-token"))]
    pages += [(role, reverse(name)) for name, allowed in REFERENCE_URLS for role in sorted(allowed)]
    made = records(patient)
    pages += [
        ("physician" if "physician" in allowed else "admin", reverse(name, args=args(made)))
        for name, args, allowed in MONITORING_URLS
    ]
    return pages


def test_every_page_sends_the_strict_content_security_policy(
    client: Client, users: dict[str, User], patient: Patient
) -> None:
    pages = _every_get_page(users, patient)
    assert len(pages) > 20
    for role, url in pages:
        client.logout()
        if role:
            login(users[role], client)
        response = client.get(url)
        assert response.status_code == 200, (role, url)
        policy = response.get("Content-Security-Policy", "")
        assert "default-src 'self'" in policy, url
        assert "script-src 'self'" in policy, url
        assert "frame-ancestors 'none'" in policy, url
        assert "unsafe-inline" not in policy, url
        assert "unsafe-eval" not in policy, url
        if response.get("Content-Type", "").startswith("text/html"):
            body = response.content.decode()
            assert "style=" not in body, url
            assert "<script>" not in body, url


def _every_post_url(users: dict[str, User], patient: Patient) -> list[tuple[str, str]]:
    """(role, url) for every URL that accepts a POST, as a role allowed to POST there."""
    urls = [
        ("physician", _url(n, patient if p else None, c))
        for n, p, c, a in PATIENT_URLS
        if n not in {"patients:list", "monitoring:patient"}
    ]
    urls += [("physician", reverse(name, args=[patient.pk])) for name, _ in POST_ONLY_URLS]
    urls += [
        ("admin", _admin_url(name, users["nurse"] if target else None))
        for name, target, _ in ADMIN_URLS
        if name in {"accounts:user_create", "accounts:user_update", "accounts:user_password_reset"}
    ]
    urls += [("admin", reverse(name, args=[users["nurse"].pk])) for name, _ in ADMIN_POST_ONLY_URLS]
    urls += [
        ("nurse", reverse("accounts:password_change")),
        ("nurse", reverse("accounts:otp_setup")),
        ("nurse", reverse("accounts:two_factor_disable")),
        ("nurse", reverse("accounts:sessions_end_others")),
        ("admin", reverse("accounts:otp_verify")),
        ("nurse", reverse("accounts:logout")),
        ("", reverse("accounts:login")),
        ("", _enrol_url(users["nurse"], "a-wrong-token")),
    ]
    made = records(patient)
    urls += [
        ("physician" if "physician" in allowed else "admin", reverse(name, args=args(made)))
        for name, args, allowed in [*MONITORING_URLS, *MONITORING_POST_ONLY]
        if name not in {"monitoring:patient", "monitoring:scanner_list"}
    ]
    return urls


def test_every_form_refuses_a_post_without_a_csrf_token(
    users: dict[str, User], patient: Patient
) -> None:
    urls = _every_post_url(users, patient)
    assert len(urls) >= 35
    for role, url in urls:
        client = Client(enforce_csrf_checks=True)
        if role:
            login(users[role], client)
        response = client.post(url, {"reason": "a reason long enough", "password1": ""})
        assert response.status_code == 403, (role, url)
        assert "CSRF verification failed" in response.text, url


def test_login_and_health_need_no_login(client: Client) -> None:
    assert client.get(reverse("accounts:login")).status_code == 200
    assert client.get(reverse("health")).status_code == 200


def _enrol_url(user: User, token: str | None = None) -> str:
    """The set-password link of the e-mail; a real token unless one is given."""
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return reverse(
        "accounts:enrol",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": token or enrolment_token_generator.make_token(user),
        },
    )


def test_the_enrolment_link_opens_without_login_only_with_a_valid_token(
    client: Client, nurse: User
) -> None:
    form_url = client.get(_enrol_url(nurse))["Location"]
    page = client.get(form_url)
    assert page.status_code == 200
    assert page.context["form"] is not None
    assert "default-src 'self'" in page["Content-Security-Policy"]
    # The token is kept in the session, not the address (no Referer leak).
    assert form_url == _enrol_url(nurse, "set-password")


@pytest.mark.parametrize("token", ["a-wrong-token", "set-password"])
def test_an_invalid_enrolment_token_is_refused_and_sets_nothing(
    client: Client, nurse: User, token: str
) -> None:
    url = _enrol_url(nurse, token)
    assert client.get(url).context["form"] is None
    new = "an attacker's passphrase"
    response = client.post(url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 200
    assert response.context["form"] is None
    nurse.refresh_from_db()
    assert nurse.check_password("correct-horse-battery")


def test_a_used_enrolment_token_is_refused(client: Client, nurse: User) -> None:
    link = _enrol_url(nurse)
    form_url = client.get(link)["Location"]
    first = "a first long passphrase"
    client.post(form_url, {"new_password1": first, "new_password2": first})
    again = Client()
    assert again.get(link).context["form"] is None
    second = "a second long passphrase"
    again.post(
        _enrol_url(nurse, "set-password"), {"new_password1": second, "new_password2": second}
    )
    nurse.refresh_from_db()
    assert nurse.check_password(first)


def test_a_nurse_refused_a_physicians_page_is_told_to_ask_a_physician(
    client: Client, nurse: User, patient: Patient
) -> None:
    """A nurse opening a therapy form is not sent to an administrator for a clinical decision
    (nurse13 #17): the page says a physician decides, and an administrator changes roles."""
    login(nurse, client)
    response = client.get(reverse("monitoring:therapy_create", args=[patient.pk]))
    assert response.status_code == 403
    text = " ".join(response.content.decode().split())
    assert "are a physician's: ask one of your site's physicians" in text
    assert "an administrator can change your roles" in text
