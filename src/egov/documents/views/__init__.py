"""Officers' pages of official documents (Nghị định 30/2020): the inbox, incoming documents
(registration with OCR pre-fill, direction, handling), outgoing documents (drafting, review,
signature, issue, dispatch, amendments) and search."""

from egov.documents.views import incoming, outgoing
from egov.documents.views.inbox import alert_read, inbox
from egov.documents.views.search import search

__all__ = ["alert_read", "inbox", "incoming", "outgoing", "search"]
