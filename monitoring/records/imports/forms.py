"""The upload form: which kind of file, for which of the user's sites, and the file."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from bonehealth.accounts.models import Site
from monitoring.domain import document
from monitoring.records.imports import fhir
from monitoring.records.imports.files import (
    FileRefusedError,
    decoded,
    max_bytes,
    max_rows,
    refuse_deep_json,
    size_problem,
)

RESULTS_CSV, FHIR_BUNDLE, HISTORY_JSON = "results_csv", "fhir_bundle", "history_json"
KINDS = [
    (RESULTS_CSV, "Results CSV (scans and labs, one measurement per row)"),
    (FHIR_BUNDLE, "FHIR laboratory results (R4 Bundle of Observations, JSON)"),
    (HISTORY_JSON, "Patient history (JSON, as Export a cohort writes it)"),
]
KIND_NAMES = {kind: label.split(" (")[0] for kind, label in KINDS}
# How deep each kind of JSON file may nest: refused at upload, so no file that cannot be decoded
# waits in the session for a preview that would fail.
JSON_MAX_DEPTH = {FHIR_BUNDLE: fhir.MAX_DEPTH, HISTORY_JSON: document.MAX_DEPTH}


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of file", choices=KINDS, initial=RESULTS_CSV)
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(),
        required=False,
        label="Site",
        help_text="Results: only patients of this site (empty: all your sites). "
        "A patient history is imported at this site.",
    )
    file = forms.FileField(
        label="File to check",
        help_text=f"UTF-8, at most {max_bytes() // 1024:,} KB and {max_rows():,} rows. Nothing is "
        "saved before you confirm the preview.",
    )

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        field.queryset = sites  # type: ignore[attr-defined]
        if sites.count() == 1:
            field.initial = sites.first()
        self.fields["file"].widget.attrs["accept"] = ".csv,.json,text/csv,application/json"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        too_big = size_problem(upload.size)
        if too_big:
            raise forms.ValidationError(str(too_big))
        return upload

    def clean(self) -> dict[str, Any]:
        """Also read the file: `raw` (its bytes) and `text` (UTF-8, JSON not nested too deep)."""
        data = super().clean() or {}
        if data.get("kind") == HISTORY_JSON and not data.get("site"):
            self.add_error("site", "Choose the site the patient history belongs to.")
        upload = data.get("file")
        if upload is not None:
            raw = upload.read()
            try:
                text = decoded(raw)
                if data.get("kind") in JSON_MAX_DEPTH:
                    refuse_deep_json(text, JSON_MAX_DEPTH[data["kind"]])
            except FileRefusedError as refused:
                self.add_error("file", [str(problem) for problem in refused.problems])
            else:
                data["raw"], data["text"] = raw, text
        return data
