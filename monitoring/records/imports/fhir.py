"""A FHIR R4 Bundle (JSON) of laboratory Observations from an EHR, as lab readings.

The bundle is validated with the R4B models of `fhir.resources` (R4B keeps R4's Observation and
Bundle). Each Observation needs a final result (status final, amended or corrected), a LOINC code
of the table below, a valueQuantity in a unit the app accepts for that analyte (UCUM codes such as
`ug/L` read as `µg/L`; 25-OH vitamin D in ng/mL or nmol/L, converted by the rules), an effective
date, and a subject naming the patient's MRN: `subject.identifier`, or a reference to a Patient
entry of the bundle whose identifier of type MR (or only identifier) is the MRN. A CTX sample is
fasting when its Specimen entry's collection.fastingStatus is `F` (HL7 v2 table 0916). Other
entries (Patient, Specimen, DiagnosticReport, ...) are context, not imported.
"""

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from pydantic import ValidationError

from monitoring import domain
from monitoring.models.choices import Analyte
from monitoring.records.imports.files import (
    FileRefusedError,
    Problem,
    max_rows,
    refuse_deep_json,
)
from monitoring.records.imports.readings import LabReading
from monitoring.records.imports.results_csv import plausibility_problem, unit_problem

LOINC = "http://loinc.org"
ROW_NAME = "entry"
FINAL_STATUSES = {"final", "amended", "corrected"}
MRN_TYPE = "MR"  # HL7 v2 table 0203: medical record number
FASTING = "F"  # HL7 v2 table 0916: fasting
# Design choice: an Observation's deepest value (Bundle, entry, resource, code, coding, a coding)
# sits at depth 6 and nested extensions add a few levels; 32 leaves room for any real bundle and
# stays far below the depth at which json.loads runs out of recursion.
MAX_DEPTH = 32

# LOINC code -> analyte. Each code was checked against a public copy of a source naming it (the
# search tool's stored pages, 2026-12-06); the source is beside each code.
LOINC_ANALYTES: dict[str, Analyte] = {
    # Collagen crosslinked C-telopeptide [Mass/volume] in Serum or Plasma:
    # http://ltd.aruplab.com/tests/pub/0070416 (ARUP, component 0070415)
    "41171-0": Analyte.CTX,
    # Procollagen type I N-terminal propeptide [Mass/volume] in Serum or Plasma: as the issue
    # gives it; no public page found here named the code (see the report).
    "77370-5": Analyte.P1NP,
    # As the issue gives it; not confirmed here. Bone alkaline phosphatase [Mass/volume] (µg/L) is
    # 17838-4 (https://arupconsult.com/node/17671, ARUP 0070053; Mayo BAP). Only µg/L is accepted
    # for BSAP, so an activity result (U/L) under either code is refused by its unit.
    "1777-2": Analyte.BSAP,
    "17838-4": Analyte.BSAP,
    # 25-Hydroxyvitamin D2+D3 [Mass/volume] in Serum or Plasma:
    # https://mercyonedubuque.testcatalog.org/show/419-1
    "62292-8": Analyte.VITAMIN_D_25OH,
    # 25-hydroxyvitamin D3 [Mass/volume] (1989-3) and [Moles/volume] (14635-7) in Serum or
    # Plasma: D3 only (https://corewellhealth.testcatalog.org/show/LAB1230925-1 lists "62292-8
    # (Total), 49054-0 (D2), 1989-3 (D3)"); accepted as the issue asks, many labs report the total
    # under them.
    "1989-3": Analyte.VITAMIN_D_25OH,
    "14635-7": Analyte.VITAMIN_D_25OH,
    # Calcium [Moles/volume] corrected for albumin (29265-6):
    # https://hl7.org/fhir/uv/pddi/en/ValueSet-valueset-calcium-LOINC.html. The total calcium
    # codes are refused (`TOTAL_CALCIUM_CODES`).
    "29265-6": Analyte.CALCIUM,
    # eGFR by creatinine, CKD-EPI 2021 (98979-8):
    # https://build.fhir.org/ig/HL7LT/ig-lt-lab/lt/ValueSet-egfr-method.json; MDRD (33914-3):
    # https://hl7.org/fhir/stu3/observation-example-f205-egfr.json.html
    "98979-8": Analyte.EGFR,
    "33914-3": Analyte.EGFR,
    # Creatinine [Mass/volume] (2160-0) and [Moles/volume] (14682-9) in Serum or Plasma:
    # https://hl7.org/fhir/uv/cpg/ValueSet-ckd-valueset-creatinine.html
    "2160-0": Analyte.CREATININE,
    "14682-9": Analyte.CREATININE,
}

# Total calcium, not adjusted for albumin: Calcium [Mass/volume] in Serum or Plasma (17861-6, the
# value set above) and [Moles/volume] (2000-8). They were once read as the calcium the rules judge,
# which is the albumin-adjusted one (CA-LOW): a total calcium with an albumin above 40 g/L is higher
# than the adjusted value and hid a low one (the lab form's total-and-albumin entry made this
# visible, nurse13 #3). Refused with where to enter it, as the results CSV refuses total calcium.
TOTAL_CALCIUM_CODES = frozenset({"17861-6", "2000-8"})
TOTAL_CALCIUM_REFUSED = (
    "total calcium (LOINC {code}) is not the albumin-adjusted calcium the rules judge: enter it "
    "with the same sample's albumin on the lab form, which adjusts it, or send the corrected "
    "calcium (LOINC 29265-6)"
)

# UCUM unit codes whose spelling differs from the app's unit strings.
UCUM_UNITS = {"mL/min/{1.73_m2}": "mL/min/1.73m2", "mL/min/1.73.m2": "mL/min/1.73m2"}


def _problem(message: str, entry: int | None = None, column: str = "") -> Problem:
    return Problem(message, row=entry, column=column, row_name=ROW_NAME)


def _document(text: str) -> dict[str, Any]:
    refuse_deep_json(text, MAX_DEPTH)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileRefusedError(
            [
                Problem(
                    f"not JSON ({error.msg}, column {error.colno})",
                    row=error.lineno,
                    row_name="line",
                )
            ]
        ) from None
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise FileRefusedError([Problem("not a FHIR Bundle (resourceType must be Bundle)")])
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        raise FileRefusedError([Problem("entry: not a list", column="entry")])
    if len(entries) > max_rows():
        raise FileRefusedError(
            [Problem(f"the bundle has {len(entries):,} entries; at most {max_rows():,}")]
        )
    return data


def _unknown_types(entries: list[Any]) -> list[Problem]:
    problems = []
    for index, entry in enumerate(entries, start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        try:
            get_fhir_model_class(str(kind))
        except (ValueError, KeyError):
            problems.append(_problem(f"unknown resourceType {kind!r}", index, "resource"))
    return problems


def _validated(data: dict[str, Any]) -> Bundle:
    problems = _unknown_types(data.get("entry") or [])
    if problems:
        raise FileRefusedError(problems)
    try:
        return Bundle.model_validate(data)
    except ValidationError as invalid:
        problems = []
        for error in invalid.errors()[:50]:
            loc = list(error["loc"])
            entry = None
            if len(loc) >= 2 and loc[0] == "entry" and isinstance(loc[1], int):
                entry, loc = loc[1] + 1, loc[2:]
                if loc and loc[0] == "resource":
                    loc = loc[1:]
            column = ".".join(str(part) for part in loc)
            problems.append(_problem(f"not valid FHIR R4: {error['msg']}", entry, column))
        raise FileRefusedError(problems) from None


class _Context:
    """The bundle's other entries, found by fullUrl or Type/id, for references."""

    def __init__(self, bundle: Bundle) -> None:
        self.by_ref: dict[str, Any] = {}
        for entry in bundle.entry or []:
            resource = entry.resource
            if resource is None:
                continue
            if entry.fullUrl:
                self.by_ref[str(entry.fullUrl)] = resource
            if resource.id:
                self.by_ref[f"{resource.get_resource_type()}/{resource.id}"] = resource

    def get(self, reference: Any, kind: str) -> Any:
        if reference is None or not reference.reference:
            return None
        found = self.by_ref.get(str(reference.reference))
        return found if found is not None and found.get_resource_type() == kind else None


def _mrn(observation: Observation, context: _Context) -> str | None:
    subject = observation.subject
    if subject is None:
        return None
    if subject.identifier is not None and subject.identifier.value:
        return str(subject.identifier.value).strip()
    patient = context.get(subject, "Patient")
    identifiers = list(patient.identifier or []) if patient is not None else []
    for identifier in identifiers:
        codes = [c.code for c in (identifier.type.coding or [])] if identifier.type else []
        if MRN_TYPE in codes and identifier.value:
            return str(identifier.value).strip()
    if len(identifiers) == 1 and identifiers[0].value:
        return str(identifiers[0].value).strip()
    return None


def _date(observation: Observation) -> date | str | None:
    value: Any = observation.effectiveDateTime
    if value is None and observation.effectivePeriod is not None:
        value = observation.effectivePeriod.start
    if isinstance(value, datetime):
        return value.date()  # the date where the sample was taken, as the lab wrote it
    if isinstance(value, date):
        return value
    return None if value is None else str(value)


def _fasting(observation: Observation, context: _Context) -> bool:
    specimen = context.get(observation.specimen, "Specimen")
    collection = specimen.collection if specimen is not None else None
    status = collection.fastingStatusCodeableConcept if collection is not None else None
    return status is not None and any(c.code == FASTING for c in status.coding or [])


def _unit(quantity: Any) -> str:
    unit = str(quantity.code or quantity.unit or "").strip()
    return UCUM_UNITS.get(unit, domain.normalize_unit(unit))


def _reading(index: int, observation: Observation, context: _Context) -> LabReading | Problem:
    codes = [c.code for c in (observation.code.coding or []) if c.system == LOINC]
    analytes = {LOINC_ANALYTES[code] for code in codes if code in LOINC_ANALYTES}
    total = sorted(TOTAL_CALCIUM_CODES.intersection(codes))
    if total and not analytes:
        return _problem(TOTAL_CALCIUM_REFUSED.format(code=total[0]), index, "code")
    if not analytes:
        shown = ", ".join(str(c) for c in codes) or "none"
        return _problem(f"no LOINC code this app records (LOINC: {shown})", index, "code")
    if len(analytes) > 1:
        return _problem("LOINC codes of several analytes", index, "code")
    analyte = analytes.pop()
    if observation.status not in FINAL_STATUSES:
        return _problem(
            f"status {observation.status!r}: only final results are imported", index, "status"
        )
    mrn = _mrn(observation, context)
    if not mrn:
        return _problem("no MRN: give subject.identifier or a Patient entry", index, "subject")
    day = _date(observation)
    if not isinstance(day, date):
        return _problem(f"no full effective date ({day or 'none'})", index, "effectiveDateTime")
    quantity = observation.valueQuantity
    if quantity is None or quantity.value is None:
        return _problem("no valueQuantity", index, "valueQuantity")
    if quantity.comparator:
        return _problem(
            f"a value {quantity.comparator} {quantity.value} cannot be recorded",
            index,
            "valueQuantity.comparator",
        )
    value, unit = Decimal(str(quantity.value)), _unit(quantity)
    wrong = unit_problem(analyte, unit) or plausibility_problem(analyte, value, unit)
    if wrong:
        return _problem(wrong, index, "valueQuantity")
    exponent = value.as_tuple().exponent
    if value < 0 or (isinstance(exponent, int) and exponent < -3):
        return _problem(f"{value} cannot be recorded (0 or more, 3 decimals)", index, "value")
    return LabReading(
        row=index,
        mrn=mrn,
        date=day,
        analyte=analyte.value,
        value=value,
        unit=unit,
        fasting=analyte == Analyte.CTX and _fasting(observation, context),
    )


def fhir_read(text: str) -> tuple[list[LabReading], list[Problem]]:
    """Read the bundle's lab Observations: their readings and every other one's problems.

    Raise FileRefusedError for a file that is not a valid FHIR R4 Bundle.
    """
    bundle = _validated(_document(text))
    context = _Context(bundle)
    readings: list[LabReading] = []
    problems: list[Problem] = []
    for index, entry in enumerate(bundle.entry or [], start=1):
        if not isinstance(entry.resource, Observation):
            continue
        result = _reading(index, entry.resource, context)
        if isinstance(result, Problem):
            problems.append(result)
        else:
            readings.append(result)
    if not readings and not problems:
        raise FileRefusedError([Problem("the bundle has no laboratory Observation")])
    return readings, problems
