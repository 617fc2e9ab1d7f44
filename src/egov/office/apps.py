from django.apps import AppConfig


class OfficeConfig(AppConfig):
    name = "egov.office"
    label = "office"
