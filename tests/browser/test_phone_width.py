"""At a phone's width (390 px) the pages fit: wide tables scroll inside their own box, and nothing
(such as a header's visually-hidden "Actions" text) widens the document into blank space."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import FraxResult, Scanner
from tests.browser.test_journey import log_in
from tests.factories import (
    AromataseInhibitorCourseFactory,
    DexaScanFactory,
    LabResultFactory,
    PatientFactory,
    SiteFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
TODAY = timezone.localdate()
PHONE = {"width": 390, "height": 844}


def test_pages_are_no_wider_than_a_phone(live_server: Any, page: Page, roles: None) -> None:
    site = SiteFactory(name="North General", code="north")
    UserFactory(username="physician", role="physician", sites=[site])
    patient = PatientFactory(site=site, mrn="PHONE-1", name="Hélène Lefèvre-Øster")
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=900))
    Scanner.objects.create(site=site, name="Hologic Horizon A", lsc_lumbar_spine="0.028")
    DexaScanFactory(patient=patient, scan_date=TODAY - dt.timedelta(days=800), t=-1.2)
    LabResultFactory(patient=patient, sample_date=TODAY - dt.timedelta(days=20), value=18)
    FraxResult.objects.create(
        patient=patient,
        assessed_on=TODAY - dt.timedelta(days=30),
        major_osteoporotic_pct=12.5,
        hip_pct=3.2,
    )
    # Due and overdue work for the worklist, without a scan for a second patient.
    other = PatientFactory(site=site, mrn="PHONE-2", name="Second Patient")
    AromataseInhibitorCourseFactory(patient=other, start_date=TODAY - dt.timedelta(days=60))
    for each in (patient, other):
        patient_assessment_refresh(patient=each)

    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "physician")
    for path in ("/worklist/", f"/patients/{patient.pk}/", "/dashboard/", "/patients/"):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("table").count() > 0, path
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth,"
            " window.innerWidth]"
        )
        # What sticks out of the page outside a table's own scroll box, to say why on failure.
        wide = page.evaluate(
            "() => [...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > 392"
            " && !e.closest('.table-responsive'))"
            ".map(e => `${e.tagName}.${e.className} ${e.getBoundingClientRect().right}`)"
            ".slice(0, 15)"
        )
        assert widths[0] == widths[1] == PHONE["width"], (path, widths, wide)
