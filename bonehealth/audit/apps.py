from django.apps import AppConfig

# The empty choice of every select (a model's choices, a form's model choice): the words the
# hand-made selects use (the scanner, the menopausal status). Django 6.1's default, "- Select an
# option -", stood beside them on the drug select (nurse11 F14).
EMPTY_CHOICE = "Choose…"


class AuditConfig(AppConfig):
    name = "bonehealth.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from django.db.models import fields

        from bonehealth.audit import signals  # noqa: F401  (connects the login/logout receivers)

        # Django 6.1's documented hook: an app's ready() sets the label of the empty choice.
        fields.BLANK_CHOICE_LABEL = EMPTY_CHOICE
