from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bonehealth.accounts"
    label = "accounts"
    verbose_name = "Accounts and sites"
