"""What a file says was measured, one reading per row, before it is checked against the records."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class SiteReading:
    """The BMD of one measured site on one scan (a scan is a patient's date and scanner)."""

    row: int
    mrn: str
    date: date
    site: str
    bmd: Decimal
    t_score: Decimal
    z_score: Decimal | None
    scanner: str


@dataclass(frozen=True)
class LabReading:
    """One analyte of one sample, in the unit it was reported in (one the app accepts)."""

    row: int
    mrn: str
    date: date
    analyte: str
    value: Decimal
    unit: str
    fasting: bool = False


Reading = SiteReading | LabReading
