"""nurse12 F8: the letter headed "the copy to send (no rule ids)" quoted rule ids inside its
sentences ("Bone therapy indicated: Bone-protective therapy is indicated (TX-AI-T, TX-FRAX) ...").
Each vignette, imported and reassessed, gives letters with no rule id anywhere in the copy to
send; the clinic's copy still has them."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import Site
from monitoring.domain.types import RuleId
from patients.models import Patient
from tests.factories import UserFactory
from tests.monitoring.app.test_vignettes_in_the_app import IMPORT, vignette_site  # noqa: F401
from tests.monitoring.domain.test_vignettes import NAMES, VIGNETTES

pytestmark = pytest.mark.django_db

# Every rule id as a word of its own (CA-LOW is not found inside CA-LOW-OTHER, nor RENAL inside
# a longer word).
RULE_ID = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(rule.value) for rule in sorted(RuleId, key=lambda r: -len(r.value)))
    + r")(?![\w-])"
)


@pytest.mark.parametrize("name", NAMES)
def test_the_copy_to_send_names_no_rule_id(
    vignette_site: Site,  # noqa: F811
    client: Client,
    name: str,
) -> None:
    path = VIGNETTES / f"{name}.history.json"
    as_of = json.loads(path.read_text())["as_of"]
    call_command("import_history", *IMPORT, str(path), stdout=StringIO())
    call_command("reassess_all", "--as-of", as_of, "--no-progress", stdout=StringIO())
    patient = Patient.objects.get()
    client.force_login(UserFactory(username="reader", role="physician", sites=[vignette_site]))
    for kind in ("doctor", "patient"):
        url = reverse("monitoring:letter", args=[patient.pk, kind])
        sent = client.get(url).text
        assert "This is the copy to send (no rule ids)" in sent
        assert RULE_ID.findall(sent) == [], (kind, RULE_ID.findall(sent))
        kept = client.get(url, {"copy": "clinician"}).text
        assert RULE_ID.search(kept), kind  # the clinic's copy names the rules
