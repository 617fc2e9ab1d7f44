"""Read queries of the delivery log."""

from __future__ import annotations

from egov.notifications.models import Notification


def visible_log(user, *, state: str = "", dossier_code: str = ""):
    """The log rows ``user`` may see (the agencies of their roles), optionally one state or
    one dossier code; newest first through ``core.pagination.keyset_page``."""
    qs = Notification.objects.visible_to(user)
    if state:
        qs = qs.filter(state=state)
    if dossier_code:
        qs = qs.filter(dossier_code=dossier_code.strip().upper())
    return qs


def for_dossier(dossier, user=None):
    """Every message sent (or tried) about one dossier, newest first — for the dossier page
    (``{% include "notifications/_dossier_notifications.html" %}`` with ``notifications``)."""
    qs = Notification.objects.for_object(dossier._meta.label_lower, dossier.pk)
    if user is not None:
        qs = qs.visible_to(user)
    return qs.order_by("-id")
