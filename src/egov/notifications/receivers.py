"""The hook into the one-stop shop: dossier events of the audit log become notifications.

``dossiers.services`` writes an audit event for every transition (the dossier's timeline);
this receiver listens to new ``AuditEvent`` rows, so the state machine needs no knowledge of
notifications. It runs inside the transition's transaction: the notification rows are written
with the change itself and delivery is dispatched after commit (``core.tasks``). Mapping and
reasons: docs/notifications.md.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from egov.core.models import AuditEvent
from egov.dossiers.models import Dossier, State
from egov.notifications import services
from egov.notifications.services import date_dmy

log = logging.getLogger("egov.notifications")

#: audit action → notification event
ACTION_EVENTS = {
    "dossier.received": "dossier_received",
    "dossier.supplement_requested": "supplement_requested",
    "dossier.supplement_received": "supplement_received",
    "dossier.handed_over": "result_ready",  # only the hand-over that makes the result ready
    "dossier.extended": "late_apology",
    "dossier.refused": "refused",
    "dossier.returned": "returned",
}
DOSSIER_TYPE = "dossiers.dossier"
#: Events recorded with a time this far from now are replayed history (demo data and
#: benchmarks run the services under ``simulated_clock``): nobody is told about the past.
REPLAY_TOLERANCE = dt.timedelta(minutes=10)


def _extra(event: AuditEvent, dossier) -> dict:
    data = event.data or {}
    extra: dict = {}
    if event.action == "dossier.supplement_requested":
        extra["reason"] = data.get("reason", "")
        extra["papers"] = list(data.get("papers") or [])
    elif event.action == "dossier.extended":
        extra["reason"] = data.get("reason", "")
        if data.get("old_due_at"):
            extra["old_due_date"] = date_dmy(dt.datetime.fromisoformat(data["old_due_at"]))
    elif event.action == "dossier.refused":
        extra["reason"] = data.get("reason", "") or dossier.closing_reason
    return extra


@receiver(post_save, sender=AuditEvent, dispatch_uid="egov.notifications.on_audit_event")
def on_audit_event(sender, instance: AuditEvent, created: bool, raw: bool = False, **kwargs):
    if not created or raw or instance.object_type != DOSSIER_TYPE:
        return
    event = ACTION_EVENTS.get(instance.action)
    if event is None:
        return
    if abs(timezone.now() - instance.occurred_at) > REPLAY_TOLERANCE:
        return
    dossier = (
        Dossier.objects.select_related("agency", "intake_agency", "procedure_version")
        .filter(pk=instance.object_id)
        .first()
    )
    if dossier is None:
        return
    if event == "result_ready" and dossier.state != State.RESULT_READY:
        return
    try:
        # A savepoint: a broken template must not undo the officer's action.
        with transaction.atomic():
            services.notify(
                event, dossier, extra=_extra(instance, dossier), dedupe_key=f"audit:{instance.seq}"
            )
    except Exception:
        log.exception("notification %s for dossier %s could not be prepared", event, dossier.pk)
