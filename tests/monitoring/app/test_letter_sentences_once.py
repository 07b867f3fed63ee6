"""A letter says a thing once: the patient's letter names the sites of a bone loss in one sentence
and the rapid loss once (phys12 F6), the doctor's letter names an alert's title once (F8)."""

import datetime as dt
from typing import Any

from monitoring.overview.letters import DOCTOR, PATIENT, letter

TODAY = dt.date(2026, 12, 7)
SITES = ("lumbar_spine", "total_hip", "femoral_neck")


def _rapid_loss() -> dict[str, Any]:
    return {
        "as_of": TODAY.isoformat(),
        "bmd_changes": [
            {
                "site": site,
                "significant": True,
                "from_date": "2025-11-02",
                "to_date": "2026-11-02",
                "change_pct": "-5.5",
                "change_g_cm2": "-0.050",
                "lsc_g_cm2": "0.030",
            }
            for site in SITES
        ],
        "alerts": [
            {
                "code": "RAPID_BMD_LOSS",
                "severity": "high",
                "message": f"BMD at the {site} fell fast.",
                "rules": ["CHG-RAPID"],
            }
            for site in SITES
        ],
    }


def _texts(sentences: Any) -> list[str]:
    return [sentence.text for sentence in sentences]


def test_the_patients_letter_names_the_sites_in_one_sentence() -> None:
    written = letter(_rapid_loss(), PATIENT, today=TODAY)
    changes = [text for text in _texts(written.results) if text.startswith("Since your scan")]
    assert changes == [
        "Since your scan of 2025-11-02, the bone density of your lumbar spine, total hip and "
        "femoral neck has gone down by more than the scanner's margin of error."
    ]
    fallen = "Your bone density has fallen faster than we would expect."
    assert _texts(written.next_steps).count(fallen) == 1


def test_the_doctors_letter_keeps_one_line_per_site_and_alert() -> None:
    written = letter(_rapid_loss(), DOCTOR, today=TODAY)
    assert sum("beyond the least significant change" in t for t in _texts(written.results)) == 3
    assert sum("fell fast" in t for t in _texts(written.next_steps)) == 3


def test_the_doctors_letter_names_an_alerts_title_once() -> None:
    data = {
        "as_of": TODAY.isoformat(),
        "alerts": [
            {
                "code": "FRACTURE_ON_THERAPY",
                "severity": "high",
                "message": "Fragility fracture on therapy: vertebral fracture seen on the VFA.",
                "rules": ["FX-ON-THERAPY"],
            },
            {
                "code": "DEXA_OVERDUE",
                "severity": "high",
                "message": "The scan due by 2026-01-20 is overdue.",
                "rules": ["SCHED-DEXA"],
            },
        ],
    }
    steps = _texts(letter(data, DOCTOR, today=TODAY).next_steps)
    assert "Fragility fracture on therapy: vertebral fracture seen on the VFA." in steps
    assert not any(text.count("Fragility fracture on therapy") > 1 for text in steps)
    assert "DEXA overdue: The scan due by 2026-01-20 is overdue." in steps
