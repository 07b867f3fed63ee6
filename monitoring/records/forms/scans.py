"""The DEXA scan form: all measured sites of one scan, with the entry checks of their values."""

from datetime import date
from decimal import Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout, Submit
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html

from bonehealth.audit.decimals import DecimalField, plain
from bonehealth.audit.forms import DateField, VersionedFormMixin
from monitoring.domain import thresholds
from monitoring.models import DexaScan, Scanner
from monitoring.models.choices import MeasuredSite, VertebralFractureAssessment
from monitoring.records.forms.pieces import MeasuredDateMixin, ranged_decimal, row
from monitoring.records.score_checks import Questions, scan_score_problems
from monitoring.records.services.scans import Measurement
from monitoring.records.z_scores import Z_POPULATION_WORDS, z_scores_read
from patients.models import Patient

BMD_MIN, BMD_MAX = thresholds.BMD_RANGE
SCORE_MIN, SCORE_MAX = thresholds.SCORE_RANGE


class BmdField(DecimalField):
    """A BMD in g/cm² that says so when it was typed in mg/cm², as the height field says a
    height typed in metres (nurse13 #16: 812 read only "Enter a value from 0.2 to 2.0 g/cm²")."""

    def validate(self, value: Any) -> None:
        if isinstance(value, Decimal) and value > BMD_MAX and BMD_MIN <= value / 1000 <= BMD_MAX:
            raise forms.ValidationError(
                f"{plain(value)} looks like mg/cm²: {plain(value / 1000)} g/cm²? Enter the BMD "
                f"in g/cm², from {BMD_MIN} to {BMD_MAX}.",
                code="bmd_in_mg",
            )
        super().validate(value)


def confirm_field(site: MeasuredSite) -> str:
    """The tick confirming a site's values that the entry checks asked about."""
    return f"{site}_values_confirmed"


def scan_initial(scan: DexaScan) -> dict[str, Any]:
    """The scan form's values for a stored scan: its own fields and each site's measurement."""
    initial: dict[str, Any] = {
        "scan_date": scan.scan_date,
        "scanner": scan.scanner_id,
        "trabecular_bone_score": scan.trabecular_bone_score,
        "vertebral_fracture_assessment": scan.vertebral_fracture_assessment,
    }
    for m in scan.measurements.all():
        initial |= {
            f"{m.site}_bmd": m.bmd,
            f"{m.site}_t_score": m.t_score,
            f"{m.site}_z_score": m.z_score,
        }
    return initial


def signed_off_words(scan: DexaScan) -> str:
    """ "Philippa Physician on 2026-12-01" for a signed-off scan, "" for one awaiting review."""
    if scan.reviewed_at is None:
        return ""
    return f"{scan.reviewed_by} on {timezone.localtime(scan.reviewed_at):%Y-%m-%d}"


def sign_off_warning(signed_off: str) -> str:
    """The warning above the edit form of a signed-off scan (nurse11 F16: a changed T-score
    quietly took the sign-off away). It says what `scans.dexa_scan_update` does: any change to the
    scan's content (`scans.SIGNED_OFF_FIELDS` and the sites) clears the sign-off, an unchanged
    save keeps it (recheck11 #2)."""
    return format_html(
        '<div class="alert alert-warning" role="note" id="sign-off-warning">This scan was signed '
        "off by {}. Saving any change (date, scanner, a BMD, T-score or Z-score, TBS or the "
        "vertebral fracture assessment) resets it to <strong>Awaiting review</strong>: a "
        "physician signs it off again. Saving it unchanged keeps the sign-off.</div>",
        signed_off,
    )


class DexaScanForm(MeasuredDateMixin, VersionedFormMixin, forms.Form):
    """All measured sites of one scan in one form."""

    scan_date = DateField()
    scanner = forms.ModelChoiceField(queryset=Scanner.objects.none(), empty_label="Choose…")
    trabecular_bone_score = ranged_decimal(
        "Trabecular bone score", *thresholds.TBS_RANGE, 3, example="1.31"
    )
    vertebral_fracture_assessment = forms.ChoiceField(
        label="Vertebral fracture assessment",
        choices=VertebralFractureAssessment.choices,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        patient: Patient,
        scanners: QuerySet[Scanner],
        version: int | None = None,
        scan_id: int | None = None,
        signed_off: str = "",
        **kwargs: Any,
    ) -> None:
        """`signed_off`: who signed the scan off and when, for the edit of a signed-off scan."""
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.scan_id = scan_id
        self.fields["scanner"].queryset = scanners  # type: ignore[attr-defined]
        rows = []
        self.site_fieldsets: dict[str, Fieldset] = {}
        self.score_problems: Questions = {}
        for site in MeasuredSite:
            # Labels as beside the fields, under the site's legend; the error summary names the
            # site (bonehealth.audit.templatetags.form_errors).
            self.fields[f"{site}_bmd"] = ranged_decimal(
                "BMD (g/cm²)",
                BMD_MIN,
                BMD_MAX,
                3,
                unit="g/cm²",
                example="0.912",
                field_class=BmdField,
            )
            self.fields[f"{site}_t_score"] = ranged_decimal(
                "T-score", SCORE_MIN, SCORE_MAX, 1, example="-1.5"
            )
            self.fields[f"{site}_z_score"] = ranged_decimal(
                "Z-score", SCORE_MIN, SCORE_MAX, 1, example="-0.8"
            )
            # Offered only when the values need it (see _check_scores).
            self.fields[confirm_field(site)] = forms.BooleanField(
                label=f"{site.label}: the values are right as entered (checked against the "
                "scan report)",
                required=False,
            )
            fieldset = Fieldset(
                site.label, row(f"{site}_bmd", f"{site}_t_score", f"{site}_z_score")
            )
            self.site_fieldsets[site] = fieldset
            rows.append(fieldset)
        if version is not None:
            self.add_version_field(version)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            *([HTML(sign_off_warning(signed_off))] if signed_off else []),
            row("scan_date", "scanner"),
            HTML(f'<p class="form-text">{self._help_text()}</p>'),
            *rows,
            row("trabecular_bone_score", "vertebral_fracture_assessment"),
            *(["version"] if version is not None else []),
            Submit("save", "Save scan"),
        )

    def _z_score_asked(self, on: date | None) -> bool:
        """Whether the Z-score is required: for a patient read on Z-scores on the scan's day
        (`z_scores_read`; today before a date is given)."""
        return z_scores_read(self.patient, on or timezone.localdate())

    def _help_text(self) -> str:
        scan_date = self.initial.get("scan_date")
        if self._z_score_asked(scan_date if isinstance(scan_date, date) else None):
            return (
                "Enter BMD, T-score and Z-score for each site measured; leave a site empty if it "
                f"was not measured. The Z-score is required here: for a {Z_POPULATION_WORDS} "
                "the Z-score is the one read (the T-score is kept too, as every scan record "
                "holds one)."
            )
        return (
            "Enter BMD and T-score for each site measured; leave a site empty if it was not "
            f"measured. Z-score is optional (required for a {Z_POPULATION_WORDS})."
        )

    def initial_for(self, record: Any) -> dict[str, Any]:
        return scan_initial(record)

    def clean_scan_date(self) -> date | None:
        return self._measured_date(self.cleaned_data["scan_date"], "scan date")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        measured = 0
        z_asked = self._z_score_asked(data.get("scan_date"))
        for site in MeasuredSite:
            bmd, t = f"{site}_bmd", f"{site}_t_score"
            entered = [name for name in (bmd, t, f"{site}_z_score") if data.get(name) is not None]
            if not entered and not any(
                self.has_error(f"{site}_{n}") for n in ("bmd", "t_score", "z_score")
            ):
                continue
            measured += 1
            # The site is named by the legend beside the field and in the error summary.
            if data.get(bmd) is None and not self.has_error(bmd):
                self.add_error(bmd, "Enter the BMD with its T-score.")
            if data.get(t) is None and not self.has_error(t):
                self.add_error(t, "Enter the T-score with its BMD.")
            z = f"{site}_z_score"
            if data.get(z) is None and not self.has_error(z) and z_asked:
                self.add_error(
                    z,
                    f"Enter the Z-score: for a {Z_POPULATION_WORDS} the Z-score is the one read.",
                )
        if not measured:
            raise forms.ValidationError("Enter the measurements of at least one site.")
        if not (self.has_error("scan_date") or self.has_error("scanner")):
            # Every site whose values were read is checked, whatever another site's errors
            # (nurse13 #16: a hip BMD out of range hid the spine's T-score sign check until the
            # next submit).
            self._check_scores(data)
        return data

    def _readable_measurements(self) -> dict[str, Measurement]:
        """The sites whose BMD and T-score were read, in range, with no error of the site."""
        data = self.cleaned_data
        return {
            site.value: self._measurement(site)
            for site in MeasuredSite
            if data.get(f"{site}_bmd") is not None
            and data.get(f"{site}_t_score") is not None
            and not any(self.has_error(f"{site}_{n}") for n in ("bmd", "t_score", "z_score"))
        }

    def _changed_sites(self, data: dict[str, Any]) -> set[str] | None:
        """The sites a correction changes; None (all) for a new scan, or when the date or the
        scanner changed (the neighbours compared with change too). An unchanged site was
        judged when it was saved (and confirmed, if it was asked): it is not asked again."""
        if self.scan_id is None:
            return None
        initial = self.initial
        scanner = data["scanner"]
        if data["scan_date"] != initial.get("scan_date") or scanner.pk != initial.get("scanner"):
            return None
        return {
            site
            for site in MeasuredSite
            for part in ("bmd", "t_score")
            if data.get(f"{site}_{part}") != initial.get(f"{site}_{part}")
        }

    def _check_scores(self, data: dict[str, Any]) -> None:
        """Ask to confirm a site whose T-score cannot be right for its BMD, or disagrees with the
        BMD change since (or until) the scan of that site on the same scanner, or whose BMD
        changed by at least the LSC since (or until) that scan within days
        (`records.score_checks`): a sign slip made an osteoporotic patient "Normal" (nurse12 F1),
        a repeat 5 days later read as "rapid loss, therapy indicated" (nurse13 #2). The words sit
        beside the value asked about (T-score or BMD), the tick under the site's row."""
        self.score_problems = scan_score_problems(
            patient=self.patient,
            scanner=data["scanner"],
            day=data["scan_date"],
            measurements=self._readable_measurements(),
            exclude_scan_id=self.scan_id,
            sites=self._changed_sites(data),
        )
        for site in MeasuredSite:
            tick = confirm_field(site)
            asked = site in self.score_problems
            if asked and not data.get(tick):
                for part, words in self.score_problems[site]:
                    self.add_error(f"{site}_{part}", words)
                self.add_error(
                    tick,
                    "Tick this to save the values as entered, once checked against the scan "
                    "report.",
                )
            if asked or data.get(tick):
                self.site_fieldsets[site].fields.append(tick)

    def confirmed_checks(self) -> dict[str, list[str]]:
        """What the save's audit row keeps of the checks confirmed: per site, their words."""
        return {
            site: [question.words for question in questions]
            for site, questions in self.score_problems.items()
            if self.cleaned_data.get(confirm_field(MeasuredSite(site)))
        }

    def scan_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "scan_date": data["scan_date"],
            "scanner": data["scanner"],
            "trabecular_bone_score": data.get("trabecular_bone_score"),
            "vertebral_fracture_assessment": data.get("vertebral_fracture_assessment") or "",
        }

    def _measurement(self, site: MeasuredSite) -> Measurement:
        data = self.cleaned_data
        return Measurement(
            bmd=data[f"{site}_bmd"],
            t_score=data[f"{site}_t_score"],
            z_score=data.get(f"{site}_z_score"),
        )

    def measurements(self) -> dict[str, Measurement]:
        data = self.cleaned_data
        return {
            site.value: self._measurement(site)
            for site in MeasuredSite
            if data.get(f"{site}_bmd") is not None
        }
