"""Benchmark of the working-day calendar (not a test): ``python bench/bench_calendar.py [N]``.

Times N (default 100,000) calls of ``add_working_days``, ``add_working_hours``,
``working_time_between`` and ``is_working_day`` on a ``WorkCalendar`` built from the settings
(no database: the override table is not read) with starts spread over 2020–2030, and N/10 calls
of the module-level ``add_working_days`` through ``get_calendar()`` when a migrated database is
available. Prints operations per second.
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import DatabaseError  # noqa: E402

from egov.core import calendar  # noqa: E402


def _starts(cal: calendar.WorkCalendar, n: int) -> list[datetime]:
    rng = random.Random(2026)
    epoch = datetime(2020, 1, 1, tzinfo=cal.tz)
    span = int((datetime(2030, 12, 1, tzinfo=cal.tz) - epoch).total_seconds())
    return [epoch + timedelta(seconds=rng.randrange(span)) for _ in range(n)]


def _time(label: str, n: int, fn) -> None:
    began = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - began
    print(f"{label:<48} {n:>9,} calls  {elapsed:7.3f} s  {n / elapsed:>12,.0f} ops/sec")


def main(n: int = 100_000) -> None:
    cal = calendar.WorkCalendar(
        settings.EGOV_OFFICE_HOURS, country=settings.EGOV_HOLIDAY_COUNTRY, tz=settings.TIME_ZONE
    )
    starts = _starts(cal, n)
    rng = random.Random(7)
    day_counts = [rng.randrange(1, 31) for _ in range(n)]
    hour_counts = [timedelta(minutes=rng.randrange(15, 80 * 60)) for _ in range(n)]
    ends = [s + timedelta(days=rng.randrange(0, 60)) for s in starts]
    for year in range(2019, 2032):  # warm the per-year holiday cache
        cal.is_working_day(datetime(year, 6, 1, tzinfo=cal.tz))

    print(f"egov calendar benchmark, office hours {cal.hours}, {cal.tz.key}")
    _time(
        "WorkCalendar.add_working_days (1–30 days)",
        n,
        lambda: [cal.add_working_days(s, d) for s, d in zip(starts, day_counts, strict=True)],
    )
    _time(
        "WorkCalendar.add_working_days with cut-off 15:00",
        n,
        lambda: [
            cal.add_working_days(s, d, "15:00") for s, d in zip(starts, day_counts, strict=True)
        ],
    )
    _time(
        "WorkCalendar.add_working_hours (0.25–80 h)",
        n,
        lambda: [cal.add_working_hours(s, h) for s, h in zip(starts, hour_counts, strict=True)],
    )
    _time(
        "WorkCalendar.working_time_between (0–60 days)",
        n,
        lambda: [cal.working_time_between(s, e) for s, e in zip(starts, ends, strict=True)],
    )
    _time("WorkCalendar.is_working_day", n, lambda: [cal.is_working_day(s) for s in starts])

    m = max(n // 10, 1)
    try:
        calendar.get_calendar()
    except DatabaseError as exc:
        print(f"(module-level functions skipped: no migrated database: {exc})")
        return
    _time(
        "calendar.add_working_days (via get_calendar)",
        m,
        lambda: [
            calendar.add_working_days(s, d) for s, d in zip(starts[:m], day_counts[:m], strict=True)
        ],
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
