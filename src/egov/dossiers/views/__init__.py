"""Officers' pages of the one-stop shop: counter intake, inbox, dossier page and its actions."""

from egov.dossiers.views.detail import act, detail, download_file
from egov.dossiers.views.inbox import inbox
from egov.dossiers.views.intake import intake, intake_form

__all__ = ["act", "detail", "download_file", "inbox", "intake", "intake_form"]
