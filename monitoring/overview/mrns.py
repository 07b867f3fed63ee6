"""The patients named on a command line by MRN (and, for an MRN at several sites, --site)."""

from django.core.management.base import CommandParser
from django.db.models import Q, QuerySet

from bonehealth.accounts.models import Site
from bonehealth.commands import UsageError, add_actor_argument
from patients.models import Patient
from patients.selectors import patients_for_user


def add_mrn_arguments(parser: CommandParser) -> None:
    """MRN..., --site and --actor, as every command that reads patients by MRN takes them."""
    parser.add_argument("mrns", nargs="+", metavar="MRN", help="medical record number")
    parser.add_argument("--site", help="site name or code (needed when an MRN is at several sites)")
    add_actor_argument(parser)


def command_patients(user: object | None) -> QuerySet[Patient]:
    """The patients a command's actor may name: the access gate's for a user; every patient not
    entered in error for the demo actor of a DEBUG install, who is no user."""
    if user is None:
        return Patient.objects.filter(entered_in_error=False)
    if not user.has_perm("patients.view_patient"):  # type: ignore[attr-defined]
        return Patient.objects.none()  # an administrator never reads clinical records
    return patients_for_user(user=user)  # type: ignore[arg-type]


def patient_ids_by_mrn(
    mrns: list[str], site: str | None, *, among: QuerySet[Patient]
) -> dict[str, int]:
    """{MRN: patient id} of each MRN among `among` (see `command_patients`); UsageError for an
    unknown site, an MRN not among them (never saying whether it exists elsewhere), or an MRN at
    several sites without --site."""
    patients = among.filter(mrn__in=mrns)
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
