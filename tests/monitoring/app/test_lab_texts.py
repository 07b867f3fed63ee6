"""The rules' texts in the site's lab units (issue 17): the rules write vitamin D as entered (in
the unit they judge it in, nurse14 #3) and calcium in mmol/L; a page shows them, and the threshold
they quote, in the unit its site's labs table uses, converted and rounded as that table does (at
the precision laboratories report, nurse14 #6)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import LabUnits, Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring import domain
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import BoneTherapyCourse
from monitoring.overview.lab_texts import in_site_units
from monitoring.overview.lab_values import ShownValue
from monitoring.records.services.therapy import bone_therapy_start
from monitoring.templatetags.monitoring_display import plain_lab_values
from patients.models import Patient
from tests.factories import LabResultFactory
from tests.monitoring.domain.builders import AS_OF, ai, history, lab, normal_scan, therapy

A = domain.Analyte
SI = domain.UnitSystem.SI
CONVENTIONAL = domain.UnitSystem.CONVENTIONAL


def _texts(*labs: domain.LabResult) -> list[str]:
    """The alert and recommendation texts the rules write for these labs, denosumab planned."""
    assessment = domain.assess(
        history(
            aromatase_inhibitors=(ai("2024-01-01"),),
            dexa_scans=(normal_scan(),),
            labs=labs,
            bone_therapy=(therapy(domain.BoneTherapyDrug.DENOSUMAB, None),),
        ),
        as_of=AS_OF,
    )
    return [a.message for a in assessment.alerts] + [r.message for r in assessment.recommendations]


def _quoting(texts: list[str], words: str) -> str:
    return next(text for text in texts if words in text)


def test_the_rules_texts_of_vitamin_d_read_in_nmol_at_an_si_site() -> None:
    texts = _texts(lab("2025-05-20", A.VITAMIN_D_25OH, "12.02"))
    deficient = _quoting(texts, "is deficient")
    assert deficient.startswith("25-OH vitamin D 12.02 ng/mL on 2025-05-20 is deficient (< 20)")
    # 30.00 nmol/L converted, in whole nmol/L as laboratories report it (nurse14 #6).
    assert in_site_units(deficient, SI).startswith(
        "25-OH vitamin D 30 nmol/L on 2025-05-20 is deficient (< 50 nmol/L, 20 ng/mL); "
        "replete before"
    )
    replete = _quoting(texts, "Replete vitamin D")
    assert in_site_units(replete, SI) == replete.replace(
        "(12.02 ng/mL on 2025-05-20, target >= 30)",
        "(30 nmol/L on 2025-05-20, target >= 75 nmol/L, 30 ng/mL)",
    )
    assert plain_lab_values(deficient, "si").startswith("25-OH vitamin D 30 nmol/L on")
    # In ng/mL the values read as written; the thresholds get their unit.
    assert in_site_units(deficient, CONVENTIONAL).startswith(
        "25-OH vitamin D 12.02 ng/mL on 2025-05-20 is deficient (< 20 ng/mL); replete before"
    )
    assert "(12.02 ng/mL on 2025-05-20, target >= 30 ng/mL)" in in_site_units(replete, CONVENTIONAL)
    for text in (deficient, replete):
        assert in_site_units(text, None) == text


def test_insufficient_vitamin_d_converts_its_threshold_too() -> None:
    insufficient = _quoting(_texts(lab("2025-05-20", A.VITAMIN_D_25OH, "25")), "insufficient")
    assert in_site_units(insufficient, SI) == (
        "25-OH vitamin D 62 nmol/L on 2025-05-20 is insufficient (< 75 nmol/L, 30 ng/mL)."
    )


def test_low_calcium_reads_in_mg_per_dl_at_a_conventional_site() -> None:
    """The rules quote calcium in mmol/L (SI): a conventional site reads it in mg/dL, as its labs
    table does; an SI site reads the text as written."""
    texts = _texts(lab("2025-05-20", A.VITAMIN_D_25OH, "40"), lab("2025-05-20", A.CALCIUM, "2.00"))
    low = _quoting(texts, "Adjusted calcium")
    assert low.startswith("Adjusted calcium 2.00 mmol/L on 2025-05-20 (< 2.12): do not give")
    # 8.016 mg/dL, to 0.1 mg/dL as laboratories report it (nurse14 #6).
    assert in_site_units(low, CONVENTIONAL).startswith(
        "Adjusted calcium 8 mg/dL on 2025-05-20 (< 8.48 mg/dL, 2.12 mmol/L): do not give denosumab"
    )
    # Written as the labs table writes it (2.00 -> 2, as the page's filter did already).
    assert in_site_units(low, SI) == low.replace("(< 2.12)", "(< 2.12 mmol/L)").replace(
        "2.00 mmol/L", "2 mmol/L"
    )


def test_texts_without_a_quoted_value_are_unchanged() -> None:
    for text in _texts() + _texts(lab("2025-05-20", A.VITAMIN_D_25OH, "40")):
        assert in_site_units(text, SI) == text
        assert in_site_units(text, CONVENTIONAL) == text


# --- The pages --------------------------------------------------------------------------------


TODAY = timezone.localdate()


@pytest.fixture
def vitamin_d_30_nmol(patient: Patient) -> Patient:
    """A deficient vitamin D entered as 30 nmol/L (12.02 ng/mL, 12.0 as laboratories write it)."""
    LabResultFactory(
        patient=patient,
        sample_date=TODAY - dt.timedelta(days=7),
        value=domain.to_canonical(A.VITAMIN_D_25OH, Decimal(30), "nmol/L"),
        entered_value=30,
        entered_unit="nmol/L",
    )
    return patient


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setting", "shown", "hidden"),
    [
        (LabUnits.SI, "25-OH vitamin D 30 nmol/L on", "vitamin D 12"),
        (LabUnits.CONVENTIONAL, "25-OH vitamin D 12 ng/mL on", "nmol/L on"),
    ],
)
def test_the_patient_page_and_printout_quote_vitamin_d_in_the_sites_unit(
    nurse_client: Client,
    vitamin_d_30_nmol: Patient,
    site: Site,
    setting: str,
    shown: str,
    hidden: str,
) -> None:
    Site.objects.filter(pk=site.pk).update(lab_units=setting)
    for name in ("monitoring:patient", "monitoring:patient_summary"):
        page = nurse_client.get(reverse(name, args=[vitamin_d_30_nmol.pk])).text
        assert shown in page, name
        assert hidden not in page, name
    letter = nurse_client.get(
        reverse("monitoring:letter", args=[vitamin_d_30_nmol.pk, "doctor"])
    ).text
    assert shown in letter
    assert hidden not in letter


@pytest.mark.django_db
def test_the_safety_checklist_reads_in_the_sites_unit(
    physician_client: Client, physician: User, vitamin_d_30_nmol: Patient
) -> None:
    course = BoneTherapyCourse.objects.create(
        patient=vitamin_d_30_nmol,
        drug="denosumab",
        start_date=TODAY - dt.timedelta(days=200),
        entered_by=physician,
    )
    url = reverse("monitoring:dose_create", args=[vitamin_d_30_nmol.pk, course.pk])
    page = physician_client.get(url).text
    assert 'data-check="vitamin_d" data-status="failed"' in page
    assert '<td data-label="Latest">30 nmol/L</td>' in page
    assert "25-OH vitamin D 30 nmol/L on" in page
    # ng/mL only beside a threshold, as the rules' own number (phys10 F5): no value reads in it.
    section = page.split('data-testid="safety-checklist"', 1)[1].split("</section>")[0]
    assert re.findall(r"[\d.]+ ng/mL", section) == ["20 ng/mL"] * section.count("ng/mL")


@pytest.fixture
def vitamin_d_20_93_nmol(patient: Patient) -> Patient:
    """A deficient vitamin D entered as 20.93 nmol/L: 8.3854166... ng/mL as stored."""
    LabResultFactory(
        patient=patient,
        sample_date=TODAY - dt.timedelta(days=7),
        value=domain.to_canonical(A.VITAMIN_D_25OH, Decimal("20.93"), "nmol/L"),
        entered_value=Decimal("20.93"),
        entered_unit="nmol/L",
    )
    return patient


def _checklist_section(page: str) -> str:
    return page.split('data-testid="safety-checklist"', 1)[1].split("</section>")[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setting", "latest"), [(LabUnits.CONVENTIONAL, "8.4 ng/mL"), (LabUnits.SI, "20.93 nmol/L")]
)
def test_the_checklist_latest_value_reads_as_the_labs_table_rounds_it(
    physician_client: Client,
    vitamin_d_20_93_nmol: Patient,
    site: Site,
    setting: str,
    latest: str,
) -> None:
    """Rounded like the labs table (0.1 ng/mL, nurse14 #6), never 8.385416666666666666666666667
    ng/mL; at an SI site the value as entered (20.93, not 20.94 from the rounded 8.39)."""
    Site.objects.filter(pk=site.pk).update(lab_units=setting)
    url = reverse("monitoring:therapy_create", args=[vitamin_d_20_93_nmol.pk])
    data = {"drug": "denosumab", "dose": "60 mg", "start_date": TODAY.isoformat()}
    section = _checklist_section(physician_client.post(url, data).text)
    assert f'<td data-label="Latest">{latest}</td>' in section
    assert "8.3854" not in section
    labs = physician_client.get(reverse("monitoring:patient", args=[vitamin_d_20_93_nmol.pk]))
    assert latest in labs.text


@pytest.mark.django_db
def test_the_audit_of_an_override_keeps_the_value_as_the_rules_quote_it(
    physician: User, vitamin_d_20_93_nmol: Patient
) -> None:
    course = bone_therapy_start(
        actor=physician,
        patient=vitamin_d_20_93_nmol,
        values={"drug": "denosumab", "dose": "60 mg", "start_date": TODAY, "stop_date": None},
        override_reason="loading dose given; MDT agreed",
    )
    event = AuditEvent.objects.get(
        object_type=BoneTherapyCourse._meta.label_lower,
        object_id=str(course.pk),
        action=AuditAction.CREATE,
    )
    failed = {c["check"]: c for c in event.changes["safety_override"]["failed_checks"]}
    # As entered: the rules judge it in nmol/L (nurse14 #3).
    assert failed["vitamin_d"]["value"] == "20.93 nmol/L"


@pytest.mark.django_db
def test_an_alert_quotes_the_value_as_the_labs_table_shows_it(
    physician_client: Client, physician: User, vitamin_d_20_93_nmol: Patient
) -> None:
    """20.93 nmol/L entered is quoted by the rules as entered (once as 8.39 ng/mL, which
    converts back to 20.94): the patient page, its printout and the checklist read 20.93 like
    the labs table."""
    patient_assessment_refresh(patient=vitamin_d_20_93_nmol)
    for name in ("monitoring:patient", "monitoring:patient_summary"):
        page = physician_client.get(reverse(name, args=[vitamin_d_20_93_nmol.pk])).text
        assert "25-OH vitamin D 20.93 nmol/L on" in page, name
        assert "(&lt; 50 nmol/L, 20 ng/mL)" in page, name
        assert "20.94" not in page, name
    url = reverse("monitoring:therapy_create", args=[vitamin_d_20_93_nmol.pk])
    data = {"drug": "denosumab", "dose": "60 mg", "start_date": TODAY.isoformat()}
    section = _checklist_section(physician_client.post(url, data).text)
    assert "25-OH vitamin D 20.93 nmol/L on" in section
    assert "20.94" not in section


def test_a_quoted_value_of_another_result_is_converted() -> None:
    """No result of that date and value in the table: the quoted value is converted, to whole
    nmol/L; with one, it reads as the table shows it (a text stored before nurse14 #3 quoted a
    vitamin D entered in nmol/L as converted to ng/mL)."""
    text = "25-OH vitamin D 8.39 ng/mL on 2025-05-20 is deficient (< 20)."
    none_shown = in_site_units(text, SI, lambda analyte, day, quoted: None)
    assert none_shown == (
        "25-OH vitamin D 21 nmol/L on 2025-05-20 is deficient (< 50 nmol/L, 20 ng/mL)."
    )
    table = ShownValue(Decimal("20.93"), "nmol/L", converted=False)
    as_entered = in_site_units(text, SI, lambda analyte, day, quoted: table)
    assert as_entered.startswith("25-OH vitamin D 20.93 nmol/L on 2025-05-20")
    in_nmol = "25-OH vitamin D 74.9 nmol/L on 2025-05-20 is insufficient (< 75)."
    assert in_site_units(in_nmol, SI) == (
        "25-OH vitamin D 74.9 nmol/L on 2025-05-20 is insufficient (< 75 nmol/L, 30 ng/mL)."
    )


def test_a_view_again_quotes_the_same_value_without_reading_the_labs(
    physician_client: Client, vitamin_d_20_93_nmol: Patient
) -> None:
    """The labs an alert's quoted value is read from are kept under the fragments' key: a view
    again reads none, and quotes the same value."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    patient_assessment_refresh(patient=vitamin_d_20_93_nmol)
    url = reverse("monitoring:patient", args=[vitamin_d_20_93_nmol.pk])
    assert "25-OH vitamin D 20.93 nmol/L on" in physician_client.get(url).text
    with CaptureQueriesContext(connection) as again:
        page = physician_client.get(url).text
    assert "25-OH vitamin D 20.93 nmol/L on" in page
    assert not [q for q in again.captured_queries if "monitoring_labresult" in q["sql"]]


@pytest.mark.django_db
def test_every_page_quoting_a_result_shows_it_as_entered(
    nurse_client: Client, site: Site, patient: Patient
) -> None:
    """55 nmol/L entered was quoted by the rules as 22.04 ng/mL, which converts back to 55.01: a
    tester found 55.01 on the acknowledge page and in the doctor's letter, where the patient page
    showed 55. The rules quote it as entered now (nurse14 #3), and every page writes it as the
    labs table does."""
    Site.objects.filter(pk=site.pk).update(lab_units=LabUnits.SI)
    LabResultFactory(
        patient=patient,
        sample_date=TODAY - dt.timedelta(days=7),
        value=domain.to_canonical(A.VITAMIN_D_25OH, Decimal(55), "nmol/L"),
        entered_value=55,
        entered_unit="nmol/L",
    )
    patient_assessment_refresh(patient=patient)
    alert = patient.alerts.get(code="VITAMIN_D_INSUFFICIENT", cleared_at__isnull=True)
    assert "55 nmol/L" in alert.message
    pages = [
        reverse("monitoring:patient", args=[patient.pk]),
        reverse("monitoring:patient_summary", args=[patient.pk]),
        reverse("monitoring:alert_acknowledge", args=[alert.pk]),
        reverse("monitoring:alert_group_acknowledge", args=[patient.pk, alert.code]),
        reverse("monitoring:letter", args=[patient.pk, "doctor"]),
    ]
    for url in pages:
        page = nurse_client.get(url)
        assert page.status_code == 200, url
        assert "25-OH vitamin D 55 nmol/L on" in page.text, url
        assert "55.01" not in page.text, url
