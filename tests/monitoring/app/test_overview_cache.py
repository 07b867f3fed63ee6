"""The dashboard's and the worklist's cached parts are never out of date.

Hypothesis draws a sequence of the changes a clinic makes (results that raise or clear alerts, a
scan, an acknowledgement, a patient renamed, moved to the other site, follow-up ended or resumed,
an error mark, a site renamed or made inactive, a membership removed or given back); after each
one, every user's dashboard and worklist (the unfiltered page and a filtered one), as served with
the cache filled before the change, must equal the page drawn afresh with an empty cache. The
cache is filled before every change, so a key that misses a change serves the old part and fails.
More examples: OVERVIEW_CACHE_EXAMPLES=100.
"""

import difflib
import os
import re
from contextlib import nullcontext
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bonehealth.accounts.models import Site, User
from monitoring.assessment.alerts import alerts_acknowledge
from monitoring.models import Alert, Scanner
from monitoring.overview import cache_keys
from monitoring.records.services.labs import LabEntry, lab_results_record
from monitoring.records.services.scans import Measurement, dexa_scan_record
from patients import in_error
from patients import services as patient_services
from patients.models import PATIENT_RECORD_FIELDS, Patient
from patients.services import PatientInErrorError
from tests.conftest import confirmed_alerts, confirmed_treatments, login
from tests.factories import ScannerFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PAGES = ["/dashboard/", "/dashboard/?severity=high", "/worklist/", "/worklist/?weeks=104"]
PATIENTS = 3
CHANGES = [
    "low_vitamin_d",
    "normal_vitamin_d",
    "scan",
    "acknowledge",
    "rename_patient",
    "move",
    "end_follow_up",
    "resume_follow_up",
    "in_error",
    "rename_site",
    "site_inactive",
    "site_active",
    "leave_site",
    "join_site",
]
# A CSRF token, a CSP nonce and the seconds left of the session differ in every response.
PER_RESPONSE = re.compile(r'(name="csrfmiddlewaretoken" value|nonce|data-idle-seconds)="[^"]*"')


def _page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return PER_RESPONSE.sub("", response.content.decode())


def _diff(served: list[str], fresh: list[str]) -> str:
    return "\n".join(
        line
        for a, b in zip(served, fresh, strict=True)
        for line in difflib.unified_diff(a.splitlines(), b.splitlines(), "served", "fresh", n=1)
    )


class Clinic:
    """Two sites, a physician at both and a nurse at the first, three patients with AI courses."""

    def __init__(self) -> None:
        self.sites = [
            Site.objects.create(name=f"Cache Site {i}", code=f"cache{i}") for i in range(2)
        ]
        self.scanners = {site.pk: ScannerFactory(site=site) for site in self.sites}
        self.physician = UserFactory(username="cache-md", role="physician", sites=self.sites)
        self.nurse = UserFactory(username="cache-rn", role="nurse", sites=self.sites[:1])
        self.clients = [login(self.physician), login(self.nurse)]
        self.patients = [
            patient_services.patient_create(
                actor=self.physician,
                values={
                    "site": self.sites[i % 2],
                    "mrn": f"CACHE{i}",
                    "name": f"Cachepatient {i}",
                    "birth_date": TODAY.replace(year=TODAY.year - 60),
                    "sex": "F",
                },
                ai_course={
                    "drug": "anastrozole",
                    "start_date": TODAY - timedelta(days=400),
                    "planned_duration_months": 60,
                },
            )
            for i in range(PATIENTS)
        ]
        self.days = 0

    def patient(self, i: int) -> Patient:
        return Patient.objects.get(pk=self.patients[i].pk)

    def change(self, what: str, i: int) -> None:
        """One change to patient `i` (or to a site or membership), through the services."""
        patient, md = self.patient(i), self.physician
        self.days += 1
        day = TODAY - timedelta(days=self.days)
        # A record written to a patient marked in error is refused under her lock.
        refused = pytest.raises(PatientInErrorError) if patient.entered_in_error else nullcontext()
        if what in ("low_vitamin_d", "normal_vitamin_d"):
            value = Decimal("12") if what == "low_vitamin_d" else Decimal("40")
            entry = LabEntry(analyte="vitamin_d_25oh", value=value * 2, unit="nmol/L")
            with refused:
                lab_results_record(
                    actor=md, patient=patient, sample_date=day, fasting=False, entries=[entry]
                )
        elif what == "scan":
            scanner = Scanner.objects.get(pk=self.scanners[patient.site_id].pk)
            with refused:
                dexa_scan_record(
                    actor=md,
                    patient=patient,
                    values={"scan_date": day, "scanner": scanner},
                    measurements={"lumbar_spine": Measurement(Decimal("0.800"), Decimal("-2.7"))},
                )
        elif what == "acknowledge" and not patient.entered_in_error:
            alert = Alert.objects.filter(patient=patient, cleared_at__isnull=True).first()
            waiting = Alert.objects.filter(
                patient=patient, cleared_at__isnull=True, acknowledged_at__isnull=True
            )
            if alert is not None:
                ids = list(waiting.filter(code=alert.code).values_list("pk", flat=True))
                if ids:
                    alerts_acknowledge(actor=md, patient_id=patient.pk, alert_ids=ids, note="seen")
        # A patient marked in error is no longer edited (the service refuses it).
        elif what == "rename_patient" and not patient.entered_in_error:
            self._update(patient, name=f"Renamed {self.days}")
        elif what == "move" and not patient.entered_in_error:
            other = self.sites[1] if patient.site_id == self.sites[0].pk else self.sites[0]
            self._update(patient, site=other)
        elif (
            what == "end_follow_up"
            and patient.follow_up_status == "active"
            and not patient.entered_in_error
        ):
            patient_services.patient_end_follow_up(
                actor=md,
                patient=patient,
                ended_on=TODAY,
                reason="completed",
                alerts_confirmed=confirmed_alerts(patient),
                treatments_confirmed=confirmed_treatments(patient),
            )
        elif (
            what == "resume_follow_up"
            and patient.follow_up_status != "active"
            and not patient.entered_in_error
        ):
            patient_services.patient_resume_follow_up(actor=md, patient=patient)
        elif what == "in_error" and not patient.entered_in_error:
            in_error.patient_mark_in_error(
                actor=md,
                patient=patient,
                reason="duplicate",
                confirmed=in_error.patient_hidden_care(patient=patient),  # a physician, ticked
            )
        elif what == "rename_site":
            Site.objects.filter(pk=self.sites[i % 2].pk).update(name=f"Renamed site {self.days}")
        elif what in ("site_inactive", "site_active"):
            Site.objects.filter(pk=self.sites[1].pk).update(is_active=what == "site_active")
        elif what == "leave_site":
            md.sites.remove(self.sites[1])
        elif what == "join_site":
            md.sites.add(self.sites[1])

    def _update(self, patient: Patient, **changes: object) -> None:
        values = {name: getattr(patient, name) for name in PATIENT_RECORD_FIELDS}
        values.update(changes)
        patient_services.patient_update(
            actor=self.physician, patient=patient, values=values, expected_version=patient.version
        )

    def pages(self) -> list[str]:
        physician, nurse = self.clients
        return [_page(physician, path) for path in PAGES] + [
            _page(nurse, path) for path in PAGES if path.startswith("/worklist/")
        ]


@settings(
    max_examples=int(os.environ.get("OVERVIEW_CACHE_EXAMPLES", "8")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    changes=st.lists(
        st.tuples(st.sampled_from(CHANGES), st.integers(0, PATIENTS - 1)), min_size=1, max_size=8
    )
)
def test_a_cached_list_is_never_older_than_the_records(changes: list[tuple[str, int]]) -> None:
    cache.clear()
    # Spans of two ids: the patients' counts are cached in more than one span per site.
    with (
        mock.patch.object(cache_keys, "SPAN", 2),
        transaction.atomic(),
    ):  # each example in a savepoint rolled back at its end
        clinic = Clinic()
        for what, i in changes:
            clinic.pages()  # fills the cache with the parts as they are before the change
            clinic.change(what, i)
            served = clinic.pages()
            cache.clear()
            fresh = clinic.pages()
            assert served == fresh, f"stale after {what} of patient {i}:\n" + _diff(served, fresh)
        transaction.set_rollback(True)


def test_a_view_again_is_served_from_the_cache(physician_client: Client) -> None:
    """The cached part is used: a view again reads nothing behind the dashboard's lists."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    physician_client.get("/dashboard/")
    with CaptureQueriesContext(connection) as again:
        physician_client.get("/dashboard/")
    assert not [q for q in again.captured_queries if "monitoring_alert" in q["sql"]]
    assert not [q for q in again.captured_queries if "worst_alert_raised_at" in q["sql"]]


@pytest.mark.parametrize("query", ["?page=2", "?severity=nonsense", "?made_up=1", "?scans_page=3"])
def test_a_query_made_up_by_hand_is_not_cached(
    physician_client: Client, site: Site, query: str
) -> None:
    """Only the first pages with valid filters are kept: page after page, or parameters the page
    does not know, cannot fill the cache (the counts, cached per span of patients whatever the
    page, take only the filters' valid values)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.monitoring.app.overview_data import populate

    populate(site, 1)
    physician_client.get("/dashboard/" + query)
    with CaptureQueriesContext(connection) as again:
        physician_client.get("/dashboard/" + query)
    drawn = [q["sql"] for q in again.captured_queries if "worst_alert_raised_at" in q["sql"]]
    assert drawn  # the page of patients, read again


def test_a_change_to_one_patient_counts_only_their_span_again(
    physician: User, physician_client: Client, site: Site
) -> None:
    """The dashboard's counts are kept per span of patient ids: after a change to one patient,
    the counts of their span are made again and the others' reused, and the page shows the
    same counts as one drawn afresh."""
    from monitoring.overview import selectors as overview
    from tests.monitoring.app.overview_data import populate

    patients = sorted(populate(site, 6), key=lambda patient: patient.pk)
    counted: list[list[int] | None] = []
    real = overview.dashboard_counts_by_span

    def recording(**kwargs: object) -> object:
        spans = kwargs["spans"]
        counted.append(None if spans is None else sorted(spans))  # type: ignore[call-overload]
        return real(**kwargs)  # type: ignore[arg-type]

    with (
        mock.patch.object(cache_keys, "SPAN", 2),
        mock.patch.object(overview, "dashboard_counts_by_span", recording),
    ):
        physician_client.get("/dashboard/")
        assert counted == [None]  # every span, in one call without narrowing
        assert len(cache_keys_of_spans(site)) >= 3
        counted.clear()
        changed = patients[-1]
        in_error.patient_mark_in_error(
            actor=physician,
            patient=changed,
            reason="dup",
            confirmed=in_error.patient_hidden_care(patient=changed),
        )
        served = _page(physician_client, "/dashboard/")
        assert counted == [[changed.pk // 2]]
        cache.clear()
        assert served == _page(physician_client, "/dashboard/")


def cache_keys_of_spans(site: Site) -> dict[int, str]:
    from monitoring.overview.overview_cache import span_records_keys

    return span_records_keys([site])[site.pk]


def test_spans_are_read_as_ranges_of_ids() -> None:
    """Adjacent spans are one range (an index serves it); none is no id at all."""
    from monitoring.models import PatientAssessment

    where = cache_keys.in_spans([3, 1, 2, 7], "patient_id")
    sql = str(PatientAssessment.objects.filter(where).query)
    assert sql.count(">=") == 2
    assert sql.count("<") - sql.count("<=") == 2
    assert f">= {1 * cache_keys.SPAN}" in sql
    assert f"< {4 * cache_keys.SPAN}" in sql
    assert f">= {7 * cache_keys.SPAN}" in sql
    assert f"< {8 * cache_keys.SPAN}" in sql
    assert not PatientAssessment.objects.filter(cache_keys.in_spans([], "patient_id")).exists()


def test_the_records_index_groups_by_the_span_the_counts_use() -> None:
    """The assessments' index of the records' state is ordered by the spans' expression, so the
    spans' records are read in its order (a change of `SPAN` needs a new index too)."""
    from django.db.models import F

    from monitoring.models import PatientAssessment

    (index,) = [i for i in PatientAssessment._meta.indexes if i.name.startswith("assessment_site")]
    assert [str(e) for e in index.expressions] == [
        str(F("site")),
        str(F("patient") / cache_keys.SPAN),
    ]
