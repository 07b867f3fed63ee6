"""Project-wide checks: health endpoint, security headers, roles, migrations, demo data."""

from io import StringIO
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import User
from bonehealth.accounts.roles import ROLE_PERMISSIONS
from patients.models import AromataseInhibitorCourse, Patient

pytestmark = pytest.mark.django_db


def test_health_is_ok_without_login(client: Client) -> None:
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_is_503_when_the_database_fails(client: Client) -> None:
    with mock.patch("bonehealth.accounts.views.connection") as connection:
        connection.cursor.side_effect = RuntimeError("database down")
        response = client.get(reverse("health"))
    assert response.status_code == 503


def test_pages_send_a_strict_content_security_policy(client: Client) -> None:
    policy = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_roles_in_the_database_match_roles_module() -> None:
    for role, expected in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        actual = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert actual == set(expected), role


def test_no_missing_migrations() -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


def test_seed_demo_creates_users_sites_and_patients_and_can_run_again() -> None:
    out = StringIO()
    call_command("seed_demo", "--patients", "30", "--no-progress", stdout=out)
    showcase = Patient.objects.filter(mrn__startswith="SHOW-").count()
    assert Patient.objects.count() == 30 + showcase
    assert AromataseInhibitorCourse.objects.count() >= 30
    assert "password: bonehealth-demo" in out.getvalue()
    call_command("seed_demo", "--patients", "40", "--no-progress", stdout=StringIO())
    assert Patient.objects.count() == 40 + showcase
    nurse = User.objects.get(username="nurse")
    assert nurse.check_password("bonehealth-demo")
    assert nurse.has_perm("patients.view_patient")
    assert not nurse.has_perm("patients.end_follow_up")
    assert User.objects.get(username="physician").has_perm("patients.end_follow_up")
    admin = User.objects.get(username="admin")
    assert admin.has_perm("accounts.manage_users")
    assert not admin.has_perm("patients.view_patient")
    for patient in Patient.objects.all():
        assert patient.height_cm is not None
        assert 100 <= patient.height_cm <= 230
        assert patient.weight_kg is not None
        assert 25 <= patient.weight_kg <= 250


def test_seed_demo_shows_every_kind_of_alert() -> None:
    from monitoring.domain import AlertCode
    from monitoring.models import Alert, PatientAssessment

    call_command("seed_demo", "--patients", "0", "--no-progress", stdout=StringIO())
    raised = set(
        Alert.objects.filter(cleared_at__isnull=True).values_list("code", flat=True).distinct()
    )
    assert raised == {code.value for code in AlertCode}
    assert PatientAssessment.objects.count() == Patient.objects.count()
    risks = set(PatientAssessment.objects.values_list("risk_category", flat=True))
    assert {"high", "unknown"} <= risks


def test_demo_users_can_log_in_and_reach_their_pages(client: Client) -> None:
    call_command("seed_demo", "--patients", "5", "--no-progress", stdout=StringIO())
    for username, landing in [("nurse", 302), ("physician", 302), ("admin", 200)]:
        client.logout()
        response = client.post(
            reverse("accounts:login"), {"username": username, "password": "bonehealth-demo"}
        )
        assert response.status_code == 302, username
        if username == "admin":  # the demo admin's second factor, as the README says
            assert client.get(reverse("home"))["Location"].startswith(
                reverse("accounts:otp_verify")
            )
            code = StringIO()
            call_command("demo_totp", "admin", stdout=code, stderr=StringIO())
            response = client.post(reverse("accounts:otp_verify"), {"token": code.getvalue()})
            assert response.status_code == 302
        assert client.get(reverse("home")).status_code == landing
    assert client.get(reverse("patients:list")).status_code == 403  # the admin


def test_domain_settings_time_zone_decides_today(settings) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    settings.TIME_ZONE = "Pacific/Kiritimati"
    ahead = timezone.localdate()
    settings.TIME_ZONE = "Pacific/Pago_Pago"
    behind = timezone.localdate()
    assert (ahead - behind).days in (1, 2)
