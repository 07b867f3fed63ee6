import re
from datetime import timedelta
import pytest
from django.urls import reverse
from django.utils import timezone
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory
pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()

def _text(html):
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))

def test_x(physician_client, patient):
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - timedelta(days=800))
    given = TODAY - timedelta(days=183 + 60)
    course = BoneTherapyCourse.objects.create(patient=patient, drug="denosumab", start_date=given)
    BoneTherapyDose.objects.create(course=course, given_on=given)
    patient_assessment_refresh(patient=patient)
    Patient.objects.filter(pk=patient.pk).update(follow_up_status="ended", follow_up_ended_on=TODAY - timedelta(days=20), follow_up_end_reason="moved away")
    for name, args in (("patient", []), ("letter", ["doctor"]), ("letter", ["patient"]), ("patient_summary", [])):
        t = _text(physician_client.get(reverse(f"monitoring:{name}", args=[patient.pk, *args])).text)
        for m in re.finditer(r"[^.]*(?:late|due|overdue)[^.]*\.", t):
            print(name, args, "::", m.group(0).strip()[:300])
    assert 0
