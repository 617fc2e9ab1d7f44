"""Gap-free numbers (Nghị định 30/2020 Điều 15, 22: số văn bản, số đến; TT 03/2025: dossier codes).

``next_number(scope, period)`` must run inside the caller's transaction: the counter row is
locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writers) until the caller
commits, so two clerks never get the same number, and a rolled-back transaction gives its
number back because the increment is rolled back with it.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from egov.core.models import Sequence


class NumberingError(RuntimeError):
    pass


def next_number(scope: str, period: str = "", *, using: str = "default") -> int:
    if not transaction.get_connection(using).in_atomic_block:
        raise NumberingError("next_number() must be called inside transaction.atomic()")
    row = _locked_row(scope, period, using)
    Sequence.objects.using(using).filter(pk=row.pk).update(last_value=F("last_value") + 1)
    row.refresh_from_db(fields=["last_value"])
    return row.last_value


def peek(scope: str, period: str = "") -> int:
    """The last number given out (0 if none); for display only, never to derive a number."""
    value = (
        Sequence.objects.filter(scope=scope, period=period)
        .values_list("last_value", flat=True)
        .first()
    )
    return value or 0


def _locked_row(scope: str, period: str, using: str) -> Sequence:
    qs = Sequence.objects.using(using).select_for_update()
    row = qs.filter(scope=scope, period=period).first()
    if row is not None:
        return row
    try:
        # A savepoint, so that losing the creation race does not poison the caller's transaction.
        with transaction.atomic(using=using):
            Sequence.objects.using(using).create(scope=scope, period=period)
    except IntegrityError:
        pass
    return qs.get(scope=scope, period=period)
