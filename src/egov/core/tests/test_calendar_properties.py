"""Invariants of the working-day calendar, checked with Hypothesis on dates 2020–2030.

The calendar under test is a pure ``WorkCalendar`` (no database) with a few overrides, so that
the override path is exercised too.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from egov.core.calendar import SOURCE_PACKAGE, Override, WorkCalendar, _package_year

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OVERRIDES = [
    Override(date(2023, 3, 11), "work_day", "TB test 1"),  # a Saturday worked
    Override(date(2024, 7, 17), "day_off", "TB test 2"),  # a Wednesday off
    Override(date(2027, 2, 4), "work_day", "TB test 3"),  # a package holiday (29 Tết) worked
    Override(date(2028, 12, 29), "day_off", "TB test 4"),  # a Friday off
]
CAL = WorkCalendar("07:30-11:30,13:30-17:00", OVERRIDES)
DAILY = CAL.hours.daily_total

EPOCH = datetime(2020, 1, 1, tzinfo=VN)
SPAN_SECONDS = int((datetime(2030, 12, 31, tzinfo=VN) - EPOCH).total_seconds())
bounded = settings(max_examples=200, deadline=None)

moments = st.integers(0, SPAN_SECONDS).map(lambda s: EPOCH + timedelta(seconds=s))
normalised = moments.map(CAL.next_working_instant)
days = st.integers(0, 60)
durations = st.integers(1, 200 * 60).map(lambda m: timedelta(minutes=m))  # up to 200 working hours
fine_durations = st.integers(1, 40 * 3600).map(lambda s: timedelta(seconds=s))


def in_office_hours(moment: datetime) -> bool:
    local = moment.astimezone(VN)
    offset = local - local.replace(hour=0, minute=0, second=0, microsecond=0)
    return CAL.is_working_day(local) and CAL.hours.contains(offset)


@bounded
@given(moments)
def test_next_working_instant_is_open_idempotent_and_not_earlier(moment):
    opened = CAL.next_working_instant(moment)
    assert opened >= moment
    assert in_office_hours(opened)
    assert CAL.next_working_instant(opened) == opened
    assert CAL.working_time_between(moment, opened) == timedelta(0)


@bounded
@given(moments, days)
def test_add_working_days_lands_on_a_working_day_in_office_hours(moment, n):
    due = CAL.add_working_days(moment, n)
    start = CAL.next_working_instant(moment)
    assert CAL.is_working_day(due)
    assert in_office_hours(due)
    assert due.astimezone(VN).time() == start.astimezone(VN).time()
    assert due >= moment


@bounded
@given(normalised, days)
def test_n_working_days_are_n_full_office_days(start, n):
    assert CAL.working_time_between(start, CAL.add_working_days(start, n)) == n * DAILY


@bounded
@given(moments, days, days)
def test_add_working_days_is_monotone(moment, a, b):
    low, high = sorted((a, b))
    if low == high:
        assert CAL.add_working_days(moment, low) == CAL.add_working_days(moment, high)
    else:
        assert CAL.add_working_days(moment, low) < CAL.add_working_days(moment, high)


@bounded
@given(moments, days, days)
def test_add_working_days_composes(moment, a, b):
    assert CAL.add_working_days(CAL.add_working_days(moment, a), b) == CAL.add_working_days(
        moment, a + b
    )


@bounded
@given(normalised, fine_durations)
def test_working_time_between_inverts_add_working_hours(start, hours):
    assert CAL.working_time_between(start, CAL.add_working_hours(start, hours)) == hours


@bounded
@given(normalised, durations, durations)
def test_add_working_hours_is_associative(start, a, b):
    assert CAL.add_working_hours(start, a + b) == CAL.add_working_hours(
        CAL.add_working_hours(start, a), b
    )


@bounded
@given(moments, durations)
def test_add_working_hours_ends_on_a_working_day_inside_or_at_the_end_of_office_hours(
    moment, hours
):
    due = CAL.add_working_hours(moment, hours)
    local = due.astimezone(VN)
    offset = local - local.replace(hour=0, minute=0, second=0, microsecond=0)
    assert due > moment
    assert CAL.is_working_day(due)
    assert any(start < offset <= end for start, end in CAL.hours.intervals)


@bounded
@given(moments, moments, moments)
def test_working_time_between_is_additive_and_bounded(a, b, c):
    a, b, c = sorted((a, b, c))
    assert CAL.working_time_between(a, c) == CAL.working_time_between(
        a, b
    ) + CAL.working_time_between(b, c)
    assert timedelta(0) <= CAL.working_time_between(a, b) <= b - a
    assert CAL.working_time_between(c, a) == timedelta(0)


@bounded
@given(moments, st.integers(0, 23 * 60 + 59))
def test_cutoff_never_moves_a_moment_back(moment, minutes):
    cutoff = f"{minutes // 60:02d}:{minutes % 60:02d}"
    moved = CAL.apply_cutoff(moment, cutoff)
    assert moved >= moment
    if moved != moment:
        assert CAL.is_working_day(moved) and moved.astimezone(VN).time() == time(7, 30)
    assert CAL.add_working_days(moment, 1, cutoff) >= CAL.add_working_days(moment, 1)


@bounded
@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)))
def test_a_holiday_is_never_worked_unless_overridden(day):
    holidays, worked = _package_year("VN", "vi", day.year)
    override = next((o for o in OVERRIDES if o.date == day), None)
    info = CAL.day_info(day)
    if override is not None:
        assert info.working == (override.kind == "work_day") and info.source == override.notice
    elif day in holidays:
        assert not CAL.is_working_day(day) and info.source == SOURCE_PACKAGE
    elif day in worked:
        assert CAL.is_working_day(day)
    else:
        assert CAL.is_working_day(day) == (day.weekday() < 5)


def test_listing_matches_day_info_over_the_decade():
    for year in range(2020, 2031):
        off = {d.date for d in CAL.non_working_weekdays(year)}
        worked = {d.date for d in CAL.worked_saturdays(year)}
        day = date(year, 1, 1)
        while day.year == year:
            working = CAL.is_working_day(day)
            assert (day in off) == (not working and day.weekday() < 5)
            assert (day in worked) == (working and day.weekday() >= 5)
            day += timedelta(days=1)
