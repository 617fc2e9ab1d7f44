"""The statistics page of the one-stop shop: the standard report per agency and period, with a
chart, exportable to Excel. Reads only fact tables (``dossiers.statistics``)."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.scoping import visible_agency_ids
from egov.dossiers import statistics
from egov.organizations.models import Agency

CHART_COLOURS = {"early": "#198754", "on_time": "#0d6efd", "late": "#dc3545"}


def _parse(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime((value or "").strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


def governments_for(user) -> list[Agency]:
    """The People's Committees whose dossiers the user may count: those of their agencies (a
    one-stop unit or a department counts for its committee) and, for leaders, their subtree."""
    ids = visible_agency_ids(user)
    qs = Agency.objects.all() if ids is None else Agency.objects.filter(pk__in=ids)
    governments = {a.government() for a in qs.select_related("parent")}
    return sorted(
        (g for g in governments if g.kind in Agency.GOVERNMENT_KINDS), key=lambda a: a.path
    )


def _period(request) -> tuple[dt.date, dt.date, list[str]]:
    today = timezone.localdate()
    errors = []
    start = _parse(request.GET.get("from", "")) if request.GET.get("from") else today.replace(day=1)
    end = _parse(request.GET.get("to", "")) if request.GET.get("to") else today
    if start is None or end is None:
        errors.append(_("Ngày phải có dạng dd/mm/yyyy, ví dụ 01/03/2026."))
        start, end = today.replace(day=1), today
    elif end < start:
        errors.append(_("Ngày kết thúc phải sau ngày bắt đầu."))
        start, end = end, start
    return start, end, errors


@login_required
def statistics_view(request):
    start, end, errors = _period(request)
    agencies = governments_for(request.user)
    chosen = request.GET.get("agency", "")
    selected = next((a for a in agencies if str(a.pk) == chosen), None)
    if selected is not None:
        agencies = [a for a in agencies if a.path.startswith(selected.path)]
    report = statistics.report([a.pk for a in agencies], start, end)
    names = {a.pk: a for a in agencies}
    rows = [(names[pk], row) for pk, row in report.rows.items() if pk in names]
    rows.sort(key=lambda pair: pair[0].path)
    if request.GET.get("format") == "xlsx":
        return _xlsx(rows, report, start, end)
    chart = {
        "labels": [a.short_name or a.name for a, _row in rows],
        "datasets": [
            {
                "label": _("Trước hạn"),
                "data": [r.resolved_early for _a, r in rows],
                "backgroundColor": CHART_COLOURS["early"],
            },
            {
                "label": _("Đúng hạn"),
                "data": [r.resolved_on_time for _a, r in rows],
                "backgroundColor": CHART_COLOURS["on_time"],
            },
            {
                "label": _("Quá hạn"),
                "data": [r.resolved_late for _a, r in rows],
                "backgroundColor": CHART_COLOURS["late"],
            },
        ],
    }
    context = {
        "rows": rows,
        "report": report,
        "start": start,
        "end": end,
        "errors": errors,
        "chart": chart,
        "all_agencies": governments_for(request.user),
        "chosen": chosen,
    }
    return render(request, "dossiers/statistics/report.html", context)


HEADERS = [
    "Cơ quan",
    "Tổng số nhận giải quyết",
    "Kỳ trước chuyển qua",
    "Tiếp nhận trực tuyến",
    "Tiếp nhận trực tiếp",
    "Tiếp nhận qua bưu chính",
    "Đã giải quyết",
    "Trước hạn",
    "Đúng hạn",
    "Quá hạn",
    "Đang giải quyết",
    "Chưa đến hạn",
    "Quá hạn (đang giải quyết)",
    "Dừng, rút hồ sơ",
    "Đã trả kết quả",
    "Từ chối tiếp nhận",
    "Tỷ lệ đúng hạn (%)",
]


def _cells(row: statistics.Row) -> list:
    return [
        row.to_handle,
        row.carried_over,
        row.received_online,
        row.received_counter,
        row.received_post,
        row.resolved,
        row.resolved_early,
        row.resolved_on_time,
        row.resolved_late,
        row.in_progress,
        row.in_progress_on_time,
        row.in_progress_overdue,
        row.closed_without_result,
        row.returned,
        row.refused,
        row.on_time_rate,
    ]


def _xlsx(rows, report, start, end) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Thống kê"
    ws.append(
        [f"TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}"]
    )
    ws["A1"].font = Font(bold=True)
    ws.append(HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for agency, row in rows:
        ws.append([agency.name, *_cells(row)])
    ws.append(["Tổng cộng", *_cells(report.total)])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 40
    ws.freeze_panes = "B3"
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="thong-ke-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
    )
    return response
