"""The rules reference covers every rule, code and source, and agrees with what `assess` raises."""

import json

import pytest

from monitoring.domain import thresholds as th
from monitoring.domain.catalogue import RULE_SOURCES, Z_SCORE_SOURCES
from monitoring.domain.reference import SECTIONS, SOURCES, entries
from monitoring.domain.reference.markdown import codes_index, markdown
from monitoring.domain.types import AlertCode, BoneTherapyDrug, RecommendationCode, RuleId, Site
from tests.monitoring.domain.test_vignettes import NAMES, VIGNETTES, _assess


def test_every_rule_id_has_exactly_one_entry_in_code_order() -> None:
    assert [entry.rule for entry in entries()] == list(RuleId)


def test_every_alert_and_recommendation_code_is_described() -> None:
    described = set(codes_index())
    assert {str(code) for code in AlertCode} | {str(code) for code in RecommendationCode} == (
        described
    )


def test_every_source_a_rule_cites_is_described() -> None:
    cited = {source for sources in RULE_SOURCES.values() for source in sources}
    assert cited | set(Z_SCORE_SOURCES) <= set(SOURCES)
    assert all(description.endswith(".") for description in SOURCES.values())


def test_entries_read_their_numbers_from_thresholds() -> None:
    text = markdown()
    for value in (
        th.VITD_DEFICIENT_BELOW,
        th.CALCIUM_LOW_BELOW,
        th.ZOLEDRONIC_CONTRAINDICATED_BELOW,
        th.DEFAULT_LSC_G_CM2[Site.FEMORAL_NECK],
        th.CTX_ADEQUATE_FALL_PCT,
    ):
        assert str(value) in text
    assert f"{th.DENOSUMAB_DUE_MAX_DAYS_LATE + 1} to {th.DENOSUMAB_OVERDUE_MAX_DAYS_LATE}" in text


def test_each_entry_has_an_anchor_and_its_sources() -> None:
    text = markdown()
    for entry in entries():
        assert f'<a id="{entry.rule}"></a>{entry.rule}: {entry.title}' in text
        assert f"Sources: {'; '.join(RULE_SOURCES[entry.rule])}." in text
    assert len(SECTIONS) == 9


@pytest.mark.parametrize("name", NAMES)
def test_what_assess_raises_on_a_vignette_is_listed_under_one_of_its_rules(name: str) -> None:
    got = _assess(VIGNETTES / f"{name}.history.json")
    index = codes_index()
    for item in got["alerts"] + got["recommendations"]:
        kind, severities, rules = index[item["code"]]
        assert set(item["rules"]) & set(rules), (item["code"], item["rules"], rules)
        if "severity" in item:
            assert kind == "alert"
            assert item["severity"] in severities, item
        else:
            assert kind == "recommendation"


def test_the_vignettes_raise_every_severity_the_reference_lists() -> None:
    raised = set()
    for name in NAMES:
        expected = json.loads((VIGNETTES / f"{name}.expected.json").read_text(encoding="utf-8"))
        raised |= {(a["code"], a["severity"]) for a in expected["alerts"]}
    listed = {(code, sev) for code, (_, sevs, _) in codes_index().items() for sev in sevs}
    assert raised <= listed


def test_ca_low_and_renal_say_how_long_a_stopped_course_counts() -> None:
    by_rule = {entry.rule: entry.checks for entry in entries()}
    months = f"{th.DOSE_STILL_ACTING_MONTHS[BoneTherapyDrug.DENOSUMAB]} months"
    assert "A stopped course still counts" in by_rule[RuleId.CA_LOW]
    assert months in by_rule[RuleId.CA_LOW]
    assert "a stopped denosumab course still counts" in by_rule[RuleId.RENAL]
    assert months in by_rule[RuleId.RENAL]
