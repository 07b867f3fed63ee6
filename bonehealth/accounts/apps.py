from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bonehealth.accounts"
    label = "accounts"
    verbose_name = "Accounts and sites"

    def ready(self) -> None:
        from bonehealth.accounts import checks, signals  # noqa: F401  (registers)
