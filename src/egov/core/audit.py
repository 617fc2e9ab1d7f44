"""The audit log: every action on a dossier, document, account or setting is recorded here.

Events are chained: ``hash = sha256(prev_hash + canonical JSON of the event)``. The head row is
locked while appending, so the chain has one order even with many web nodes. ``verify()``
walks the chain and reports the first event that was edited, deleted or inserted out of order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from egov.core.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _content(
    seq,
    occurred_at: datetime,
    actor_id,
    actor_label,
    agency_id,
    action,
    object_type,
    object_id,
    data,
) -> str:
    payload = {
        "seq": seq,
        "at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor_id,
        "actor_label": actor_label,
        "agency": agency_id,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "data": data,
    }
    return json.dumps(
        payload, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder, separators=(",", ":")
    )


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    content = _content(
        event.seq,
        event.occurred_at,
        event.actor_id,
        event.actor_label,
        event.agency_id,
        event.action,
        event.object_type,
        event.object_id,
        event.data,
    )
    return hashlib.sha256((prev_hash + content).encode()).hexdigest()


def _object_ref(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    if isinstance(obj, tuple):
        return str(obj[0]), str(obj[1])
    return obj._meta.label_lower, str(obj.pk)


def record(
    action: str,
    *,
    actor=None,
    agency=None,
    obj=None,
    data: dict | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event. ``actor`` is a user (or None for the system), ``agency`` an agency or
    its id, ``obj`` a model instance or an ``(type, id)`` pair. Joins the caller's transaction."""
    object_type, object_id = _object_ref(obj)
    agency_id = getattr(agency, "pk", agency)
    actor_id = getattr(actor, "pk", None)
    actor_label = "" if actor is None else (actor.get_full_name() or actor.get_username())
    # Round-trip through JSON so that the stored data hashes the same when read back.
    clean = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, ensure_ascii=False))
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            seq=head.last_seq + 1,
            actor_id=actor_id,
            actor_label=actor_label,
            agency_id=agency_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            data=clean,
            prev_hash=head.last_hash,
        )
        if at is not None:  # replayed history (demo and benchmark data); the chain order is seq
            event.occurred_at = at
        event.hash = compute_hash(head.last_hash, event)
        event.save()
        AuditHead.objects.filter(pk=1).update(last_seq=event.seq, last_hash=event.hash)
    return event


@dataclass(frozen=True)
class Problem:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"event #{self.seq}: {self.reason}"


def _iter_chain(batch: int = 2000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify() -> tuple[int, Problem | None]:
    """Return (events checked, first problem or None)."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    for event in _iter_chain():
        if event.seq != expected_seq:
            return checked, Problem(
                expected_seq, f"missing (deleted); next stored event is #{event.seq}"
            )
        if event.prev_hash != prev_hash:
            return checked, Problem(
                event.seq, "does not follow the previous event (deleted or inserted out of order)"
            )
        if compute_hash(prev_hash, event) != event.hash:
            return checked, Problem(event.seq, "content was edited after it was recorded")
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != prev_hash):
        return checked, Problem(
            head.last_seq, "the newest events were deleted (chain head does not match)"
        )
    return checked, None
