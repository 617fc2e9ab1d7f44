"""Read queries of the portal: public statistics (fact tables only), ratings, my dossiers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncMonth

from egov.dossiers.models import Dossier, DossierDailyStat
from egov.organizations.models import Agency
from egov.portal.models import RatingCriterion, RatingStat


def public_governments() -> list[Agency]:
    """The People's Committees in force today, whose statistics the portal shows."""
    return list(
        Agency.objects.active()
        .filter(kind__in=Agency.GOVERNMENT_KINDS)
        .order_by("path")
        .only("pk", "name", "short_name", "path", "kind")
    )


@dataclass
class MonthRow:
    month: dt.date
    received: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0

    @property
    def on_time(self) -> int:
        """Resolved early or on time (đúng hạn, in the public figures)."""
        return self.resolved_early + self.resolved_on_time

    @property
    def resolved(self) -> int:
        return self.on_time + self.resolved_late

    @property
    def on_time_rate(self) -> float | None:
        return None if not self.resolved else round(100 * self.on_time / self.resolved, 1)


def monthly_dossier_stats(agency_ids: Iterable[int], year: int) -> list[MonthRow]:
    """Received and resolved (early, on time, late) per month of ``year``, summed over
    ``agency_ids``, from the daily fact table (one grouped query, no dossier is counted)."""
    rows = {m: MonthRow(month=dt.date(year, m, 1)) for m in range(1, 13)}
    qs = (
        DossierDailyStat.objects.filter(
            agency_id__in=list(agency_ids),
            day__gte=dt.date(year, 1, 1),
            day__lte=dt.date(year, 12, 31),
        )
        .annotate(m=TruncMonth("day"))
        .values("m")
        .annotate(
            counter=Sum("received_counter"),
            online=Sum("received_online"),
            post=Sum("received_post"),
            early=Sum("resolved_early"),
            on_time=Sum("resolved_on_time"),
            late=Sum("resolved_late"),
        )
        .order_by()
    )
    for r in qs:
        month = r["m"].month if r["m"] is not None else None
        if month is None:
            continue
        row = rows[month]
        row.received += (r["counter"] or 0) + (r["online"] or 0) + (r["post"] or 0)
        row.resolved_early += r["early"] or 0
        row.resolved_on_time += r["on_time"] or 0
        row.resolved_late += r["late"] or 0
    return [rows[m] for m in range(1, 13)]


@dataclass
class CriterionSummary:
    code: str
    name: str
    count: int
    average: float | None


@dataclass
class RatingsSummary:
    count: int = 0
    criteria: list[CriterionSummary] = field(default_factory=list)

    @property
    def average(self) -> float | None:
        """Mean of the criteria averages (each criterion weighs the same)."""
        values = [c.average for c in self.criteria if c.average is not None]
        return round(sum(values) / len(values), 2) if values else None


def ratings_summary(
    agency_ids: Iterable[int] | None, start: dt.date, end: dt.date
) -> RatingsSummary:
    """Ratings of the dossiers decided by ``agency_ids`` (None: all) given in the months from
    ``start`` to ``end`` (whole months: the fact table is monthly): number of ratings and the
    average score (1–5) per criterion. For the public statistics and the officer report."""
    qs = RatingStat.objects.filter(month__gte=start.replace(day=1), month__lte=end)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=list(agency_ids))
    sums = {
        r["criterion_code"]: (r["n"] or 0, r["s"] or 0)
        for r in qs.values("criterion_code").annotate(n=Sum("count"), s=Sum("score_sum")).order_by()
    }
    summary = RatingsSummary(count=sums.get("", (0, 0))[0])
    for criterion in RatingCriterion.objects.order_by("order", "id"):
        n, s = sums.get(criterion.code, (0, 0))
        if not n and not criterion.is_active:
            continue
        summary.criteria.append(
            CriterionSummary(
                code=criterion.code,
                name=criterion.name,
                count=n,
                average=round(s / n, 2) if n else None,
            )
        )
    return summary


def dossiers_of(user) -> QuerySet[Dossier]:
    """The dossiers of a citizen's account (submitted online by them or linked at the counter)."""
    return Dossier.objects.filter(citizen=user).select_related("procedure_version", "agency")
