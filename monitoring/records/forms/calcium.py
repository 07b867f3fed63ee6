"""The calcium of the lab forms given as a total calcium with the albumin of its sample.

The rules judge an albumin-adjusted calcium (CA-LOW). Many laboratories report the total calcium
and the albumin alone (nurse13 #3): a total typed into the adjusted box raised a false "low
calcium, do not give denosumab" at an albumin of 30 g/L, and an adjustment done by heart can hide a
real one. The forms take either the adjusted calcium as the report gives it (preferred: the
laboratory may use a local variant of the formula) or the total calcium and the albumin, from
which the adjusted calcium is worked out (`domain.calcium_adjustment`), shown before saving and
stored as the calcium result, with the total and the albumin kept beside it.
"""

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from crispy_forms.layout import HTML, Div
from django import forms
from django.utils.html import format_html

from bonehealth.audit.decimals import DecimalField
from bonehealth.audit.forms import DECIMAL_INPUT
from monitoring import domain
from monitoring.domain import thresholds
from monitoring.domain.calcium_adjustment import (
    ALBUMIN_UNITS,
    adjusted_calcium,
    albumin_plausible,
    albumin_range,
)
from monitoring.records.lab_bounds import entry_problem, entry_range_missed
from monitoring.records.services.labs import TotalCalcium

TOTAL, TOTAL_UNIT, ALBUMIN, ALBUMIN_UNIT = (
    "total_calcium",
    "total_calcium_unit",
    "albumin",
    "albumin_unit",
)
FIELDS = (TOTAL, TOTAL_UNIT, ALBUMIN, ALBUMIN_UNIT)
CALCIUM = domain.Analyte.CALCIUM
SCRIPT = "js/adjusted-calcium.js"  # the adjusted calcium shown as the boxes are filled in

ADJUSTED_LABEL = "Calcium, albumin-adjusted (corrected)"
ADJUSTED_HELP = (
    "The adjusted calcium as the laboratory report gives it; it is stored as typed. If the report "
    "gives only a total calcium and an albumin, leave this empty and enter those two below."
)
_REFERENCE = thresholds.ADJUSTED_CALCIUM_REFERENCE_ALBUMIN_G_L
_LOW_G_L, _HIGH_G_L = thresholds.ALBUMIN_PLAUSIBLE_G_L
FORMULA = (
    f"Worked out as total calcium + {thresholds.ADJUSTED_CALCIUM_SLOPE_MMOL_L} x ({_REFERENCE} - "
    f"albumin in g/L) in mmol/L, or + {thresholds.ADJUSTED_CALCIUM_SLOPE_MG_DL} x "
    f"({_REFERENCE / 10:.1f} - albumin in g/dL) in mg/dL (Payne 1973). Laboratories may use a "
    "local variant: where the report gives an adjusted calcium, enter that one above instead."
)
BOTH_GIVEN = (
    "Enter either the adjusted calcium above or the total calcium with its albumin, not both. "
    "Empty this box to store the adjusted calcium as the report gives it."
)
ALBUMIN_WITHOUT_TOTAL = (
    "Enter the total calcium of the same sample with this albumin, or empty this box: an "
    "adjusted calcium entered above needs no albumin."
)
TOTAL_WITHOUT_ALBUMIN = (
    "Enter the albumin of the same sample: the adjusted calcium is worked out from both."
)
VALUE_NEEDED = "Enter the adjusted calcium, or the total calcium and the albumin below."
UNIT_NEEDED = "Choose the unit of this result."
NOT_CALCIUM = "Only a calcium result is worked out from a total calcium and an albumin."
PREVIEW_BLANK = "Adjusted calcium to be stored: enter the total calcium and the albumin."
PREVIEW_IMPLAUSIBLE = (
    "Adjusted calcium to be stored: none, the albumin is outside the plausible range "
    f"({_LOW_G_L} to {_HIGH_G_L} g/L, {_LOW_G_L / 10} to {_HIGH_G_L / 10} g/dL). Check the value "
    "and its unit."
)


def albumin_site_unit(system: domain.UnitSystem) -> str:
    """The albumin unit of a site's reports: g/L with SI units, g/dL with conventional ones."""
    return ALBUMIN_UNITS[0] if system is domain.UnitSystem.SI else ALBUMIN_UNITS[1]


def total_calcium_fields(system: domain.UnitSystem) -> dict[str, forms.Field]:
    """The total calcium, the albumin and their units, preselected in the site's units."""
    calcium_units = domain.ACCEPTED_UNITS[CALCIUM]
    return {
        TOTAL: DecimalField(
            label="Total calcium (not adjusted)",
            required=False,
            max_digits=10,
            decimal_places=3,
            min_value=0,
            widget=DECIMAL_INPUT,
            example="2.10" if system is domain.UnitSystem.SI else "8.4",
            help_text="Only when the report gives no adjusted calcium.",
        ),
        TOTAL_UNIT: forms.ChoiceField(
            label="Total calcium unit",
            choices=[("", "unit…")] + [(unit, unit) for unit in calcium_units],
            required=False,
            initial=domain.display_unit(CALCIUM, system),
        ),
        ALBUMIN: DecimalField(
            label="Albumin (same sample)",
            required=False,
            max_digits=6,
            decimal_places=2,
            min_value=0,
            widget=DECIMAL_INPUT,
            example="30" if system is domain.UnitSystem.SI else "3.0",
            help_text="With the total calcium only.",
        ),
        ALBUMIN_UNIT: forms.ChoiceField(
            label="Albumin unit",
            choices=[("", "unit…")] + [(unit, unit) for unit in ALBUMIN_UNITS],
            required=False,
            initial=albumin_site_unit(system),
        ),
    }


def total_calcium_layout(adjusted_field: str) -> Div:
    """The total calcium and albumin boxes, the formula, and the adjusted calcium to be stored
    (`static/js/adjusted-calcium.js` works it out as they are typed; the server's own words
    after a post)."""
    slopes = {
        "mmol/L": thresholds.ADJUSTED_CALCIUM_SLOPE_MMOL_L,
        "mg/dL": thresholds.ADJUSTED_CALCIUM_SLOPE_MG_DL / 10,
    }
    preview = format_html(
        '<p class="fw-semibold" id="adjusted-calcium" aria-live="polite" '
        'data-reference-g-l="{}" data-slope-mmol-l="{}" data-slope-mg-dl="{}" '
        'data-albumin-low-g-l="{}" data-albumin-high-g-l="{}" data-adjusted-field="{}" '
        'data-blank="{}" data-implausible="{}">',
        thresholds.ADJUSTED_CALCIUM_REFERENCE_ALBUMIN_G_L,
        slopes["mmol/L"],
        slopes["mg/dL"],
        *thresholds.ALBUMIN_PLAUSIBLE_G_L,
        adjusted_field,
        PREVIEW_BLANK,
        PREVIEW_IMPLAUSIBLE,
    )
    return Div(
        HTML(
            '<p class="form-text mb-1">Or, when the report gives the total calcium and the '
            "albumin only:</p>"
        ),
        Div(
            Div(TOTAL, css_class="col-7 col-md-3"),
            Div(TOTAL_UNIT, css_class="col-5 col-md-3"),
            Div(ALBUMIN, css_class="col-7 col-md-3"),
            Div(ALBUMIN_UNIT, css_class="col-5 col-md-3"),
            css_class="row",
        ),
        HTML(f"{preview}{{{{ form.adjusted_calcium_preview }}}}</p>"),
        HTML(f'<p class="form-text">{FORMULA}</p>'),
        css_class="border-start ps-3 mb-3 total-calcium",
    )


class TotalCalciumMixin:
    """Reads the total calcium boxes of a lab form (`total_calcium_fields`) in its `clean`."""

    cleaned_data: dict[str, Any]
    total_calcium: TotalCalcium | None = None
    adjusted_value: Decimal | None = None

    if TYPE_CHECKING:  # forms.Form's, which the lab forms mix this with

        def add_error(self, field: str | None, error: Any) -> None: ...

        def has_error(self, field: str | None, code: str | None = None) -> bool: ...

    def _total_calcium_clean(
        self, *, adjusted_field: str, analyte: str | None = CALCIUM
    ) -> tuple[Decimal, str] | None:
        """The adjusted calcium and its unit worked out from the total calcium boxes, their
        refusals added beside them; None when they are empty or refused. `analyte` is the result's
        (the correction form lets it change), `adjusted_field` the adjusted calcium's box."""
        data = self.cleaned_data
        total, albumin = data.get(TOTAL), data.get(ALBUMIN)
        if any(self.has_error(name) for name in FIELDS):
            return None  # a number not read, a unit not offered: refused beside its box
        if total is None and albumin is None:
            return None
        if analyte != CALCIUM:
            self.add_error(TOTAL if total is not None else ALBUMIN, NOT_CALCIUM)
            return None
        if total is not None and data.get(adjusted_field) is not None:
            self.add_error(TOTAL, BOTH_GIVEN)
            return None
        if total is None:
            self.add_error(ALBUMIN, ALBUMIN_WITHOUT_TOTAL)
            return None
        unit, albumin_unit = data.get(TOTAL_UNIT), data.get(ALBUMIN_UNIT)
        if not unit:
            self.add_error(TOTAL_UNIT, UNIT_NEEDED)
        if albumin is None:
            self.add_error(ALBUMIN, TOTAL_WITHOUT_ALBUMIN)
        elif not albumin_unit:
            self.add_error(ALBUMIN_UNIT, UNIT_NEEDED)
        elif not albumin_plausible(albumin, albumin_unit):
            low, high = albumin_range(albumin_unit)
            self.add_error(
                ALBUMIN,
                f"{albumin} {albumin_unit} is outside the plausible range ({low} to {high} "
                f"{albumin_unit}). Check the value and the unit.",
            )
        if not unit:
            return None
        problem = entry_problem(CALCIUM, total, unit)
        if problem:
            self.add_error(TOTAL, problem)
        if problem or albumin is None or not albumin_unit or self.has_error(ALBUMIN):
            return None
        adjusted = adjusted_calcium(total, unit, albumin, albumin_unit)
        missed = entry_range_missed(CALCIUM, adjusted, unit)
        if missed:
            low, high, _ = missed
            self.add_error(
                TOTAL,
                f"The adjusted calcium worked out from these, {adjusted} {unit}, is outside the "
                f"plausible range ({low} to {high} {unit}). Check the total calcium, the albumin "
                "and their units.",
            )
            return None
        self.total_calcium = TotalCalcium(total=total, albumin=albumin, albumin_unit=albumin_unit)
        self.adjusted_value = adjusted
        return adjusted, unit

    @property
    def adjusted_calcium_preview(self) -> str:
        """The adjusted calcium a valid post would store, in words; `PREVIEW_BLANK` before."""
        source = self.total_calcium
        if source is None or self.adjusted_value is None:
            return PREVIEW_BLANK
        unit = self.cleaned_data[TOTAL_UNIT]
        albumin = f"{source.albumin.normalize():f}"
        return (
            f"Adjusted calcium to be stored: {self.adjusted_value} {unit} (from total calcium "
            f"{source.total} {unit} and albumin {albumin} {source.albumin_unit})."
        )
