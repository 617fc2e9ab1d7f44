"""The statistics report of the one-stop shop, in the standard form of the circulars
(TT 01/2018/TT-VPCP; TT 03/2025/TT-VPCP): per agency and period —

- received: carried over from the previous period, newly received (online / counter / post);
- resolved: early, on time, late;
- in progress: not yet due, overdue;
- returned, refused at intake, and closed without a result (stopped, withdrawn).

Everything is read from the fact tables the services keep up to date as events happen
(``DossierDailyStat``, ``OpenDueCount``, ``OpenSnapshot``): no query counts the dossier
table, so a province-year costs the same as a commune-month.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from django.db.models import Sum
from django.utils import timezone

from egov.dossiers.models import DossierDailyStat, OpenDueCount, OpenSnapshot

FLOW_FIELDS = (
    "received_counter",
    "received_online",
    "received_post",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "closed_without_result",
    "returned",
    "refused",
)


@dataclass
class Row:
    agency_id: int | None = None
    carried_over: int = 0
    received_online: int = 0
    received_counter: int = 0
    received_post: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    closed_without_result: int = 0
    returned: int = 0
    refused: int = 0
    in_progress_on_time: int | None = 0
    in_progress_overdue: int | None = 0

    @property
    def received_new(self) -> int:
        return self.received_online + self.received_counter + self.received_post

    @property
    def to_handle(self) -> int:
        """Tổng số hồ sơ nhận giải quyết: carried over + newly received."""
        return self.carried_over + self.received_new

    @property
    def resolved(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def in_progress(self) -> int:
        return self.to_handle - self.resolved - self.closed_without_result

    @property
    def on_time_rate(self) -> float | None:
        """Share of resolved dossiers returned early or on time, in percent."""
        return (
            None
            if not self.resolved
            else round(100 * (self.resolved_early + self.resolved_on_time) / self.resolved, 1)
        )

    def add(self, other: Row) -> None:
        for f in fields(self):
            if f.name == "agency_id":
                continue
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            setattr(self, f.name, None if mine is None or theirs is None else mine + theirs)


@dataclass
class Report:
    start: dt.date
    end: dt.date
    rows: dict[int, Row] = field(default_factory=dict)
    total: Row = field(default_factory=Row)
    #: whether the in-progress split is live (period reaches today) or from the nightly snapshot
    split_source: str = "live"


def _sums(qs, group: str = "agency_id") -> dict[int, dict[str, int]]:
    return {
        row[group]: row
        for row in qs.values(group).annotate(**{f: Sum(f) for f in FLOW_FIELDS}).order_by()
    }


def report(
    agency_ids: Iterable[int], start: dt.date, end: dt.date, *, today: dt.date | None = None
) -> Report:
    """Statistics of ``agency_ids`` (the deciding agencies) from ``start`` to ``end`` inclusive."""
    ids = list(agency_ids)
    today = today or timezone.localdate()
    result = Report(start=start, end=end)
    before = _sums(DossierDailyStat.objects.filter(agency_id__in=ids, day__lt=start))
    during = _sums(DossierDailyStat.objects.filter(agency_id__in=ids, day__gte=start, day__lte=end))
    live = end >= today
    if live:
        split: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
        for agency_id, overdue, total in _open_split(ids, today):
            split[agency_id] = (total - overdue, overdue)
    else:
        result.split_source = "snapshot"
        split = {
            s.agency_id: (s.on_time, s.overdue)
            for s in OpenSnapshot.objects.filter(agency_id__in=ids, day=end)
        }
    for agency_id in sorted(set(before) | set(during) | set(split)):
        b, d = before.get(agency_id, {}), during.get(agency_id, {})
        row = Row(agency_id=agency_id)
        row.carried_over = sum(
            b.get(f) or 0 for f in ("received_counter", "received_online", "received_post")
        ) - sum(
            b.get(f) or 0
            for f in (
                "resolved_early",
                "resolved_on_time",
                "resolved_late",
                "closed_without_result",
            )
        )
        for f in FLOW_FIELDS:
            setattr(row, f, d.get(f) or 0)
        if agency_id in split:
            row.in_progress_on_time, row.in_progress_overdue = split[agency_id]
        elif live:
            row.in_progress_on_time, row.in_progress_overdue = 0, 0
        else:
            row.in_progress_on_time = row.in_progress_overdue = None
        result.rows[agency_id] = row
        result.total.add(row)
    return result


def _open_split(ids: list[int], today: dt.date) -> list[tuple[int, int, int]]:
    """(agency, overdue, total) of the dossiers open now; due before today = overdue."""
    qs = OpenDueCount.objects.filter(agency_id__in=ids).values("agency_id").order_by()
    totals = {r["agency_id"]: r["n"] or 0 for r in qs.annotate(n=Sum("count"))}
    overdue = {
        r["agency_id"]: r["n"] or 0 for r in qs.filter(due_day__lt=today).annotate(n=Sum("count"))
    }
    return [(a, overdue.get(a, 0), totals[a]) for a in totals]


def take_snapshot(day: dt.date | None = None) -> int:
    """Record, for every agency, its open dossiers split on time / overdue at the end of ``day``
    (default today). Run nightly by the task worker; idempotent for a day."""
    day = day or timezone.localdate()
    count = 0
    for agency_id, overdue, total in _open_split(
        list(OpenDueCount.objects.values_list("agency_id", flat=True).distinct()),
        day + dt.timedelta(days=1),
    ):
        OpenSnapshot.objects.update_or_create(
            agency_id=agency_id, day=day, defaults={"on_time": total - overdue, "overdue": overdue}
        )
        count += 1
    return count
