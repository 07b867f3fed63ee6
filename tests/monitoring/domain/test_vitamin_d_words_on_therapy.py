"""nurse12 F16: a deficient vitamin D said "replete before denosumab (hypocalcaemia risk)" after
denosumab had started and a dose was given. Before a planned drug, or one starting on the day
judged (the checklists), it said before; on a drug running since, while on it.

phys13 #8: a zoledronic acid course started today with an override for this deficiency still
read "replete before zoledronic acid" after the save. Before the drug only while it is planned;
from its start day on, replete now and check the calcium (the words of a start today hold in the
checklist before the save and on the page after it)."""

from datetime import timedelta

import pytest

from monitoring import domain
from tests.monitoring.domain.builders import AS_OF, ai, history, lab, normal_scan, therapy

A = domain.Analyte
DMAB = domain.BoneTherapyDrug.DENOSUMAB
WEEKS_AGO = (AS_OF - timedelta(days=12)).isoformat()
SAMPLED = (AS_OF - timedelta(days=5)).isoformat()


def _deficient(course: domain.BoneTherapyCourse) -> str:
    assessment = domain.assess(
        history(
            aromatase_inhibitors=(ai("2024-01-01"),),
            dexa_scans=(normal_scan(),),
            labs=(lab(SAMPLED, A.VITAMIN_D_25OH, "12"),),
            bone_therapy=(course,),
        ),
        as_of=AS_OF,
    )
    (alert,) = [a for a in assessment.alerts if a.code is domain.AlertCode.VITAMIN_D_DEFICIENT]
    assert alert.severity is domain.Severity.HIGH
    return alert.message


@pytest.mark.parametrize(
    ("course", "words"),
    [
        (therapy(DMAB, None), "replete before denosumab (hypocalcaemia risk)"),
        (
            therapy(DMAB, AS_OF.isoformat()),
            f"replete now and check the calcium: denosumab starts on {AS_OF.isoformat()} "
            "(hypocalcaemia risk)",
        ),
        (
            therapy(DMAB, WEEKS_AGO, doses=(WEEKS_AGO,)),
            "replete now while on denosumab and recheck the calcium (hypocalcaemia risk)",
        ),
        (
            therapy(DMAB, WEEKS_AGO, stop=AS_OF.isoformat(), doses=(WEEKS_AGO,)),
            f"replete now and recheck the calcium: denosumab was started on {WEEKS_AGO} "
            "(hypocalcaemia risk)",
        ),
    ],
    ids=["planned", "starting-today", "running", "stopped-since"],
)
def test_the_deficiency_says_when_to_replete_by_the_drug_s_state(
    course: domain.BoneTherapyCourse, words: str
) -> None:
    assert _deficient(course).endswith(f"; {words}.")
