"""Import and export of the procedure catalog as Excel (.xlsx) or CSV (UTF-8 with BOM).

One row per procedure version; the columns are :data:`COLUMNS` (then the optional
:data:`OPTIONAL_COLUMNS`), documented in docs/procedures.md. Papers, fees and internal steps
are one cell each, one item per line, parts separated by ``|``::

    Tờ khai đăng ký khai sinh | bản chính | 1
    Lệ phí đăng ký khai sinh | lệ phí | 0
    Tiếp nhận hồ sơ | onestop | | onestop | 0,5

Reading is lenient about spelling (diacritics and case are ignored, Vietnamese labels and the
internal codes are both accepted) and strict about meaning: every value that cannot be
understood gives an error with the row, the column and a Vietnamese message, and the row is
not saved. Writing goes through ``services.save_version`` only (ARCHITECTURE rule 1), one row
per transaction, so good rows are kept when others fail.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from egov.accounts.models import Role
from egov.core.text import fold, nfc
from egov.procedures import services
from egov.procedures.models import (
    AgencyLevel,
    Field,
    OnlineLevel,
    ProcedureVersion,
    ProcessStep,
    RequiredPaper,
    national_code_validator,
)
from egov.procedures.models import Fee as FeeModel

log = logging.getLogger(__name__)

#: Most rows one file may hold (the national catalog has about 6,000 procedures).
MAX_ROWS = 20_000
#: Largest CSV accepted (a CSV of the whole catalog is well under 5 MB).
CSV_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy Vietnamese header
    required: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("national_code", gettext_lazy("Mã thủ tục")),
    Column("name", gettext_lazy("Tên thủ tục")),
    Column("field_code", gettext_lazy("Mã lĩnh vực")),
    Column("field_name", gettext_lazy("Tên lĩnh vực")),
    Column("level", gettext_lazy("Cấp thực hiện")),
    Column("online_level", gettext_lazy("Mức độ DVC")),
    Column("processing_time", gettext_lazy("Thời hạn giải quyết")),
    Column("time_unit", gettext_lazy("Đơn vị thời hạn")),
    Column("cutoff_time", gettext_lazy("Giờ chốt nhận (HH:MM)")),
    Column("effective_from", gettext_lazy("Hiệu lực từ (dd/mm/yyyy)")),
    Column("legal_basis", gettext_lazy("Căn cứ pháp lý")),
    Column("result_type", gettext_lazy("Kết quả thực hiện")),
    Column("papers", gettext_lazy("Thành phần hồ sơ")),
    Column("fees", gettext_lazy("Phí, lệ phí")),
    Column("steps", gettext_lazy("Quy trình nội bộ")),
)
OPTIONAL_COLUMNS: tuple[Column, ...] = (
    Column("applicant_kinds", gettext_lazy("Đối tượng thực hiện"), required=False),
    Column("note", gettext_lazy("Ghi chú"), required=False),
)
ALL_COLUMNS = COLUMNS + OPTIONAL_COLUMNS
LABELS = {c.key: c.label for c in ALL_COLUMNS}

#: Model field (from a ValidationError of save_version) → column key
_MODEL_FIELD_COLUMN = {
    "national_code": "national_code",
    "name": "name",
    "level": "level",
    "online_level": "online_level",
    "processing_time": "processing_time",
    "time_unit": "time_unit",
    "cutoff_time": "cutoff_time",
    "effective_from": "effective_from",
    "legal_basis": "legal_basis",
    "result_type": "result_type",
    "applicant_kinds": "applicant_kinds",
    "note": "note",
}

# --- vocabularies: folded spelling → internal value ------------------------------------------

LEVEL_WORDS = {
    "province": AgencyLevel.PROVINCE,
    "tinh": AgencyLevel.PROVINCE,
    "cap tinh": AgencyLevel.PROVINCE,
    "district": AgencyLevel.DISTRICT,
    "huyen": AgencyLevel.DISTRICT,
    "cap huyen": AgencyLevel.DISTRICT,
    "commune": AgencyLevel.COMMUNE,
    "xa": AgencyLevel.COMMUNE,
    "cap xa": AgencyLevel.COMMUNE,
}
ONLINE_WORDS = {
    "2": OnlineLevel.OFFLINE,
    "muc 2": OnlineLevel.OFFLINE,
    "muc do 2": OnlineLevel.OFFLINE,
    "offline": OnlineLevel.OFFLINE,
    "dich vu cong": OnlineLevel.OFFLINE,
    "khong truc tuyen": OnlineLevel.OFFLINE,
    "dich vu cong (khong truc tuyen)": OnlineLevel.OFFLINE,
    "partial": OnlineLevel.PARTIAL,
    "3": OnlineLevel.PARTIAL,
    "muc 3": OnlineLevel.PARTIAL,
    "muc do 3": OnlineLevel.PARTIAL,
    "mot phan": OnlineLevel.PARTIAL,
    "dvctt mot phan": OnlineLevel.PARTIAL,
    "truc tuyen mot phan": OnlineLevel.PARTIAL,
    "full": OnlineLevel.FULL,
    "4": OnlineLevel.FULL,
    "muc 4": OnlineLevel.FULL,
    "muc do 4": OnlineLevel.FULL,
    "toan trinh": OnlineLevel.FULL,
    "dvctt toan trinh": OnlineLevel.FULL,
    "truc tuyen toan trinh": OnlineLevel.FULL,
}
UNIT_WORDS = {
    "days": ProcedureVersion.TimeUnit.DAYS,
    "ngay": ProcedureVersion.TimeUnit.DAYS,
    "ngay lam viec": ProcedureVersion.TimeUnit.DAYS,
    "hours": ProcedureVersion.TimeUnit.HOURS,
    "gio": ProcedureVersion.TimeUnit.HOURS,
    "gio lam viec": ProcedureVersion.TimeUnit.HOURS,
}
PAPER_KIND_WORDS = {
    "original": RequiredPaper.Kind.ORIGINAL,
    "ban chinh": RequiredPaper.Kind.ORIGINAL,
    "copy": RequiredPaper.Kind.COPY,
    "ban sao": RequiredPaper.Kind.COPY,
    "certified_copy": RequiredPaper.Kind.CERTIFIED_COPY,
    "ban sao chung thuc": RequiredPaper.Kind.CERTIFIED_COPY,
    "ban sao co chung thuc": RequiredPaper.Kind.CERTIFIED_COPY,
    "original_or_copy": RequiredPaper.Kind.ORIGINAL_OR_COPY,
    "ban chinh hoac ban sao": RequiredPaper.Kind.ORIGINAL_OR_COPY,
}
FEE_KIND_WORDS = {
    "fee": FeeModel.Kind.FEE,
    "phi": FeeModel.Kind.FEE,
    "charge": FeeModel.Kind.CHARGE,
    "le phi": FeeModel.Kind.CHARGE,
}
STEP_UNIT_WORDS = {
    "onestop": ProcessStep.Unit.ONESTOP,
    "mot cua": ProcessStep.Unit.ONESTOP,
    "bo phan mot cua": ProcessStep.Unit.ONESTOP,
    "department": ProcessStep.Unit.DEPARTMENT,
    "phong": ProcessStep.Unit.DEPARTMENT,
    "phong chuyen mon": ProcessStep.Unit.DEPARTMENT,
    "government": ProcessStep.Unit.GOVERNMENT,
    "ubnd": ProcessStep.Unit.GOVERNMENT,
    "lanh dao": ProcessStep.Unit.GOVERNMENT,
    "lanh dao ubnd": ProcessStep.Unit.GOVERNMENT,
    "higher": ProcessStep.Unit.HIGHER,
    "cap tren": ProcessStep.Unit.HIGHER,
    "lien thong": ProcessStep.Unit.HIGHER,
    "co quan cap tren": ProcessStep.Unit.HIGHER,
    "co quan cap tren (lien thong)": ProcessStep.Unit.HIGHER,
}
ROLE_WORDS = {value: value for value in Role.values} | {
    "van thu": Role.CLERK,
    "lanh dao": Role.LEADER,
    "chuyen vien": Role.SPECIALIST,
    "can bo mot cua": Role.ONESTOP,
    "mot cua": Role.ONESTOP,
    "thu phi": Role.FEE,
    "ke toan": Role.FEE,
    "thu phi, ke toan": Role.FEE,
    "quan tri": Role.ADMIN,
}
NOT_REQUIRED_WORDS = {"khong bat buoc", "optional", "neu co"}
FREE_WORDS = {"mien", "mien phi", "khong thu", "khong"}

# Short labels written on export (all of them are read back by the tables above).
LEVEL_EXPORT = {
    AgencyLevel.PROVINCE: "Cấp tỉnh",
    AgencyLevel.DISTRICT: "Cấp huyện",
    AgencyLevel.COMMUNE: "Cấp xã",
}
ONLINE_EXPORT = {
    OnlineLevel.OFFLINE: "Mức 2",
    OnlineLevel.PARTIAL: "Một phần",
    OnlineLevel.FULL: "Toàn trình",
}
UNIT_EXPORT = {
    ProcedureVersion.TimeUnit.DAYS: "ngày làm việc",
    ProcedureVersion.TimeUnit.HOURS: "giờ làm việc",
}
PAPER_KIND_EXPORT = {
    RequiredPaper.Kind.ORIGINAL: "bản chính",
    RequiredPaper.Kind.COPY: "bản sao",
    RequiredPaper.Kind.CERTIFIED_COPY: "bản sao chứng thực",
    RequiredPaper.Kind.ORIGINAL_OR_COPY: "bản chính hoặc bản sao",
}
FEE_KIND_EXPORT = {FeeModel.Kind.FEE: "phí", FeeModel.Kind.CHARGE: "lệ phí"}


# --- errors ----------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str  # the column header as shown to people ("" = the whole row or file)
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class FileError(Exception):
    """The file as a whole cannot be read (not a table, wrong header, too many rows)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- reading values --------------------------------------------------------------------------


def _text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return nfc(str(raw)).strip()


def _vocab(raw, words: dict, allowed_text: str, what: str) -> str:
    value = fold(_text(raw))
    if value in words:
        return words[value]
    raise ValueError(
        _("%(what)s “%(value)s” không hợp lệ; dùng một trong: %(allowed)s.")
        % {"what": what, "value": _text(raw), "allowed": allowed_text}
    )


def parse_decimal(raw, what: str) -> Decimal:
    """A number of days or hours: ``15``, ``0,5`` or ``0.5`` (also numeric Excel cells)."""
    if isinstance(raw, bool):
        raw = _text(raw)
    if isinstance(raw, int | float | Decimal):
        value = Decimal(str(raw))
    else:
        text = _text(raw).replace(" ", "").replace(",", ".")
        if not text:
            raise ValueError(_("%(what)s: chưa nhập.") % {"what": what})
        if not re.fullmatch(r"\d+(\.\d+)?", text):
            raise ValueError(
                _("%(what)s: “%(value)s” không phải là số (ví dụ 15 hoặc 0,5).")
                % {"what": what, "value": _text(raw)}
            )
        value = Decimal(text)
    if value < 0 or value >= 10000:
        raise ValueError(_("%(what)s phải từ 0 đến 9999.") % {"what": what})
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(_("%(what)s có nhiều nhất 2 chữ số thập phân.") % {"what": what})
    return value.quantize(Decimal("0.01"))


def parse_amount(raw) -> int:
    """Money in đồng: ``100000``, ``100.000``, ``100.000 đ``, ``0`` or ``miễn``."""
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        value = Decimal(str(raw))
        if value != value.to_integral_value() or value < 0:
            raise ValueError(_("Số tiền phải là số đồng nguyên, không âm."))
        return int(value)
    text = fold(_text(raw))
    if not text or text in FREE_WORDS:
        return 0
    text = re.sub(r"\s*(d|dong|vnd)$", "", text)
    digits = re.sub(r"[.,\s]", "", text)
    if not digits.isdigit():
        raise ValueError(
            _("Số tiền “%(value)s” không hợp lệ (ví dụ 100.000 hoặc 0).") % {"value": _text(raw)}
        )
    if len(digits) > 15:
        raise ValueError(_("Số tiền quá lớn."))
    return int(digits)


def parse_date(raw) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = _text(raw)
    if not text:
        raise ValueError(_("Chưa nhập ngày hiệu lực."))
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("Ngày “%(value)s” không hợp lệ; viết dd/mm/yyyy.") % {"value": text})


def parse_time(raw) -> dt.time | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, dt.datetime):
        return raw.time().replace(second=0, microsecond=0)
    if isinstance(raw, dt.time):
        return raw.replace(second=0, microsecond=0)
    text = _text(raw).lower().replace("h", ":").replace("g", ":")
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2}):(\d{2})?(?::\d{2})?", text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    raise ValueError(
        _("Giờ “%(value)s” không hợp lệ; viết HH:MM, ví dụ 15:00.") % {"value": _text(raw)}
    )


def _lines(raw) -> list[tuple[int, list[str]]]:
    """(line number in the cell, parts split on ``|``) of the non-blank lines of a cell."""
    out = []
    for n, line in enumerate(_text(raw).replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        line = line.strip()
        if line:
            out.append((n, [p.strip() for p in line.split("|")]))
    return out


def _in_line(n: int, message: str) -> str:
    return _("dòng %(n)d trong ô: %(message)s") % {"n": n, "message": message}


def parse_papers(raw) -> list[dict]:
    """``name | bản chính/bản sao | count [| template name [| không bắt buộc]]``"""
    papers = []
    for n, parts in _lines(raw):
        if len(parts) > 5:
            raise ValueError(_in_line(n, _("có quá nhiều phần (tối đa 5, cách nhau bởi |).")))
        name = parts[0]
        if not name:
            raise ValueError(_in_line(n, _("chưa có tên giấy tờ.")))
        kind = RequiredPaper.Kind.ORIGINAL
        if len(parts) > 1 and parts[1]:
            try:
                kind = _vocab(
                    parts[1],
                    PAPER_KIND_WORDS,
                    ", ".join(PAPER_KIND_EXPORT.values()),
                    _("loại bản"),
                )
            except ValueError as exc:
                raise ValueError(_in_line(n, str(exc))) from None
        count = 1
        if len(parts) > 2 and parts[2]:
            if not parts[2].isdigit() or not 1 <= int(parts[2]) <= 100:
                raise ValueError(
                    _in_line(
                        n,
                        _("số lượng “%(value)s” phải là số nguyên từ 1 đến 100.")
                        % {"value": parts[2]},
                    )
                )
            count = int(parts[2])
        template_name = parts[3] if len(parts) > 3 else ""
        required = True
        if len(parts) > 4 and parts[4]:
            if fold(parts[4]) not in NOT_REQUIRED_WORDS:
                raise ValueError(
                    _in_line(
                        n,
                        _("phần thứ 5 chỉ được là “không bắt buộc”, không phải “%(value)s”.")
                        % {"value": parts[4]},
                    )
                )
            required = False
        if len(name) > 500 or len(template_name) > 200:
            raise ValueError(_in_line(n, _("tên quá dài.")))
        papers.append(
            {
                "name": name,
                "kind": kind,
                "count": count,
                "required": required,
                "template_name": template_name,
            }
        )
    return papers


def parse_fees(raw) -> list[dict]:
    """``name | phí/lệ phí | amount [| note]``"""
    fees = []
    for n, parts in _lines(raw):
        if len(parts) > 4:
            raise ValueError(_in_line(n, _("có quá nhiều phần (tối đa 4, cách nhau bởi |).")))
        if len(parts) < 3:
            raise ValueError(
                _in_line(n, _("cần đủ 3 phần: tên khoản thu | phí hoặc lệ phí | số tiền."))
            )
        name = parts[0]
        if not name:
            raise ValueError(_in_line(n, _("chưa có tên khoản thu.")))
        try:
            kind = _vocab(parts[1], FEE_KIND_WORDS, "phí, lệ phí", _("loại khoản thu"))
            amount = parse_amount(parts[2])
        except ValueError as exc:
            raise ValueError(_in_line(n, str(exc))) from None
        note = parts[3] if len(parts) > 3 else ""
        if len(name) > 300 or len(note) > 300:
            raise ValueError(_in_line(n, _("tên hoặc ghi chú quá dài.")))
        fees.append({"name": name, "kind": kind, "amount": amount, "note": note})
    return fees


def parse_steps(raw) -> list[dict]:
    """``name | onestop/department/government/higher | department abbreviation | role | duration``"""
    steps = []
    for n, parts in _lines(raw):
        if len(parts) != 5:
            raise ValueError(
                _in_line(
                    n,
                    _(
                        "cần đúng 5 phần: tên bước | đơn vị | viết tắt phòng | vai trò | thời gian "
                        "(có %(n)d phần)."
                    )
                    % {"n": len(parts)},
                )
            )
        name, unit, abbreviation, role, duration = parts
        if not name:
            raise ValueError(_in_line(n, _("chưa có tên bước.")))
        try:
            unit = _vocab(
                unit, STEP_UNIT_WORDS, "onestop, department, government, higher", _("đơn vị")
            )
            role = _vocab(role, ROLE_WORDS, ", ".join(Role.values), _("vai trò"))
            duration = parse_decimal(duration, _("thời gian của bước"))
        except ValueError as exc:
            raise ValueError(_in_line(n, str(exc))) from None
        if len(name) > 300 or len(abbreviation) > 20:
            raise ValueError(_in_line(n, _("tên bước hoặc chữ viết tắt quá dài.")))
        steps.append(
            {
                "name": name,
                "unit": unit,
                "department_abbreviation": abbreviation,
                "role": role,
                "duration": duration,
            }
        )
    return steps


@dataclass
class ParsedRow:
    row: int
    national_code: str = ""
    effective_from: dt.date | None = None
    field_code: str = ""
    field_name: str = ""
    version: dict = field(default_factory=dict)
    papers: list = field(default_factory=list)
    fees: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def error(self, key: str, message: str) -> None:
        self.errors.append(RowError(self.row, str(LABELS.get(key, "")), message))


def parse_row(row: int, values: dict[str, Any]) -> ParsedRow:
    """Turn the cells of one row (column key → raw cell) into save_version arguments, or
    errors. Every column is checked, so one pass shows all the mistakes of a row."""
    out = ParsedRow(row=row)

    code = values.get("national_code")
    if isinstance(code, float | Decimal):  # Excel turned 1.001234 into a number
        code = f"{code:.6f}"
    out.national_code = _text(code)
    if not out.national_code:
        out.error("national_code", _("Chưa nhập mã thủ tục."))
    else:
        try:
            national_code_validator(out.national_code)
        except ValidationError as exc:
            out.error("national_code", " ".join(exc.messages))

    name = _text(values.get("name"))
    if not name:
        out.error("name", _("Chưa nhập tên thủ tục."))
    elif len(name) > 500:
        out.error("name", _("Tên thủ tục dài quá 500 ký tự."))
    out.version["name"] = name

    out.field_code = _text(values.get("field_code"))
    out.field_name = _text(values.get("field_name"))
    if not out.field_code:
        out.error("field_code", _("Chưa nhập mã lĩnh vực."))
    elif len(out.field_code) > 30:
        out.error("field_code", _("Mã lĩnh vực dài quá 30 ký tự."))
    if len(out.field_name) > 255:
        out.error("field_name", _("Tên lĩnh vực dài quá 255 ký tự."))

    def take(key, parse, *args, target=None):
        try:
            value = parse(values.get(key), *args)
        except ValueError as exc:
            out.error(key, str(exc))
            return None
        if target is not None:
            target[key] = value
        return value

    take(
        "level",
        lambda raw: _vocab(raw, LEVEL_WORDS, "Cấp tỉnh, Cấp huyện, Cấp xã", _("Cấp thực hiện")),
        target=out.version,
    )
    take(
        "online_level",
        lambda raw: _vocab(
            raw, ONLINE_WORDS, "Mức 2, Một phần, Toàn trình (hoặc 2, 3, 4)", _("Mức độ DVC")
        ),
        target=out.version,
    )
    take(
        "processing_time",
        lambda raw: parse_decimal(raw, _("Thời hạn giải quyết")),
        target=out.version,
    )
    take(
        "time_unit",
        lambda raw: (
            ProcedureVersion.TimeUnit.DAYS
            if not _text(raw)
            else _vocab(raw, UNIT_WORDS, "ngày làm việc, giờ làm việc", _("Đơn vị thời hạn"))
        ),
        target=out.version,
    )
    take("cutoff_time", parse_time, target=out.version)
    out.effective_from = take("effective_from", parse_date)
    for key in ("legal_basis", "result_type", "applicant_kinds", "note"):
        out.version[key] = _text(values.get(key))
    if len(out.version["result_type"]) > 500:
        out.error("result_type", _("Kết quả thực hiện dài quá 500 ký tự."))
    if len(out.version["applicant_kinds"]) > 200:
        out.error("applicant_kinds", _("Đối tượng thực hiện dài quá 200 ký tự."))
    if "applicant_kinds" not in values:
        out.version.pop("applicant_kinds")  # keep the model default

    out.papers = take("papers", parse_papers) or []
    out.fees = take("fees", parse_fees) or []
    steps = take("steps", parse_steps)
    out.steps = steps or []
    if steps is not None:
        limit = out.version.get("processing_time")
        total = sum((s["duration"] for s in out.steps), Decimal("0"))
        if not out.steps:
            out.error("steps", _("Quy trình nội bộ phải có ít nhất một bước."))
        elif limit is not None and total > limit:
            out.error(
                "steps",
                _("Tổng thời gian các bước (%(total)s) vượt thời hạn giải quyết (%(limit)s).")
                % {"total": number_text(total), "limit": number_text(limit)},
            )
    return out


def save_row(parsed: ParsedRow, *, by=None) -> ProcedureVersion:
    """Save one parsed row in its own transaction through ``services.save_version``."""
    with transaction.atomic():
        existing = Field.objects.filter(code=parsed.field_code).first()
        if existing is None and not parsed.field_name:
            raise ValidationError(
                {"field_name": _("Lĩnh vực mới: cần nhập tên lĩnh vực.")},
            )
        field_obj = services.get_or_create_field(
            parsed.field_code, parsed.field_name or existing.name
        )
        return services.save_version(
            parsed.national_code,
            field=field_obj,
            effective_from=parsed.effective_from,
            papers=parsed.papers,
            fees=parsed.fees,
            steps=parsed.steps,
            by=by,
            **parsed.version,
        )


def errors_from_validation(row: int, exc: ValidationError) -> list[RowError]:
    if hasattr(exc, "error_dict"):
        out = []
        for name, errors in exc.message_dict.items():
            key = _MODEL_FIELD_COLUMN.get(name, name if name in LABELS else "")
            out.extend(RowError(row, str(LABELS.get(key, "")), message) for message in errors)
        return out
    return [RowError(row, "", message) for message in exc.messages]


# --- reading files ---------------------------------------------------------------------------


def _header_key(label) -> str:
    """Folded header without a trailing explanation in brackets: ``Hiệu lực từ (dd/mm/yyyy)``
    and ``hieu luc tu`` are the same column."""
    return re.sub(r"\s*\(.*\)\s*$", "", fold(str(label or ""))).strip()


def _header_keys() -> dict[str, str]:
    """Folded header → column key, in every UI language (a file exported with English headers
    still imports) and by the internal key names."""
    from django.conf import settings

    keys: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:
        with override(language):
            for column in ALL_COLUMNS:
                keys.setdefault(_header_key(column.label), column.key)
    for column in ALL_COLUMNS:
        keys.setdefault(column.key, column.key)
    return keys


def map_header(header: list) -> dict[int, str]:
    """Column index → column key. Raises :class:`FileError` when a required column is missing
    or appears twice; columns it does not know are ignored."""
    mapping: dict[int, str] = {}
    seen: dict[str, int] = {}
    known = _header_keys()
    for index, cell in enumerate(header):
        key = known.get(_header_key(cell))
        if key is None:
            continue
        if key in seen:
            raise FileError(
                _("Cột “%(column)s” xuất hiện hai lần ở dòng tiêu đề.") % {"column": LABELS[key]}
            )
        seen[key] = index
        mapping[index] = key
    missing = [str(c.label) for c in COLUMNS if c.key not in seen]
    if missing:
        raise FileError(
            _(
                "Dòng đầu tiên không đúng mẫu: thiếu cột %(missing)s. Hãy tải tệp mẫu (xuất danh "
                "mục) và giữ nguyên dòng tiêu đề."
            )
            % {"missing": ", ".join(f"“{m}”" for m in missing)}
        )
    return mapping


def _xlsx_rows(stream: IO[bytes]) -> Iterator[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise FileError(
            _("Không đọc được tệp Excel (%(error)s). Hãy mở và lưu lại bằng Excel (.xlsx).")
            % {"error": type(exc).__name__}
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def decode_csv(data: bytes) -> str:
    """UTF-8 text (with or without BOM) of a CSV upload, or :class:`FileError`."""
    if b"\x00" in data[:4096]:
        raise FileError(_("Tệp không phải CSV dạng văn bản (có ký tự nhị phân)."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(
            _(
                "Tệp CSV không mã hóa UTF-8 (byte lỗi ở vị trí %(pos)d). Trong Excel hãy chọn "
                "Lưu thành → “CSV UTF-8 (Comma delimited)”."
            )
            % {"pos": exc.start}
        ) from exc


def _csv_rows(text: str) -> Iterator[list]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def read_table(stream: IO[bytes], kind: str) -> tuple[dict[int, str], list[tuple[int, dict]]]:
    """(header mapping, [(spreadsheet row number, {column key: raw cell})]) of a file; blank
    rows are skipped but keep their numbers, so errors point at the row people see."""
    stream.seek(0)
    if kind == "xlsx":
        rows = _xlsx_rows(stream)
    else:
        rows = _csv_rows(decode_csv(stream.read()))
    try:
        header = next(rows)
    except StopIteration:
        raise FileError(_("Tệp không có dữ liệu.")) from None
    except csv.Error as exc:
        raise FileError(_("Tệp CSV sai định dạng: %(error)s") % {"error": exc}) from exc
    mapping = map_header(header)
    out = []
    try:
        for number, cells in enumerate(rows, start=2):
            values = {key: cells[i] if i < len(cells) else None for i, key in mapping.items()}
            if all(_text(v) == "" for v in values.values()):
                continue
            out.append((number, values))
            if len(out) > MAX_ROWS:
                raise FileError(_("Tệp có hơn %(n)d dòng; hãy chia nhỏ tệp.") % {"n": MAX_ROWS})
    except csv.Error as exc:
        raise FileError(_("Tệp CSV sai định dạng: %(error)s") % {"error": exc}) from exc
    if not out:
        raise FileError(_("Tệp chỉ có dòng tiêu đề, không có thủ tục nào."))
    return mapping, out


# --- the whole import ------------------------------------------------------------------------


@dataclass
class ImportResult:
    total: int = 0
    saved: int = 0
    errors: list[RowError] = field(default_factory=list)


def import_rows(
    rows: list[tuple[int, dict]],
    *,
    by=None,
    start: int = 0,
    progress=None,
) -> ImportResult:
    """Parse and save each row (its own transaction). Rows before ``start`` were done by an
    earlier attempt: they are only parsed again to find duplicates. ``progress(done, saved,
    new_errors)`` is called after each row."""
    result = ImportResult(total=len(rows))
    seen: dict[tuple[str, dt.date], int] = {}
    for index, (number, values) in enumerate(rows):
        parsed = parse_row(number, values)
        key = (parsed.national_code, parsed.effective_from)
        duplicate_of = seen.get(key) if not parsed.errors else None
        if not parsed.errors:
            seen.setdefault(key, number)
        if index < start:
            continue
        errors = list(parsed.errors)
        if duplicate_of is not None:
            errors.append(
                RowError(
                    number,
                    "",
                    _(
                        "Trùng với dòng %(row)d: cùng mã thủ tục %(code)s và ngày hiệu lực "
                        "%(date)s; dòng này bị bỏ qua."
                    )
                    % {
                        "row": duplicate_of,
                        "code": parsed.national_code,
                        "date": f"{parsed.effective_from:%d/%m/%Y}",
                    },
                )
            )
        if not errors:
            try:
                save_row(parsed, by=by)
            except ValidationError as exc:
                errors = errors_from_validation(number, exc)
            except Exception as exc:  # one broken row must not stop the others
                log.exception("procedure_import_row_failed", extra={"row": number})
                errors = [
                    RowError(
                        number,
                        "",
                        _("Lỗi hệ thống khi lưu dòng này (%(error)s); hãy thử nhập lại dòng này.")
                        % {"error": type(exc).__name__},
                    )
                ]
            else:
                result.saved += 1
        result.errors += errors
        if progress is not None:
            progress(index + 1, result.saved, errors)
    return result


# --- export ----------------------------------------------------------------------------------


def export_queryset():
    """Every version of every active procedure, in catalog order."""
    return (
        ProcedureVersion.objects.filter(procedure__is_active=True)
        .select_related("procedure", "field")
        .prefetch_related("papers", "fees", "steps")
        .order_by("procedure__national_code", "effective_from")
    )


def number_text(value: Decimal) -> str:
    """``Decimal("0.50")`` → ``0,5``; ``Decimal("15.00")`` → ``15``."""
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def _cell(text: str) -> str:
    return " ".join(str(text).replace("|", "/").split())


def papers_text(papers) -> str:
    lines = []
    for p in papers:
        parts = [_cell(p.name), PAPER_KIND_EXPORT.get(p.kind, p.kind), str(p.count)]
        if p.template_name or not p.required:
            parts.append(_cell(p.template_name))
        if not p.required:
            parts.append("không bắt buộc")
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def fees_text(fees) -> str:
    lines = []
    for f in fees:
        parts = [
            _cell(f.name),
            FEE_KIND_EXPORT.get(f.kind, f.kind),
            f"{f.amount:,}".replace(",", "."),
        ]
        if f.note:
            parts.append(_cell(f.note))
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def steps_text(steps) -> str:
    return "\n".join(
        " | ".join(
            [
                _cell(s.name),
                s.unit,
                _cell(s.department_abbreviation),
                s.role,
                number_text(s.duration),
            ]
        )
        for s in steps
    )


def header_row() -> list[str]:
    """Column headers, always in Vietnamese: the file is a data format, not a page."""
    with override("vi"):
        return [str(c.label) for c in ALL_COLUMNS]


def version_row(v: ProcedureVersion, *, for_csv: bool) -> list:
    cells = {
        "national_code": v.procedure.national_code,
        "name": v.name,
        "field_code": v.field.code,
        "field_name": v.field.name,
        "level": LEVEL_EXPORT.get(v.level, v.level),
        "online_level": ONLINE_EXPORT.get(v.online_level, v.online_level),
        "processing_time": number_text(v.processing_time) if for_csv else v.processing_time,
        "time_unit": UNIT_EXPORT.get(v.time_unit, v.time_unit),
        "cutoff_time": f"{v.cutoff_time:%H:%M}" if v.cutoff_time else "",
        "effective_from": f"{v.effective_from:%d/%m/%Y}" if for_csv else v.effective_from,
        "legal_basis": v.legal_basis,
        "result_type": v.result_type,
        "papers": papers_text(v.papers.all()),
        "fees": fees_text(v.fees.all()),
        "steps": steps_text(v.steps.all()),
        "applicant_kinds": v.applicant_kinds,
        "note": v.note,
    }
    return [cells[c.key] for c in ALL_COLUMNS]


class _Echo:
    def write(self, value: str) -> str:
        return value


def iter_csv(queryset=None) -> Iterator[str]:
    """The CSV export, streamed: a BOM (so Excel reads UTF-8), the header, one line per version."""
    queryset = export_queryset() if queryset is None else queryset
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header_row())
    for version in queryset.iterator(chunk_size=500):
        yield writer.writerow(version_row(version, for_csv=True))


def write_xlsx(target: IO[bytes], queryset=None) -> None:
    """The Excel export (write-only workbook: memory stays flat on big catalogs)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    queryset = export_queryset() if queryset is None else queryset
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh mục TTHC")
    widths = {
        "national_code": 12,
        "name": 50,
        "field_name": 22,
        "legal_basis": 40,
        "result_type": 30,
        "papers": 60,
        "fees": 40,
        "steps": 60,
    }
    for i, column in enumerate(ALL_COLUMNS):
        letter = _column_letter(i + 1)
        sheet.column_dimensions[letter].width = widths.get(column.key, 14)
    sheet.freeze_panes = "C2"
    bold = Font(bold=True)
    header = []
    for label in header_row():
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    multiline = {"papers", "fees", "steps", "legal_basis"}
    for version in queryset.iterator(chunk_size=500):
        row = []
        for column, value in zip(ALL_COLUMNS, version_row(version, for_csv=False), strict=True):
            cell = WriteOnlyCell(sheet, value=value)
            cell.alignment = wrap if column.key in multiline else top
            if column.key == "effective_from":
                cell.number_format = "DD/MM/YYYY"
            elif column.key == "national_code":
                cell.number_format = "@"
            row.append(cell)
        sheet.append(row)
    workbook.save(target)


def _column_letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def errors_csv(errors: Iterable[dict]) -> str:
    """The per-row error report as CSV (with BOM): row, column, message."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Dòng"), _("Cột"), _("Lỗi")])
    for e in errors:
        writer.writerow([e.get("row") or "", e.get("column", ""), e.get("message", "")])
    return "\ufeff" + buffer.getvalue()


# --- upload ----------------------------------------------------------------------------------

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class CheckedCatalogFile:
    kind: str  # "xlsx" or "csv"
    original_name: str
    checked: Any = None  # CheckedUpload of an xlsx
    data: bytes = b""  # content of a CSV


def check_catalog_upload(uploaded) -> CheckedCatalogFile:
    """Check an uploaded catalog file: an Excel workbook (by content, with
    ``core.files.check_upload``) or a UTF-8 CSV (text, no binary bytes, size limit), whose first
    row has every required column. Raises ``ValidationError`` with a Vietnamese message."""
    from egov.core.files import check_upload, clean_original_name, detect_kind

    name = clean_original_name(getattr(uploaded, "name", ""))
    try:
        checked = check_upload(uploaded, allowed=("xlsx",))
    except ValidationError as exc:
        if exc.code != "file_type_not_allowed":
            raise
        checked = None
    if checked is not None:
        result = CheckedCatalogFile(kind="xlsx", original_name=name, checked=checked)
        stream = uploaded
    else:
        uploaded.seek(0)
        data = uploaded.read(CSV_MAX_BYTES + 1)
        uploaded.seek(0)
        if data.startswith(_OLE2):
            raise ValidationError(
                _(
                    "Tệp Excel 97–2003 (.xls) không được hỗ trợ: hãy mở bằng Excel và lưu lại "
                    "dưới dạng .xlsx hoặc CSV UTF-8."
                ),
                code="file_type_not_allowed",
            )
        kind = detect_kind(data[:2048], io.BytesIO(data))
        if kind is not None:
            from egov.core.files import KINDS

            raise ValidationError(
                _(
                    "Loại tệp không được chấp nhận: nội dung tệp là %(kind)s; chỉ nhận Excel "
                    "(.xlsx) hoặc CSV (UTF-8)."
                )
                % {"kind": KINDS[kind][0]},
                code="file_type_not_allowed",
            )
        if len(data) > CSV_MAX_BYTES:
            raise ValidationError(
                _("Tệp CSV quá lớn; dung lượng tối đa là %(mb)d MB.")
                % {"mb": CSV_MAX_BYTES // (1024 * 1024)},
                code="file_too_large",
            )
        try:
            decode_csv(data)
        except FileError as exc:
            raise ValidationError(exc.message, code="file_type_not_allowed") from exc
        result = CheckedCatalogFile(kind="csv", original_name=name, data=data)
        stream = io.BytesIO(data)
    try:
        _check_header(stream, result.kind)
    except FileError as exc:
        raise ValidationError(exc.message, code="wrong_header") from exc
    finally:
        uploaded.seek(0)
    return result


def _check_header(stream: IO[bytes], kind: str) -> None:
    stream.seek(0)
    if kind == "xlsx":
        rows = _xlsx_rows(stream)
    else:
        rows = _csv_rows(decode_csv(stream.read()))
    try:
        header = next(rows)
    except StopIteration:
        raise FileError(_("Tệp không có dữ liệu.")) from None
    except csv.Error as exc:
        raise FileError(_("Tệp CSV sai định dạng: %(error)s") % {"error": exc}) from exc
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
    map_header(header)


@transaction.atomic
def start_import(uploaded, checked: CheckedCatalogFile, *, by=None):
    """Keep the uploaded file, record an :class:`ImportJob` and enqueue its processing (after
    commit). Returns the job."""
    import uuid

    from django.core.files.base import ContentFile
    from django.core.files.storage import storages
    from django.utils import timezone

    from egov.core import audit, tasks
    from egov.core.files import store_upload
    from egov.procedures.models import ImportJob

    if checked.kind == "xlsx":
        stored = store_upload(
            uploaded, folder="procedures/imports", allowed=("xlsx",), checked=checked.checked
        )
        name = stored.name
    else:
        target = f"procedures/imports/{timezone.localdate():%Y/%m/%d}/{uuid.uuid4().hex}.csv"
        name = storages["default"].save(target, ContentFile(checked.data))
    job = ImportJob.objects.create(
        file=name,
        original_name=checked.original_name,
        file_kind=checked.kind,
        created_by=by,
    )
    audit.record(
        "procedure.import_started",
        actor=by,
        obj=job,
        data={"file": checked.original_name, "kind": checked.kind},
    )
    tasks.enqueue("egov.procedures.tasks.run_import", job.pk)
    return job
