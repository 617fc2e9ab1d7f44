"""The working-day calendar: holidays, overrides, office hours, deadlines, the command and the page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from egov.accounts.tests.factories import UserFactory
from egov.core import calendar
from egov.core.calendar import CalendarError, OfficeHours, OfficeHoursError, Override, WorkCalendar
from egov.core.models import AuditEvent, CalendarOverride

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, month: int, year: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Rolled-back override rows must not survive in the process-wide calendar."""
    calendar.invalidate(rebuild=True)
    yield
    calendar.invalidate(rebuild=True)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


# --- Office hours ---------------------------------------------------------------------------


def test_default_office_hours_are_parsed():
    hours = OfficeHours.parse("07:30-11:30,13:30-17:00")
    assert hours.intervals == (
        (timedelta(hours=7, minutes=30), timedelta(hours=11, minutes=30)),
        (timedelta(hours=13, minutes=30), timedelta(hours=17)),
    )
    assert hours.daily_total == timedelta(hours=7, minutes=30)
    assert str(hours) == "07:30–11:30, 13:30–17:00"
    assert OfficeHours.parse(" 08:00 - 12:00 , 13:00-24:00 ").daily_total == timedelta(hours=15)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty"),
        ("07:30", "not an interval"),
        ("07:30-11:30;13:30-17:00", "not an interval"),
        ("7h30-11h30", "not a time of day"),
        ("07:30-25:00", "not a time of day"),
        ("11:30-07:30", "ends before it starts"),
        ("13:30-17:00,07:30-11:30", "overlaps or precedes"),
        ("07:30-12:00,11:30-17:00", "overlaps or precedes"),
        ("24:00-24:00", "not a time of day"),
    ],
)
def test_malformed_office_hours_give_a_clear_error(spec, message):
    with pytest.raises(OfficeHoursError, match=message):
        OfficeHours.parse(spec)


@pytest.mark.django_db
def test_malformed_setting_is_reported_by_name(settings):
    settings.EGOV_OFFICE_HOURS = "07:30-11:30,13:30"
    with pytest.raises(ImproperlyConfigured, match="EGOV_OFFICE_HOURS"):
        calendar.get_calendar()


@pytest.mark.django_db
def test_office_hours_setting_is_used(settings):
    settings.EGOV_OFFICE_HOURS = "08:00-12:00,13:00-17:00"
    assert calendar.next_working_instant(at(9, 3, 2026, 7, 45)) == at(9, 3, 2026, 8, 0)
    assert calendar.add_working_hours(at(9, 3, 2026, 11, 0), 2) == at(9, 3, 2026, 14, 0)


# --- The cases of the issue -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (at(13, 2, 2026, 10), 3, at(25, 2, 2026, 10)),  # Tết 16–20/02/2026
        (
            at(24, 4, 2026, 10),
            2,
            at(29, 4, 2026, 10),
        ),  # Giỗ Tổ 26/04 (Sunday) observed Monday 27/04
        (at(29, 4, 2026, 10), 1, at(4, 5, 2026, 10)),  # 30/4, 1/5, then the weekend
    ],
)
def test_deadlines_over_holidays(start, n, due):
    result = calendar.add_working_days(start, n)
    assert result == due
    assert result.tzinfo is not None and result.utcoffset() == timedelta(hours=7)


@pytest.mark.django_db
def test_friday_afternoon_plus_two_hours_is_monday_morning():
    # Exactly the end of the day: reported as Friday 17:00, not Monday's opening.
    assert calendar.add_working_hours(at(6, 3, 2026, 16), 1) == at(6, 3, 2026, 17)
    # Friday 06/03/2026 16:00 + 2h: one hour on Friday, one on Monday 09/03 from 07:30.
    assert calendar.add_working_hours(at(6, 3, 2026, 16), 2) == at(9, 3, 2026, 8, 30)
    assert calendar.add_working_hours(at(6, 3, 2026, 16), timedelta(hours=2)) == at(
        9, 3, 2026, 8, 30
    )


def test_lunch_break_is_skipped(cal):
    assert cal.add_working_hours(at(9, 3, 2026, 11), 1) == at(9, 3, 2026, 14)
    assert cal.add_working_hours(at(9, 3, 2026, 12), 1) == at(9, 3, 2026, 14, 30)
    assert cal.next_working_instant(at(9, 3, 2026, 12, 15)) == at(9, 3, 2026, 13, 30)
    assert cal.working_time_between(at(9, 3, 2026, 11), at(9, 3, 2026, 14)) == timedelta(hours=1)


def test_cutoff_at_fifteen(cal):
    # Received before or at the cut-off: counts from the moment itself.
    assert cal.apply_cutoff(at(10, 3, 2026, 14, 59), "15:00") == at(10, 3, 2026, 14, 59)
    assert cal.apply_cutoff(at(10, 3, 2026, 15, 0), time(15)) == at(10, 3, 2026, 15, 0)
    # After the cut-off: the next working day's opening.
    assert cal.apply_cutoff(at(10, 3, 2026, 15, 1), "15:00") == at(11, 3, 2026, 7, 30)
    # Friday after the cut-off: Monday. A day off: the next working day, whatever the hour.
    assert cal.apply_cutoff(at(13, 3, 2026, 16), "15:00") == at(16, 3, 2026, 7, 30)
    assert cal.apply_cutoff(at(14, 3, 2026, 9), "15:00") == at(16, 3, 2026, 7, 30)
    assert cal.apply_cutoff(at(13, 2, 2026, 15, 30), "15:00") == at(23, 2, 2026, 7, 30)


def test_cutoff_moves_the_deadline(cal):
    assert cal.add_working_days(at(10, 3, 2026, 14), 1, cutoff="15:00") == at(11, 3, 2026, 14)
    assert cal.add_working_days(at(10, 3, 2026, 16), 1, cutoff="15:00") == at(12, 3, 2026, 7, 30)
    assert cal.add_working_days(at(10, 3, 2026, 16), 0, cutoff="15:00") == at(11, 3, 2026, 7, 30)
    assert cal.add_working_hours(at(10, 3, 2026, 15, 30), 1, cutoff="15:00") == at(
        11, 3, 2026, 8, 30
    )
    assert cal.add_working_hours(at(10, 3, 2026, 15, 30), 1) == at(10, 3, 2026, 16, 30)


# --- Days -----------------------------------------------------------------------------------


def test_day_info_names_the_reason_and_source(cal):
    tet = cal.day_info(date(2026, 2, 17))
    assert (tet.working, tet.kind, tet.reason, tet.source) == (
        False,
        "holiday",
        "Tết Nguyên Đán",
        calendar.SOURCE_PACKAGE,
    )
    assert tet.weekday_name == "Thứ Ba" and tet.is_from_package and not tet.is_override
    monday = cal.day_info(date(2026, 3, 9))
    assert monday.working and monday.kind == "working_day"
    sunday = cal.day_info(date(2026, 3, 8))
    assert not sunday.working and sunday.kind == "weekend" and "Chủ nhật" in sunday.reason
    swap = cal.day_info(date(2026, 8, 22))
    assert swap.working and swap.kind == "worked_weekend" and "31/08/2026" in swap.reason


def test_an_aware_datetime_is_taken_at_its_local_date(cal):
    # Sunday 08/03/2026 18:00 UTC is already Monday 09/03 01:00 in Vietnam.
    sunday_utc = datetime(2026, 3, 8, 18, tzinfo=ZoneInfo("UTC"))
    assert cal.day_info(sunday_utc).date == date(2026, 3, 9)
    assert cal.is_working_day(sunday_utc)
    # Friday 13/02/2026 20:00 UTC is Saturday 14/02 03:00 in Vietnam.
    assert not cal.is_working_day(datetime(2026, 2, 13, 20, tzinfo=ZoneInfo("UTC")))


def test_year_listing_2026(cal):
    off = [d.date for d in cal.non_working_weekdays(2026)]
    assert off == [
        date(2026, 1, 1),
        date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19), date(2026, 2, 20),
        date(2026, 4, 27), date(2026, 4, 30), date(2026, 5, 1),
        date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2),
        date(2026, 11, 24),
    ]  # fmt: skip
    assert [d.date for d in cal.worked_saturdays(2026)] == [date(2026, 8, 22)]
    assert cal.working_days_in_year(2026) == 261 - 13 + 1


def test_notice_2025_swap(cal):
    """TB 6150/TB-BLĐTBXH: 2 May 2025 off, Saturday 26 April worked."""
    assert not cal.is_working_day(date(2025, 5, 2))
    assert cal.is_working_day(date(2025, 4, 26))
    assert not cal.is_working_day(date(2025, 4, 19))
    assert [d.date for d in cal.worked_saturdays(2025)] == [date(2025, 4, 26)]


def test_holidays_are_cached_per_year(cal):
    assert cal._exceptions(2026) is cal._exceptions(2026)
    assert 2027 not in cal._years
    cal.is_working_day(date(2027, 1, 4))
    assert 2027 in cal._years


def test_pure_calendar_with_overrides():
    cal = WorkCalendar(
        overrides=[
            Override(date(2026, 3, 14), "work_day", "TB 1/TB-TEST", "Làm bù"),
            Override(date(2026, 3, 11), "day_off", "TB 1/TB-TEST"),
            Override(date(2026, 2, 17), "work_day", "TB 2/TB-TEST"),
        ]
    )
    assert cal.is_working_day(date(2026, 3, 14))
    assert not cal.is_working_day(date(2026, 3, 11))
    assert cal.is_working_day(date(2026, 2, 17))  # an override wins over the package
    info = cal.day_info(date(2026, 3, 11))
    assert (info.kind, info.source, info.reason) == (
        "override_day_off",
        "TB 1/TB-TEST",
        "Ngày nghỉ theo thông báo",
    )
    assert [d.date for d in cal.worked_saturdays(2026)] == [date(2026, 3, 14), date(2026, 8, 22)]
    with pytest.raises(CalendarError):
        WorkCalendar(overrides=[Override(date(2026, 1, 2), "holiday", "x")])


# --- Overrides through the service and the admin table ----------------------------------------


@pytest.mark.django_db
def test_work_day_override_on_a_saturday_counts():
    saturday = date(2026, 3, 14)
    assert not calendar.is_working_day(saturday)
    assert calendar.add_working_days(at(13, 3, 2026, 10), 1) == at(16, 3, 2026, 10)

    row = calendar.set_override(saturday, "work_day", "TB 9441/TB-BNV", name="Làm việc bù")

    assert calendar.is_working_day(saturday)
    assert calendar.add_working_days(at(13, 3, 2026, 10), 1) == at(14, 3, 2026, 10)
    info = calendar.day_info(saturday)
    assert (info.kind, info.source, info.reason) == (
        "override_work_day",
        "TB 9441/TB-BNV",
        "Làm việc bù",
    )
    assert saturday in [d.date for d in calendar.worked_saturdays(2026)]
    event = AuditEvent.objects.get(action="calendar.override_set")
    assert event.object_id == str(row.pk)
    assert event.data == {
        "date": "2026-03-14",
        "kind": "work_day",
        "name": "Làm việc bù",
        "notice": "TB 9441/TB-BNV",
        "previous": None,
    }


@pytest.mark.django_db
def test_day_off_override_removes_a_weekday():
    user = UserFactory()
    thursday = date(2026, 3, 12)
    assert calendar.add_working_days(at(11, 3, 2026, 9), 2) == at(13, 3, 2026, 9)

    calendar.set_override(thursday, "day_off", "QĐ 12/QĐ-UBND", actor=user)

    assert not calendar.is_working_day(thursday)
    assert calendar.add_working_days(at(11, 3, 2026, 9), 2) == at(16, 3, 2026, 9)
    assert calendar.working_time_between(at(11, 3, 2026, 17), at(13, 3, 2026, 7, 30)) == timedelta(
        0
    )
    assert thursday in [d.date for d in calendar.non_working_weekdays(2026)]
    assert AuditEvent.objects.get(action="calendar.override_set").actor_id == user.pk

    # Replacing the row records the previous decision; deleting gives the day back.
    calendar.set_override(thursday, "work_day", "QĐ 13/QĐ-UBND", actor=user)
    assert (
        AuditEvent.objects.filter(action="calendar.override_set").first().data["previous"]["kind"]
        == "day_off"
    )
    assert calendar.is_working_day(thursday)
    assert calendar.delete_override(thursday, actor=user) is True
    assert calendar.delete_override(thursday, actor=user) is False
    assert not CalendarOverride.objects.exists()
    assert AuditEvent.objects.filter(action="calendar.override_deleted").count() == 1
    assert calendar.add_working_days(at(11, 3, 2026, 9), 2) == at(13, 3, 2026, 9)


@pytest.mark.django_db
def test_override_service_validates():
    with pytest.raises(CalendarError, match="kind"):
        calendar.set_override(date(2026, 3, 14), "holiday", "TB 1")
    with pytest.raises(CalendarError, match="notice"):
        calendar.set_override(date(2026, 3, 14), "work_day", "  ")
    assert not CalendarOverride.objects.exists()


@pytest.mark.django_db
def test_rows_saved_elsewhere_invalidate_the_cache():
    """Django admin saves the model directly; the calendar still sees the change at once."""
    saturday = date(2026, 3, 21)
    assert not calendar.is_working_day(saturday)
    row = CalendarOverride.objects.create(date=saturday, kind="work_day", notice="TB 9441/TB-BNV")
    assert calendar.is_working_day(saturday)
    row.kind = "day_off"
    row.save()
    assert not calendar.is_working_day(saturday)
    row.delete()
    assert calendar.day_info(saturday).kind == "weekend"


@pytest.mark.django_db
def test_other_processes_are_caught_up_by_the_recheck(settings):
    settings.EGOV_CALENDAR_RECHECK_SECONDS = 0
    cal = calendar.get_calendar()
    assert calendar.get_calendar() is cal  # nothing changed: the same instance, holidays kept
    CalendarOverride.objects.bulk_create(
        [CalendarOverride(date=date(2026, 3, 28), kind="work_day", notice="TB x")]
    )  # no signal
    assert calendar.is_working_day(date(2026, 3, 28))


# --- Moments --------------------------------------------------------------------------------


def test_next_working_instant(cal):
    assert cal.next_working_instant(at(9, 3, 2026, 10)) == at(9, 3, 2026, 10)
    assert cal.next_working_instant(at(9, 3, 2026, 7, 30)) == at(9, 3, 2026, 7, 30)
    assert cal.next_working_instant(at(9, 3, 2026, 6)) == at(9, 3, 2026, 7, 30)
    assert cal.next_working_instant(at(9, 3, 2026, 11, 30)) == at(9, 3, 2026, 13, 30)
    assert cal.next_working_instant(at(13, 3, 2026, 17)) == at(16, 3, 2026, 7, 30)
    assert cal.next_working_instant(at(15, 2, 2026, 10)) == at(
        23, 2, 2026, 7, 30
    )  # Sunday before Tết


def test_start_outside_office_hours_gives_the_opening_time(cal):
    assert cal.add_working_days(at(13, 3, 2026, 18), 1) == at(17, 3, 2026, 7, 30)
    assert cal.add_working_days(at(14, 3, 2026, 10), 1) == at(17, 3, 2026, 7, 30)
    assert cal.add_working_days(at(9, 3, 2026, 12), 1) == at(10, 3, 2026, 13, 30)
    assert cal.add_working_days(at(14, 3, 2026, 10), 0) == at(16, 3, 2026, 7, 30)


def test_utc_in_local_out(cal):
    utc = ZoneInfo("UTC")
    due = cal.add_working_days(datetime(2026, 2, 13, 3, 0, tzinfo=utc), 3)  # 10:00 local
    assert due == datetime(2026, 2, 25, 3, 0, tzinfo=utc)
    assert due.tzinfo == VN


def test_working_hours_amounts(cal):
    start = at(9, 3, 2026, 8)
    assert cal.add_working_hours(start, 1.5) == at(9, 3, 2026, 9, 30)
    assert cal.add_working_hours(start, Decimal("0.25")) == at(9, 3, 2026, 8, 15)
    assert cal.add_working_hours(start, timedelta(minutes=210)) == at(
        9, 3, 2026, 11, 30
    )  # end of the morning
    assert cal.add_working_hours(start, 0) == start
    assert cal.add_working_hours(at(9, 3, 2026, 7, 30), 7.5) == at(9, 3, 2026, 17)
    assert cal.add_working_hours(at(9, 3, 2026, 7, 30), 16) == at(11, 3, 2026, 8, 30)
    assert cal.add_working_hours(at(13, 2, 2026, 16), 2) == at(23, 2, 2026, 8, 30)  # over Tết


def test_working_time_between(cal):
    assert cal.working_time_between(at(9, 3, 2026, 10), at(9, 3, 2026, 10)) == timedelta(0)
    assert cal.working_time_between(at(9, 3, 2026, 11), at(9, 3, 2026, 10)) == timedelta(0)
    assert cal.working_time_between(at(9, 3, 2026), at(10, 3, 2026)) == timedelta(
        hours=7, minutes=30
    )
    assert cal.working_time_between(at(13, 3, 2026, 16), at(16, 3, 2026, 8)) == timedelta(
        hours=1, minutes=30
    )
    assert cal.working_time_between(at(13, 2, 2026, 10), at(25, 2, 2026, 10)) == timedelta(
        hours=22, minutes=30
    )
    assert cal.working_time_between(at(1, 1, 2026), at(1, 1, 2027)) == 249 * timedelta(
        hours=7, minutes=30
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.add_working_days(datetime(2026, 3, 9, 10), 1),
        lambda c: c.add_working_days(at(9, 3, 2026, 10), -1),
        lambda c: c.add_working_days(at(9, 3, 2026, 10), 1.5),
        lambda c: c.add_working_days(at(9, 3, 2026, 10), True),
        lambda c: c.add_working_hours(at(9, 3, 2026, 10), -1),
        lambda c: c.add_working_hours(at(9, 3, 2026, 10), float("nan")),
        lambda c: c.add_working_hours(at(9, 3, 2026, 10), "2"),
        lambda c: c.working_time_between(datetime(2026, 3, 9), at(9, 3, 2026)),
        lambda c: c.apply_cutoff(at(9, 3, 2026, 10), "25:00"),
        lambda c: c.is_working_day("2026-03-09"),
    ],
)
def test_bad_input_is_refused(cal, call):
    with pytest.raises(CalendarError):
        call(cal)


def test_display_helpers():
    assert calendar.format_moment(at(25, 2, 2026, 10), VN) == "Thứ Tư, 25/02/2026 10:00"
    assert calendar.format_duration(timedelta(hours=22, minutes=30)) == "22 giờ 30 phút"
    assert calendar.format_duration(timedelta(hours=16)) == "16 giờ"
    assert calendar.format_duration(timedelta(minutes=45)) == "45 phút"


# --- The command ----------------------------------------------------------------------------


def run(*args) -> str:
    out = StringIO()
    call_command("working_days", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_command_lists_a_year():
    calendar.set_override(date(2026, 12, 31), "day_off", "TB 9441/TB-BNV", name="Nghỉ thêm")
    out = run("2026")
    assert "Ngày thường (Thứ Hai–Thứ Sáu) được nghỉ: 14" in out
    assert "17/02/2026  Thứ Ba    Tết Nguyên Đán" in out
    assert "holidays package" in out
    assert "31/12/2026  Thứ Năm   Nghỉ thêm" in out and "TB 9441/TB-BNV" in out
    assert "Ngày Thứ Bảy, Chủ nhật làm việc: 1" in out
    assert "22/08/2026  Thứ Bảy" in out


@pytest.mark.django_db
def test_command_computes_due_moments():
    out = run("--from", "2026-02-13T10:00", "--add", "3d")
    assert "Hạn xử lý:      Thứ Tư, 25/02/2026 10:00" in out
    assert "Thời gian làm việc: 22 giờ 30 phút" in out
    out = run("--from", "13/02/2026 10:00", "--add", "16h")
    assert "Thứ Ba, 24/02/2026 11:00" in out  # 5h Friday, 7.5h Monday, 3.5h Tuesday
    out = run("--from", "2026-02-12T16:00", "--add", "1d", "--cutoff", "15:00")
    assert "Bắt đầu tính:   Thứ Sáu, 13/02/2026 07:30" in out
    assert "Hạn xử lý:      Thứ Hai, 23/02/2026 07:30" in out
    out = run("--from", "2026-03-06T09:00:00+00:00", "--add", "1,5h")  # 16:00 local
    assert "Thứ Hai, 09/03/2026 08:00" in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "hôm qua", "--add", "3d"), "không đọc được thời điểm"),
        (("--from", "2026-02-13T10:00", "--add", "3 tuần"), "ngày làm việc"),
        (("--from", "2026-02-13T10:00", "--add", "1.5d"), "số nguyên"),
        (
            (
                "--from",
                "2026-02-13T10:00",
            ),
            "cần cả --from",
        ),
        (
            (
                "--add",
                "3d",
            ),
            "cần cả --from",
        ),
        (("--from", "2026-02-13T10:00", "--add", "3d", "--cutoff", "3pm"), "HH:MM"),
        (("2026", "--from", "2026-02-13T10:00", "--add", "3d"), "một trong hai"),
        (("99999",), "ngoài khoảng"),
    ],
)
def test_command_errors(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


@pytest.mark.django_db
def test_command_reports_malformed_settings(settings):
    settings.EGOV_OFFICE_HOURS = "sáng-chiều"
    with pytest.raises(CommandError, match="EGOV_OFFICE_HOURS"):
        run("2026")


# --- The office page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_needs_login(client):
    resp = client.get("/calendar/")
    assert resp.status_code == 302 and "/accounts/login/" in resp.url


@pytest.mark.django_db
def test_page_lists_the_year_and_computes_a_deadline(client):
    client.force_login(UserFactory())
    page = client.get("/calendar/", {"year": "2026"}).content.decode()
    assert "Tết Nguyên Đán" in page and "17/02/2026" in page and "22/08/2026" in page
    assert "/admin/core/calendaroverride/" not in page

    resp = client.get(
        "/calendar/", {"year": "2026", "start": "13/02/2026 10:00", "amount": "3", "unit": "days"}
    )
    page = resp.content.decode()
    assert resp.status_code == 200
    assert "Thứ Tư, 25/02/2026 10:00" in page and "22 giờ 30 phút" in page

    page = client.get(
        "/calendar/", {"start": "06/03/2026 16:00", "amount": "2", "unit": "hours"}
    ).content.decode()
    assert "Thứ Hai, 09/03/2026 08:30" in page

    page = client.get(
        "/calendar/", {"start": "02/03/2026 08:00", "amount": "10", "unit": "days"}
    ).content.decode()
    assert "10 ngày làm việc" in page and "Thứ Hai, 16/03/2026 08:00" in page

    page = client.get(
        "/calendar/",
        {"start": "10/03/2026 15:30", "amount": "1,5", "unit": "hours", "cutoff": "15:00"},
    ).content.decode()
    assert "Thứ Tư, 11/03/2026 09:00" in page and "Bắt đầu tính" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "31/02/2026 10:00", "amount": "3", "unit": "days"}, "Thời điểm không hợp lệ"),
        ({"start": "", "amount": "3", "unit": "days"}, "Nhập thời điểm tiếp nhận"),
        ({"start": "13/02/2026 10:00", "amount": "ba", "unit": "days"}, "Thời hạn phải là một số"),
        (
            {"start": "13/02/2026 10:00", "amount": "1,5", "unit": "days"},
            "Số ngày làm việc phải là số nguyên",
        ),
        ({"start": "13/02/2026 10:00", "amount": "-1", "unit": "hours"}, "Thời hạn không được âm"),
        (
            {"start": "13/02/2026 10:00", "amount": "99999", "unit": "days"},
            "Số ngày làm việc tối đa",
        ),
        ({"start": "13/02/2026 10:00", "amount": "3", "unit": "weeks"}, "Đơn vị không hợp lệ"),
        (
            {"start": "13/02/2026 10:00", "amount": "3", "unit": "days", "cutoff": "3 giờ"},
            "Giờ chốt nhận không hợp lệ",
        ),
        ({"start": "31/12/9999 16:00", "amount": "3650", "unit": "days"}, "Không tính được hạn"),
        ({"year": "20x6"}, "Năm phải là một số"),
        ({"year": "1800"}, "Năm phải từ"),
    ],
)
def test_page_bad_input_gives_a_message_not_an_error(client, params, message):
    client.force_login(UserFactory())
    resp = client.get("/calendar/", params)
    assert resp.status_code == 200
    assert message in resp.content.decode()


@pytest.mark.django_db
def test_page_links_staff_to_the_override_admin(client):
    client.force_login(UserFactory(is_staff=True))
    page = client.get("/calendar/").content.decode()
    assert 'href="/admin/core/calendaroverride/"' in page


@pytest.mark.django_db
def test_add_duration_ends_at_the_close_of_a_day_not_the_next_opening():
    import datetime as _dt
    from decimal import Decimal as _D
    from zoneinfo import ZoneInfo as _Z

    from egov.core import calendar as cal

    vn_tz = _Z("Asia/Ho_Chi_Minh")
    # received Friday 06/03/2026 16:00 after a 15:00 cut-off: counted from Monday 07:30, 1 day → Monday 17:00
    due = cal.add_duration(_dt.datetime(2026, 3, 6, 16, 0, tzinfo=vn_tz), _D(1), "days", "15:00")
    assert due == _dt.datetime(2026, 3, 9, 17, 0, tzinfo=vn_tz)
    # during office hours nothing changes: same time of day, N working days later
    assert cal.add_duration(
        _dt.datetime(2026, 3, 6, 10, 0, tzinfo=vn_tz), _D(1), "days"
    ) == _dt.datetime(2026, 3, 9, 10, 0, tzinfo=vn_tz)
    # half a day from 09:00 is 14:45 (lunch skipped); zero stays zero
    assert cal.add_duration(
        _dt.datetime(2026, 3, 2, 9, 0, tzinfo=vn_tz), _D("0.5"), "days"
    ) == _dt.datetime(2026, 3, 2, 14, 45, tzinfo=vn_tz)
    # across Tết: a closing time before the holidays
    assert cal.add_duration(
        _dt.datetime(2026, 2, 12, 18, 0, tzinfo=vn_tz), _D(1), "days"
    ) == _dt.datetime(2026, 2, 13, 17, 0, tzinfo=vn_tz)
