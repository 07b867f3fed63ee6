"""A history's text fields checked by the rules of the forms that write the same columns, so that
no file brings in what a form refuses (sec12 #1: a name with a right-to-left override, a tab or a
zero-width space was imported, and showed as another patient's name).

The patient's MRN and name follow the patient form (`patients.identity`); the stop reasons of
courses, a therapy's dose and the plan's reason the one-line rule of their forms
(`bonehealth.audit.text`). Each problem names its path in the file. A file may still carry no
name (sec11 #6, docs/history-format.md): the patient then shows her MRN where a name is wanted,
and her record's form asks for it at its first save.
"""

import dataclasses

from bonehealth.audit.text import ONE_LINE, is_one_line
from monitoring import domain
from patients.identity import mrn_cleaned, mrn_problem, name_problem


def history_cleaned(history: domain.History) -> domain.History:
    """The history with its patient's MRN and name as the patient form stores them (stripped;
    the MRN in capitals), so that a file finds the patient a form registered."""
    patient = history.patient
    return dataclasses.replace(
        history,
        patient=dataclasses.replace(
            patient, mrn=mrn_cleaned(patient.mrn), name=(patient.name or "").strip() or None
        ),
    )


def text_problems(history: domain.History) -> list[str]:
    """A `path: problem` line for each text field of a cleaned history (`history_cleaned`) that
    its form would refuse."""
    patient = history.patient
    problems = []
    if problem := mrn_problem(patient.mrn):
        problems.append(f"patient.mrn: {problem}")
    if patient.name and (problem := name_problem(patient.name)):
        problems.append(f"patient.name: {problem}")
    lines: list[tuple[str, str | None]] = [
        (f"aromatase_inhibitors[{i}].stop_reason", course.stop_reason)
        for i, course in enumerate(history.aromatase_inhibitors)
    ]
    for i, therapy in enumerate(history.bone_therapy):
        lines += [
            (f"bone_therapy[{i}].dose", therapy.dose),
            (f"bone_therapy[{i}].stop_reason", therapy.stop_reason),
        ]
    if history.plan is not None:
        lines.append(("plan.reason", history.plan.reason))
    problems += [
        f"{path}: write it {ONE_LINE}" for path, text in lines if text and not is_one_line(text)
    ]
    return problems
