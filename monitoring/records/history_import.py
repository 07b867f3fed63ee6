"""Import one patient's history (docs/history-format.md) into the database, all or nothing.

Importing is idempotent: a record already present with the same values is left alone, so importing
the same file twice changes nothing. A record present with *different* values is a conflict and
fails the file (nothing of it is saved). Records in the database but not in the file are kept.

A record of the file that the patient holds marked entered in error, with the same values, is not
imported (listed in the report with the mark), and a file of a patient marked entered in error is
refused: importing it again never undoes a colleague's mark (nurse14 #1).

The patient is found by site and MRN. Their identity (birth date, sex, and name when both the file
and the record have one) must match the record, or the file fails naming the field: a file that
disagrees on who the patient is may belong to someone else, so it never overwrites the record.
Their clinical details (height, weight, menopausal status, diagnosis date, risk factors) are
updated from the file, audited as a change.
"""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from bonehealth.audit.services import field_values, model_changes
from monitoring import domain
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.records.history_care_plan import plan_imported, supplements_imported
from monitoring.records.history_dates import future_dated
from monitoring.records.history_records import HistoryImportError, ImportReport, RecordImporter
from monitoring.records.history_safety import SafetyOverrideRequiredError, import_gate
from monitoring.records.history_text import history_cleaned, text_problems
from monitoring.records.in_error_matches import NOT_IMPORTED, marked_words
from patients.menopause import CONFIRMED_KEY, premenopausal_age_asked, premenopausal_words
from patients.models import Patient
from patients.services import (
    PATIENT_FIELDS,
    MrnTakenError,
    PatientInErrorError,
    mrn_saved_once,
    patient_lock,
)

__all__ = ["HistoryImportError", "ImportReport", "SafetyOverrideRequiredError", "history_import"]

# Fields that say who the patient is; a file differing on one of them is refused, not merged.
IDENTITY_FIELDS = {"birth_date": "birth date", "sex": "sex", "name": "name"}


def _resolve_site(site: Site | None, history: domain.History, among: QuerySet[Site] | None) -> Site:
    """The site imported into: `site`, else the file's; one of `among` (the actor's sites), never
    saying whether another site exists."""
    if site is not None:
        if among is not None and not among.filter(pk=site.pk).exists():
            raise HistoryImportError([f"site: you do not work at {site.name}"])
        return site
    name = history.patient.site
    if not name:
        raise HistoryImportError(["patient.site: missing (give it in the file or with --site)"])
    found = (Site.objects if among is None else among).filter(Q(name=name) | Q(code=name)).first()
    if found is None:
        mine = "" if among is None else " among your sites"
        raise HistoryImportError([f"patient.site: no site named {name!r}{mine}"])
    return found


def history_record_count(history: domain.History) -> int:
    """How many records importing `history` would write at most: its courses, scanners, scans,
    lab results, FRAX results, doses, supplements and plan (the patient aside)."""
    return (
        len(history.aromatase_inhibitors)
        + len(history.scanners)
        + len(history.dexa_scans)
        + len(history.labs)
        + len(history.frax)
        + sum(1 + len(course.doses) for course in history.bone_therapy)
        + (history.supplements is not None)
        + (history.plan is not None)
    )


def _too_many(history: domain.History, limit: int | None) -> list[str]:
    count = history_record_count(history)
    if limit is None or count <= limit:
        return []
    return [
        f"the history holds {count:,} records (scans, lab results, courses, doses...); at most "
        f"{limit:,} are accepted in one file (split it: importing a part keeps the records "
        "already imported)"
    ]


def _patient_values(history: domain.History, site: Site) -> dict[str, Any]:
    p = history.patient
    rf = p.risk_factors
    return {
        "site": site,
        "mrn": p.mrn,
        # Stripped as the registration form strips it (`history_cleaned`): a blank name is none.
        "name": p.name or "",
        "birth_date": p.birth_date,
        "sex": p.sex.value,
        # A woman's only (`Patient.menopausal_status_applies`): a man's is blank.
        "menopausal_status": ""
        if p.sex is domain.Sex.M
        else (p.menopausal_status or domain.MenopausalStatus.POSTMENOPAUSAL).value,
        "breast_cancer_diagnosis_date": p.breast_cancer_diagnosis_date,
        "height_cm": p.height_cm,
        "weight_kg": p.weight_kg,
        "prior_fragility_fracture": rf.prior_fragility_fracture,
        "prior_fracture_date": rf.prior_fracture_date,
        "parent_hip_fracture": rf.parent_hip_fracture,
        "smoking": rf.smoking.value,
        "alcohol_3_or_more_units_daily": rf.alcohol_3_or_more_units_daily,
        "oral_glucocorticoid_months": int(rf.oral_glucocorticoid_months),
        "rheumatoid_arthritis": rf.rheumatoid_arthritis,
        "secondary_osteoporosis": rf.secondary_osteoporosis,
    }


def identity_conflicts(patient: Patient, values: Mapping[str, Any]) -> list[str]:
    """Return a `patient.<field>: problem` line for each identity field the file contradicts.

    The recorded value is not quoted: the line names the field, the operator has both sides.
    """
    problems = []
    for name, label in IDENTITY_FIELDS.items():
        mine, theirs = getattr(patient, name), values[name]
        if name == "name" and not (mine and theirs):
            continue  # a name missing on either side contradicts nothing
        if mine != theirs:
            shown = "the file's name" if name == "name" else theirs
            problems.append(
                f"patient.{name}: {shown} differs from the {label} recorded for MRN "
                f"{patient.mrn} at {patient.site.code}; the record is not overwritten"
            )
    return problems


def _premenopausal_asked(values: Mapping[str, Any], stored: Patient | None) -> str:
    """The words the patient form asks to confirm when the file makes a woman older than
    `patients.menopause.PREMENOPAUSAL_CONFIRM_AGE` premenopausal (her record did not say so
    already), else "". The preview warns of them, and confirming the import confirms them: a
    history records what was decided elsewhere, so it is not refused for it."""
    today = timezone.localdate()

    def asked(sex: str, status: str, birth: Any) -> int | None:
        return premenopausal_age_asked(sex=sex, status=status, birth_date=birth, today=today)

    age = asked(values["sex"], values["menopausal_status"], values["birth_date"])
    if age is None or (
        stored is not None and asked(stored.sex, stored.menopausal_status, stored.birth_date)
    ):
        return ""
    return premenopausal_words(age)


class _Importer(RecordImporter):
    def _premenopausal_confirmed(
        self, values: Mapping[str, Any], stored: Patient | None
    ) -> dict[str, str]:
        """Warn of a premenopausal status to confirm (`_premenopausal_asked`); the audit row's
        record of it, as the patient form's."""
        words = _premenopausal_asked(values, stored)
        if not words:
            return {}
        self.report.warnings.append(
            f"patient.menopausal_status: {words} Check the file: confirming imports it as "
            "recorded, and the audit trail keeps that it was confirmed."
        )
        return {CONFIRMED_KEY: words}

    def _created(self, values: dict[str, Any]) -> Patient:
        """Register the file's new patient, as the registration form does: when the MRN's unique
        index refuses it (the same file confirmed twice at once, two tabs, or a registration of
        the same MRN committed meanwhile), the file is refused naming who registered it."""
        try:
            return mrn_saved_once(
                lambda: Patient.objects.create(created_by=self.actor, **values),
                site=self.site,
                mrn=values["mrn"],
            )
        except MrnTakenError as taken:
            raise HistoryImportError(
                [
                    f"patient.mrn: {taken} This history may have been imported already (confirmed "
                    "twice, or in another tab): nothing of this file was saved now; upload it "
                    "again to see what it would add."
                ]
            ) from None

    def _refuse_marked_patient(self, values: Mapping[str, Any]) -> None:
        """Refuse a file of a patient marked entered in error (the same site, MRN and identity):
        it would register her again as new, with every record of the file (nurse14 #1). Her
        records are all the file holds, so nothing of it is imported; the line names the mark."""
        marked = (
            Patient.objects.filter(site=self.site, mrn=values["mrn"], entered_in_error=True)
            .select_related("site", "error_marked_by")
            .order_by("-pk")
        )
        for patient in marked:
            if not identity_conflicts(patient, values):
                raise HistoryImportError(
                    [
                        f"patient.mrn: {patient.mrn} at {self.site.name}: {NOT_IMPORTED}: "
                        f"{marked_words(patient)}; nothing of this file is imported. If the mark "
                        "was a mistake, a physician restores the patient (Marked entered in "
                        "error, on the patient list), then the file can be imported."
                    ]
                )

    def patient(self) -> Patient:
        values = _patient_values(self.history, self.site)
        patient = (
            Patient.objects.select_related("site")
            .filter(site=self.site, mrn=values["mrn"], entered_in_error=False)
            .first()
        )
        if patient is None:
            self._refuse_marked_patient(values)
            confirmed = self._premenopausal_confirmed(values, None)
            patient = self._created(values)
            self.report.patient_created = True
            self.audit_create(patient, patient, {"mrn": patient.mrn, **confirmed})
            return patient
        # The import takes its turn with the patient's other writers (the entry forms), so that
        # its checks (the same course twice, two at once) see what they committed, and they its.
        try:
            patient_lock(patient.pk)
        except PatientInErrorError:  # marked while the import waited for her lock
            raise HistoryImportError(
                [
                    f"patient.mrn: the patient with MRN {patient.mrn} was marked entered in "
                    "error while this file was being imported: nothing of it was saved. Upload "
                    "it again to see what it would do now."
                ]
            ) from None
        patient.refresh_from_db()
        conflicts = identity_conflicts(patient, values)
        if conflicts:
            raise HistoryImportError(conflicts)
        if not values["name"]:
            values["name"] = patient.name  # a file without a name keeps the recorded one
        if not patient.menopausal_status_applies and values["sex"] == patient.sex:
            # A man's recorded status is kept, as his record's form keeps it: nothing reads it.
            values["menopausal_status"] = patient.menopausal_status
        confirmed = self._premenopausal_confirmed(values, patient)
        before = field_values(patient, PATIENT_FIELDS)
        for name, value in values.items():
            setattr(patient, name, value)
        changes = model_changes(before, field_values(patient, PATIENT_FIELDS))
        if changes:
            patient.version += 1
            patient.save()
            changes["version"] = [patient.version - 1, patient.version]
            self.audit_change(patient, patient, {**changes, **confirmed})
            self.report.notes.append(f"patient fields updated: {', '.join(sorted(changes))}")
        return patient


def history_import(
    *,
    data: Mapping[str, Any],
    site: Site | None = None,
    actor: User | None = None,
    username: str = "",
    host: str = "",
    override_reason: str | None = None,
    sites: QuerySet[Site] | None = None,
    max_records: int | None = None,
) -> ImportReport:
    """Import one decoded history; raise HistoryImportError (nothing saved) saying what is wrong.

    `data` is checked by `domain.parse_history` (limits, dates, birth date), and its dates of
    past events for not being after today (`future_dated`), before anything is read from the
    database; conflicts with the record are found inside the transaction, which
    they roll back. Its audit rows name `actor` (or `username`, for a command's demo actor) and
    the `host` the command ran on. A course start or dose failing its pre-treatment checks needs
    `override_reason` (SafetyOverrideRequiredError otherwise), kept in its audit row.

    `sites` (the actor's) bounds the site imported into and `max_records` the records of the
    file (`history_record_count`), both checked before the database is read; None: no bound
    (the demo's own imports). What an actor may import is `imports.history_upload`'s
    `history_import_as`, which passes them.
    """
    try:
        history = history_cleaned(domain.parse_history(data))
    except domain.HistoryError as error:
        raise HistoryImportError([str(error)]) from None
    refused_texts = text_problems(history)
    if refused_texts:
        raise HistoryImportError(refused_texts)
    too_many = _too_many(history, max_records)
    if too_many:
        raise HistoryImportError(too_many)
    future = future_dated(history)
    if future:
        raise HistoryImportError(future)
    target = _resolve_site(site, history, sites)
    importer = _Importer(
        raw=data, history=history, site=target, actor=actor, username=username, host=host
    )
    with transaction.atomic():
        patient = importer.patient()
        importer.ai_courses(patient)
        importer.scans(patient)
        importer.labs(patient)
        importer.frax(patient)
        importer.therapy(patient)
        supplements_imported(importer, patient)
        plan_imported(importer, patient)
        if importer.errors:
            raise HistoryImportError(importer.errors)  # leaving the block rolls everything back
        import_gate(importer, patient, override_reason)
        importer.audit_written(patient)
        if importer.report.changed:  # an unchanged record keeps its assessment and versions
            patient_assessment_refresh(patient=patient)
    return importer.report
