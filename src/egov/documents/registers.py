"""The printed registers of official documents (Nghị định 30/2020/NĐ-CP, Phụ lục IV) and the
report of incoming documents resolved on time / late per unit, as PDF and Excel.

- Sổ đăng ký văn bản đến / đi: the ten columns of Phụ lục IV (STANDARDS.md §1.4) with their
  exact headers, for one agency and any period inside one year (the register is kept per year:
  số đến and numbers restart on 1 January, Điều 15.1, 22.2). The PDF is A4 landscape: a title
  page (governing body, agency, "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", year, period, first and last number)
  then the table, header repeated on each page. The register of secret documents is kept
  apart (``secret=True``). Registering in the system is allowed, but the register must be
  printed with all its columns, signed and closed (Điều 16.2.b, 22.3.b): "Ký nhận" is left
  blank for the signature on paper.
- The Excel workbook has the same columns (bold header, dates dd/mm/yyyy, column widths),
  written in openpyxl's write-only mode.
- :func:`resolution_xlsx`: the resolution report (``selectors.resolution_by_unit``).

Rows come from ``documents.selectors`` (:func:`~egov.documents.selectors.incoming_register`,
:func:`~egov.documents.selectors.outgoing_register`); nothing here changes a document. Like
every legal form, the registers are printed in Vietnamese whatever the interface language.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.utils import timezone, translation

from egov.core.pdf import render_pdf
from egov.organizations.models import Agency

from . import doctypes, selectors
from .models import IncomingDocument, NumberSeries, OutgoingDocument, Secrecy

#: WeasyPrint lays out a dense landscape table at roughly half a second a page: beyond this
#: many rows the register is refused as PDF (the Excel export has no limit).
REGISTER_PDF_MAX_ROWS = 500

#: (header of Phụ lục IV, Excel column width in characters)
INCOMING_COLUMNS: tuple[tuple[str, float], ...] = (
    ("Ngày đến", 11),
    ("Số đến", 8),
    ("Tác giả", 28),
    ("Số, ký hiệu văn bản", 18),
    ("Ngày tháng văn bản", 11),
    ("Tên loại và trích yếu nội dung", 48),
    ("Đơn vị hoặc người nhận", 30),
    ("Ngày chuyển", 11),
    ("Ký nhận", 12),
    ("Ghi chú", 24),
)
OUTGOING_COLUMNS: tuple[tuple[str, float], ...] = (
    ("Số, ký hiệu văn bản", 18),
    ("Ngày tháng văn bản", 11),
    ("Tên loại và trích yếu nội dung", 48),
    ("Người ký", 20),
    ("Nơi nhận văn bản", 32),
    ("Đơn vị, người nhận bản lưu", 16),
    ("Số lượng bản", 8),
    ("Ngày chuyển", 11),
    ("Ký nhận", 12),
    ("Ghi chú", 24),
)
#: relative widths of the PDF columns (percent)
_PDF_WIDTHS = {
    "incoming": (8, 5, 14, 11, 8, 22, 13, 7, 6, 6),
    "outgoing": (11, 8, 24, 10, 14, 8, 5, 7, 6, 7),
}
#: columns holding dates (0-based), per kind
_DATE_COLUMNS = {"incoming": {0, 4, 7}, "outgoing": {1, 7}}

KINDS = ("incoming", "outgoing")
TITLES = {"incoming": "Sổ đăng ký văn bản đến", "outgoing": "Sổ đăng ký văn bản đi"}


class RegisterTooLarge(ValueError):
    """Too many documents in the period to print the register as one PDF."""

    def __init__(self, count: int, limit: int):
        self.count, self.limit = count, limit
        super().__init__(
            f"Trong khoảng thời gian này có {_thousands(count)} văn bản, quá số dòng in PDF một"
            f" lần (tối đa {_thousands(limit)}). Hãy chọn khoảng thời gian ngắn hơn hoặc tải bản"
            " Excel."
        )


class PeriodError(ValueError):
    """The period is empty or spans two years (a register is kept per year)."""


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def dmy(value: dt.date | None) -> str:
    return "" if value is None else f"{value:%d/%m/%Y}"


def check_period(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise PeriodError("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.")
    if start.year != end.year:
        raise PeriodError(
            "Sổ đăng ký văn bản được lập theo từng năm (số đến, số văn bản bắt đầu lại từ 01 "
            "vào ngày 01 tháng 01): hãy chọn khoảng thời gian trong cùng một năm."
        )


# --- rows ----------------------------------------------------------------------------------------


@dataclass
class Register:
    """One register for an agency and a period, ready to print."""

    kind: str
    agency: Agency
    start: dt.date
    end: dt.date
    secret: bool
    rows: list  # selectors.IncomingRegisterRow / OutgoingRegisterRow

    @property
    def columns(self) -> tuple[tuple[str, float], ...]:
        return INCOMING_COLUMNS if self.kind == "incoming" else OUTGOING_COLUMNS

    @property
    def title(self) -> str:
        title = TITLES[self.kind]
        return f"{title} mật" if self.secret else title

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def period(self) -> str:
        return f"Từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"

    @property
    def number_range(self) -> tuple[str, str]:
        """First and last số đến / number of the period ("Từ số … đến số …")."""
        if not self.rows:
            return "", ""
        if self.kind == "incoming":
            numbers = [r.arrival_number for r in self.rows]
            return f"{min(numbers):02d}", f"{max(numbers):02d}"
        numbers = [r.number for r in self.rows]
        return f"{min(numbers):02d}", f"{max(numbers):02d}"

    def cells(self, row) -> list:
        """The ten values of a row, dates as :class:`datetime.date` (or None)."""
        if self.kind == "incoming":
            return [
                row.arrival_date,
                f"{row.arrival_number:02d}",
                row.author,
                row.number_symbol,
                row.issued_date,
                row.type_and_subject,
                row.receiver,
                row.transferred_on,
                row.signature,
                row.note,
            ]
        return [
            row.number_symbol,
            row.issued_date,
            row.type_and_subject,
            row.signer,
            row.recipients,
            row.file_keeper,
            row.copies,
            row.transferred_on,
            row.signature,
            row.note,
        ]


def _count(kind: str, agency_id: int, start: dt.date, end: dt.date, secret: bool) -> int:
    if kind == "incoming":
        lo, hi = selectors._local_bounds(start, end)
        qs = IncomingDocument.objects.filter(
            agency_id=agency_id,
            arrival_number__isnull=False,
            registered_at__gte=lo,
            registered_at__lt=hi,
        )
    else:
        qs = OutgoingDocument.objects.filter(
            agency_id=agency_id,
            number__isnull=False,
            issued_date__gte=start,
            issued_date__lte=end,
        )
    qs = qs.filter(secrecy__gt=Secrecy.NORMAL) if secret else qs.filter(secrecy=Secrecy.NORMAL)
    return qs.count()


def build_register(
    kind: str, agency: Agency, start: dt.date, end: dt.date, *, secret: bool = False
) -> Register:
    """The register's rows: incoming by số đến, outgoing by series then number. ``secret``
    gives the register of secret documents (mật and above), kept apart; else the normal one."""
    if kind not in KINDS:
        raise ValueError(f"unknown register kind {kind!r}")
    check_period(start, end)
    if kind == "incoming":
        rows = selectors.incoming_register(agency.pk, start, end, secret=secret)
    else:
        secret_ids = set(
            OutgoingDocument.objects.filter(
                agency_id=agency.pk,
                number__isnull=False,
                issued_date__gte=start,
                issued_date__lte=end,
                secrecy__gt=Secrecy.NORMAL,
            ).values_list("id", flat=True)
        )
        rows = [
            r
            for r in selectors.outgoing_register(agency.pk, start, end)
            if (r.id in secret_ids) == secret
        ]
    return Register(kind, agency, start, end, secret, rows)


def series_names(agency_id: int) -> dict[str, str]:
    """Names of the outgoing number series of an agency, by scope (for sub-headings)."""
    names = {
        f"doc-out:{agency_id}:default": "Sổ văn bản đi",
        f"doc-out:{agency_id}:secret": "Sổ văn bản mật",
    }
    for t in doctypes.all_types():
        if t.legal_normative or t.copy_form:
            names[f"doc-out:{agency_id}:{t.code}"] = f"Sổ {t.name[:1].lower()}{t.name[1:]}"
    for key, name in NumberSeries.objects.filter(agency_id=agency_id).values_list("key", "name"):
        names[f"doc-out:{agency_id}:{key}"] = name
    return names


def _heading(agency: Agency) -> dict:
    """Cơ quan chủ quản above the agency keeping the register."""
    parent = agency.parent.government() if agency.parent_id else None
    return {"issuer_parent": parent.name if parent else "", "issuer_name": agency.name}


# --- PDF -----------------------------------------------------------------------------------------


def render_register_pdf(
    kind: str,
    agency: Agency,
    start: dt.date,
    end: dt.date,
    *,
    secret: bool = False,
    max_rows: int | None = REGISTER_PDF_MAX_ROWS,
) -> bytes:
    """The register as an A4 landscape PDF: title page, then the table. More than
    ``max_rows`` documents raise :class:`RegisterTooLarge` before anything is rendered
    (``None``: no limit)."""
    check_period(start, end)
    if max_rows is not None:
        count = _count(kind, agency.pk, start, end, secret)
        if count > max_rows:
            raise RegisterTooLarge(count, max_rows)
    register = build_register(kind, agency, start, end, secret=secret)
    dates = _DATE_COLUMNS[kind]
    names = series_names(agency.pk) if kind == "outgoing" else {}
    groups: list[dict] = []
    for row in register.rows:
        key = getattr(row, "series", "") or ""
        if not groups or groups[-1]["key"] != key:
            groups.append({"key": key, "name": names.get(key, key), "rows": []})
        groups[-1]["rows"].append(
            [
                dmy(v) if i in dates else ("" if v is None else str(v))
                for i, v in enumerate(register.cells(row))
            ]
        )
    first, last = register.number_range
    with translation.override("vi"):
        ctx = {
            **_heading(agency),
            "register": register,
            "title": register.title,
            "year": register.year,
            "period": register.period,
            "first_number": first,
            "last_number": last,
            "columns": [name for name, _w in register.columns],
            "widths": _PDF_WIDTHS[kind],
            "groups": groups,
            "show_groups": len(groups) > 1,
            "total": len(register.rows),
            "printed": f"{timezone.localtime():%d/%m/%Y %H:%M}",
            "pdf_title": f"{register.title} {register.period.lower()}",
        }
        return render_pdf("documents/registers/register.html", ctx)


# --- Excel ---------------------------------------------------------------------------------------


def _styles(workbook):
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    font = Font(name="Times New Roman", size=11)
    styles = {
        "text": NamedStyle(
            name="doc_text",
            font=font,
            border=border,
            alignment=Alignment(wrap_text=True, vertical="top"),
        ),
        "date": NamedStyle(
            name="doc_date",
            font=font,
            border=border,
            alignment=Alignment(vertical="top", horizontal="center"),
            number_format="dd/mm/yyyy",
        ),
        "number": NamedStyle(
            name="doc_number",
            font=font,
            border=border,
            alignment=Alignment(vertical="top", horizontal="right"),
        ),
        "head": NamedStyle(
            name="doc_head",
            font=Font(name="Times New Roman", size=11, bold=True),
            border=border,
            alignment=Alignment(wrap_text=True, horizontal="center", vertical="center"),
            fill=PatternFill("solid", fgColor="D9D9D9"),
        ),
        "plain": NamedStyle(name="doc_plain", font=font),
        "bold": NamedStyle(name="doc_bold", font=Font(name="Times New Roman", size=11, bold=True)),
        "title": NamedStyle(
            name="doc_title", font=Font(name="Times New Roman", size=14, bold=True)
        ),
    }
    for style in styles.values():
        workbook.add_named_style(style)
    return styles


def _workbook(title: str, widths):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    styles = _styles(workbook)

    def cell(value, style: str = "text"):
        c = WriteOnlyCell(sheet, value=value)
        c.style = styles[style].name
        return c

    return workbook, sheet, cell


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def register_xlsx(
    kind: str, agency: Agency, start: dt.date, end: dt.date, *, secret: bool = False
) -> bytes:
    """The register as an Excel workbook: title rows (agency, register, year and period), the
    ten column headers (bold, frozen), one row per document, dates shown dd/mm/yyyy."""
    register = build_register(kind, agency, start, end, secret=secret)
    workbook, sheet, cell = _workbook(register.title, [w for _n, w in register.columns])
    heading = _heading(agency)
    dates = _DATE_COLUMNS[kind]
    sheet.freeze_panes = "A6"
    sheet.append([cell(heading["issuer_parent"].upper(), "plain")])
    sheet.append([cell(heading["issuer_name"].upper(), "bold")])
    sheet.append([cell(f"{register.title.upper()} NĂM {register.year}", "title")])
    sheet.append([cell(register.period, "plain")])
    sheet.append([cell(name, "head") for name, _w in register.columns])
    for row in register.rows:
        values = register.cells(row)
        sheet.append(
            [
                cell(v, "date" if i in dates else ("number" if isinstance(v, int) else "text"))
                for i, v in enumerate(values)
            ]
        )
    return _save(workbook)


# --- resolution report ---------------------------------------------------------------------------

RESOLUTION_COLUMNS: tuple[tuple[str, float], ...] = (
    ("Đơn vị", 36),
    ("Tổng số", 10),
    ("Đã giải quyết đúng hạn", 14),
    ("Đã giải quyết quá hạn", 14),
    ("Đang giải quyết trong hạn", 14),
    ("Đang giải quyết quá hạn", 14),
    ("Tỷ lệ giải quyết đúng hạn (%)", 14),
)


def on_time_rate(row) -> float | None:
    done = row.done_on_time + row.done_late
    return round(100 * row.done_on_time / done, 1) if done else None


def resolution_totals(rows) -> selectors.UnitResolution:
    total = selectors.UnitResolution(0, "Tổng cộng")
    for r in rows:
        total.total += r.total
        total.done_on_time += r.done_on_time
        total.done_late += r.done_late
        total.open_on_time += r.open_on_time
        total.open_overdue += r.open_overdue
    return total


def resolution_cells(row) -> list:
    return [
        row.unit,
        row.total,
        row.done_on_time,
        row.done_late,
        row.open_on_time,
        row.open_overdue,
        on_time_rate(row),
    ]


def resolution_xlsx(agency: Agency, start: dt.date, end: dt.date, *, now=None) -> bytes:
    """The report of incoming documents resolved on time / late per unit (the parts directed
    in the period) as an Excel workbook, with a total row."""
    rows = selectors.resolution_by_unit(agency.pk, start, end, now=now)
    workbook, sheet, cell = _workbook("Giải quyết văn bản đến", [w for _n, w in RESOLUTION_COLUMNS])
    sheet.freeze_panes = "A5"
    sheet.append([cell(agency.name.upper(), "bold")])
    sheet.append([cell("TÌNH HÌNH GIẢI QUYẾT VĂN BẢN ĐẾN THEO ĐƠN VỊ", "title")])
    sheet.append([cell(f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}", "plain")])
    sheet.append([cell(name, "head") for name, _w in RESOLUTION_COLUMNS])
    for row in [*rows, resolution_totals(rows)]:
        sheet.append(
            [cell(v, "text" if i == 0 else "number") for i, v in enumerate(resolution_cells(row))]
        )
    return _save(workbook)
