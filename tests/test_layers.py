"""The layers of docs/architecture.md, as the import-linter contracts in pyproject.toml state them.

`make lint` runs `lint-imports` too; here the same contracts run in the test suite, and each is
shown to refuse the import it exists to refuse (a contract that can never break states nothing).
"""

import sys
from collections.abc import Iterator
from copy import deepcopy
from pathlib import Path

import grimp
import pytest
from importlinter.api import read_configuration
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract
from importlinter.domain.contract import Contract

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
CONTRACT_TYPES: dict[str, type[Contract]] = {
    "forbidden": ForbiddenContract,
    "layers": LayersContract,
}
CONFIGURATION = read_configuration(str(PYPROJECT))
SESSION = CONFIGURATION["session_options"]


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(
        *SESSION["root_packages"],
        include_external_packages=str(SESSION["include_external_packages"]).lower() == "true",
        cache_dir=None,
    )


def _contracts() -> Iterator[Contract]:
    for options in CONFIGURATION["contracts_options"]:
        yield CONTRACT_TYPES[options["type"]](
            name=options["name"],
            session_options=SESSION,
            contract_options=options,
        )


def _broken(graph: grimp.ImportGraph, *extra: tuple[str, str]) -> list[str]:
    """The names of the contracts broken by the project's imports plus `extra` ones."""
    graph = deepcopy(graph)
    for importer, imported in extra:
        graph.add_import(importer=importer, imported=imported)
    broken = []
    for contract in _contracts():
        if not contract.check(deepcopy(graph), verbose=False).kept:
            broken.append(contract.name)
    return broken


def _named(words: str) -> str:
    (name,) = (c.name for c in _contracts() if words in c.name)
    return name


def test_the_project_keeps_every_contract(graph: grimp.ImportGraph) -> None:
    assert _broken(graph) == []


@pytest.mark.parametrize(
    ("importer", "imported", "contract"),
    [
        ("monitoring.domain.types", "django.db", "rules (monitoring.domain)"),
        ("monitoring.domain.assessment", "monitoring.models", "rules (monitoring.domain)"),
        ("patients.models", "monitoring.models", "patients never imports monitoring"),
        ("patients.selectors", "monitoring.records.selectors", "patients never imports monitoring"),
        ("bonehealth.audit.services", "patients.models", "patients never imports monitoring"),
        ("monitoring.models.alerts", "monitoring.assessment.refresh", "Inside monitoring"),
        ("monitoring.records.services.labs", "monitoring.overview.patient", "Inside monitoring"),
        ("monitoring.overview.patient", "monitoring.assessment.refresh", "overview never writes"),
        ("monitoring.overview.patient", "monitoring.assessment.alerts", "overview never writes"),
        ("monitoring.overview.lists", "monitoring.records.forms", "overview never writes"),
        ("monitoring.overview.lists", "monitoring.records.services.labs", "overview never writes"),
        ("monitoring.overview.lists", "patients.forms", "overview never writes"),
        ("monitoring.records.selectors", "monitoring.records.services.labs", "reads the overview"),
        ("monitoring.assessment.history", "monitoring.assessment.refresh", "reads the overview"),
    ],
)
def test_each_contract_refuses_the_import_it_is_for(
    graph: grimp.ImportGraph, importer: str, imported: str, contract: str
) -> None:
    assert _named(contract) in _broken(graph, (importer, imported))


def test_the_rules_import_only_the_standard_library(graph: grimp.ImportGraph) -> None:
    """Stricter than the contract, which names what is forbidden: no third-party package either."""
    rules = {"monitoring.domain", *graph.find_descendants("monitoring.domain")}
    outside = {
        imported.split(".")[0]
        for module in rules
        for imported in graph.find_modules_directly_imported_by(module)
        if imported not in rules
    }
    assert outside - set(sys.stdlib_module_names) == set()
