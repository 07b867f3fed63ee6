"""Patient pages: thin views that parse the request, call one selector or service, and render."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods

from bonehealth.accounts.http import AuthenticatedHttpRequest
from bonehealth.accounts.selectors import sites_for_user
from bonehealth.audit.concurrency import RecordInErrorError
from bonehealth.audit.forms import UNCHANGED, already_marked_in_error, save_or_none
from bonehealth.replica import replica_reads
from patients import in_error, read_audit, selectors, services
from patients.access import audits_patient_view
from patients.course_forms import AromataseInhibitorCourseForm
from patients.descriptions import ai_course_description
from patients.follow_up_forms import EndFollowUpForm
from patients.forms import PatientForm, PatientSearchForm
from patients.in_error_forms import MarkInErrorForm, PatientMarkInErrorForm
from patients.models import AromataseInhibitorCourse, FollowUpStatus, Patient
from patients.overlaps import course_span
from patients.registration import PossibleDuplicateError, registration_conflict_words
from patients.services import MrnTakenError

# The patient page shows monitoring data, so the monitoring app serves it; this app links to it by
# URL name and never imports monitoring (docs/architecture.md, enforced by import-linter).
PATIENT_PAGE = "monitoring:patient"


def _page(patient: Patient) -> str:
    return reverse(PATIENT_PAGE, args=[patient.pk])


@permission_required("patients.view_patient", raise_exception=True)
@replica_reads
def patient_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    search = PatientSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    include_ended = request.GET.get("ended") == "1"
    patients = selectors.patient_search(user=request.user, query=query, include_ended=include_ended)
    page = Paginator(patients, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # read once: for the page and for its audit row
    page_query = request.GET.copy()  # the pager's links keep the search
    page_query.pop("page", None)
    read_audit.patient_list_view_record(
        actor=request.user,
        patient_ids=[patient.pk for patient in page.object_list],
        query=query,
        include_ended=include_ended,
        page_number=page.number,
        request=request,
    )
    return render(
        request,
        "patients/patient_list.html",
        {
            "page": page,
            "page_query": page_query.urlencode(),
            "search": search,
            "query": query,
            "include_ended": include_ended,
        },
    )


@permission_required("patients.add_patient", raise_exception=True)
@require_http_methods(["GET", "POST"])
def patient_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PatientForm(
        request.POST or None, sites=sites_for_user(user=request.user), user=request.user
    )

    def register() -> Patient:
        try:
            return services.patient_create(
                actor=request.user,
                values=form.patient_values(),
                ai_course=form.ai_course_values(),
                not_duplicates=form.not_duplicates,
                confirmed=form.confirmations(),
                request=request,
            )
        except PossibleDuplicateError:
            form.duplicates_found_at_save()  # save_or_none puts the warning beside the tick
            raise

    done = save_or_none(
        request,
        form,
        register,
        success=lambda patient: f"Patient {patient.mrn} registered.",
        to=_page,
        conflict_words=lambda conflict: registration_conflict_words(conflict, user=request.user),
    )
    return done or render(request, "patients/patient_form.html", {"form": form, "patient": None})


@permission_required("patients.change_patient", raise_exception=True)
@require_http_methods(["GET", "POST"])
@audits_patient_view
def patient_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = selectors.patient_get(user=request.user, pk=pk)
    form = PatientForm(
        request.POST or None,
        instance=patient,
        sites=sites_for_user(user=request.user),
        first_entry=selectors.patient_entry_span(patient=patient)[0],
        user=request.user,
    )
    done = save_or_none(
        request,
        form,
        lambda: services.patient_update(
            actor=request.user,
            patient=patient,
            values=form.patient_values(),
            expected_version=form.cleaned_data["version"],
            confirmed=form.confirmations(),
            request=request,
        ),
        success=lambda saved: (
            "Patient record saved." if saved.version != patient.version else UNCHANGED
        ),
        to=_page(patient),
        conflict_words=lambda conflict: registration_conflict_words(conflict, user=request.user),
    )
    return done or render(request, "patients/patient_form.html", {"form": form, "patient": patient})


@permission_required("patients.mark_patient_in_error", raise_exception=True)
@require_http_methods(["GET", "POST"])
@audits_patient_view
def patient_mark_in_error(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = selectors.patient_get(user=request.user, pk=pk)
    form = PatientMarkInErrorForm(
        request.POST or None,
        patient=patient,
        hidden_care=selectors.patient_hidden_care(patient=patient),
        may_hide=request.user.has_perm(in_error.HIDES_RUNNING_CARE),
    )
    done = save_or_none(
        request,
        form,
        lambda: in_error.patient_mark_in_error(
            actor=request.user,
            patient=patient,
            reason=form.cleaned_data["reason"],
            confirmed=form.confirmed(),
            expected_version=form.cleaned_data["version"],
            request=request,
        ),
        success=f"Patient {patient.mrn} marked entered in error and hidden.",
        to="patients:list",
    )
    # Her record as the form now shows it: changed since the page was shown, the refusal's.
    # One who may not mark her gets no form; a reason sent from a page drawn before is kept to
    # pass on to the physician (nurse13 #12).
    unsent = request.POST.get("reason", "").strip() if form.refused else ""
    return done or render(
        request,
        "patients/mark_in_error_form.html",
        {"form": form, "patient": form.record, "unsent_reason": unsent},
    )


def _end_follow_up_form(data: Any, patient: Patient) -> EndFollowUpForm:
    return EndFollowUpForm(
        data,
        latest_entry=selectors.patient_entry_span(patient=patient)[1],
        active_treatments=selectors.patient_active_treatments(patient=patient),
        open_alerts=selectors.patient_open_alerts_leaving(patient=patient),
    )


@permission_required(in_error.HIDES_RUNNING_CARE, raise_exception=True)
def patient_in_error_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's sites' patients marked entered in error, each with who marked it, when and why,
    and a button to restore it: the only page that shows them."""
    patients = selectors.patients_in_error_for_user(user=request.user)
    page = Paginator(patients, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    read_audit.patient_in_error_list_view_record(
        actor=request.user,
        patient_ids=[patient.pk for patient in page.object_list],
        page_number=page.number,
        request=request,
    )
    return render(request, "patients/patient_in_error_list.html", {"page": page})


@permission_required(in_error.HIDES_RUNNING_CARE, raise_exception=True)
@require_http_methods(["POST"])
def patient_restore(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = selectors.patient_to_restore(user=request.user, pk=pk)
    try:
        restored = in_error.patient_restore(actor=request.user, patient=patient, request=request)
    except MrnTakenError as taken:
        messages.error(request, f"Patient {patient.mrn} was not restored: {taken}")
        return redirect("patients:in_error_list")
    messages.success(
        request,
        f"Patient {patient.mrn} restored: shown again on every page, and reassessed."
        if restored
        else f"Patient {patient.mrn} is not marked entered in error: nothing was changed.",
    )
    return redirect(PATIENT_PAGE, pk=patient.pk)


@permission_required("patients.end_follow_up", raise_exception=True)
@require_http_methods(["GET", "POST"])
@audits_patient_view
def patient_end_follow_up(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = selectors.patient_get(user=request.user, pk=pk)
    form = _end_follow_up_form(request.POST or None, patient)
    try:
        done = save_or_none(
            request,
            form,
            lambda: services.patient_end_follow_up(
                actor=request.user,
                patient=patient,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
                alerts_confirmed=form.alerts_confirmed(),
                treatments_confirmed=form.treatments_confirmed(),
                request=request,
            ),
            success="Follow-up ended; the record is kept.",
            to=_page(patient),
        )
    except services.EndingNotConfirmedError as changed:
        # An alert was raised (or closed), or denosumab stopped or a follow-on recorded, as the
        # physician saved: the form again, with what stands now and what they typed, the tick to
        # give again.
        form = _end_follow_up_form(request.POST, patient)
        if form.is_valid():  # the list changed back meanwhile: still, nothing was saved
            form.add_error(None, str(changed))
        done = None
    return done or render(
        request, "patients/end_follow_up_form.html", {"form": form, "patient": patient}
    )


@permission_required("patients.end_follow_up", raise_exception=True)
@require_http_methods(["POST"])
def patient_resume_follow_up(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = selectors.patient_get(user=request.user, pk=pk)
    was_active = patient.follow_up_status == FollowUpStatus.ACTIVE
    services.patient_resume_follow_up(actor=request.user, patient=patient, request=request)
    messages.success(
        request, "Follow-up was already active." if was_active else "Follow-up resumed."
    )
    return redirect(PATIENT_PAGE, pk=patient.pk)


@permission_required("patients.add_aromataseinhibitorcourse", raise_exception=True)
@require_http_methods(["GET", "POST"])
@audits_patient_view
def ai_course_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    patient = selectors.patient_get(user=request.user, pk=pk)
    form = AromataseInhibitorCourseForm(request.POST or None, patient=patient)
    done = save_or_none(
        request,
        form,
        lambda: services.ai_course_create(
            actor=request.user,
            patient=patient,
            values=form.course_values(),
            request=request,
            switch_from=form.course_switch(),
        ),
        success=lambda course: (
            f"Aromatase-inhibitor course added; {form.current} stopped on "
            f"{course.start_date:%Y-%m-%d}."
            if form.course_switch() is not None
            else "Aromatase-inhibitor course added."
        ),
        to=_page(patient),
    )
    if done:
        return done
    form.offer_current_again()  # a colleague's switch came first: offer what is current now
    return render(
        request, "patients/ai_course_form.html", {"form": form, "patient": patient, "course": None}
    )


@permission_required("patients.change_aromataseinhibitorcourse", raise_exception=True)
@require_http_methods(["GET", "POST"])
@audits_patient_view
def ai_course_update(request: AuthenticatedHttpRequest, pk: int, course_pk: int) -> HttpResponse:
    patient = selectors.patient_get(user=request.user, pk=pk)
    course = selectors.ai_course_get(patient=patient, pk=course_pk, or_in_error=True)
    # Named as stored, before the form puts the posted values on it.
    refusal = str(RecordInErrorError(course)) if course.entered_in_error else None
    if request.method != "POST" and (
        # A link drawn before a colleague marked the course: say so (a redirect: no view audited).
        shown := already_marked_in_error(
            request,
            course,
            to=_page(patient),
            outcome="It cannot be changed.",
            level=messages.WARNING,
        )
    ):
        return shown
    form = AromataseInhibitorCourseForm(request.POST or None, instance=course, patient=patient)
    if refusal and not form.is_valid():
        # A valid form is refused by the service under the row's lock (RecordInErrorError).
        form.add_error(None, refusal)
    done = save_or_none(
        request,
        form,
        lambda: services.ai_course_update(
            actor=request.user,
            course=course,
            values=form.course_values(),
            expected_version=form.cleaned_data["version"],
            request=request,
        ),
        success=lambda saved: (
            "Aromatase-inhibitor course saved." if saved.version != course.version else UNCHANGED
        ),
        to=_page(patient),
    )
    return done or render(
        request,
        "patients/ai_course_form.html",
        {"form": form, "patient": patient, "course": course},
    )


@permission_required("patients.change_aromataseinhibitorcourse", raise_exception=True)
@require_http_methods(["GET", "POST"])
@audits_patient_view
def ai_course_mark_in_error(
    request: AuthenticatedHttpRequest, pk: int, course_pk: int
) -> HttpResponse:
    patient = selectors.patient_get(user=request.user, pk=pk)
    course = selectors.ai_course_get(patient=patient, pk=course_pk, or_in_error=True)
    done = already_marked_in_error(request, course, to=_page(patient))
    if done:
        return done
    replaced = selectors.ai_course_replaced_by(course=course)
    hint = _replaced_course_hint(patient, course, replaced) if replaced else None
    form = MarkInErrorForm(
        request.POST or None,
        record=course,
        describe=ai_course_description,
        example="course entered twice; the same course is already recorded",
    )
    if in_error.ai_course_mark_needs_a_physician(user=request.user, course=course):
        # No form she cannot send (nurse13 #12: a Reason box and a button whose post repeated the
        # page's refusal): whom to ask, and a reason sent from a page drawn before, kept to pass on.
        return render(
            request,
            "patients/mark_in_error_form.html",
            {
                "form": form,
                "patient": patient,
                "hint": hint,
                "physician_needed": True,
                "unsent_reason": request.POST.get("reason", "").strip(),
            },
        )
    done = save_or_none(
        request,
        form,
        lambda: in_error.ai_course_mark_in_error(
            actor=request.user,
            course=course,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
            request=request,
        ),
        success="Course marked entered in error.",
        to=_page(patient),
    )
    if done and hint:
        messages.warning(request, hint)
    return done or render(
        request,
        "patients/mark_in_error_form.html",
        {"form": form, "patient": patient, "hint": hint},
    )


def _replaced_course_hint(
    patient: Patient, course: AromataseInhibitorCourse, replaced: AromataseInhibitorCourse
) -> SafeString:
    """Said before and after marking a switch's new course in error: the course it replaced is
    still stopped, and where to clear that stop (not done for the nurse: nurse8 F3)."""
    earlier = replaced.get_drug_display().lower()
    return format_html(
        "This {} course replaced the {} course {}, stopped that day with the reason “{}”. "
        "Marking this course in error leaves that one stopped: if the patient still takes {}, "
        '<a href="{}">open the {} course</a> and clear its stop date and reason.',
        course.get_drug_display().lower(),
        earlier,
        course_span(replaced),
        replaced.stop_reason,
        earlier,
        reverse("patients:ai_course_update", args=[patient.pk, replaced.pk]),
        earlier,
    )
