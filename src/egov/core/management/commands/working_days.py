"""``manage.py working_days``: check a year's calendar, or compute a deadline.

manage.py working_days 2026
    the year's non-working weekdays and worked Saturdays, with reason and source
manage.py working_days --from 2026-02-13T10:00 --add 3d [--cutoff 15:00]
manage.py working_days --from "13/02/2026 10:00" --add 16h
    the due moment in local time (dd/mm/yyyy HH:MM, with the weekday)
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from egov.core import calendar

_AMOUNT = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([dh])\s*$", re.IGNORECASE)
_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def parse_moment(text: str, tz) -> datetime:
    """ISO 8601 (``2026-02-13T10:00``, with or without offset) or ``13/02/2026 10:00``; a moment
    without offset is local time."""
    value = None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        for fmt in _FORMATS:
            try:
                value = datetime.strptime(text.strip(), fmt)
                break
            except ValueError:
                continue
    if value is None:
        raise CommandError(
            f'--from {text!r}: không đọc được thời điểm; dùng 2026-02-13T10:00 hoặc "13/02/2026 10:00"'
        )
    if timezone.is_naive(value):
        value = value.replace(tzinfo=tz)
    return value


def parse_amount(text: str) -> tuple[str, int | Decimal]:
    """``"3d"`` → ("d", 3) working days; ``"16h"`` / ``"1.5h"`` → ("h", Decimal) working hours."""
    m = _AMOUNT.match(text or "")
    if not m:
        raise CommandError(
            f"--add {text!r}: dùng số ngày làm việc (ví dụ 3d) hoặc số giờ làm việc (ví dụ 16h, 1.5h)"
        )
    number, unit = m.group(1).replace(",", "."), m.group(2).lower()
    try:
        amount = Decimal(number)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only numbers
        raise CommandError(f"--add {text!r}: số không hợp lệ") from exc
    if unit == "d":
        if amount != amount.to_integral_value():
            raise CommandError(f"--add {text!r}: số ngày làm việc phải là số nguyên")
        return "d", int(amount)
    return "h", amount


class Command(BaseCommand):
    help = "Liệt kê ngày nghỉ/làm bù của một năm, hoặc tính hạn xử lý theo ngày/giờ làm việc."

    def add_arguments(self, parser):
        parser.add_argument(
            "year", nargs="?", type=int, help="Năm cần liệt kê (mặc định: năm hiện tại)"
        )
        parser.add_argument(
            "--from",
            dest="start",
            help="Thời điểm tiếp nhận, ví dụ 2026-02-13T10:00 (giờ Việt Nam)",
        )
        parser.add_argument(
            "--add", dest="amount", help="Thời hạn: 3d (ngày làm việc) hoặc 16h (giờ làm việc)"
        )
        parser.add_argument(
            "--cutoff",
            help="Giờ chốt nhận trong ngày, ví dụ 15:00 (nhận sau giờ này tính từ ngày làm việc tiếp theo)",
        )

    def handle(self, *args, year=None, start=None, amount=None, cutoff=None, **options):
        try:
            cal = calendar.get_calendar()
        except Exception as exc:  # malformed settings: report, do not trace back
            raise CommandError(str(exc)) from exc
        if start or amount or cutoff:
            if year is not None:
                raise CommandError(
                    "Chỉ dùng một trong hai cách: năm cần liệt kê, hoặc --from … --add …"
                )
            if not (start and amount):
                raise CommandError(
                    "Tính hạn cần cả --from (thời điểm tiếp nhận) và --add (ví dụ 3d hoặc 16h)"
                )
            self._due(cal, start, amount, cutoff)
        else:
            self._year(cal, year if year is not None else timezone.localdate().year)

    def _year(self, cal: calendar.WorkCalendar, year: int) -> None:
        if not 1900 <= year <= 2200:
            raise CommandError(f"Năm {year} nằm ngoài khoảng 1900–2200")
        try:
            off = cal.non_working_weekdays(year)
            worked = cal.worked_saturdays(year)
            total = cal.working_days_in_year(year)
        except (ValueError, OverflowError) as exc:  # CalendarError is a ValueError
            raise CommandError(str(exc)) from exc
        w = self.stdout.write
        w(f"Lịch làm việc năm {year} — giờ hành chính {cal.hours}, múi giờ {cal.tz.key}")
        w("")
        w(f"Ngày thường (Thứ Hai–Thứ Sáu) được nghỉ: {len(off)}")
        for info in off:
            w(self._line(info))
        w("")
        w(f"Ngày Thứ Bảy, Chủ nhật làm việc: {len(worked)}")
        for info in worked:
            w(self._line(info))
        w("")
        w(f"Tổng số ngày làm việc trong năm: {total}")

    @staticmethod
    def _line(info: calendar.DayInfo) -> str:
        return f"  {info.date:%d/%m/%Y}  {info.weekday_name:<9} {info.reason:<45} {info.source}"

    def _due(
        self, cal: calendar.WorkCalendar, start_text: str, amount_text: str, cutoff_text: str | None
    ) -> None:
        moment = parse_moment(start_text, cal.tz)
        unit, amount = parse_amount(amount_text)
        cutoff = None
        if cutoff_text:
            try:
                cutoff = calendar.parse_time_of_day(cutoff_text)
            except calendar.CalendarError as exc:
                raise CommandError(
                    f"--cutoff {cutoff_text!r}: dùng giờ dạng HH:MM, ví dụ 15:00"
                ) from exc
        try:
            begin = cal.effective_start(moment, cutoff)
            if unit == "d":
                due = cal.add_working_days(moment, amount, cutoff)
                label = f"{amount} ngày làm việc"
            else:
                due = cal.add_working_hours(moment, amount, cutoff)
                label = f"{amount.normalize():f} giờ làm việc"
        except (ValueError, OverflowError) as exc:  # CalendarError is a ValueError
            raise CommandError(f"Không tính được hạn: {exc}") from exc
        w = self.stdout.write
        w(f"Tiếp nhận:      {calendar.format_moment(moment, cal.tz)}")
        if cutoff is not None:
            w(f"Giờ chốt nhận:  {cutoff:%H:%M}")
        w(f"Bắt đầu tính:   {calendar.format_moment(begin, cal.tz)}")
        w(f"Thời hạn:       {label}")
        w(f"Hạn xử lý:      {calendar.format_moment(due, cal.tz)}")
        w(f"Thời gian làm việc: {calendar.format_duration(cal.working_time_between(begin, due))}")
