"""The save-or-show-errors step every entry view shares."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from bonehealth.audit.concurrency import ConcurrentEditError
from monitoring.records.entries import EntryConflictError


def save_or_none(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[], Any],
    *,
    success: str,
    to: str,
    field_for: Callable[[str | None], str | None] = lambda name: name,
) -> HttpResponse | None:
    """On a valid POST run `save` and redirect; otherwise (or on a conflict) return None to render.

    Conflicts keep the form's values and show the message next to the field concerned.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        save()
    except ConcurrentEditError as conflict:
        form.apply_conflict(conflict)  # type: ignore[attr-defined]
        return None
    except EntryConflictError as conflict:
        field = field_for(conflict.field)
        form.add_error(field if field in form.fields else None, str(conflict))
        return None
    messages.success(request, success)
    return redirect(to)
