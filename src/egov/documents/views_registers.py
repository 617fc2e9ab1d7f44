"""Pages that print the registers of official documents (sổ đăng ký văn bản đến / đi,
Phụ lục IV) as PDF or Excel, and the report of incoming documents resolved on time / late per
unit (page with a chart, and Excel). Read-only: nothing here changes a document.

Who may print: the clerks, leaders and administrators of an agency (leaders and administrators
also for the units under it), superusers for every agency. The agency is chosen among those.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from egov.accounts.scoping import visible_agency_ids
from egov.core.forms import StyledForm
from egov.organizations.models import Agency

from . import registers, selectors

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRINT_ROLES = ("clerk", "leader", "admin")
SUBTREE_ROLES = ("leader", "admin")
MAX_REPORT_DAYS = 366
CHART_COLOURS = {
    "done_on_time": "#198754",
    "done_late": "#dc3545",
    "open_on_time": "#0d6efd",
    "open_overdue": "#fd7e14",
}


def printable_agencies(user) -> list[Agency]:
    """Agencies whose registers ``user`` may print, in tree order."""
    if user.is_superuser:
        return list(Agency.objects.order_by("path"))
    memberships = list(
        user.memberships.filter(is_active=True, role__in=PRINT_ROLES).select_related("agency")
    )
    if not memberships:
        return []
    q = Q()
    for m in memberships:
        q |= Q(path__startswith=m.agency.path) if m.role in SUBTREE_ROLES else Q(pk=m.agency_id)
    ids = visible_agency_ids(user)
    qs = Agency.objects.filter(q)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return list(qs.order_by("path"))


def _agencies_or_403(user) -> list[Agency]:
    agencies = printable_agencies(user)
    if not agencies:
        raise PermissionDenied(
            _("Chỉ văn thư, lãnh đạo và quản trị của cơ quan được in sổ văn bản, báo cáo.")
        )
    return agencies


def _date_field(label, placeholder: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=["%d/%m/%Y"],
        error_messages={
            "required": gettext_lazy("Nhập ngày."),
            "invalid": gettext_lazy(
                "Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy, ví dụ 01/02/2026."
            ),
        },
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={"placeholder": placeholder, "autocomplete": "off", "inputmode": "numeric"},
        ),
    )


class PeriodForm(StyledForm):
    """Agency and period (dd/mm/yyyy). ``from`` is a Python keyword: the date fields are added
    in ``__init__``."""

    agency = forms.TypedChoiceField(
        label=gettext_lazy("Cơ quan"),
        coerce=int,
        error_messages={"invalid_choice": gettext_lazy("Chọn một cơ quan bạn được in sổ.")},
    )

    def __init__(self, *args, agencies: list[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        self.agencies = {a.pk: a for a in agencies}
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]
        self.fields["from"] = _date_field(gettext_lazy("Từ ngày (dd/mm/yyyy)"), "01/01/2026")
        self.fields["to"] = _date_field(gettext_lazy("Đến ngày (dd/mm/yyyy)"), "31/03/2026")
        for name in ("from", "to"):
            self.fields[name].widget.attrs["class"] = "form-control"

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            raise forms.ValidationError(_("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."))
        if "agency" in data:
            data["agency"] = self.agencies[data["agency"]]
        return data


class RegisterForm(PeriodForm):
    KINDS = [
        ("incoming", gettext_lazy("Sổ đăng ký văn bản đến")),
        ("outgoing", gettext_lazy("Sổ đăng ký văn bản đi")),
    ]
    kind = forms.ChoiceField(
        label=gettext_lazy("Sổ"),
        choices=KINDS,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Chọn sổ văn bản đến hoặc đi.")},
    )
    secret = forms.BooleanField(label=gettext_lazy("Sổ văn bản mật (lập riêng)"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and start <= end:
            try:
                registers.check_period(start, end)
            except registers.PeriodError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return data


class ReportForm(PeriodForm):
    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and (end - start).days + 1 > MAX_REPORT_DAYS:
            raise forms.ValidationError(
                _("Mỗi báo cáo tối đa %(days)s ngày; hãy chọn khoảng ngắn hơn.")
                % {"days": MAX_REPORT_DAYS}
            )
        return data


def _initial(agencies) -> dict:
    today = timezone.localdate()
    return {"agency": agencies[0].pk, "from": today.replace(month=1, day=1), "to": today}


def _download(content: bytes, content_type: str, name: str, *, inline: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _register_page(request, form, status: int = 200):
    return render(request, "documents/registers/register_page.html", {"form": form}, status=status)


def _register_form(request):
    """The bound form of a download request, or the page with its errors."""
    agencies = _agencies_or_403(request.user)
    form = RegisterForm(request.GET, agencies=agencies)
    return form, form.is_valid()


def _register_name(data: dict, ext: str) -> str:
    kind = "den" if data["kind"] == "incoming" else "di"
    secret = "-mat" if data["secret"] else ""
    return (
        f"so-dang-ky-van-ban-{kind}{secret}-{data['agency'].pk}-"
        f"{data['from']:%Y%m%d}-{data['to']:%Y%m%d}.{ext}"
    )


@login_required
@require_GET
def register_page(request):
    """Choose the register (incoming / outgoing, normal / secret), the agency and the period."""
    agencies = _agencies_or_403(request.user)
    form = RegisterForm(initial={**_initial(agencies), "kind": "incoming"}, agencies=agencies)
    return _register_page(request, form)


@login_required
@require_GET
def register_pdf(request):
    form, ok = _register_form(request)
    if not ok:
        return _register_page(request, form, 400)
    data = form.cleaned_data
    try:
        content = registers.render_register_pdf(
            data["kind"],
            data["agency"],
            data["from"],
            data["to"],
            secret=data["secret"],
            max_rows=registers.REGISTER_PDF_MAX_ROWS,
        )
    except registers.RegisterTooLarge as exc:
        form.add_error(None, str(exc))
        return _register_page(request, form, 400)
    return _download(content, PDF, _register_name(data, "pdf"), inline=True)


@login_required
@require_GET
def register_xlsx(request):
    form, ok = _register_form(request)
    if not ok:
        return _register_page(request, form, 400)
    data = form.cleaned_data
    content = registers.register_xlsx(
        data["kind"], data["agency"], data["from"], data["to"], secret=data["secret"]
    )
    return _download(content, XLSX, _register_name(data, "xlsx"), inline=False)


def _report_form(request):
    agencies = _agencies_or_403(request.user)
    if not request.GET:
        form = ReportForm(initial=_initial(agencies), agencies=agencies)
        initial = _initial(agencies)
        return form, {
            "agency": agencies[0],
            "from": initial["from"],
            "to": initial["to"],
        }
    form = ReportForm(request.GET, agencies=agencies)
    return form, (form.cleaned_data if form.is_valid() else None)


def _chart(rows) -> dict:
    return {
        "labels": [r.unit for r in rows],
        "datasets": [
            {
                "label": _("Đã giải quyết đúng hạn"),
                "data": [r.done_on_time for r in rows],
                "backgroundColor": CHART_COLOURS["done_on_time"],
            },
            {
                "label": _("Đã giải quyết quá hạn"),
                "data": [r.done_late for r in rows],
                "backgroundColor": CHART_COLOURS["done_late"],
            },
            {
                "label": _("Đang giải quyết trong hạn"),
                "data": [r.open_on_time for r in rows],
                "backgroundColor": CHART_COLOURS["open_on_time"],
            },
            {
                "label": _("Đang giải quyết quá hạn"),
                "data": [r.open_overdue for r in rows],
                "backgroundColor": CHART_COLOURS["open_overdue"],
            },
        ],
    }


@login_required
@require_GET
def resolution_report(request):
    """Incoming documents resolved on time / late per unit (the parts directed in the period):
    table, stacked bar chart, Excel download."""
    form, data = _report_form(request)
    context: dict = {"form": form}
    if data is None:
        return render(request, "documents/registers/resolution_report.html", context, status=400)
    rows = selectors.resolution_by_unit(data["agency"].pk, data["from"], data["to"])
    total = registers.resolution_totals(rows)
    context.update(
        {
            "agency": data["agency"],
            "start": data["from"],
            "end": data["to"],
            "rows": [(r, registers.on_time_rate(r)) for r in rows],
            "total": total,
            "total_rate": registers.on_time_rate(total),
            "chart": _chart(rows),
            "query": request.GET.urlencode(),
        }
    )
    return render(request, "documents/registers/resolution_report.html", context)


@login_required
@require_GET
def resolution_xlsx(request):
    form, data = _report_form(request)
    if data is None:
        return render(
            request, "documents/registers/resolution_report.html", {"form": form}, status=400
        )
    content = registers.resolution_xlsx(data["agency"], data["from"], data["to"])
    name = (
        f"giai-quyet-van-ban-den-{data['agency'].pk}-{data['from']:%Y%m%d}-{data['to']:%Y%m%d}.xlsx"
    )
    return _download(content, XLSX, name, inline=False)
