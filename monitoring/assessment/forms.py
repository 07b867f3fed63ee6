"""The acknowledgement form: the note a clinician writes when acknowledging an alert."""

from django import forms


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        max_length=1000,
        min_length=3,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What was done or decided.",
    )
