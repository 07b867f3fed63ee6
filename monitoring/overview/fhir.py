"""A patient's record as FHIR R4 resources: Patient, Observations (DEXA and labs),
MedicationStatements (aromatase inhibitors and bone therapy) and a Flag per open alert.

The resources are plain dicts in FHIR JSON; the tests check every Bundle against the
`fhir.resources` R4B models, and `export_fhir` checks each one before printing it. Each resource
id is a UUID derived from the site code, the MRN and what the resource is, so exporting the same
record twice gives the same ids.

Codes (each checked on the date of writing, 2026-12; sources next to the table):
- LOINC DXA terms: 24966-4 "DXA Lumbar spine [Mass/Area] Bone density" and 38267-1 "DXA Lumbar
  spine [T-score] Bone density" (loinc.org term pages as mirrored by findacode.com and
  healthassure.in); 38264-8 "DXA Hip [T-score] Bone density" (healthassure.in); 24701-5 "Femur
  DXA Bone density" (HL7 FHIR R4 example observation-example-bmd, hl7.org/fhir); 38263-0 "DXA
  Femur [T-score] Bone density" (findacode.com). LOINC has no femoral-neck DXA term: the neck is
  sent as a femur term with a SNOMED CT bodySite.
- NOT VERIFIED against an authoritative page: 38261-4 (total hip BMD, the term the brief names;
  no page found) and SNOMED CT 29627003 "Structure of neck of femur (body structure)" (found only
  in public code mapping DICOM body parts, one of which maps it to the spinal column instead; not
  found in the SNOMED browser). Check both before a production interface uses them.
- Labs: 41171-0 CTX (ARUP test directory), 62292-8 25-OH vitamin D D2+D3 mass/volume (ARUP and
  hospital test catalogues), 29265-6 "Calcium [Moles/volume] corrected for albumin in Serum or
  Plasma" and 17861-6 (HL7 PDDI IG value set of serum calcium; the app stores albumin-adjusted
  calcium in mmol/L, so 29265-6 is the matching term, not 17861-6 mass or 2000-8 unadjusted),
  14682-9 "Creatinine [Moles/volume] in Serum or Plasma" and 2160-0 mass/volume (HL7 CPG IG value
  set; the app stores µmol/L, so 14682-9), 98979-8 eGFR by creatinine, CKD-EPI 2021 (the pattern of
  HL7 Switzerland's CH LAB-Report profile ch-lab-observation-egfr-cr-ckd-epi-2021), 17838-4 bone
  ALP in µg/L (Warde laboratory catalogue; 1777-2 of the brief is not what the app stores: BSAP
  here is a mass concentration). NOT VERIFIED against an authoritative page: 77370-5 P1NP (found
  only in public code and laboratory mappings).
"""

import uuid
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from bonehealth.audit.decimals import plain
from monitoring import domain
from monitoring.domain.rounding import round_2
from monitoring.models import Alert, BoneTherapyCourse
from patients.models import AromataseInhibitorCourse, Patient

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
# The app's own code systems: the alert codes and rule ids of docs/clinical-rules.md.
ALERT_SYSTEM = "urn:bonehealth:alert-code"
RULE_SYSTEM = "urn:bonehealth:rule"
_NAMESPACE = uuid.UUID("6f3c1c1e-5b8e-4f59-9a55-0c3f4d9b7e21")

# Per measured site: (BMD LOINC, T-score LOINC, label, SNOMED bodySite or None).
DEXA_CODES: dict[str, tuple[str | None, str | None, str, tuple[str, str] | None]] = {
    "lumbar_spine": ("24966-4", "38267-1", "DXA lumbar spine", None),
    "total_hip": ("38261-4", "38264-8", "DXA total hip", None),
    "femoral_neck": (
        "24701-5",
        "38263-0",
        "DXA femoral neck",
        ("29627003", "Structure of neck of femur (body structure)"),
    ),
    # No LOINC term is sent for the 1/3 radius: the text says what it is.
    "radius_33": (None, None, "DXA 1/3 radius", None),
}
# Per analyte (in the unit the app stores, monitoring.domain.CANONICAL_UNIT): LOINC or None, the
# label, and the UCUM code of that unit.
LAB_CODES: dict[str, tuple[str | None, str, str]] = {
    "ctx": ("41171-0", "CTX (collagen C-telopeptide), serum", "ng/mL"),
    "p1np": ("77370-5", "P1NP (procollagen type I N-propeptide), serum", "ug/L"),
    "bsap": ("17838-4", "Bone-specific alkaline phosphatase, serum", "ug/L"),
    "untx": (None, "Urinary NTX / creatinine", "nmol/mmol"),
    "vitamin_d_25oh": ("62292-8", "25-OH vitamin D (D2+D3), serum", "ng/mL"),
    "calcium": ("29265-6", "Calcium corrected for albumin, serum", "mmol/L"),
    "egfr": ("98979-8", "eGFR (CKD-EPI 2021, creatinine)", "mL/min/{1.73_m2}"),
    "crcl": (None, "Creatinine clearance", "mL/min"),
    "creatinine": ("14682-9", "Creatinine, serum", "umol/L"),
}


def _id(*parts: object) -> str:
    return str(uuid.uuid5(_NAMESPACE, "|".join(str(part) for part in parts)))


def _ref(resource_id: str) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource_id}"}


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def _concept(
    code: str | None, system: str, text: str, display: str | None = None
) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": text}
    if code:
        concept["coding"] = [{"system": system, "code": code, "display": display or text}]
    return concept


def _category(code: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": OBSERVATION_CATEGORY, "code": code}]}]


def patient_resource(patient: Patient) -> dict[str, Any]:
    """The Patient: the MRN as identifier, the site (by code) as its system."""
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": _id(patient.site.code, patient.mrn, "patient"),
        "identifier": [
            {
                "use": "usual",
                "type": {"coding": [{"system": IDENTIFIER_TYPE, "code": "MR"}]},
                "system": f"urn:bonehealth:site:{patient.site.code}",
                "value": patient.mrn,
            }
        ],
        "gender": "female" if patient.sex == "F" else "male",
        "birthDate": patient.birth_date.isoformat(),
    }
    if patient.name:
        resource["name"] = [{"text": patient.name}]
    return resource


def _observation(
    patient_id: str, key: tuple[object, ...], category: str, code: dict[str, Any], when: date
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": _id(*key),
        "status": "final",
        "category": _category(category),
        "code": code,
        "subject": _ref(patient_id),
        "effectiveDateTime": when.isoformat(),
    }


def dexa_observations(patient: Patient, patient_id: str) -> Iterator[dict[str, Any]]:
    """A BMD and a T-score Observation per measured site of each valid scan."""
    for scan in patient.valid_scans:  # type: ignore[attr-defined]
        for measurement in scan.measurement_list:
            bmd_code, t_code, label, body_site = DEXA_CODES[measurement.site]
            key = (patient.site.code, patient.mrn, scan.pk, measurement.site)
            bmd = _observation(
                patient_id,
                (*key, "bmd"),
                "imaging",
                _concept(bmd_code, LOINC, f"{label} BMD"),
                scan.scan_date,
            )
            bmd["valueQuantity"] = {
                "value": _number(measurement.bmd),
                "unit": "g/cm2",
                "system": UCUM,
                "code": "g/cm2",
            }
            t_score = _observation(
                patient_id,
                (*key, "t"),
                "imaging",
                _concept(t_code, LOINC, f"{label} T-score"),
                scan.scan_date,
            )
            t_score["valueQuantity"] = {
                "value": _number(measurement.t_score),
                "unit": "T-score",
                "system": UCUM,
                "code": "{T-score}",
            }
            for observation in (bmd, t_score):
                if body_site:
                    observation["bodySite"] = _concept(body_site[0], SNOMED, body_site[1])
                yield observation


def lab_observations(patient: Patient, patient_id: str) -> Iterator[dict[str, Any]]:
    """An Observation per valid lab result, in the unit the app stores (the unit its LOINC code
    measures in: a mass or a molar concentration). A result entered in that unit is sent as
    entered; one entered in another is sent converted and rounded as the pages show it (62.5
    nmol/L: 25.04 ng/mL, not 25.040064, nurse13 #9), with the value as entered in a note."""
    for lab in patient.valid_labs:  # type: ignore[attr-defined]
        code, label, unit = LAB_CODES[lab.analyte]
        observation = _observation(
            patient_id,
            (patient.site.code, patient.mrn, "lab", lab.pk),
            "laboratory",
            _concept(code, LOINC, label),
            lab.sample_date,
        )
        entered = f"{plain(lab.entered_value)} {lab.entered_unit}"
        if domain.normalize_unit(lab.entered_unit) == domain.CANONICAL_UNIT[lab.analyte]:
            value = lab.entered_value
        else:
            value = round_2(lab.value)
            observation["note"] = [{"text": f"Entered as {entered}."}]
        observation["valueQuantity"] = {
            "value": _number(value.normalize()),
            "unit": unit,
            "system": UCUM,
            "code": unit,
        }
        yield observation


def _medication_status(start: date | None, stop: date | None, today: date) -> str:
    if start is None or start > today:
        return "intended"
    return "completed" if stop is not None and stop <= today else "active"


def _medication(
    patient: Patient,
    patient_id: str,
    course: AromataseInhibitorCourse | BoneTherapyCourse,
    kind: str,
    today: date,
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "id": _id(patient.site.code, patient.mrn, kind, course.pk),
        "status": _medication_status(course.start_date, course.stop_date, today),
        "medicationCodeableConcept": {"text": course.get_drug_display()},
        "subject": _ref(patient_id),
    }
    period = {
        key: value.isoformat()
        for key, value in (("start", course.start_date), ("end", course.stop_date))
        if value is not None
    }
    if period:
        resource["effectivePeriod"] = period
    dose = getattr(course, "dose", "")
    if dose:
        resource["dosage"] = [{"text": dose}]
    return resource


def medication_statements(
    patient: Patient, patient_id: str, today: date
) -> Iterator[dict[str, Any]]:
    """A MedicationStatement per aromatase-inhibitor course and per bone-therapy course."""
    for ai_course in patient.valid_ai_courses:  # type: ignore[attr-defined]
        yield _medication(patient, patient_id, ai_course, "aromatase-inhibitor", today)
    for course in patient.valid_therapy:  # type: ignore[attr-defined]
        yield _medication(patient, patient_id, course, "bone-therapy", today)


def alert_flags(
    patient: Patient, patient_id: str, alerts: Iterable[Alert]
) -> Iterator[dict[str, Any]]:
    """A Flag per open alert: its code, message and (as categories) the rule ids that raised it."""
    for alert in alerts:
        yield {
            "resourceType": "Flag",
            "id": _id(patient.site.code, patient.mrn, "alert", alert.pk),
            "status": "active",
            "category": [
                {"coding": [{"system": RULE_SYSTEM, "code": rule}], "text": f"rule {rule}"}
                for rule in alert.rules
            ],
            "code": {
                "coding": [{"system": ALERT_SYSTEM, "code": alert.code}],
                "text": alert.message,
            },
            "subject": _ref(patient_id),
            "period": {"start": alert.raised_at.isoformat()},
        }


def patient_resources(
    patient: Patient, alerts: Iterable[Alert], *, today: date | None = None
) -> Iterator[dict[str, Any]]:
    """Every resource of one patient loaded `with_records`, the Patient first."""
    today = today or timezone.localdate()
    resource = patient_resource(patient)
    yield resource
    yield from dexa_observations(patient, resource["id"])
    yield from lab_observations(patient, resource["id"])
    yield from medication_statements(patient, resource["id"], today)
    yield from alert_flags(patient, resource["id"], alerts)


def bundle_entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def bundle(resources: Iterable[dict[str, Any]], *, at: datetime | None = None) -> dict[str, Any]:
    """A `collection` Bundle of the resources."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": (at or timezone.now()).isoformat(),
        "entry": [bundle_entry(resource) for resource in resources],
    }
