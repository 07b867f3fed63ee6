"""A patient's open alerts grouped by code: one card per code naming its sites, as the patient
page and the dashboard show them, acknowledged together with one note
(`monitoring.assessment.alerts.alerts_acknowledge`)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from bonehealth.accounts.models import User
from monitoring.assessment.permissions import acknowledgement_closes, user_may_note
from monitoring.labels import code_label
from monitoring.models import Alert
from monitoring.models.alert_chain import AlertNote
from monitoring.models.choices import MeasuredSite


@dataclass
class AlertGroup:
    """The open alerts of one patient and code (one per site), worst first, then oldest."""

    code: str
    alerts: list[Alert] = field(default_factory=list)
    may_acknowledge: bool = False  # the viewer may acknowledge every alert still to acknowledge
    closes: bool = True  # the viewer's note acknowledges (False: it records a therapy decision
    # alert as seen, the decision left to a physician)
    new: bool = False  # an alert of the group was raised since the viewer's last visit

    @property
    def worst(self) -> Alert:
        return self.alerts[0]

    @property
    def sites(self) -> list[str]:
        """The sites, named in lower case ("Rapid BMD loss: lumbar spine, total hip")."""
        names = [MeasuredSite(a.site).label for a in self.alerts if a.site in MeasuredSite.values]
        return [name.split(" (")[0].lower() for name in names]

    @property
    def title(self) -> str:
        sites = ", ".join(self.sites)
        return f"{code_label(self.code)}: {sites}" if sites else code_label(self.code)

    @property
    def unacknowledged(self) -> list[Alert]:
        return [a for a in self.alerts if a.acknowledged_at is None]

    @property
    def seen(self) -> list[Alert]:
        """The alerts still awaiting a physician's decision that someone has seen (a nurse)."""
        return [a for a in self.unacknowledged if a.seen_at is not None]

    @property
    def earlier_notes(self) -> list[AlertNote]:
        """The notes left on the alerts the group's alerts replaced (`alert_chain`), oldest
        first; none where the alerts were read without them."""
        notes = [note for a in self.alerts for note in getattr(a, "earlier_notes", ())]
        return sorted(notes, key=lambda note: note.at)

    @property
    def alert_ids(self) -> list[int]:
        return [a.pk for a in self.unacknowledged]


def alert_groups(
    alerts: Iterable[Alert], *, user: User | None = None, since: dt.datetime | None = None
) -> list[AlertGroup]:
    """`alerts` (one patient's, worst first) grouped by code, in the order of their worst alert;
    `may_acknowledge` for `user`, `new` for alerts raised after `since`."""
    groups: dict[str, AlertGroup] = {}
    for alert in alerts:
        groups.setdefault(alert.code, AlertGroup(alert.code)).alerts.append(alert)
    for group in groups.values():
        waiting = group.unacknowledged
        group.may_acknowledge = bool(
            user is not None and waiting and all(user_may_note(user, a) for a in waiting)
        )
        group.closes = user is None or all(acknowledgement_closes(user, a) for a in waiting)
        group.new = since is not None and any(a.raised_at > since for a in group.alerts)
    return list(groups.values())
