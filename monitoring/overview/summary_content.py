"""What a patient's summary holds, measured for `summary_fit`: the characters of each text as the
printout words it (the rules' texts in the site's units, with their labels and rule ids) and the
rows of each table."""

import textwrap
from collections.abc import Mapping
from typing import Any

from monitoring.overview.summary_fit import FACT_CHARS, SummaryContent
from monitoring.overview.therapy_words import (
    therapy_now_on_paper,
    therapy_now_overrides,
    therapy_now_overrides_brief,
)
from monitoring.templatetags.monitoring_display import (
    ALWAYS_RULE,
    ai_course_time,
    due_words,
    grouped_by_code,
    lab_text,
    recommendation_label,
    risk_label,
    schedule_label,
    site_label,
    who_label,
)

# What the template adds to a text: a severity and its icon, a due date, "[RULE-1, RULE-2]", the
# words around the advice every patient gets named on one line, a projection's dates.
SEVERITY_CHARS = 12
DUE_CHARS = 25
MORE_SITES_CHARS = 20
ACKNOWLEDGED_CHARS = 45
# An acknowledgement's note on paper (nurse13 #17: the printout named who acknowledged, not the
# note), cut to this many characters, "…" included; the whole note is on the patient page.
PRINTED_NOTE_CHARS = 120
# " — on the warning alert it replaced, acknowledged by Nora Nurse 2026-12-07: “…”"
EARLIER_NOTE_CHARS = 85
STANDING_NAMED_WORDS = len("Advice every patient gets:  (their text is on the patient page).")
PROJECTION_WORDS = 115  # "Projected T-score (an estimate; in brief …): "
PROJECTION_NAMED_WORDS = 150  # "Projected T-score (an estimate) for …: its dates …"
PROJECTION_ROW_WORDS = 75  # ", … from T -1.2 on 2026-12-01: reaches T -2.0 2028-05-01, …; "
DATA_PROBLEM_WORDS = 260
PRINTED_BY_WORDS = len("bonehealth,  · printed 2026-12-07 14:44 by  · assessment as of 2026-12-07")
OVERRIDE_LABEL_CHARS = 40  # "▲ Bone therapy checks overridden: " and the full stop
NOTE_LINES = 3  # a projection's note in its column ("already passed: estimated, not measured")


def _rules(rules: Any) -> int:
    return len(", ".join(rules)) + 3


def _alert_chars(group: Any, context: Mapping[str, Any]) -> int:
    alert = group.worst
    chars = SEVERITY_CHARS + len(group.title) + 2 + _rules(alert.rules)
    chars += len(
        lab_text(alert.message, context["patient"].site.lab_units, context["lab_readings"])
    )
    chars += MORE_SITES_CHARS if len(group.alerts) > 1 else 0
    chars += sum(EARLIER_NOTE_CHARS + len(note.note) for note in group.earlier_notes)
    if group.unacknowledged:
        return chars
    return chars + ACKNOWLEDGED_CHARS + printed_note_chars(alert.acknowledgement_note)


def printed_note_chars(note: str) -> int:
    """The characters an acknowledgement's note takes on paper, quotes and colon included."""
    return min(len(note), PRINTED_NOTE_CHARS) + 4 if note else 0


def _recommendation_chars(rec: Mapping[str, Any], context: Mapping[str, Any]) -> int:
    message = lab_text(
        rec.get("message", ""), context["patient"].site.lab_units, context["lab_readings"]
    )
    label = recommendation_label(rec, context["data"])
    chars = len(label) + 2 + len(message) + _rules(rec.get("rules", []))
    chars += DUE_CHARS if rec.get("due") else 0
    if "TX-AI-RF" in rec.get("rules", []):
        chars += len("; ".join(context.get("risk_factor_words") or [])) + 40
    return chars


def _recommendation_brief_chars(rec: Mapping[str, Any], context: Mapping[str, Any]) -> int:
    """A recommendation named in brief: its label, due date and rules."""
    label = recommendation_label(rec, context["data"])
    return len(label) + (DUE_CHARS if rec.get("due") else 0) + _rules(rec.get("rules", []))


def _has_note(row: Mapping[str, Any]) -> bool:
    """Whether a projection's row has a note under a date ("already passed …")."""
    return bool(row["cross_2_0_passed"] or row["cross_2_5_passed"])


def risk_words(triggers: list[str], factors: list[str]) -> str:
    """The printouts' line under the facts giving the risk category's reasons: "Why high: …;
    risk factors: …". In the facts' narrow cell they took eight lines and pushed the summary onto
    a second sheet (phys13 #13's "why high" beside the risk factors); "" when there are none."""
    parts = [f"why high: {'; '.join(triggers)}"] if triggers else []
    parts += [f"risk factors: {'; '.join(factors)}"] if factors else []
    return f"Risk category, {'; '.join(parts)}." if parts else ""


def _fact_lines(context: Mapping[str, Any]) -> int:
    """The value lines of the facts' two rows: each as tall as its longest value."""
    patient, assessment = context["patient"], context["assessment"]
    stopped = context.get("stopped_denosumab")
    course = patient.named_ai_course
    # As `_print_facts.html` words it: with the time on aromatase inhibitors (phys14 #2).
    ai = f"{course.get_drug_display()} {ai_course_time(course, patient)}" if course else "-"
    therapy = "; ".join(therapy_now_on_paper(patient.valid_therapy, stopped)) or "None"
    risk, who, lowest, next_dexa = "-", "-", "-", "-"
    if assessment is not None:
        who = who_label(assessment.who_category)
        next_dexa = due_words(assessment.next_dexa_due, "dexa", assessment.data)
        risk = risk_label(assessment.risk_category)  # its reasons: `risk_words`, a line below
        site = assessment.lowest_t_site
        lowest = f"-2.5 ({site_label(site)})" if site else "-"
        if assessment.who_category == "not_applicable":  # the lowest Z-score instead
            lowest = "-2.5 (Lumbar spine (L1-L4), latest scan)"
    first = (patient.name or "", patient.mrn, "2000-01-01 (100)", "00.0", ai)
    second = (therapy, risk, who, lowest, next_dexa)
    return sum(
        max(len(textwrap.wrap(text, FACT_CHARS)) or 1 for text in row) for row in (first, second)
    )


def summary_content(
    context: Mapping[str, Any], recommendations: list[Any], *, printed_by: str
) -> SummaryContent:
    """The content of the summary `context` shows with `recommendations` (triaged), printed by
    the user named `printed_by`."""
    patient, data = context["patient"], context["data"]
    stopped = context.get("stopped_denosumab")
    overrides = therapy_now_overrides(patient.valid_therapy, stopped)
    brief = therapy_now_overrides_brief(patient.valid_therapy, stopped)
    notes: list[int] = []
    if context.get("risk_words"):
        notes.append(len(context["risk_words"]))
    if context.get("follow_up_ended"):
        notes.append(len(context["follow_up_ended"]))
    notes.append(len(context.get("supplements_words", "")))
    if context.get("data_problem"):
        notes.append(DATA_PROBLEM_WORDS + len(context["data_problem"]))
    rows = context.get("projection_rows") or []
    standing = [rec for rec in recommendations if list(rec.get("rules", [])) == [ALWAYS_RULE]]
    own = [rec for rec in recommendations if rec not in standing]
    schedule = data.get("schedule") or []
    return SummaryContent(
        printed_by_chars=PRINTED_BY_WORDS + len(patient.site.name) + len(printed_by),
        fact_lines=_fact_lines(context),
        note_chars=notes,
        override_chars=len("; ".join(overrides)) + OVERRIDE_LABEL_CHARS if overrides else 0,
        override_brief_chars=len(brief) + OVERRIDE_LABEL_CHARS if brief else 0,
        chart=context.get("bmd_figure") is not None,
        chart_note_chars=len(context.get("bmd_note") or ""),
        projection_rows=sum(1 + NOTE_LINES * _has_note(row) for row in rows),
        projection_brief_chars=PROJECTION_WORDS
        + sum(
            PROJECTION_ROW_WORDS
            + len(site_label(r["site"]) + r["basis"])
            + 40 * (r["cross_2_0_passed"] + r["cross_2_5_passed"])
            + (0 if r["drawn_to"] else 15 + len(r["not_drawn"] or ""))
            for r in rows
        ),
        projection_named_chars=PROJECTION_NAMED_WORDS
        + sum(len(site_label(r["site"])) + 2 for r in rows),
        scans=len(patient.valid_scans),
        change_rows=len(data.get("bmd_changes") or []),
        alert_chars=[_alert_chars(g, context) for g in grouped_by_code(context["open_alerts"])],
        next_dates_chars=len("Next dates: ")
        + sum(len(schedule_label(entry["item"])) + 15 for entry in schedule),
        recommendation_chars=[_recommendation_chars(rec, context) for rec in own],
        recommendation_brief_chars=[_recommendation_brief_chars(rec, context) for rec in own],
        standing_advice_chars=[_recommendation_chars(rec, context) for rec in standing],
        standing_advice_named_chars=STANDING_NAMED_WORDS
        + sum(len(recommendation_label(rec, context["data"])) + 2 for rec in standing),
    )
