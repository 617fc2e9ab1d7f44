"""The working-day calendar: which days are worked, and deadlines counted in working time.

Legal basis:

- Weekly rest (Bộ luật Lao động 45/2019/QH14, Điều 111; tuần làm việc 40 giờ of state agencies,
  Quyết định 188/1999/QĐ-TTg): state agencies work Monday to Friday; Saturday and Sunday are
  the weekly rest days.
- Public holidays (Điều 112.1): 01/01, five days of Tết Âm lịch, Giỗ Tổ Hùng Vương (10/3 âm
  lịch), 30/4, 01/5, 02/9 plus one adjacent day; from 2026 also 24/11 (Ngày Văn hóa Việt Nam,
  Nghị quyết 28/2026/QH16). A holiday that falls on the weekly rest day is taken on the next
  working day (Điều 111.3). The ``holidays`` package computes all of these, lunar ones included,
  with the observed days and the government's known day swaps (its ``weekend_workdays`` are
  Saturdays worked in exchange).
- The yearly notice (Điều 112.3: the Prime Minister fixes the Tết days and the second National
  Day; the ministry's notice for civil servants, e.g. TB 6150/TB-BLĐTBXH for 2025,
  TB 9441/TB-BNV for 2026) may differ from the package: administrators enter its days in the
  ``CalendarOverride`` table (day_off / work_day, with the notice as source). **Overrides win.**

Deadlines are computed in local wall-clock time (``settings.TIME_ZONE``, Asia/Ho_Chi_Minh, which
has no daylight saving) inside the office hours ``settings.EGOV_OFFICE_HOURS``
("07:30-11:30,13:30-17:00" by default). Every function takes and returns *aware* datetimes;
results are expressed in the local zone (compare them as usual; the database stores UTC).

``WorkCalendar`` is pure (no database); ``get_calendar()`` returns a process-wide instance with
the overrides loaded from the database. It re-reads the (small) override table when it was told
of a change in this process (``set_override``/``delete_override``, a save or delete of a
``CalendarOverride`` row, e.g. in Django admin) and otherwise at most every
``EGOV_CALENDAR_RECHECK_SECONDS`` seconds (default 10), so other processes see changes too.
"""

from __future__ import annotations

import functools
import math
import re
import threading
import time as _time
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy, gettext_noop

DEFAULT_OFFICE_HOURS = "07:30-11:30,13:30-17:00"
SOURCE_PACKAGE = "holidays package"
SOURCE_WEEK = "Thứ Hai–Thứ Sáu (BLLĐ 2019 Điều 111; QĐ 188/1999/QĐ-TTg)"
WEEKDAYS_VI = (
    gettext_noop("Thứ Hai"),
    gettext_noop("Thứ Ba"),
    gettext_noop("Thứ Tư"),
    gettext_noop("Thứ Năm"),
    gettext_noop("Thứ Sáu"),
    gettext_noop("Thứ Bảy"),
    gettext_noop("Chủ nhật"),
)
DAY_OFF = "day_off"
WORK_DAY = "work_day"

_MAX_EMPTY_YEARS = 10  # a calendar with no working day in ten years is broken
_ZERO = timedelta(0)
_EPSILON = timedelta(microseconds=1)


class CalendarError(ValueError):
    """Bad input to the calendar (naive datetime, negative amount, malformed time…)."""


class OfficeHoursError(CalendarError):
    """``EGOV_OFFICE_HOURS`` (or the string given) is not a list of HH:MM-HH:MM intervals."""


# --- Office hours ---------------------------------------------------------------------------

_HHMM = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")


def _parse_hhmm(text: str, *, allow_24: bool = False) -> timedelta:
    m = _HHMM.match(text.strip())
    if not m:
        raise OfficeHoursError(f"{text.strip()!r} is not a time of day in HH:MM form")
    hours, minutes = int(m.group(1)), int(m.group(2))
    if hours == 24 and not (allow_24 and minutes == 0):
        raise OfficeHoursError(f"{text.strip()!r} is not a time of day (00:00–23:59)")
    return timedelta(hours=hours, minutes=minutes)


def _fmt_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class OfficeHours:
    """Office hours of a working day: sorted, non-overlapping intervals as offsets from midnight."""

    intervals: tuple[tuple[timedelta, timedelta], ...]

    @classmethod
    def parse(cls, spec: str) -> OfficeHours:
        """Parse ``"07:30-11:30,13:30-17:00"``. Raises ``OfficeHoursError`` with the reason."""
        if not isinstance(spec, str) or not spec.strip():
            raise OfficeHoursError(
                "office hours are empty; expected e.g. '07:30-11:30,13:30-17:00'"
            )
        intervals: list[tuple[timedelta, timedelta]] = []
        for part in spec.split(","):
            pieces = part.split("-")
            if len(pieces) != 2:
                raise OfficeHoursError(
                    f"{part.strip()!r} is not an interval HH:MM-HH:MM (in {spec!r})"
                )
            try:
                start, end = _parse_hhmm(pieces[0]), _parse_hhmm(pieces[1], allow_24=True)
            except OfficeHoursError as exc:
                raise OfficeHoursError(f"{exc} (in {spec!r})") from None
            if end <= start:
                raise OfficeHoursError(
                    f"interval {part.strip()!r} ends before it starts (in {spec!r})"
                )
            if intervals and start < intervals[-1][1]:
                raise OfficeHoursError(
                    f"interval {part.strip()!r} overlaps or precedes the one before it (in {spec!r}); list intervals in order"
                )
            intervals.append((start, end))
        return cls(tuple(intervals))

    @property
    def opening(self) -> timedelta:
        return self.intervals[0][0]

    @property
    def daily_total(self) -> timedelta:
        return sum((end - start for start, end in self.intervals), _ZERO)

    def contains(self, offset: timedelta) -> bool:
        return any(start <= offset < end for start, end in self.intervals)

    def __str__(self) -> str:
        return ", ".join(f"{_fmt_offset(s)}–{_fmt_offset(e)}" for s, e in self.intervals)


def parse_office_hours(spec: str) -> OfficeHours:
    return OfficeHours.parse(spec)


def parse_time_of_day(value: time | str) -> time:
    """``"15:00"`` → ``time(15, 0)``; a ``time`` is returned unchanged."""
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        m = _HHMM.match(value.strip())
        if m and int(m.group(1)) < 24:
            return time(int(m.group(1)), int(m.group(2)))
    raise CalendarError(f"{value!r} is not a time of day in HH:MM form")


# --- Days -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayInfo:
    """Whether a day is worked, why, and who decided it (``source``: the holidays package, the
    notice of an override, or the weekly rule)."""

    date: date
    working: bool
    kind: str  # working_day, weekend, holiday, worked_weekend, override_day_off, override_work_day
    reason: str
    source: str

    @property
    def weekday_name(self) -> str:
        return gettext(WEEKDAYS_VI[self.date.weekday()])

    @property
    def is_override(self) -> bool:
        return self.kind.startswith("override_")

    @property
    def is_from_package(self) -> bool:
        return self.source == SOURCE_PACKAGE


@dataclass(frozen=True)
class Override:
    """One row of the yearly notice: ``kind`` is ``"day_off"`` or ``"work_day"``."""

    date: date
    kind: str
    notice: str
    name: str = ""


@functools.lru_cache(maxsize=256)
def _package_year(
    country: str, language: str, year: int
) -> tuple[dict[date, str], frozenset[date]]:
    """The package's holidays and worked weekend days of one year (computed with the years
    around it, so that an observed day moved across New Year is not lost)."""
    import holidays

    try:
        table = holidays.country_holidays(
            country, years=range(year - 1, year + 2), language=language
        )
    except NotImplementedError as exc:
        raise CalendarError(f"the holidays package does not know country {country!r}") from exc
    days = {d: name for d, name in table.items() if d.year == year}
    worked = frozenset(d for d in getattr(table, "weekend_workdays", ()) if d.year == year)
    return days, worked


def _local_date(day: date | datetime, tz: ZoneInfo) -> date:
    if isinstance(day, datetime):
        if day.tzinfo is not None:
            return day.astimezone(tz).date()
        return day.date()
    if isinstance(day, date):
        return day
    raise CalendarError(f"expected a date, got {day!r}")


def _as_timedelta(hours: float | int | Decimal | timedelta) -> timedelta:
    if isinstance(hours, timedelta):
        value = hours
    elif isinstance(hours, bool):
        raise CalendarError("hours must be a number or a timedelta")
    elif isinstance(hours, int | Decimal):
        if isinstance(hours, Decimal) and not hours.is_finite():
            raise CalendarError(f"hours must be finite, got {hours}")
        value = timedelta(microseconds=int((Decimal(hours) * 3_600_000_000).to_integral_value()))
    elif isinstance(hours, float):
        if not math.isfinite(hours):
            raise CalendarError(f"hours must be finite, got {hours}")
        value = timedelta(hours=hours)
    else:
        raise CalendarError(f"hours must be a number or a timedelta, got {hours!r}")
    if value < _ZERO:
        raise CalendarError("the amount of working time cannot be negative")
    return value


# --- The calendar ---------------------------------------------------------------------------


class WorkCalendar:
    """Working days and office hours, with the package's holidays cached per year.

    ``overrides`` are the rows of the yearly notices (``Override`` or ``CalendarOverride``
    instances, or anything with ``date``, ``kind``, ``notice`` and ``name``); they win over the
    holidays package.
    """

    def __init__(
        self,
        office_hours: OfficeHours | str = DEFAULT_OFFICE_HOURS,
        overrides: Iterable[Override] | Mapping[date, Override] = (),
        *,
        country: str = "VN",
        tz: ZoneInfo | str = "Asia/Ho_Chi_Minh",
        language: str = "vi",
        weekend: Iterable[int] = (5, 6),
    ) -> None:
        self.hours = (
            office_hours
            if isinstance(office_hours, OfficeHours)
            else OfficeHours.parse(office_hours)
        )
        self.tz = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
        self.country = country
        self.language = language
        self.weekend = frozenset(weekend)
        rows = overrides.values() if isinstance(overrides, Mapping) else overrides
        self.overrides: dict[date, Override] = {}
        for row in rows:
            kind = str(row.kind)
            if kind not in (DAY_OFF, WORK_DAY):
                raise CalendarError(
                    f"override kind must be {DAY_OFF!r} or {WORK_DAY!r}, got {kind!r}"
                )
            self.overrides[row.date] = Override(row.date, kind, row.notice or "", row.name or "")
        self._years: dict[int, dict[date, DayInfo]] = {}
        self._working_ords: dict[int, list[int]] = {}
        self._daily = self.hours.daily_total
        self._intervals = self.hours.intervals
        self._opening = self.hours.opening

    # -- days ---------------------------------------------------------------------------------

    def _exceptions(self, year: int) -> dict[date, DayInfo]:
        """The days of ``year`` that the weekly rule alone gets wrong or cannot name."""
        table = self._years.get(year)
        if table is not None:
            return table
        days, worked = _package_year(self.country, self.language, year)
        table = {d: DayInfo(d, False, "holiday", name, SOURCE_PACKAGE) for d, name in days.items()}
        for d in worked:
            stamp = f"{d:%d/%m/%Y}"
            swapped = next((other for other, name in days.items() if stamp in name), None)
            reason = (
                format_lazy(
                    gettext_lazy("Làm việc bù cho ngày nghỉ {day}"), day=f"{swapped:%d/%m/%Y}"
                )
                if swapped
                else gettext_lazy("Ngày làm việc bù")
            )
            table[d] = DayInfo(d, True, "worked_weekend", reason, SOURCE_PACKAGE)
        for d, row in self.overrides.items():
            if d.year != year:
                continue
            if row.kind == DAY_OFF:
                table[d] = DayInfo(
                    d,
                    False,
                    "override_day_off",
                    row.name or gettext_lazy("Ngày nghỉ theo thông báo"),
                    row.notice,
                )
            else:
                table[d] = DayInfo(
                    d,
                    True,
                    "override_work_day",
                    row.name or gettext_lazy("Ngày làm việc bù theo thông báo"),
                    row.notice,
                )
        self._years[year] = table
        return table

    def _working(self, d: date) -> bool:
        info = self._exceptions(d.year).get(d)
        if info is not None:
            return info.working
        return d.weekday() not in self.weekend

    def _ordinals(self, year: int) -> list[int]:
        """The sorted ordinals (``date.toordinal()``) of the working days of ``year``."""
        ords = self._working_ords.get(year)
        if ords is None:
            first = date(year, 1, 1).toordinal()
            last = date(year, 12, 31).toordinal()
            ords = [o for o in range(first, last + 1) if self._working(date.fromordinal(o))]
            self._working_ords[year] = ords
        return ords

    def _nth_working_date_after(self, d: date, n: int) -> date:
        """The n-th working day strictly after ``d`` (n >= 1), found by bisection per year."""
        year, o, empty_years = d.year, d.toordinal(), 0
        while True:
            if year > 9999:
                raise CalendarError("the deadline falls after the year 9999")
            ords = self._ordinals(year)
            i = bisect_right(ords, o)
            available = len(ords) - i
            if n <= available:
                return date.fromordinal(ords[i + n - 1])
            n -= available
            empty_years = empty_years + 1 if not ords else 0
            if empty_years > _MAX_EMPTY_YEARS:
                raise CalendarError(f"no working day in the ten years after {d:%d/%m/%Y}")
            year += 1

    def _next_working_date(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return self._nth_working_date_after(d, 1)

    def _count_working_between(self, a: date, b: date) -> int:
        """The number of working days strictly between ``a`` and ``b``."""
        lo, hi, count = a.toordinal(), b.toordinal(), 0
        for year in range(a.year, b.year + 1):
            ords = self._ordinals(year)
            count += max(0, bisect_left(ords, hi) - bisect_right(ords, lo))
        return count

    def is_working_day(self, day: date | datetime) -> bool:
        """True if ``day`` is worked: Monday–Friday (BLLĐ 2019 Điều 111), not a public holiday or
        its observed day (Điều 112.1, 111.3), or a Saturday worked in exchange; an override from
        the yearly notice (e.g. TB 9441/TB-BNV) decides first. An aware datetime is taken at its
        local date."""
        return self._working(_local_date(day, self.tz))

    def day_info(self, day: date | datetime) -> DayInfo:
        """The status of one day with its reason (holiday name, notice's wording) and source
        (the holidays package, the notice number of an override, or the weekly rule)."""
        d = _local_date(day, self.tz)
        info = self._exceptions(d.year).get(d)
        if info is not None:
            return info
        if d.weekday() in self.weekend:
            return DayInfo(
                d,
                False,
                "weekend",
                gettext("Nghỉ hằng tuần (%(weekday)s)")
                % {"weekday": gettext(WEEKDAYS_VI[d.weekday()])},
                SOURCE_WEEK,
            )
        return DayInfo(d, True, "working_day", gettext("Ngày làm việc"), SOURCE_WEEK)

    def non_working_weekdays(self, year: int) -> list[DayInfo]:
        """Monday–Friday days of ``year`` that are not worked: public holidays and observed days
        (BLLĐ 2019 Điều 112.1, 111.3), swapped days off and the notice's extra days off."""
        table = self._exceptions(year)
        return [
            table[d]
            for d in sorted(table)
            if not table[d].working and d.weekday() not in self.weekend
        ]

    def worked_saturdays(self, year: int) -> list[DayInfo]:
        """Weekend days of ``year`` that are worked (in practice Saturdays worked in exchange for a
        bridge day off, as the yearly notice decides — e.g. 22/08/2026 in TB 9441/TB-BNV)."""
        table = self._exceptions(year)
        return [table[d] for d in sorted(table) if table[d].working and d.weekday() in self.weekend]

    def working_days_in_year(self, year: int) -> int:
        return len(self._ordinals(year))

    # -- moments ------------------------------------------------------------------------------

    def _local(self, moment: datetime) -> datetime:
        if not isinstance(moment, datetime):
            raise CalendarError(f"expected a datetime, got {moment!r}")
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise CalendarError("the calendar needs aware datetimes (use django.utils.timezone)")
        return moment.astimezone(self.tz).replace(tzinfo=None)

    def _aware(self, naive: datetime) -> datetime:
        return naive.replace(tzinfo=self.tz)

    def _normalise(self, naive: datetime) -> datetime:
        d = naive.date()
        midnight = datetime(d.year, d.month, d.day)
        if self._working(d):
            offset = naive - midnight
            for start, end in self._intervals:
                if offset < start:
                    return midnight + start
                if offset < end:
                    return naive
        return datetime.combine(self._next_working_date(d), time()) + self._opening

    def _opening_after(self, d: date) -> datetime:
        return datetime.combine(self._next_working_date(d), time()) + self._opening

    def next_working_instant(self, moment: datetime) -> datetime:
        """``moment`` itself if it falls in office hours of a working day, else the next opening
        (after the lunch break, the next morning, or the next working day). Office time counts
        only on working days (BLLĐ 2019 Điều 111–112) within ``EGOV_OFFICE_HOURS``."""
        return self._aware(self._normalise(self._local(moment)))

    def apply_cutoff(self, moment: datetime, cutoff_time: time | str) -> datetime:
        """The daily cut-off ("received after 15:00 counts from the next working day"): returns
        the next working day's opening if the local time is after ``cutoff_time`` or the day is
        not a working day (BLLĐ 2019 Điều 111–112, yearly notice); otherwise ``moment``."""
        naive = self._local(moment)
        if self._after_cutoff(naive, parse_time_of_day(cutoff_time)):
            return self._aware(self._opening_after(naive.date()))
        return self._aware(naive)

    def _after_cutoff(self, naive: datetime, cutoff: time) -> bool:
        return not self._working(naive.date()) or naive.time() > cutoff

    def _start(self, moment: datetime, cutoff: time | str | None) -> datetime:
        """The naive local moment where a count starts (cut-off applied, then normalised)."""
        naive = self._local(moment)
        if cutoff is not None and self._after_cutoff(naive, parse_time_of_day(cutoff)):
            return self._opening_after(naive.date())
        return self._normalise(naive)

    def effective_start(self, moment: datetime, cutoff: time | str | None = None) -> datetime:
        """Where the count starts: the cut-off applied (if any), then ``next_working_instant``."""
        return self._aware(self._start(moment, cutoff))

    def add_working_days(
        self, moment: datetime, n: int, cutoff: time | str | None = None
    ) -> datetime:
        """The deadline ``n`` working days after ``moment``: the same local time of day on the
        n-th following working day, after normalising the start to office hours (a start at
        16:00 after a 15:00 ``cutoff``, at night, at lunch or on a day off counts from the next
        opening, and the deadline is that opening time). Working days exclude the weekly rest
        and public holidays (BLLĐ 2019 Điều 111–112) as fixed by the yearly notice
        (e.g. TB 9441/TB-BNV for 2026). ``n = 0`` gives the normalised start."""
        if isinstance(n, bool) or not isinstance(n, int):
            raise CalendarError(f"the number of working days must be a whole number, got {n!r}")
        if n < 0:
            raise CalendarError("the number of working days cannot be negative")
        start = self._start(moment, cutoff)
        if n == 0:
            return self._aware(start)
        d = self._nth_working_date_after(start.date(), n)
        return self._aware(datetime.combine(d, start.time()))

    def add_working_hours(
        self,
        moment: datetime,
        hours: float | int | Decimal | timedelta,
        cutoff: time | str | None = None,
    ) -> datetime:
        """The moment when ``hours`` of office time (a number of hours or a timedelta) have passed
        since ``moment``, walking through the office-hour intervals of working days only
        (lunch break, nights, weekly rest and holidays skipped: BLLĐ 2019 Điều 111–112, yearly
        notice). A result that ends an interval is reported as that end (e.g. 17:00 Friday, not
        Monday's opening); zero hours gives the normalised start."""
        remaining = _as_timedelta(hours)
        cur = self._start(moment, cutoff)
        if remaining == _ZERO:
            return self._aware(cur)
        d = cur.date()
        midnight = datetime(d.year, d.month, d.day)
        offset = cur - midnight
        # The rest of the start day…
        for start, end in self._intervals:
            if end <= offset:
                continue
            begin = max(start, offset)
            available = end - begin
            if remaining <= available:
                return self._aware(midnight + begin + remaining)
            remaining -= available
        # …then whole working days at once, and the remainder (0 < rest <= one day) on the last.
        full_days = (remaining - _EPSILON) // self._daily
        remaining -= full_days * self._daily
        d = self._nth_working_date_after(d, full_days + 1)
        midnight = datetime(d.year, d.month, d.day)
        for start, end in self._intervals:
            if remaining <= end - start:
                return self._aware(midnight + start + remaining)
            remaining -= end - start
        raise AssertionError("unreachable: the remainder fits in a day")  # pragma: no cover

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Office time on working days (BLLĐ 2019 Điều 111–112, yearly notice) between ``a`` and
        ``b``. Returns ``timedelta(0)`` when ``b <= a`` (never negative)."""
        start, end = self._local(a), self._local(b)
        if end <= start:
            return _ZERO
        first, last = start.date(), end.date()
        total = self._part_of_day(first, start, end)
        if last != first:
            total += self._part_of_day(last, start, end)
            total += self._count_working_between(first, last) * self._daily
        return total

    def _part_of_day(self, d: date, start: datetime, end: datetime) -> timedelta:
        """Office time of day ``d`` that lies between ``start`` and ``end``."""
        if not self._working(d):
            return _ZERO
        midnight = datetime(d.year, d.month, d.day)
        total = _ZERO
        for s, e in self._intervals:
            lo, hi = max(midnight + s, start), min(midnight + e, end)
            if hi > lo:
                total += hi - lo
        return total


# --- The process-wide calendar ----------------------------------------------------------------


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calendar: WorkCalendar | None = None
        self.fingerprint: tuple | None = None
        self.valid_until = 0.0


_state = _State()


def _load_overrides() -> tuple:
    from egov.core.models import CalendarOverride

    return tuple(
        CalendarOverride.objects.order_by("date").values_list("date", "kind", "notice", "name")
    )


def get_calendar() -> WorkCalendar:
    """The calendar of the settings (``EGOV_OFFICE_HOURS``, ``EGOV_HOLIDAY_COUNTRY``,
    ``TIME_ZONE``) with the ``CalendarOverride`` rows of the yearly notices. Cached; the override
    table is re-read after ``invalidate()`` or every ``EGOV_CALENDAR_RECHECK_SECONDS``."""
    cal = _state.calendar
    if cal is not None and _time.monotonic() < _state.valid_until:
        return cal
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    with _state.lock:
        rows = _load_overrides()
        cal = _state.calendar
        if cal is None or rows != _state.fingerprint:
            try:
                hours = OfficeHours.parse(
                    getattr(settings, "EGOV_OFFICE_HOURS", DEFAULT_OFFICE_HOURS)
                )
            except OfficeHoursError as exc:
                raise ImproperlyConfigured(f"EGOV_OFFICE_HOURS is malformed: {exc}") from exc
            cal = WorkCalendar(
                hours,
                [Override(d, kind, notice, name) for d, kind, notice, name in rows],
                country=getattr(settings, "EGOV_HOLIDAY_COUNTRY", "VN"),
                tz=settings.TIME_ZONE or "Asia/Ho_Chi_Minh",
            )
            _state.calendar, _state.fingerprint = cal, rows
        _state.valid_until = _time.monotonic() + float(
            getattr(settings, "EGOV_CALENDAR_RECHECK_SECONDS", 10)
        )
        return cal


def invalidate(*, rebuild: bool = False) -> None:
    """Make the next ``get_calendar()`` re-read the overrides (and, with ``rebuild``, the
    settings). Tests that roll back override rows should call it."""
    _state.valid_until = 0.0
    if rebuild:
        _state.calendar = None
        _state.fingerprint = None


def _on_override_changed(sender, **kwargs) -> None:
    invalidate()


def _on_setting_changed(sender, setting, **kwargs) -> None:
    if setting in {
        "EGOV_OFFICE_HOURS",
        "EGOV_HOLIDAY_COUNTRY",
        "TIME_ZONE",
        "EGOV_CALENDAR_RECHECK_SECONDS",
    }:
        invalidate(rebuild=True)


def _connect_signals() -> None:
    from django.core.signals import setting_changed
    from django.db.models.signals import post_delete, post_save

    post_save.connect(
        _on_override_changed, sender="core.CalendarOverride", dispatch_uid="egov.calendar.saved"
    )
    post_delete.connect(
        _on_override_changed, sender="core.CalendarOverride", dispatch_uid="egov.calendar.deleted"
    )
    setting_changed.connect(_on_setting_changed, dispatch_uid="egov.calendar.settings")


_connect_signals()


# --- Service functions: the one path to change the overrides ------------------------------------


def set_override(day: date, kind: str, notice: str, *, name: str = "", actor=None):
    """Record that the yearly notice (Điều 112.3 BLLĐ 2019; e.g. TB 9441/TB-BNV) makes ``day`` a
    day off (``"day_off"``) or a working day (``"work_day"``). Creates or replaces the row,
    writes the ``calendar.override_set`` audit event and invalidates the cached calendar."""
    from django.db import transaction

    from egov.core import audit
    from egov.core.models import CalendarOverride

    if kind not in (DAY_OFF, WORK_DAY):
        raise CalendarError(f"override kind must be {DAY_OFF!r} or {WORK_DAY!r}, got {kind!r}")
    if isinstance(day, datetime) or not isinstance(day, date):
        raise CalendarError(f"expected a date, got {day!r}")
    notice = (notice or "").strip()
    if not notice:
        raise CalendarError("an override needs the notice that decided it (e.g. TB 9441/TB-BNV)")
    with transaction.atomic():
        previous = CalendarOverride.objects.select_for_update().filter(date=day).first()
        before = (
            None
            if previous is None
            else {"kind": previous.kind, "name": previous.name, "notice": previous.notice}
        )
        row, _ = CalendarOverride.objects.update_or_create(
            date=day, defaults={"kind": kind, "name": name, "notice": notice}
        )
        audit.record(
            "calendar.override_set",
            actor=actor,
            obj=row,
            data={
                "date": day.isoformat(),
                "kind": kind,
                "name": name,
                "notice": notice,
                "previous": before,
            },
        )
        transaction.on_commit(invalidate)
    invalidate()
    return row


def delete_override(day: date, *, actor=None) -> bool:
    """Remove the override of ``day`` (the holidays package decides again), writing the
    ``calendar.override_deleted`` audit event. Returns False if there was none."""
    from django.db import transaction

    from egov.core import audit
    from egov.core.models import CalendarOverride

    with transaction.atomic():
        row = CalendarOverride.objects.select_for_update().filter(date=day).first()
        if row is None:
            return False
        data = {"date": day.isoformat(), "kind": row.kind, "name": row.name, "notice": row.notice}
        pk = row.pk
        row.delete()
        audit.record(
            "calendar.override_deleted", actor=actor, obj=("core.calendaroverride", pk), data=data
        )
        transaction.on_commit(invalidate)
    invalidate()
    return True


# --- Module-level shortcuts on the process-wide calendar ---------------------------------------


def is_working_day(day: date | datetime) -> bool:
    """See ``WorkCalendar.is_working_day`` (BLLĐ 2019 Điều 111–112 plus the yearly notice)."""
    return get_calendar().is_working_day(day)


def day_info(day: date | datetime) -> DayInfo:
    """See ``WorkCalendar.day_info``: reason and source of a day's status."""
    return get_calendar().day_info(day)


def next_working_instant(moment: datetime) -> datetime:
    """See ``WorkCalendar.next_working_instant`` (office hours of working days only)."""
    return get_calendar().next_working_instant(moment)


def apply_cutoff(moment: datetime, cutoff_time: time | str) -> datetime:
    """See ``WorkCalendar.apply_cutoff``: received after the cut-off → next working day's opening."""
    return get_calendar().apply_cutoff(moment, cutoff_time)


def effective_start(moment: datetime, cutoff: time | str | None = None) -> datetime:
    """See ``WorkCalendar.effective_start``."""
    return get_calendar().effective_start(moment, cutoff)


def add_working_days(moment: datetime, n: int, cutoff: time | str | None = None) -> datetime:
    """See ``WorkCalendar.add_working_days``: same time of day on the n-th following working day
    (BLLĐ 2019 Điều 111–112; the yearly notice, e.g. TB 9441/TB-BNV)."""
    return get_calendar().add_working_days(moment, n, cutoff)


def add_working_hours(
    moment: datetime, hours: float | int | Decimal | timedelta, cutoff: time | str | None = None
) -> datetime:
    """See ``WorkCalendar.add_working_hours``: office time of working days only."""
    return get_calendar().add_working_hours(moment, hours, cutoff)


def working_time_between(a: datetime, b: datetime) -> timedelta:
    """See ``WorkCalendar.working_time_between``; ``timedelta(0)`` when ``b <= a``."""
    return get_calendar().working_time_between(a, b)


def non_working_weekdays(year: int) -> list[DayInfo]:
    """See ``WorkCalendar.non_working_weekdays``."""
    return get_calendar().non_working_weekdays(year)


def worked_saturdays(year: int) -> list[DayInfo]:
    """See ``WorkCalendar.worked_saturdays``."""
    return get_calendar().worked_saturdays(year)


# --- Display helpers ------------------------------------------------------------------------


def weekday_name(day: date) -> str:
    return gettext(WEEKDAYS_VI[day.weekday()])


def format_moment(moment: datetime, tz: ZoneInfo | None = None) -> str:
    """``"Thứ Tư, 25/02/2026 10:00"`` in local time."""
    local = moment.astimezone(tz or get_calendar().tz)
    return f"{weekday_name(local)}, {local:%d/%m/%Y %H:%M}"


def format_duration(value: timedelta) -> str:
    """``timedelta(hours=2, minutes=30)`` → ``"2 giờ 30 phút"`` (seconds are dropped)."""
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return gettext("%(hours)s giờ %(minutes)s phút") % {"hours": hours, "minutes": minutes}
    if minutes:
        return gettext("%(minutes)s phút") % {"minutes": minutes}
    return gettext("%(hours)s giờ") % {"hours": hours}


def add_duration(
    moment: datetime, amount: Decimal | int | float, unit: str, cutoff: time | str | None = None
) -> datetime:
    """A statutory time limit as procedures state it: ``amount`` working days (the fraction of a
    day counted as that share of the office hours, e.g. 0.5 day = half a working day) or working
    hours. Used for dossier and step deadlines (NĐ 61/2018, now NĐ 118/2025: thời hạn giải quyết
    tính theo ngày làm việc)."""
    amount = Decimal(str(amount))
    if amount < 0:
        raise CalendarError("a time limit cannot be negative")
    cal = get_calendar()
    if unit == "hours":
        return cal.add_working_hours(moment, amount, cutoff)
    if unit != "days":
        raise CalendarError(f"unit must be 'days' or 'hours', got {unit!r}")
    whole = int(amount)
    fraction = amount - whole
    due = cal.add_working_days(moment, whole, cutoff)
    if fraction:
        due = cal.add_working_hours(due, cal.hours.daily_total * float(fraction))
    return _closing_of_previous_day(cal, due) if amount else due


def _closing_of_previous_day(cal: WorkCalendar, due: datetime) -> datetime:
    """A due moment at the very opening of a working day is the same working instant as the
    close of the previous working day; the latter is what people expect on a receipt ("trả
    kết quả trong ngày làm việc tiếp theo" means by the end of that day, not 07:30 the day
    after)."""
    local = due.astimezone(cal.tz)
    offset = timedelta(
        hours=local.hour, minutes=local.minute, seconds=local.second, microseconds=local.microsecond
    )
    if offset != cal.hours.opening:
        return due
    day = local.date() - timedelta(days=1)
    for _ in range(366):
        if cal.is_working_day(day):
            closing = cal.hours.intervals[-1][1]
            return datetime.combine(day, time(0), tzinfo=cal.tz) + closing
        day -= timedelta(days=1)
    return due
