"""Sources of every rule id, as the short names of `docs/clinical-rules.md`."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from types import MappingProxyType
from typing import Final

from .types import RuleId

RULE_SOURCES: Final = MappingProxyType(
    {
        RuleId.WHO_CAT: ("WHO 1994", "Seed-B", "ISCD"),
        RuleId.RF_LIST: ("Hadji 2017", "Seed-A"),
        RuleId.TX_OSTEOPOROSIS: ("Seed-A", "Seed-B", "ASCO 2019"),
        RuleId.TX_FRACTURE: ("Seed-A", "Seed-B", "AACE 2020", "BHOF 2022"),
        RuleId.TX_FRAX: ("Seed-B", "ASCO 2019", "BHOF 2022"),
        RuleId.TX_AI_T: ("Hadji 2017", "ESMO 2020"),
        RuleId.TX_AI_RF: ("Hadji 2017",),
        RuleId.TX_RAPID: ("Seed-A",),
        RuleId.RISK_HIGH: ("Seed-A", "Hadji 2017"),
        RuleId.RISK_UNKNOWN: ("Seed-A",),
        RuleId.RISK_MODERATE: ("Seed-A",),
        RuleId.RISK_LOW: ("Seed-A",),
        RuleId.CHG_LSC: ("ISCD", "design choice"),
        RuleId.CHG_SCANNER: ("ISCD",),
        RuleId.CHG_ANNUAL: ("ISCD", "design choice"),
        RuleId.CHG_RAPID: ("design choice", "Seed-A"),
        RuleId.SCHED_BASELINE: ("Seed-A", "Seed-B", "design choice"),
        RuleId.SCHED_LOW: ("Seed-A", "ASCO 2019"),
        RuleId.SCHED_MODERATE: ("Seed-A",),
        RuleId.SCHED_HIGH: ("Seed-A",),
        RuleId.SCHED_STABLE_ON_THERAPY: ("Hadji 2017", "ASCO 2019"),
        RuleId.SCHED_PLAN: ("design choice",),
        RuleId.SCHED_OVERDUE: ("design choice",),
        RuleId.PROJ: ("ATAC", "design choice"),
        RuleId.VITD: ("Seed-B", "Endocrine Society 2011"),
        RuleId.CA_LOW: ("labels of zoledronic acid and denosumab",),
        RuleId.CA_LOW_OTHER: ("drug labels", "design choice"),
        RuleId.RENAL: ("drug labels",),
        RuleId.DMAB_SCHEDULE: ("Seed-B", "Lyu 2020"),
        RuleId.DMAB_STOP: ("Seed-B", "ECTS 2021"),
        RuleId.DMAB_LATE_VFA: ("Lyu 2020", "ECTS 2021", "design choice"),
        RuleId.DMAB_FOLLOW_ON_CTX: ("ECTS 2021", "design choice"),
        RuleId.DMAB_AI_END: ("ECTS 2021", "ESMO 2020", "design choice"),
        RuleId.DENTAL: ("drug labels",),
        RuleId.BP_DURATION: ("ASBMR 2016", "Hadji 2017", "design choice"),
        RuleId.FX_ON_THERAPY: ("IOF 2012", "AACE 2020", "design choice"),
        RuleId.CA_HIGH: ("Society for Endocrinology 2016", "design choice"),
        RuleId.VITD_HIGH: ("Endocrine Society 2011", "design choice"),
        RuleId.BTM_RESPONSE: ("Seed-A", "IOF-ECTS 2017"),
        RuleId.BTM_DUE: ("Seed-A",),
        RuleId.ALWAYS: ("ASCO 2019", "Seed-A"),
    }
)
# The Z-score alert cites only the part of WHO-CAT it rests on.
Z_SCORE_SOURCES: Final = ("ISCD",)


def sources_of(rules: Iterable[RuleId]) -> tuple[str, ...]:
    """Return the sources of `rules`, in rule order, without repeats."""
    return _sources_of(tuple(rules))


@cache
def _sources_of(rules: tuple[RuleId, ...]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for rule in rules:
        for source in RULE_SOURCES[rule]:
            seen.setdefault(source, None)
    return tuple(seen)
