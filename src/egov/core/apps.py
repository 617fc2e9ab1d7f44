from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "egov.core"
    label = "core"
    verbose_name = _("Lõi hệ thống")

    def ready(self) -> None:
        from egov.core import calendar, text  # noqa: F401  (calendar connects its cache signals)

        text.install_sqlite_functions()
