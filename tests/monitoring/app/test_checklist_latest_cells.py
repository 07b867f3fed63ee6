"""The checklist's "Latest" column reads "none" for a lab not on file, whatever the dental review
(phys11 F2: once a dental review date was entered, vitamin D, calcium and kidney function with
no result read "done", beside "Failed"). Only the dental review row shows the review."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from monitoring import domain
from monitoring.models import BoneTherapyCourse
from monitoring.records.safety import checklist
from patients.models import Patient

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
REVIEWED = TODAY - timedelta(days=12)
LABS = ("vitamin_d", "calcium", "renal")


def _latest_cells(page: str) -> dict[str, str]:
    """Each checklist row's "Latest" cell (its third cell), by check."""
    section = page.split('data-testid="safety-checklist"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<tr data-check="(\w+)".*?</tr>', section, flags=re.DOTALL)
    cells = {}
    for key in rows:
        row = re.search(rf'<tr data-check="{key}".*?</tr>', section, flags=re.DOTALL)
        assert row is not None
        tds = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), flags=re.DOTALL)
        cells[key] = re.sub(r"<[^>]+>", "", tds[1]).strip()
    return cells


def test_the_therapy_form_reads_none_for_labs_not_on_file(
    physician_client: Client, patient: Patient
) -> None:
    url = reverse("monitoring:therapy_create", args=[patient.pk])
    page = physician_client.post(
        url,
        {
            "drug": "denosumab",
            "dose": "60 mg",
            "start_date": TODAY.isoformat(),
            "dental_review_date": REVIEWED.isoformat(),
        },
    ).text
    cells = _latest_cells(page)
    assert {key: cells[key] for key in LABS} == dict.fromkeys(LABS, "none")
    assert cells["dental"] == "done"
    assert not BoneTherapyCourse.objects.exists()  # the failed checks refused it


def test_the_dose_form_reads_none_for_labs_not_on_file(
    physician_client: Client, patient: Patient, physician: User
) -> None:
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        dose="60 mg",
        start_date=TODAY - timedelta(days=190),
        dental_review_date=TODAY - timedelta(days=200),
        entered_by=physician,
    )
    page = physician_client.get(
        reverse("monitoring:dose_create", args=[patient.pk, course.pk])
    ).text
    cells = _latest_cells(page)
    assert {key: cells[key] for key in LABS} == dict.fromkeys(LABS, "none")
    assert cells["dental"] == "done"


@pytest.mark.parametrize("drug", list(domain.BoneTherapyDrug))
def test_only_the_dental_row_shows_the_review(drug: domain.BoneTherapyDrug) -> None:
    history = domain.History(
        patient=domain.Patient(
            mrn="W1",
            sex=domain.Sex.F,
            birth_date=TODAY.replace(year=TODAY.year - 64),
            menopausal_status=domain.MenopausalStatus.POSTMENOPAUSAL,
        )
    )
    course = domain.BoneTherapyCourse(drug=drug, start_date=TODAY, dental_review_date=REVIEWED)
    checks = {check.key: check for check in checklist(history, course=course, as_of=TODAY).checks}
    for key in LABS:
        assert (checks[key].value, checks[key].date) == ("", None), key
    assert checks["dental"].value in {"done", ""}  # "" where the rules do not ask (oral drugs)
    assert checks["dental"].date == REVIEWED
