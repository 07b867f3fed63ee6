"""nurse12 F16: the projection table read "Reaches T -2.0: —" for a femoral neck already at
T -2.1, a dash that could mean "never" or "already". It says "already below"."""

import re

from django.test import Client
from django.urls import reverse

from patients.models import Patient
from tests.html_forms import visible_text
from tests.monitoring.app.test_therapy_reasons_shown import (
    below_minus_2,  # noqa: F401
    pytestmark,  # noqa: F401
)


def _row(text: str, site: str) -> list[str]:
    table = text.split('class="table table-sm w-auto small table-projection"')[1]
    row = next(r for r in table.split("<tr>") if r.startswith(f"<td>{site}</td>"))
    return [visible_text(cell) for cell in re.findall(r"<td>(.*?)</td>", row)]


def test_a_site_already_below_minus_2_says_so(
    nurse_client: Client,
    below_minus_2: Patient,  # noqa: F811
) -> None:
    text = nurse_client.get(reverse("monitoring:patient", args=[below_minus_2.pk])).text
    neck = _row(text, "Femoral neck")
    assert neck[3] == "already below"  # Reaches T -2.0
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", neck[4])  # Reaches T -2.5: a date ahead
    hip = _row(text, "Total hip")  # T -1.8: a date for -2.0
    assert re.match(r"\d{4}-\d{2}-\d{2}", hip[3])
