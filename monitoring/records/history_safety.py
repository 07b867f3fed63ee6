"""The pre-treatment gate of a history import: each course start and dose the file creates is
judged as of its own day, and a failed check needs the import's override reason. A dose is also
judged by the results on file dated after it, up to today, as the dose form judges one dated
before today (`later_results`, nurse12 F3: a file is another way to date a dose back past a
block); its line names each such result.

A history records past events, so the conservative reading: the file is refused whole (nothing
written) while any of its starts or doses fails a check and no reason is given; with one reason
(for the file), each such record and its audit row keep it as that record's override, as the
therapy forms' overrides are kept. The rule itself is `services.safety_gate.override_audit`.
"""

from django.utils import timezone

from monitoring.records.history_records import (
    GivenTherapy,
    HistoryImportError,
    ImportReport,
    RecordImporter,
)
from monitoring.records.later_results import with_later_results
from monitoring.records.safety import (
    Checklist,
    patient_history,
    recorded_checklist,
    recorded_course,
)
from monitoring.records.services.safety_gate import (
    OverrideNotPermittedError,
    SafetyCheckError,
    failed_names,
    override_audit,
    override_values,
    physician_only_words,
)
from patients.models import Patient

# What `ImportReport.overridden` counts of the doses whose failed checks only a physician
# overrides (a dose too early, a high or critical alert: `services.safety_gate`).
PHYSICIAN_CHECKS = "physician_checks"


class SafetyOverrideRequiredError(HistoryImportError):
    """The file's starts or doses fail pre-treatment checks and no reason was given; nothing was
    saved. `report` is what the import would have done (a preview shows it, with the checks)."""

    def __init__(self, errors: list[str], report: ImportReport) -> None:
        self.report = report
        super().__init__(errors)


def _what(given: GivenTherapy) -> str:
    drug = given.course.get_drug_display()
    return f"{drug} {'dose given' if given.is_dose else 'started'} on {given.day:%Y-%m-%d}"


def _later_words(checklist: Checklist) -> str:
    """The results after the dose's date that fail its checks, for the dose's line."""
    return "".join(f"; {' '.join(check.messages)}" for check in checklist.later_results)


def import_gate(importer: RecordImporter, patient: Patient, override_reason: str | None) -> None:
    """Judge the starts and doses the import created (in its transaction, before its audit rows
    are written); put the override on them and their audit rows, or refuse the file naming each
    one."""
    if not importer.given:
        return
    history = patient_history(patient)
    refused = []
    for given in importer.given:
        checklist = recorded_checklist(history, given.course, given.day)
        if given.is_dose:
            checklist = with_later_results(
                checklist,
                history,
                course=recorded_course(history, given.course),
                given_on=given.day,
                today=timezone.localdate(),
            )
        if not checklist.failed:
            continue
        line = (
            f"{given.path}: {_what(given)}: failed pre-treatment checks ({failed_names(checklist)})"
            f"{_later_words(checklist)}"
        )
        importer.report.failed_checks.append(line)
        importer.report.overridden["bonetherapydose" if given.is_dose else "bonetherapycourse"] += 1
        if given.is_dose and checklist.override_needs_physician:
            importer.report.overridden[PHYSICIAN_CHECKS] += 1
        try:
            audit = override_audit(checklist, override_reason, actor=importer.actor)
        except OverrideNotPermittedError:
            words = physician_only_words(checklist)
            refused.append(f"{line}; {words[0].lower()}{words[1:]}")
            continue
        except SafetyCheckError:
            refused.append(f"{line}; importing it needs an override reason")
            continue
        given.event.changes = {**given.event.changes, **audit}
        record = given.record
        type(record).objects.filter(pk=record.pk).update(
            **override_values(audit, actor=importer.actor)
        )
    if refused:
        raise SafetyOverrideRequiredError(refused, importer.report)
