"""The acknowledgement form: the note a clinician writes when acknowledging an alert."""

from django import forms

# A note of spaces only is no note (Django strips it, then said "This field is required."):
# said in the form's words (nurse12 F14).
NOTE_NEEDED = "Write what was done or decided (at least 3 characters)."


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        max_length=1000,
        min_length=3,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What was done or decided.",
        error_messages={"required": NOTE_NEEDED, "min_length": NOTE_NEEDED},
    )


class GroupAcknowledgeForm(AcknowledgeForm):
    """One note for a group of alerts: the ids are those the clinician saw, so an alert raised
    since (a new site) is not acknowledged unseen."""

    alert = forms.TypedMultipleChoiceField(coerce=int, widget=forms.MultipleHiddenInput)

    def __init__(self, data: object = None, *, alert_ids: list[int]) -> None:
        super().__init__(data or None)  # type: ignore[arg-type]
        self.fields["alert"].choices = [(pk, pk) for pk in alert_ids]  # type: ignore[attr-defined]
        self.fields["alert"].initial = alert_ids
