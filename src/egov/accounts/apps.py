from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "egov.accounts"
    label = "accounts"
    verbose_name = "Tài khoản, vai trò"

    def ready(self) -> None:
        from egov.accounts import signals  # noqa: F401
