"""The patients named on a command line by MRN (and, for an MRN at several sites, --site)."""

from django.db.models import Q

from bonehealth.accounts.models import Site
from bonehealth.commands import UsageError
from patients.models import Patient


def patient_ids_by_mrn(mrns: list[str], site: str | None) -> dict[str, int]:
    """{MRN: patient id} of each MRN, not entered in error; UsageError for an unknown site, an
    unknown MRN, or an MRN at several sites without --site."""
    patients = Patient.objects.filter(mrn__in=mrns, entered_in_error=False)
    if site:
        target = Site.objects.filter(Q(code=site) | Q(name=site)).first()
        if target is None:
            raise UsageError(f"--site: no site named {site!r}")
        patients = patients.filter(site=target)
    found: dict[str, list[int]] = {}
    for pk, mrn in patients.values_list("pk", "mrn"):
        found.setdefault(mrn, []).append(pk)
    missing = [mrn for mrn in mrns if mrn not in found]
    if missing:
        raise UsageError(f"no patient with MRN {', '.join(missing)}")
    ambiguous = [mrn for mrn, pks in found.items() if len(pks) > 1]
    if ambiguous:
        raise UsageError(f"MRN {', '.join(ambiguous)} exists at several sites: use --site")
    return {mrn: pks[0] for mrn, pks in found.items()}
