"""The size of each stored field: what a history file or an entry form may hold, column by column.

The database columns of the models have these lengths and decimal places (tests pin them to
the models); refusing anything larger keeps an import from being cut or rounded on the way in.
"""

from __future__ import annotations

from typing import Final

# Longest text of each field: the database column it is stored in (tests pin them to the models).
MRN_MAX_LENGTH: Final = 40
NAME_MAX_LENGTH: Final = 200
SITE_MAX_LENGTH: Final = 120  # a site name (codes are shorter)
SCANNER_MAX_LENGTH: Final = 120
DOSE_MAX_LENGTH: Final = 120
REASON_MAX_LENGTH: Final = 300  # stop reasons and plan reasons
UNIT_MAX_LENGTH: Final = 40

# Decimal places of each number: what its column stores, so an import keeps the file's value
# exactly and assess and the imported record agree (tests pin them to the models).
BMD_PLACES: Final = 3  # also LSC, g/cm²
SCORE_PLACES: Final = 1  # T- and Z-scores
TBS_PLACES: Final = 3  # trabecular bone score
BODY_PLACES: Final = 1  # height cm, weight kg
FRAX_PLACES: Final = 1
LAB_ENTERED_PLACES: Final = 3  # also the total calcium a calcium was adjusted from
ALBUMIN_PLACES: Final = 2  # the albumin a calcium was adjusted from
# A new result the rules judge against a threshold (vitamin D, calcium, eGFR, creatinine
# clearance) has at most 2 decimals in any unit: the rules round calcium and kidney function to
# 0.01 before comparing, so 2.115 mmol/L reads 2.12, not low, while it is "below 2.12" (phys10
# F5). The entry forms refuse a third; a history file, an import (the spec's vignettes judge
# 34.996 mL/min as 35.00) and a stored record keep the column's 3. A vitamin D is judged as
# entered, with no rounding (`lab_limits`, nurse14 #3); its forms refuse a third all the same.
LAB_JUDGED_PLACES: Final = 2
GLUCOCORTICOID_MONTHS_PLACES: Final = 0
