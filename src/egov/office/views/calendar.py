"""The working-day calendar page: a year's days off and worked Saturdays, and a deadline tool."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from egov.core import calendar
from egov.core.forms import StyledForm

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_DAYS, MAX_HOURS = 3650, 30000


class YearForm(StyledForm):
    year = forms.IntegerField(
        label=_("Năm"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages={
            "required": _("Nhập năm cần xem."),
            "invalid": _("Năm phải là một số, ví dụ 2026."),
            "min_value": _("Năm phải từ %(limit_value)s trở đi."),
            "max_value": _("Năm phải không quá %(limit_value)s."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class DueForm(StyledForm):
    UNITS = [
        ("days", pgettext_lazy("deadline unit", "ngày làm việc")),
        ("hours", pgettext_lazy("deadline unit", "giờ làm việc")),
    ]

    start = forms.DateTimeField(
        label=_("Thời điểm tiếp nhận (dd/mm/yyyy HH:MM)"),
        input_formats=["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M"],
        error_messages={
            "required": _("Nhập thời điểm tiếp nhận."),
            "invalid": _(
                "Thời điểm không hợp lệ; nhập theo dạng dd/mm/yyyy HH:MM, ví dụ 13/02/2026 10:00."
            ),
        },
        widget=forms.DateTimeInput(
            format="%d/%m/%Y %H:%M",
            attrs={"placeholder": "13/02/2026 10:00", "autocomplete": "off"},
        ),
    )
    amount = forms.DecimalField(
        label=_("Thời hạn"),
        min_value=Decimal(0),
        max_digits=9,
        decimal_places=2,
        localize=True,
        error_messages={
            "required": _("Nhập thời hạn."),
            "invalid": _("Thời hạn phải là một số, ví dụ 3 hoặc 1,5."),
            "min_value": _("Thời hạn không được âm."),
            "max_digits": _("Thời hạn quá lớn."),
            "max_whole_digits": _("Thời hạn quá lớn."),
            "max_decimal_places": _("Thời hạn chỉ có tối đa %(max)s chữ số thập phân."),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "3"}),
    )
    unit = forms.ChoiceField(
        label=_("Đơn vị"),
        choices=UNITS,
        initial="days",
        error_messages={"required": _("Chọn đơn vị."), "invalid_choice": _("Đơn vị không hợp lệ.")},
    )
    cutoff = forms.TimeField(
        label=_("Giờ chốt nhận (không bắt buộc)"),
        required=False,
        input_formats=["%H:%M"],
        help_text=_("Hồ sơ nhận sau giờ này được tính từ ngày làm việc tiếp theo, ví dụ 15:00."),
        error_messages={
            "invalid": _("Giờ chốt nhận không hợp lệ; nhập theo dạng HH:MM, ví dụ 15:00.")
        },
        widget=forms.TimeInput(
            format="%H:%M", attrs={"placeholder": "15:00", "autocomplete": "off"}
        ),
    )

    def clean(self):
        data = super().clean()
        amount, unit = data.get("amount"), data.get("unit")
        if amount is None or unit is None:
            return data
        if unit == "days":
            if amount != amount.to_integral_value():
                self.add_error("amount", _("Số ngày làm việc phải là số nguyên."))
            elif amount > MAX_DAYS:
                self.add_error("amount", _("Số ngày làm việc tối đa là %(n)s.") % {"n": MAX_DAYS})
        elif amount > MAX_HOURS:
            self.add_error("amount", _("Số giờ làm việc tối đa là %(n)s.") % {"n": MAX_HOURS})
        return data


def _compute(form: DueForm) -> dict | None:
    data = form.cleaned_data
    cal = calendar.get_calendar()
    start, cutoff, amount = data["start"], data.get("cutoff"), data["amount"]
    try:
        begin = cal.effective_start(start, cutoff)
        if data["unit"] == "days":
            due = cal.add_working_days(start, int(amount), cutoff)
        else:
            due = cal.add_working_hours(start, amount, cutoff)
        worked = cal.working_time_between(begin, due)
    except (calendar.CalendarError, OverflowError, ValueError):
        form.add_error(
            None, _("Không tính được hạn cho dữ liệu này; kiểm tra lại thời điểm và thời hạn.")
        )
        return None
    return {
        "start": calendar.format_moment(start, cal.tz),
        "begin": calendar.format_moment(begin, cal.tz),
        "due": calendar.format_moment(due, cal.tz),
        "due_iso": due.isoformat(),
        "worked": calendar.format_duration(worked),
        "shifted": begin != start,
        "amount": int(amount) if amount == amount.to_integral_value() else amount.normalize(),
        "unit": dict(DueForm.UNITS)[data["unit"]],
        "cutoff": cutoff,
    }


@login_required
def calendar_tool(request):
    cal = calendar.get_calendar()
    this_year = timezone.localdate().year

    year_form = YearForm(
        request.GET if "year" in request.GET else None, initial={"year": this_year}
    )
    year = this_year
    if year_form.is_bound and year_form.is_valid():
        year = year_form.cleaned_data["year"]
    listing = None
    if not year_form.is_bound or year_form.is_valid():
        try:
            listing = {
                "off": cal.non_working_weekdays(year),
                "worked": cal.worked_saturdays(year),
                "total": cal.working_days_in_year(year),
            }
        except calendar.CalendarError:
            year_form.add_error(None, _("Không lập được lịch cho năm này."))

    due_bound = "start" in request.GET
    due_form = DueForm(request.GET if due_bound else None, initial={"unit": "days"})
    result = _compute(due_form) if due_bound and due_form.is_valid() else None

    return render(
        request,
        "office/calendar.html",
        {
            "year": year,
            "year_form": year_form,
            "listing": listing,
            "due_form": due_form,
            "result": result,
            "office_hours": str(cal.hours),
            "tz_name": cal.tz.key,
            "admin_url": reverse("admin:core_calendaroverride_changelist")
            if request.user.is_staff
            else None,
        },
    )
