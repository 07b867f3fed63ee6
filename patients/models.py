"""Patient records and their aromatase-inhibitor courses (fields of docs/history-format.md)."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bonehealth.accounts.models import Site
from bonehealth.audit.models import EnteredInErrorRecord
from patients.search import folded, folded_mrn


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"


class MenopausalStatus(models.TextChoices):
    POSTMENOPAUSAL = "postmenopausal", "Postmenopausal"
    PREMENOPAUSAL = "premenopausal", "Premenopausal (on ovarian suppression)"


class Smoking(models.TextChoices):
    NEVER = "never", "Never"
    FORMER = "former", "Former"
    CURRENT = "current", "Current"


class FollowUpStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class AromataseInhibitor(models.TextChoices):
    ANASTROZOLE = "anastrozole", "Anastrozole"
    LETROZOLE = "letrozole", "Letrozole"
    EXEMESTANE = "exemestane", "Exemestane"


# The fields of a patient's record that users enter (identity, measures, risk factors).
PATIENT_RECORD_FIELDS = (
    "site",
    "mrn",
    "name",
    "birth_date",
    "sex",
    "menopausal_status",
    "breast_cancer_diagnosis_date",
    "height_cm",
    "weight_kg",
    "prior_fragility_fracture",
    "prior_fracture_date",
    "parent_hip_fracture",
    "smoking",
    "alcohol_3_or_more_units_daily",
    "oral_glucocorticoid_months",
    "rheumatoid_arthritis",
    "secondary_osteoporosis",
)


class Patient(EnteredInErrorRecord):
    """A woman (or man) taking, or about to take, an aromatase inhibitor."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("MRN", max_length=40, help_text="Medical record number at this site.")
    name = models.CharField(max_length=200, blank=True)
    # The name as the search compares it (`patients.search.folded`: no case, no accents), kept
    # by `save`; the demo's bulk insert sets it itself.
    search_name = models.CharField(max_length=200, blank=True, editable=False)
    # The MRN as the search and the duplicate warning compare it (`patients.search.folded_mrn`:
    # letters and digits only, no case), kept by `save` like `search_name`.
    search_mrn = models.CharField(max_length=40, blank=True, editable=False)
    birth_date = models.DateField("date of birth")
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.FEMALE)
    # Women only (`menopausal_status_applies`): blank for a man registered since physician7 F15;
    # a man registered before keeps the default he was given, which nothing reads.
    menopausal_status = models.CharField(
        max_length=20,
        choices=MenopausalStatus.choices,
        default=MenopausalStatus.POSTMENOPAUSAL,
        blank=True,
    )
    breast_cancer_diagnosis_date = models.DateField(null=True, blank=True)
    height_cm = models.DecimalField(
        "height (cm)", max_digits=4, decimal_places=1, null=True, blank=True
    )
    weight_kg = models.DecimalField(
        "weight (kg)", max_digits=4, decimal_places=1, null=True, blank=True
    )

    # Clinical risk factors (docs/clinical-rules.md, RF-LIST).
    prior_fragility_fracture = models.BooleanField(default=False)
    prior_fracture_date = models.DateField(null=True, blank=True)
    parent_hip_fracture = models.BooleanField("parental hip fracture", default=False)
    smoking = models.CharField(max_length=10, choices=Smoking.choices, default=Smoking.NEVER)
    alcohol_3_or_more_units_daily = models.BooleanField(
        "alcohol 3 or more units a day", default=False
    )
    oral_glucocorticoid_months = models.PositiveSmallIntegerField(
        "oral glucocorticoids (months)", default=0
    )
    rheumatoid_arthritis = models.BooleanField(default=False)
    secondary_osteoporosis = models.BooleanField(default=False)

    follow_up_status = models.CharField(
        max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.ACTIVE
    )
    follow_up_ended_on = models.DateField(null=True, blank=True)
    follow_up_end_reason = models.CharField(max_length=300, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Incremented on every save: an edit form opened on an older version is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["mrn"]
        constraints = [
            # A record marked entered in error no longer holds its MRN.
            models.UniqueConstraint(
                fields=["site", "mrn"],
                condition=Q(entered_in_error=False),
                name="patient_mrn_unique_per_site",
            ),
        ]
        # On PostgreSQL the search (`search_mrn` and `search_name` contains) also has trigram
        # indexes, made by migrations 0004 and 0005 only there (not listed here: SQLite has no
        # GIN index).
        indexes = [
            # The patient list's order: its first page without sorting every patient of the
            # user's sites (6 ms -> 0.1 ms at 10,000 patients, bench/README.md).
            models.Index(fields=["mrn", "id"], name="patient_list_order"),
            models.Index(fields=["site", "mrn"]),
            models.Index(fields=["site", "name"]),
            # The registration's warning of a possible duplicate: the same MRN but for its
            # punctuation, or the same birth date (with the same folded name), at the site.
            models.Index(fields=["site", "search_mrn"], name="patient_site_search_mrn"),
            models.Index(fields=["site", "birth_date"], name="patient_site_birth_date"),
        ]
        permissions = [
            ("mark_patient_in_error", "Mark a patient record entered in error"),
            ("end_follow_up", "End a patient's follow-up"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.mrn})" if self.name else self.mrn

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, with `search_name` following `name` and `search_mrn` following `mrn` (every
        writer of a patient saves)."""
        self.search_name = folded(self.name)
        self.search_mrn = folded_mrn(self.mrn)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            followers = {"name": "search_name", "mrn": "search_mrn"}
            kwargs["update_fields"] = {
                *update_fields,
                *(kept for field, kept in followers.items() if field in update_fields),
            }
        super().save(*args, **kwargs)

    @property
    def age(self) -> int:
        """Age in completed years today (in the installation's time zone)."""
        today = timezone.localdate()
        before_birthday = (today.month, today.day) < (self.birth_date.month, self.birth_date.day)
        return today.year - self.birth_date.year - before_birthday

    @property
    def menopausal_status_applies(self) -> bool:
        """Whether the menopausal status means anything: for a woman. The rules' population test
        for a man is his age (T-scores from 50), never this field."""
        return self.sex == Sex.FEMALE

    @property
    def current_ai_course(self) -> "AromataseInhibitorCourse | None":
        """Return the latest course not stopped (needs the selectors' `valid_ai_courses`)."""
        courses = getattr(self, "valid_ai_courses", None)
        if courses is None:
            return None
        open_courses = [course for course in courses if course.stop_date is None]
        return open_courses[-1] if open_courses else None

    @property
    def named_ai_course(self) -> "AromataseInhibitorCourse | None":
        """The course the pages name: the current one, else the one stopped last (phys12 F23: a
        stopped course read "Aromatase inhibitor —", as if none had ever been given)."""
        current = self.current_ai_course
        stopped = [c for c in getattr(self, "valid_ai_courses", None) or () if c.stop_date]
        if current is not None or not stopped:
            return current
        return max(stopped, key=lambda course: course.stop_date or date.min)

    @property
    def bmi(self) -> Decimal | None:
        """Body-mass index, kg/m², rounded to 0.1; None when height or weight is missing."""
        if not self.height_cm or not self.weight_kg:
            return None
        metres = self.height_cm / Decimal(100)
        return (self.weight_kg / (metres * metres)).quantize(Decimal("0.1"))


def start_planned(start: date | None) -> bool:
    """Whether a course starting on `start` has not begun: no start date yet, or one to come."""
    return start is None or start > timezone.localdate()


class AromataseInhibitorCourse(EnteredInErrorRecord):
    """One course of one aromatase inhibitor; switching drug starts a new course."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="ai_courses")
    drug = models.CharField(max_length=20, choices=AromataseInhibitor.choices)
    start_date = models.DateField(
        null=True, blank=True, help_text="Leave empty while the start is not yet known."
    )
    planned_duration_months = models.PositiveSmallIntegerField(null=True, blank=True)
    stop_date = models.DateField(null=True, blank=True)
    stop_reason = models.CharField(max_length=300, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["start_date", "id"]
        verbose_name = "aromatase-inhibitor course"

    def __str__(self) -> str:
        return f"{self.get_drug_display()} from {self.start_date or 'planned'}"

    @property
    def planned(self) -> bool:
        """Not begun: no start date yet, or one still to come. Worded as planned, never as
        taken (`patients.templatetags.patient_display.started`)."""
        return start_planned(self.start_date)
