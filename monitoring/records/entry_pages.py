"""The entry form pages, one row each: who may open it, its form, its record, the service saving it.

`views.entry_page` serves every row the same way (see there); a new kind of entry is a new row.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import Http404, QueryDict

from bonehealth.accounts.http import AuthenticatedHttpRequest
from monitoring.models import BoneTherapyCourse, DexaScan, FraxResult, LabResult, Supplements
from monitoring.models.choices import DOSED_DRUGS
from monitoring.records import selectors
from monitoring.records.forms.frax import FraxForm, saved_frax_warning
from monitoring.records.forms.labs import LabResultForm, LabResultsForm
from monitoring.records.forms.plan import PlanForm, SupplementsForm, yes_or_no
from monitoring.records.forms.scans import DexaScanForm, scan_initial, signed_off_words
from monitoring.records.forms.therapy import (
    BoneTherapyCourseForm,
    DentalReviewForm,
    DoseForm,
    follow_on_infusion_words,
    pending_checks_words,
    saved_review_warning,
)
from monitoring.records.plan_margin import rules_date
from monitoring.records.services import frax, labs, plan, scans, therapy
from monitoring.records.services.safety_gate import SafetyCheckError
from monitoring.records.services.stop_gate import UnconfirmedStopError
from patients.models import Patient


@dataclass(frozen=True)
class Opened:
    """An entry page as opened: the request, the patient (through the access gate) and the record
    the page edits (None on a new entry's page)."""

    request: AuthenticatedHttpRequest
    patient: Patient
    record: Any


def _same(form: Any, name: str | None) -> str | None:
    return name


def _adjusted(results: list[LabResult]) -> str:
    """The adjusted calcium a lab form worked out and stored, said when saving it (nurse13 #3)."""
    return "".join(
        f" Calcium stored: {lab.entered_value} {lab.entered_unit} ({lab.adjusted_from_words()})."
        for lab in results
        if lab.total_calcium is not None
    )


@dataclass(frozen=True)
class EntryPage:
    permission: str
    # The form, bound to the POST data (None on a GET).
    form: Callable[[Opened, QueryDict | None], forms.BaseForm]
    # Calls the service that saves the valid form; raises a conflict to show on the form.
    save: Callable[[Opened, Any], object]
    # The message on saving, or a function of what `save` returned.
    success: str | Callable[[Any], str]
    title: Callable[[Any], str]
    # The record the page edits, from the patient and the record id in the URL (None: no record).
    record: Callable[[Patient, int | None], Any] = lambda patient, pk: None
    # True when `record` is what a new entry is added to (a dose's course), not what is edited:
    # a form left as opened then still adds the entry, so the page never says "nothing changed".
    adds_to_record: bool = False
    # The form field that shows a conflict the service blames on `name`, from the form (what
    # was changed in it).
    field_for: Callable[[Any, str | None], str | None] = _same
    # Whether what `save` returned says nothing was written (the page then says so).
    unchanged: Callable[[Any], bool] = lambda saved: False
    # More for the template, read only when the form is shown.
    context: Callable[[Patient], dict[str, object]] = lambda patient: {}


def _entry[M: (DexaScan, LabResult, FraxResult, BoneTherapyCourse)](
    model: type[M],
) -> Callable[[Patient, int | None], M]:
    def get(patient: Patient, pk: int | None) -> M:
        if pk is None:  # a URL of this page names the record
            raise Http404("No such record.")
        # Also one marked in error: the page says so (GET), the service refuses to save (POST).
        return selectors.entry_get(model, patient=patient, pk=pk, or_in_error=True)

    return get


def _scan_form(o: Opened, data: QueryDict | None) -> forms.BaseForm:
    scanners = selectors.scanners_for_site(site_id=o.patient.site_id)
    if o.record is None:
        last = selectors.last_scanner_for(patient=o.patient)
        initial = {"scanner": last.pk if last else None}
        return DexaScanForm(data, patient=o.patient, scanners=scanners, initial=initial)
    return DexaScanForm(
        data,
        patient=o.patient,
        scanners=scanners,
        initial=scan_initial(o.record),
        version=o.record.version,
        scan_id=o.record.pk,
        signed_off=signed_off_words(o.record),
    )


def _supplements_form(o: Opened, data: QueryDict | None) -> forms.BaseForm:
    current = o.record
    return SupplementsForm(
        data,
        # 0: opened before the patient had a row, so a first save by someone else is noticed.
        version=current.version if current else 0,
        initial=(
            {"calcium": yes_or_no(current.calcium), "vitamin_d": yes_or_no(current.vitamin_d)}
            if current
            else {}
        ),
    )


def _plan_form(o: Opened, data: QueryDict | None) -> forms.BaseForm:
    in_force = o.record
    opened = (
        {
            "next_dexa_due": in_force.next_dexa_due,
            "reason": in_force.reason,
            "in_force": in_force.pk,
        }
        if in_force
        else {}
    )
    return PlanForm(
        data,
        initial={"in_force": 0} | opened,
        rules_date=rules_date(selectors.stored_assessment(patient=o.patient)),
    )


def _plan_save(o: Opened, form: Any) -> object:
    try:
        return plan.monitoring_plan_set(
            actor=o.request.user,
            patient=o.patient,
            next_dexa_due=form.cleaned_data["next_dexa_due"],
            reason=form.cleaned_data["reason"],
            expected_in_force=form.cleaned_data["in_force"],
            request=o.request,
        )
    except plan.PlanChangedError as refused:
        form.refused_by(refused.newer)
        raise


def _gated(save: Callable[[Opened, Any], object]) -> Callable[[Opened, Any], object]:
    """A therapy save: refused by the pre-treatment gate, the form shows the checklist the service
    judged (the records may have changed since the form computed its own); refused for a
    denosumab stop not confirmed, the rule's warning as the service judged it, with its tick."""

    def run(o: Opened, form: Any) -> object:
        try:
            return save(o, form)
        except SafetyCheckError as refused:
            form.show_checklist(refused.checklist)
            raise
        except UnconfirmedStopError as refused:
            form.show_stop_warning(refused.warning)
            raise

    return run


def _dose_title(course: BoneTherapyCourse) -> str:
    """ "Record an alendronate intake", "Record a denosumab dose": a drug's name is a common noun
    inside a sentence (nurse10 F20 read "Record a Alendronate intake")."""
    given = "dose" if course.drug in DOSED_DRUGS else "intake"
    drug = course.get_drug_display().lower()
    article = "an" if drug[0] in "aeiou" else "a"
    return f"Record {article} {drug} {given}"


ENTRY_PAGES: dict[str, EntryPage] = {
    "scan_create": EntryPage(
        permission="monitoring.add_dexascan",
        form=_scan_form,
        save=lambda o, form: scans.dexa_scan_record(
            actor=o.request.user,
            patient=o.patient,
            values=form.scan_values(),
            measurements=form.measurements(),
            request=o.request,
            confirmed=form.confirmed_checks(),
        ),
        success="Scan saved; the assessment is updated.",
        title=lambda _: "Record a DEXA scan",
    ),
    "scan_update": EntryPage(
        permission="monitoring.change_dexascan",
        record=_entry(DexaScan),
        form=_scan_form,
        save=lambda o, form: scans.dexa_scan_update(
            actor=o.request.user,
            scan=o.record,
            values=form.scan_values(),
            measurements=form.measurements(),
            expected_version=form.cleaned_data["version"],
            request=o.request,
            confirmed=form.confirmed_checks(),
        ),
        success="Scan corrected; the assessment is updated.",
        title=lambda scan: f"Correct the scan of {scan.scan_date:%Y-%m-%d}",
    ),
    "labs_create": EntryPage(
        permission="monitoring.add_labresult",
        form=lambda o, data: LabResultsForm(data, patient=o.patient),
        save=lambda o, form: labs.lab_results_record(
            actor=o.request.user,
            patient=o.patient,
            sample_date=form.cleaned_data["sample_date"],
            fasting=form.cleaned_data["fasting"],
            entries=form.entries(),
            request=o.request,
        ),
        success=lambda results: "Results saved; the assessment is updated." + _adjusted(results),
        title=lambda _: "Record lab results",
        field_for=lambda form, analyte: f"{analyte}_value",
    ),
    "lab_update": EntryPage(
        permission="monitoring.change_labresult",
        record=_entry(LabResult),
        form=lambda o, data: LabResultForm(data, patient=o.patient, result=o.record),
        save=lambda o, form: labs.lab_result_update(
            actor=o.request.user,
            result=o.record,
            sample_date=form.cleaned_data["sample_date"],
            fasting=form.cleaned_data["fasting"],
            entry=form.entry(),
            expected_version=form.cleaned_data["version"],
            request=o.request,
        ),
        success=lambda result: "Result corrected; the assessment is updated." + _adjusted([result]),
        title=lambda _: "Correct a lab result",
        field_for=lambda form, _: form.duplicate_field(),
    ),
    "frax_create": EntryPage(
        permission="monitoring.add_fraxresult",
        form=lambda o, data: FraxForm(data, patient=o.patient),
        save=lambda o, form: frax.frax_record(
            actor=o.request.user, patient=o.patient, values=form.values(), request=o.request
        ),
        success=lambda result: (
            "FRAX result saved; the assessment is updated." + saved_frax_warning(result)
        ),
        title=lambda _: "Record a FRAX result",
    ),
    "frax_update": EntryPage(
        permission="monitoring.change_fraxresult",
        record=_entry(FraxResult),
        form=lambda o, data: FraxForm(data, instance=o.record, patient=o.patient),
        save=lambda o, form: frax.frax_update(
            actor=o.request.user,
            frax=o.record,
            values=form.values(),
            expected_version=form.cleaned_data["version"],
            request=o.request,
        ),
        success=lambda result: (
            "FRAX result corrected; the assessment is updated." + saved_frax_warning(result)
        ),
        title=lambda _: "Correct a FRAX result",
    ),
    "therapy_create": EntryPage(
        permission="monitoring.manage_bone_therapy",
        form=lambda o, data: BoneTherapyCourseForm(data, patient=o.patient, user=o.request.user),
        save=_gated(
            lambda o, form: therapy.bone_therapy_start(
                actor=o.request.user,
                patient=o.patient,
                values=form.values(),
                request=o.request,
                stop_current=form.course_stop(),
                override_reason=form.override_reason(),
                stop_confirmed=form.stop_confirmed(),
            )
        ),
        success=lambda course: (
            "Therapy saved; the assessment is updated."
            + saved_review_warning(course)
            + pending_checks_words(course)
            + follow_on_infusion_words(course)
        ),
        title=lambda _: "Plan or start bone-protective therapy",
    ),
    "therapy_update": EntryPage(
        permission="monitoring.manage_bone_therapy",
        record=_entry(BoneTherapyCourse),
        form=lambda o, data: BoneTherapyCourseForm(
            data, instance=o.record, patient=o.patient, user=o.request.user
        ),
        save=_gated(
            lambda o, form: therapy.bone_therapy_update(
                actor=o.request.user,
                course=o.record,
                values=form.values(),
                expected_version=form.cleaned_data["version"],
                request=o.request,
                override_reason=form.override_reason(),
                stop_confirmed=form.stop_confirmed(),
            )
        ),
        success=lambda course: (
            "Therapy changed; the assessment is updated."
            + saved_review_warning(course)
            + pending_checks_words(course)
            + follow_on_infusion_words(course)
        ),
        title=lambda course: f"Change {course}",
    ),
    "dental_review": EntryPage(
        permission="monitoring.record_dental_review",
        record=_entry(BoneTherapyCourse),
        form=lambda o, data: DentalReviewForm(data, instance=o.record, patient=o.patient),
        save=lambda o, form: therapy.bone_therapy_dental_review_record(
            actor=o.request.user,
            course=o.record,
            dental_review_date=form.cleaned_data["dental_review_date"],
            expected_version=form.cleaned_data["version"],
            request=o.request,
        ),
        success=lambda course: (
            "Dental review recorded; the assessment is updated." + saved_review_warning(course)
        ),
        title=lambda course: f"Dental review before {course.get_drug_display().lower()}",
    ),
    "dose_create": EntryPage(
        permission="monitoring.add_bonetherapydose",
        # The record is the course the dose belongs to.
        record=_entry(BoneTherapyCourse),
        adds_to_record=True,
        form=lambda o, data: DoseForm(
            data, patient=o.patient, course=o.record, user=o.request.user
        ),
        save=_gated(
            lambda o, form: therapy.bone_therapy_dose_record(
                actor=o.request.user,
                course=o.record,
                given_on=form.cleaned_data["given_on"],
                request=o.request,
                override_reason=form.override_reason(),
            )
        ),
        success="Dose recorded; the assessment is updated.",
        title=_dose_title,
    ),
    "supplements": EntryPage(
        permission="monitoring.change_supplements",
        record=lambda patient, _: Supplements.objects.filter(patient=patient).first(),
        form=_supplements_form,
        save=lambda o, form: plan.supplements_set(
            actor=o.request.user,
            patient=o.patient,
            calcium=form.cleaned_data["calcium"],
            vitamin_d=form.cleaned_data["vitamin_d"],
            expected_version=form.cleaned_data["version"],
            request=o.request,
        ),
        success="Supplements saved.",
        title=lambda _: "Calcium and vitamin D supplements",
    ),
    "plan": EntryPage(
        permission="monitoring.set_monitoring_plan",
        record=lambda patient, _: selectors.plan_in_force(patient=patient),
        form=_plan_form,
        save=_plan_save,
        unchanged=lambda saved: not saved.changed,
        success="Monitoring plan set.",
        title=lambda _: "Set the monitoring plan",
        context=lambda patient: {"assessment": selectors.stored_assessment(patient=patient)},
    ),
}
