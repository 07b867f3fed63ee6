"""The last dose of a parenteral drug over a patient's courses of it, read by DMAB-SCHEDULE,
DMAB-STOP and the zoledronic acid schedule alike (`dose_interval.last_dose`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..dose_interval import last_dose
from ..types import BoneTherapyDrug
from .context import Therapy


def last_dose_on(drug: BoneTherapyDrug, courses: Iterable[Therapy]) -> dt.date | None:
    """The last dose of `drug` on `courses` (their doses up to `as_of`, and their starts where
    they count as a dose: `dose_interval.last_dose`), for DMAB-SCHEDULE, DMAB-STOP and the
    zoledronic acid schedule alike."""
    courses = [t for t in courses if t.drug is drug]
    return last_dose(
        drug,
        doses=[day for t in courses for day in t.doses],
        starts=[t.start for t in courses],
    )
