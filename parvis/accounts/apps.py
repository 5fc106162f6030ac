from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "parvis.accounts"
    label = "accounts"
