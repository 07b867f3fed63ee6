"""Entry forms: each view parses the request, calls one service, and renders or redirects."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from bonehealth.accounts.http import AuthenticatedHttpRequest
from monitoring.models import BoneTherapyCourse, DexaScan, FraxResult, LabResult, Supplements
from monitoring.models.choices import DOSED_DRUGS
from monitoring.records import entries, selectors
from monitoring.records.forms import (
    BoneTherapyCourseForm,
    DexaScanForm,
    DoseForm,
    FraxForm,
    LabResultForm,
    LabResultsForm,
    PlanForm,
    SupplementsForm,
    scan_initial,
)
from monitoring.records.saving import save_or_none
from patients.access import audits_patient_view
from patients.forms import MarkInErrorForm
from patients.models import Patient
from patients.selectors import patient_get

GET_POST = require_http_methods(["GET", "POST"])


def _page(patient: Patient) -> str:
    return reverse("monitoring:patient", args=[patient.pk])


def _render(
    request: AuthenticatedHttpRequest, patient: Patient, form: object, title: str, **extra: object
) -> HttpResponse:
    return render(
        request,
        "monitoring/entry_form.html",
        {"patient": patient, "form": form, "title": title, **extra},
    )


# --- DEXA scans ---------------------------------------------------------------------------------


@permission_required("monitoring.add_dexascan", raise_exception=True)
@GET_POST
@audits_patient_view
def scan_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = patient_get(user=request.user, pk=pk)
    last = selectors.last_scanner_for(patient=patient)
    form = DexaScanForm(
        request.POST or None,
        patient=patient,
        scanners=selectors.scanners_for_site(site_id=patient.site_id),
        initial={"scanner": last.pk if last else None},
    )
    done = save_or_none(
        request,
        form,
        lambda: entries.dexa_scan_record(
            actor=request.user,
            patient=patient,
            values=form.scan_values(),
            measurements=form.measurements(),
            request=request,
        ),
        success="Scan saved; the assessment is updated.",
        to=_page(patient),
    )
    return done or _render(request, patient, form, "Record a DEXA scan")


@permission_required("monitoring.change_dexascan", raise_exception=True)
@GET_POST
@audits_patient_view
def scan_update(request: AuthenticatedHttpRequest, pk: int, scan_pk: int) -> HttpResponse:
    patient = patient_get(user=request.user, pk=pk)
    scan = selectors.entry_get(DexaScan, patient=patient, pk=scan_pk)
    form = DexaScanForm(
        request.POST or None,
        patient=patient,
        scanners=selectors.scanners_for_site(site_id=patient.site_id),
        initial=scan_initial(scan),
        version=scan.version,
        scan_id=scan.pk,
    )
    done = save_or_none(
        request,
        form,
        lambda: entries.dexa_scan_update(
            actor=request.user,
            scan=scan,
            values=form.scan_values(),
            measurements=form.measurements(),
            expected_version=form.cleaned_data["version"],
            request=request,
        ),
        success="Scan corrected; the assessment is updated.",
        to=_page(patient),
    )
    return done or _render(request, patient, form, f"Correct the scan of {scan.scan_date:%Y-%m-%d}")


@permission_required("monitoring.sign_off_dexascan", raise_exception=True)
@require_POST
def scan_sign_off(request: AuthenticatedHttpRequest, pk: int, scan_pk: int) -> HttpResponse:
    patient = patient_get(user=request.user, pk=pk)
    scan = selectors.entry_get(DexaScan, patient=patient, pk=scan_pk)
    try:
        entries.dexa_scan_sign_off(actor=request.user, scan=scan, request=request)
    except entries.EntryConflictError as refused:
        messages.warning(request, str(refused))
    else:
        messages.success(request, f"Scan of {scan.scan_date:%Y-%m-%d} signed off.")
    next_url = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()})
    return redirect(next_url if safe else _page(patient))


# --- Labs ---------------------------------------------------------------------------------------


@permission_required("monitoring.add_labresult", raise_exception=True)
@GET_POST
@audits_patient_view
def labs_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = patient_get(user=request.user, pk=pk)
    form = LabResultsForm(request.POST or None, patient=patient)
    done = save_or_none(
        request,
        form,
        lambda: entries.lab_results_record(
            actor=request.user,
            patient=patient,
            sample_date=form.cleaned_data["sample_date"],
            fasting=form.cleaned_data["fasting"],
            entries=form.entries(),
            request=request,
        ),
        success="Results saved; the assessment is updated.",
        to=_page(patient),
        field_for=lambda analyte: f"{analyte}_value",
    )
    return done or _render(request, patient, form, "Record lab results")


@permission_required("monitoring.change_labresult", raise_exception=True)
@GET_POST
@audits_patient_view
def lab_update(request: AuthenticatedHttpRequest, pk: int, lab_pk: int) -> HttpResponse:
    patient = patient_get(user=request.user, pk=pk)
    result = selectors.entry_get(LabResult, patient=patient, pk=lab_pk)
    form = LabResultForm(request.POST or None, patient=patient, result=result)
    done = save_or_none(
        request,
        form,
        lambda: entries.lab_result_update(
            actor=request.user,
            result=result,
            sample_date=form.cleaned_data["sample_date"],
            fasting=form.cleaned_data["fasting"],
            entry=form.entry(),
            expected_version=form.cleaned_data["version"],
            request=request,
        ),
        success="Result corrected; the assessment is updated.",
        to=_page(patient),
        field_for=lambda _: "sample_date",
    )
    return done or _render(request, patient, form, "Correct a lab result")


# --- FRAX ---------------------------------------------------------------------------------------


@permission_required("monitoring.add_fraxresult", raise_exception=True)
@GET_POST
@audits_patient_view
def frax_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = patient_get(user=request.user, pk=pk)
    form = FraxForm(request.POST or None, patient=patient)
    done = save_or_none(
        request,
        form,
        lambda: entries.frax_record(
            actor=request.user, patient=patient, values=form.values(), request=request
        ),
        success="FRAX result saved; the assessment is updated.",
        to=_page(patient),
    )
    return done or _render(request, patient, form, "Record a FRAX result")


@permission_required("monitoring.change_fraxresult", raise_exception=True)
@GET_POST
@audits_patient_view
def frax_update(request: AuthenticatedHttpRequest, pk: int, frax_pk: int) -> HttpResponse:
    patient = patient_get(user=request.user, pk=pk)
    frax = selectors.entry_get(FraxResult, patient=patient, pk=frax_pk)
    form = FraxForm(request.POST or None, instance=frax, patient=patient)
    done = save_or_none(
        request,
        form,
        lambda: entries.frax_update(
            actor=request.user,
            frax=frax,
            values=form.values(),
            expected_version=form.cleaned_data["version"],
            request=request,
        ),
        success="FRAX result corrected; the assessment is updated.",
        to=_page(patient),
    )
    return done or _render(request, patient, form, "Correct a FRAX result")


# --- Bone-protective therapy (physicians) and doses (nurses) -------------------------------------


@permission_required("monitoring.manage_bone_therapy", raise_exception=True)
@GET_POST
@audits_patient_view
def therapy_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = patient_get(user=request.user, pk=pk)
    form = BoneTherapyCourseForm(request.POST or None, patient=patient)
    done = save_or_none(
        request,
        form,
        lambda: entries.bone_therapy_start(
            actor=request.user, patient=patient, values=form.values(), request=request
        ),
        success="Therapy saved; the assessment is updated.",
        to=_page(patient),
    )
    return done or _render(request, patient, form, "Plan or start bone-protective therapy")


@permission_required("monitoring.manage_bone_therapy", raise_exception=True)
@GET_POST
@audits_patient_view
def therapy_update(request: AuthenticatedHttpRequest, pk: int, course_pk: int) -> HttpResponse:
    patient = patient_get(user=request.user, pk=pk)
    course = selectors.entry_get(BoneTherapyCourse, patient=patient, pk=course_pk)
    form = BoneTherapyCourseForm(request.POST or None, instance=course, patient=patient)
    done = save_or_none(
        request,
        form,
        lambda: entries.bone_therapy_update(
            actor=request.user,
            course=course,
            values=form.values(),
            expected_version=form.cleaned_data["version"],
            request=request,
        ),
        success="Therapy changed; the assessment is updated.",
        to=_page(patient),
    )
    return done or _render(request, patient, form, f"Change {course}")


@permission_required("monitoring.add_bonetherapydose", raise_exception=True)
@GET_POST
@audits_patient_view
def dose_create(request: AuthenticatedHttpRequest, pk: int, course_pk: int) -> HttpResponse:
    patient = patient_get(user=request.user, pk=pk)
    course = selectors.entry_get(BoneTherapyCourse, patient=patient, pk=course_pk)
    form = DoseForm(request.POST or None, patient=patient, course=course)
    done = save_or_none(
        request,
        form,
        lambda: entries.bone_therapy_dose_record(
            actor=request.user,
            course=course,
            given_on=form.cleaned_data["given_on"],
            request=request,
        ),
        success="Dose recorded; the assessment is updated.",
        to=_page(patient),
    )
    title = (
        f"Record a {course.get_drug_display()} {'dose' if course.drug in DOSED_DRUGS else 'intake'}"
    )
    return done or _render(request, patient, form, title)


# --- Supplements and plan -----------------------------------------------------------------------


@permission_required("monitoring.change_supplements", raise_exception=True)
@GET_POST
@audits_patient_view
def supplements_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = patient_get(user=request.user, pk=pk)
    current = Supplements.objects.filter(patient=patient).first()
    form = SupplementsForm(
        request.POST or None,
        # 0: opened before the patient had a row, so a first save by someone else is noticed.
        version=current.version if current else 0,
        initial={"calcium": current.calcium, "vitamin_d": current.vitamin_d} if current else {},
    )
    done = save_or_none(
        request,
        form,
        lambda: entries.supplements_set(
            actor=request.user,
            patient=patient,
            calcium=form.cleaned_data["calcium"],
            vitamin_d=form.cleaned_data["vitamin_d"],
            expected_version=form.cleaned_data["version"],
            request=request,
        ),
        success="Supplements saved.",
        to=_page(patient),
    )
    return done or _render(request, patient, form, "Calcium and vitamin D supplements")


@permission_required("monitoring.set_monitoring_plan", raise_exception=True)
@GET_POST
@audits_patient_view
def plan_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = patient_get(user=request.user, pk=pk)
    in_force = selectors.plan_in_force(patient=patient)
    form = PlanForm(
        request.POST or None,
        initial={"in_force": 0}
        | (
            {
                "next_dexa_due": in_force.next_dexa_due,
                "reason": in_force.reason,
                "in_force": in_force.pk,
            }
            if in_force
            else {}
        ),
    )

    def save() -> object:
        try:
            return entries.monitoring_plan_set(
                actor=request.user,
                patient=patient,
                next_dexa_due=form.cleaned_data["next_dexa_due"],
                reason=form.cleaned_data["reason"],
                expected_in_force=form.cleaned_data["in_force"],
                request=request,
            )
        except entries.PlanChangedError as refused:
            form.refused_by(refused.newer)
            raise

    done = save_or_none(request, form, save, success="Monitoring plan set.", to=_page(patient))
    assessment = selectors.stored_assessment(patient=patient)
    return done or _render(request, patient, form, "Set the monitoring plan", assessment=assessment)


# --- Entered in error ---------------------------------------------------------------------------

ERROR_MODELS: dict[str, tuple[type, str]] = {
    "scan": (DexaScan, "monitoring.change_dexascan"),
    "lab": (LabResult, "monitoring.change_labresult"),
    "frax": (FraxResult, "monitoring.change_fraxresult"),
    "therapy": (BoneTherapyCourse, "monitoring.manage_bone_therapy"),
}


@GET_POST
@audits_patient_view
def entry_mark_in_error(
    request: AuthenticatedHttpRequest, pk: int, kind: str, entry_pk: int
) -> HttpResponse:
    if kind not in ERROR_MODELS:
        raise Http404
    model, permission = ERROR_MODELS[kind]
    if not request.user.has_perm(permission):
        raise PermissionDenied
    patient = patient_get(user=request.user, pk=pk)
    entry = selectors.entry_get(model, patient=patient, pk=entry_pk)
    form = MarkInErrorForm(request.POST or None)
    done = save_or_none(
        request,
        form,
        lambda: entries.entry_mark_in_error(
            actor=request.user,
            entry=entry,
            patient=patient,
            reason=form.cleaned_data["reason"],
            request=request,
        ),
        success=f"{entry} marked entered in error; the assessment is updated.",
        to=_page(patient),
    )
    return done or render(
        request,
        "patients/mark_in_error_form.html",
        {"form": form, "patient": patient, "record": entry},
    )


@permission_required("monitoring.change_bonetherapydose", raise_exception=True)
@GET_POST
@audits_patient_view
def dose_mark_in_error(
    request: AuthenticatedHttpRequest, pk: int, course_pk: int, dose_pk: int
) -> HttpResponse:
    patient = patient_get(user=request.user, pk=pk)
    course = selectors.entry_get(BoneTherapyCourse, patient=patient, pk=course_pk)
    dose = selectors.dose_get(course=course, pk=dose_pk)
    form = MarkInErrorForm(request.POST or None)
    done = save_or_none(
        request,
        form,
        lambda: entries.entry_mark_in_error(
            actor=request.user,
            entry=dose,
            patient=patient,
            reason=form.cleaned_data["reason"],
            request=request,
        ),
        success="Dose marked entered in error; the assessment is updated.",
        to=_page(patient),
    )
    return done or render(
        request,
        "patients/mark_in_error_form.html",
        {"form": form, "patient": patient, "record": dose},
    )
