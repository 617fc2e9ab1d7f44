"""The legal forms of the one-stop shop (biểu mẫu một cửa), rendered as PDFs, and the dossier
register (form 07) as PDF and Excel.

Which set of forms applies is data with an effective date (``dossiers.regulations``): a dossier
keeps the code of the regulation in force on the day it was received (``Dossier.regulation``),
and its forms are rendered from ``dossiers/forms/<code>/<number>.html``. Both sets extend the
same base and partials (``dossiers/forms/common/``), so they differ only where the circulars
differ: the titles (from ``regulations.REGULATIONS``), the wording of form 04 and the
"Mẫu số" labels (:data:`FORM_LABELS`).

Layout follows Nghị định 30/2020/NĐ-CP Phụ lục I through ``core/pdf_base.html`` (A4, margins,
Liberation Serif = Times New Roman metrics, quốc hiệu and tiêu ngữ). Dates read
"ngày 05 tháng 01 năm 2026" and moments "10 giờ 05 phút, ngày 05 tháng 01 năm 2026", in
Asia/Ho_Chi_Minh. The forms are legal documents: they are always rendered in Vietnamese,
whatever the officer's interface language.

Public functions: :func:`render_form`, :func:`form_unavailable_reason`, :func:`render_register`,
:func:`register_xlsx`, :func:`register_rows`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone, translation

from egov.core import calendar
from egov.core.pdf import render_pdf
from egov.core.qr import qr_data_uri
from egov.dossiers.models import (
    DeadlineChange,
    Dossier,
    DossierStep,
    State,
    StepState,
    SupplementRequest,
    Timing,
)
from egov.dossiers.regulations import Regulation, by_code, regulation_on
from egov.organizations.models import Agency

FORM_NUMBERS = ("01", "02", "03", "04", "05", "06")
REGISTER_NUMBER = "07"
CHUNK_SIZE = 2000
#: WeasyPrint lays out a dense landscape table at roughly 0.5 s a page (about a dozen rows):
#: beyond this many rows the register is refused as PDF (the Excel export has no limit).
REGISTER_PDF_MAX_ROWS = 500

#: "Mẫu số" label printed on each form, per regulation. Our numbers 01–07 follow TT 03/2025
#: (Phụ lục I). TT 01/2018 had six forms — the control sheet was its Mẫu số 05 and the register
#: its Mẫu số 06 (STANDARDS.md §3.3: believed, unconfirmed) — and no stop notice, which is
#: therefore printed without a label under that circular.
FORM_LABELS: dict[str, dict[str, str]] = {
    "tt01-2018": {
        "01": "Mẫu số 01",
        "02": "Mẫu số 02",
        "03": "Mẫu số 03",
        "04": "Mẫu số 04",
        "05": "",
        "06": "Mẫu số 05",
        "07": "Mẫu số 06",
    },
    "tt03-2025": {n: f"Mẫu số {n}" for n in (*FORM_NUMBERS, REGISTER_NUMBER)},
}

#: the words that name a level of local government, stripped to get the place name of the
#: "…, ngày … tháng … năm …" line ("UBND xã Đỗ Sơn" → "Đỗ Sơn").
_ADMIN_PREFIX = re.compile(
    r"^(ủy ban nhân dân|uỷ ban nhân dân|ubnd)?\s*"
    r"(tỉnh|thành phố|huyện|quận|thị xã|thị trấn|xã|phường|đặc khu)?\s+",
    re.IGNORECASE,
)

REGISTER_COLUMNS: tuple[tuple[str, float], ...] = (
    # (Vietnamese header, Excel column width in characters)
    ("STT", 6),
    ("Mã hồ sơ", 24),
    ("Tên TTHC", 40),
    ("Tên cá nhân/tổ chức", 26),
    ("Địa chỉ", 30),
    ("Số điện thoại", 14),
    ("Cơ quan chủ trì giải quyết", 26),
    ("Nhận hồ sơ (ngày giờ)", 17),
    ("Hẹn trả kết quả", 17),
    ("Chuyển hồ sơ đến cơ quan giải quyết", 32),
    ("Ngày có kết quả/YC bổ sung", 28),
    ("Trả kết quả (ngày giờ)", 17),
    ("Ký nhận (người nhận)", 22),
    ("Ghi chú", 34),
)


class RegisterTooLarge(ValueError):
    """Too many dossiers in the period to print the register as one PDF."""

    def __init__(self, count: int, limit: int):
        self.count, self.limit = count, limit
        super().__init__(
            f"Trong khoảng thời gian này có {_thousands(count)} hồ sơ, quá số dòng in PDF một lần"
            f" (tối đa {_thousands(limit)}). Hãy chọn khoảng thời gian ngắn hơn hoặc tải bản Excel."
        )


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class FormNotApplicable(LookupError):
    """The form does not apply to the dossier in its current state (e.g. form 04 without an
    apology). ``str(exc)`` is a Vietnamese message for the officer."""


# --- formatting ----------------------------------------------------------------------------------


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(calendar.get_calendar().tz)


def date_vi(value: dt.date | dt.datetime | None) -> str:
    """``"ngày 05 tháng 01 năm 2026"`` (NĐ 30/2020 Phụ lục I, II.4: leading zeros)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    return f"ngày {value:%d} tháng {value:%m} năm {value:%Y}"


def moment_vi(value: dt.datetime | None) -> str:
    """``"10 giờ 05 phút, ngày 05 tháng 01 năm 2026"``, Vietnam time."""
    if value is None:
        return ""
    local = _local(value)
    return f"{local:%H} giờ {local:%M} phút, {date_vi(local.date())}"


def short_moment(value: dt.datetime | None) -> str:
    """``"10 giờ 05 phút, ngày 05/01/2026"`` (control sheet rows)."""
    if value is None:
        return ""
    local = _local(value)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def dmy_hm(value: dt.datetime | None) -> str:
    """``"05/01/2026 10:05"`` (register cells)."""
    return "" if value is None else f"{_local(value):%d/%m/%Y %H:%M}"


def money(amount: int) -> str:
    """``8000`` → ``"8.000 đồng"`` (Vietnamese thousands separator)."""
    return f"{_thousands(amount)} đồng"


def place_of(agency: Agency) -> str:
    """The place name of an agency for the place-and-date line: "UBND huyện Thanh Ba" →
    "Thanh Ba"; a unit takes the place of its government."""
    government = agency.government()
    for text in (government.short_name, government.name):
        text = " ".join((text or "").split())
        if not text:
            continue
        stripped = _ADMIN_PREFIX.sub("", text, count=1).strip()
        if stripped:
            return stripped
    return government.name


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _timing_label(value: str) -> str:
    return str(Timing(value).label) if value in Timing.values else ""


# --- which forms apply ---------------------------------------------------------------------------


def regulation_of(dossier: Dossier) -> Regulation:
    """The regulation whose forms the dossier uses (the one recorded at intake; for an old row
    without it, the one in force on the day of receipt)."""
    try:
        return by_code(dossier.regulation)
    except KeyError:
        moment = dossier.received_at or dossier.created_at or timezone.now()
        return regulation_on(_local(moment).date())


def form_unavailable_reason(dossier: Dossier, number: str) -> str | None:
    """``None`` when form ``number`` can be printed for the dossier now, else why not (in
    Vietnamese, for the officer)."""
    if number not in FORM_NUMBERS:
        return f"Không có biểu mẫu số “{number}”. Các biểu mẫu của hồ sơ: 01 đến 06."
    received = bool(dossier.code) and dossier.state not in (State.WAITING_INTAKE, State.REFUSED)
    if number in ("01", "06") and not received:
        return "Hồ sơ chưa được tiếp nhận (hoặc đã bị từ chối tiếp nhận) nên chưa có giấy tiếp nhận và phiếu kiểm soát."
    if number == "02" and not dossier.supplements.exists():
        return "Hồ sơ chưa có yêu cầu bổ sung, hoàn thiện nào nên không có phiếu yêu cầu bổ sung (mẫu 02)."
    if number == "03" and dossier.state != State.REFUSED:
        return "Hồ sơ không bị từ chối tiếp nhận nên không có phiếu từ chối (mẫu 03)."
    if number == "04" and not dossier.deadline_changes.filter(kind="apology").exists():
        return "Hồ sơ chưa có văn bản xin lỗi, gia hạn thời gian giải quyết nên không có mẫu 04."
    if number == "05" and dossier.state != State.STOPPED:
        return "Hồ sơ không bị dừng giải quyết nên không có thông báo dừng (mẫu 05)."
    return None


# --- context of each form ------------------------------------------------------------------------


def _header(issuer: Agency) -> dict:
    """Top-left of the header: the governing body (cơ quan chủ quản) above the issuer."""
    parent = issuer.parent.government() if issuer.parent_id else None
    return {
        "issuer_parent": parent.name if parent is not None else "",
        "issuer_name": issuer.name,
    }


def _signature_of_government(agency: Agency) -> dict:
    if agency.kind in Agency.GOVERNMENT_KINDS:
        return {"authority": "TM. ỦY BAN NHÂN DÂN", "position": "CHỦ TỊCH"}
    return {"authority": "", "position": "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"}


def _base_context(dossier: Dossier, number: str, regulation: Regulation) -> dict:
    version = dossier.procedure_version
    return {
        "dossier": dossier,
        "regulation": regulation,
        "form_number": number,
        "form_title": regulation.forms[number],
        "form_label": FORM_LABELS.get(regulation.code, {}).get(number, ""),
        "pdf_title": f"{regulation.forms[number]} – {dossier.code or dossier.pk}",
        "pdf_author": dossier.intake_agency.name,
        "place": place_of(dossier.agency),
        "procedure_name": version.name,
        "processing_label": version.processing_label,
        "legal_basis": version.legal_basis,
        "applicant_kind": dossier.get_applicant_kind_display(),
        "is_person": dossier.applicant_kind == "person",
        "addressee": "Ông/Bà" if dossier.applicant_kind == "person" else "Quý cơ quan, tổ chức",
        "subject": dossier.subject or version.name,
        "received_text": moment_vi(dossier.received_at),
        "received_date": date_vi(dossier.received_at),
        "received_dmy": f"{_local(dossier.received_at):%d/%m/%Y}" if dossier.received_at else "",
        "due_text": moment_vi(dossier.due_at),
        "original_due_text": moment_vi(dossier.original_due_at or dossier.due_at),
        "contact_phone": dossier.intake_agency.phone or dossier.agency.phone,
        "doc_number": "",
    }


def _context_01(dossier: Dossier, ctx: dict) -> None:
    ctx.update(_header(dossier.intake_agency))
    ctx["place_date"] = f"{ctx['place']}, {date_vi(dossier.received_at)}"
    ctx["papers"] = list(dossier.papers.filter(received=True).order_by("order"))
    ctx["paper_sets"] = 1
    ctx["fees"] = [
        f"{fee.name}: {money(fee.amount)}" for fee in dossier.procedure_version.fees.all()
    ]
    ctx["return_method"] = dossier.get_return_method_display()
    ctx["channel"] = dossier.get_channel_display()
    ctx["receiver_name"] = _person(dossier.created_by)
    ctx["tracking_url"] = tracking_url(dossier)
    ctx["qr_uri"] = qr_data_uri(ctx["tracking_url"])


def _context_02(dossier: Dossier, ctx: dict, extra: dict) -> None:
    requests = dossier.supplements.select_related("requested_by").order_by("-requested_at")
    request = None
    if extra.get("supplement_id"):
        request = requests.filter(pk=extra["supplement_id"]).first()
        if request is None:
            raise FormNotApplicable("Không tìm thấy yêu cầu bổ sung này của hồ sơ.")
    request = request or requests.first()
    ctx.update(_header(dossier.intake_agency))
    ctx["place_date"] = f"{ctx['place']}, {date_vi(request.requested_at)}"
    ctx["supplement"] = request
    ctx["supplement_papers"] = list(request.papers or [])
    ctx["requested_text"] = moment_vi(request.requested_at)
    ctx["resumed_text"] = moment_vi(request.resumed_at)
    ctx["guide_name"] = _person(request.requested_by)


def _context_03(dossier: Dossier, ctx: dict) -> None:
    ctx.update(_header(dossier.intake_agency))
    ctx["place_date"] = f"{ctx['place']}, {date_vi(dossier.received_at)}"
    ctx["reason"] = dossier.closing_reason
    ctx["papers"] = list(dossier.papers.order_by("order"))
    ctx["receiver_name"] = _person(dossier.created_by)


def _context_04(dossier: Dossier, ctx: dict) -> None:
    change = (
        DeadlineChange.objects.filter(dossier=dossier, kind="apology")
        .select_related("changed_by")
        .order_by("-changed_at", "-pk")
        .first()
    )
    ctx.update(_header(dossier.agency))
    ctx.update(_signature_of_government(dossier.agency))
    ctx["place_date"] = f"{ctx['place']}, {date_vi(change.changed_at)}"
    ctx["doc_number"] = f"……/{dossier.agency.abbreviation}" if dossier.agency.abbreviation else ""
    ctx["change"] = change
    ctx["old_due_text"] = moment_vi(change.old_due_at)
    ctx["new_due_text"] = moment_vi(change.new_due_at)
    ctx["new_due_date"] = date_vi(change.new_due_at)
    ctx["reason"] = change.reason
    ctx["drafted_by"] = _person(change.changed_by)


def _context_05(dossier: Dossier, ctx: dict) -> None:
    from egov.core.models import AuditEvent

    event = (
        AuditEvent.objects.filter(
            action="dossier.stopped",
            object_type=Dossier._meta.label_lower,
            object_id=str(dossier.pk),
        )
        .order_by("-seq")
        .first()
    )
    ctx.update(_header(dossier.agency))
    ctx.update(_signature_of_government(dossier.agency))
    ctx["place_date"] = f"{ctx['place']}, {date_vi(dossier.resolved_at)}"
    abbreviation = dossier.agency.abbreviation
    ctx["doc_number"] = f"……/TB-{abbreviation}" if abbreviation else ""
    ctx["reason"] = dossier.closing_reason
    ctx["stopped_text"] = moment_vi(dossier.resolved_at)
    ctx["stopped_by"] = event.actor_label if event is not None else ""


@dataclass
class HandOver:
    """One row of the control sheet (form 06): who gave the dossier to whom, when, and whether
    the giver's step was done early, on time or late."""

    number: int
    step_name: str
    giver_agency: str
    receiver_agency: str
    moment: dt.datetime | None
    giver: str
    receiver: str
    timing: str
    note: str

    @property
    def moment_text(self) -> str:
        return short_moment(self.moment)

    @property
    def timing_label(self) -> str:
        return _timing_label(self.timing)


def _agency_label(agency: Agency, dossier: Dossier) -> str:
    """A government receiving at its own counter is named as its one-stop unit."""
    if agency.pk == dossier.intake_agency_id and agency.kind != Agency.Kind.ONESTOP:
        return f"Bộ phận tiếp nhận và trả kết quả ({agency.name})"
    return agency.name


def control_sheet_rows(dossier: Dossier) -> tuple[list[HandOver], DossierStep | None]:
    """The hand-overs of a dossier in order, and the step in progress (if any)."""
    steps = list(
        dossier.steps.select_related("agency", "assignee", "completed_by").order_by("order")
    )
    supplements = list(dossier.supplements.order_by("requested_at"))
    extensions = list(dossier.deadline_changes.filter(kind="apology").order_by("changed_at"))
    rows: list[HandOver] = []
    active = None
    for index, step in enumerate(steps):
        if step.state == StepState.ACTIVE:
            active = step
        if step.state != StepState.DONE:
            continue
        following = next(
            (s for s in steps[index + 1 :] if s.started_at is not None),
            None,
        )
        if following is not None:
            receiver_agency = _agency_label(following.agency, dossier)
            receiver = _person(following.assignee or following.completed_by)
        elif dossier.returned_at is not None and step.completed_at == dossier.returned_at:
            receiver_agency = f"Tổ chức, cá nhân: {dossier.applicant_name}"
            receiver = dossier.returned_to
        else:
            receiver_agency = _agency_label(dossier.intake_agency, dossier)
            receiver = ""
        notes = [step.note] if step.note else []
        for request in supplements:
            if step.started_at and step.started_at <= request.requested_at <= step.completed_at:
                text = f"Yêu cầu bổ sung ngày {_local(request.requested_at):%d/%m/%Y}"
                if request.resumed_at:
                    text += f", đã bổ sung ngày {_local(request.resumed_at):%d/%m/%Y}"
                notes.append(text)
        notes.extend(
            f"Xin lỗi, gia hạn đến ngày {_local(change.new_due_at):%d/%m/%Y}: {change.reason}"
            for change in extensions
            if step.started_at and step.started_at <= change.changed_at <= step.completed_at
        )
        rows.append(
            HandOver(
                number=len(rows) + 1,
                step_name=step.name,
                giver_agency=_agency_label(step.agency, dossier),
                receiver_agency=receiver_agency,
                moment=step.completed_at,
                giver=_person(step.completed_by),
                receiver=receiver,
                timing=step.timing,
                note="; ".join(notes),
            )
        )
    return rows, active


def _context_06(dossier: Dossier, ctx: dict) -> None:
    ctx.update(_header(dossier.intake_agency))
    ctx["place_date"] = ""
    rows, active = control_sheet_rows(dossier)
    ctx["rows"] = rows
    ctx["active_step"] = active
    if active is not None:
        ctx["active_agency"] = _agency_label(active.agency, dossier)
        ctx["active_started"] = short_moment(active.started_at)
        ctx["active_due"] = short_moment(active.due_at)
        ctx["active_assignee"] = _person(active.assignee)
    ctx["resolved_text"] = moment_vi(dossier.resolved_at)
    ctx["returned_text"] = moment_vi(dossier.returned_at)
    ctx["dossier_timing"] = _timing_label(dossier.timing)
    ctx["extended"] = (
        dossier.original_due_at is not None and dossier.due_at != dossier.original_due_at
    )
    ctx["state_label"] = dossier.get_state_display()


def tracking_url(dossier: Dossier) -> str:
    """The portal's tracking page of the dossier (printed as the QR code of form 01). The
    lookup PIN is deliberately not in it: the slip shows the PIN as text only."""
    return f"{settings.SITE_URL.rstrip('/')}/tra-cuu/?ma={quote(dossier.code or '', safe='')}"


def template_for(regulation: Regulation, number: str) -> str:
    return f"dossiers/forms/{regulation.code}/{number}.html"


def render_form(dossier: Dossier, number: str, *, extra: dict | None = None) -> bytes:
    """Form ``number`` ("01"–"06") of the dossier as PDF bytes, in the set of the regulation
    recorded on the dossier.

    ``extra`` adds to or overrides the template context, e.g. ``doc_number`` (the number the
    clerk gave the letter), ``authority``/``position``/``signer_name`` (signature block of
    forms 04 and 05), ``supplement_id`` (form 02 for an earlier supplement request than the
    latest). Raises :class:`FormNotApplicable` when the form does not apply to the dossier."""
    extra = dict(extra or {})
    number = str(number).zfill(2)
    reason = form_unavailable_reason(dossier, number)
    if reason is not None:
        raise FormNotApplicable(reason)
    dossier = Dossier.objects.select_related(
        "agency__parent",
        "intake_agency__parent",
        "procedure_version",
        "created_by",
    ).get(pk=dossier.pk)
    regulation = regulation_of(dossier)
    with translation.override("vi"):
        ctx = _base_context(dossier, number, regulation)
        if number == "01":
            _context_01(dossier, ctx)
        elif number == "02":
            _context_02(dossier, ctx, extra)
        elif number == "03":
            _context_03(dossier, ctx)
        elif number == "04":
            _context_04(dossier, ctx)
        elif number == "05":
            _context_05(dossier, ctx)
        else:
            _context_06(dossier, ctx)
        ctx.update(extra)
        return render_pdf(template_for(regulation, number), ctx)


# --- form 07: the dossier register -----------------------------------------------------------------


@dataclass
class RegisterRow:
    number: int
    code: str
    procedure: str
    applicant: str
    address: str
    phone: str
    agency: str
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    transferred: str
    result: str
    returned_at: dt.datetime | None
    returned_to: str
    note: str

    def cells(self) -> list[str]:
        """The row as text, for the PDF."""
        return [
            str(self.number),
            self.code,
            self.procedure,
            self.applicant,
            self.address,
            self.phone,
            self.agency,
            dmy_hm(self.received_at),
            dmy_hm(self.due_at),
            self.transferred,
            self.result,
            dmy_hm(self.returned_at),
            self.returned_to,
            self.note,
        ]


def _day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = calendar.get_calendar().tz
    lower = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    upper = dt.datetime.combine(end, dt.time.max, tzinfo=tz)
    return lower, upper


def register_queryset(agency_ids: Iterable[int] | None, start: dt.date, end: dt.date):
    """Dossiers received between ``start`` and ``end`` (inclusive, Vietnam days) that a deciding
    agency or a receiving one-stop unit in ``agency_ids`` holds (``None`` = every agency), in
    order of receipt. Refused ones are included (with the reason in the notes)."""
    lower, upper = _day_bounds(start, end)
    qs = Dossier.objects.filter(received_at__range=(lower, upper))
    if agency_ids is not None:
        ids = list(agency_ids)
        qs = qs.filter(Q(agency_id__in=ids) | Q(intake_agency_id__in=ids))
    return (
        qs.select_related("agency", "intake_agency", "procedure_version")
        .prefetch_related(
            # to_attr lists: reading them costs no queryset per dossier
            Prefetch(
                "steps",
                queryset=DossierStep.objects.select_related("agency").order_by("order"),
                to_attr="register_steps",
            ),
            Prefetch(
                "supplements",
                queryset=SupplementRequest.objects.order_by("requested_at"),
                to_attr="register_supplements",
            ),
            Prefetch(
                "deadline_changes",
                queryset=DeadlineChange.objects.filter(kind="apology").order_by("changed_at"),
                to_attr="register_extensions",
            ),
        )
        .order_by("received_at", "pk")
    )


def _transferred(dossier: Dossier) -> str:
    """When and to whom the one-stop unit passed the dossier, plus any inter-agency transfer."""
    parts = []
    for step in dossier.register_steps:
        if step.started_at is None or step.agency_id == dossier.intake_agency_id:
            continue
        if not parts or step.is_transfer:
            label = "liên thông: " if step.is_transfer else ""
            parts.append(f"{label}{step.agency.name} ({dmy_hm(step.started_at)})")
    return "; ".join(parts)


def _result(dossier: Dossier) -> str:
    parts = []
    for request in dossier.register_supplements:
        text = f"YC bổ sung {dmy_hm(request.requested_at)}"
        if request.resumed_at:
            text += f", đã bổ sung {dmy_hm(request.resumed_at)}"
        parts.append(text)
    if dossier.state in (State.RESULT_READY, State.RETURNED) and dossier.resolved_at:
        parts.append(f"Có kết quả {dmy_hm(dossier.resolved_at)}")
    return "; ".join(parts)


def _note(dossier: Dossier, now: dt.datetime) -> str:
    state = str(dossier.get_state_display())
    if dossier.state in (State.RESULT_READY, State.RETURNED):
        text = f"{state}; {_timing_label(dossier.timing).lower()}"
    elif dossier.state in (State.REFUSED, State.STOPPED, State.WITHDRAWN):
        text = f"{state}: {dossier.closing_reason}" if dossier.closing_reason else state
    elif dossier.due_at is not None:
        text = f"{state}; {'quá hạn' if now > dossier.due_at else 'trong hạn'}"
    else:
        text = state
    extensions = dossier.register_extensions
    if extensions:
        text += f"; xin lỗi, gia hạn đến {dmy_hm(extensions[-1].new_due_at)}"
    return text


def register_rows(
    agency_ids: Iterable[int] | None, start: dt.date, end: dt.date
) -> Iterator[RegisterRow]:
    """The register's rows, read from the database in chunks of :data:`CHUNK_SIZE`."""
    now = timezone.now()
    dossiers = register_queryset(agency_ids, start, end).iterator(chunk_size=CHUNK_SIZE)
    with translation.override("vi"):
        for number, dossier in enumerate(dossiers, 1):
            yield RegisterRow(
                number=number,
                code=dossier.code or "",
                procedure=dossier.procedure_version.name,
                applicant=dossier.applicant_name,
                address=dossier.applicant_address,
                phone=dossier.applicant_phone,
                agency=dossier.agency.name,
                received_at=dossier.received_at,
                due_at=dossier.original_due_at or dossier.due_at,
                transferred=_transferred(dossier),
                result=_result(dossier),
                returned_at=dossier.returned_at,
                returned_to=dossier.returned_to,
                note=_note(dossier, now),
            )


def _register_heading(agency: Agency | None, start: dt.date, end: dt.date) -> dict:
    header = _header(agency) if agency is not None else {"issuer_parent": "", "issuer_name": ""}
    return {
        **header,
        "period": f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}",
    }


def render_register(
    agency_ids: Iterable[int] | None,
    start: dt.date,
    end: dt.date,
    *,
    agency: Agency | None = None,
    regulation: Regulation | None = None,
    max_rows: int | None = REGISTER_PDF_MAX_ROWS,
) -> bytes:
    """Form 07, Sổ theo dõi hồ sơ, for the dossiers received from ``start`` to ``end`` by the
    agencies ``agency_ids`` (``None`` = all), as a landscape A4 PDF. ``agency`` names the
    keeper of the register in the header; ``regulation`` defaults to the one in force at
    ``end``. More than ``max_rows`` dossiers raise :class:`RegisterTooLarge` before any
    rendering (``None``: no limit, e.g. in a background job)."""
    regulation = regulation or regulation_on(end)
    if max_rows is not None:
        count = register_queryset(agency_ids, start, end).count()
        if count > max_rows:
            raise RegisterTooLarge(count, max_rows)
    with translation.override("vi"):
        rows = [row.cells() for row in register_rows(agency_ids, start, end)]
        ctx = {
            **_register_heading(agency, start, end),
            "form_title": regulation.forms[REGISTER_NUMBER],
            "form_label": FORM_LABELS.get(regulation.code, {}).get(REGISTER_NUMBER, ""),
            "pdf_title": f"{regulation.forms[REGISTER_NUMBER]} {start:%d/%m/%Y}–{end:%d/%m/%Y}",
            "columns": [name for name, _width in REGISTER_COLUMNS],
            "rows": rows,
            "printed": dmy_hm(timezone.now()),
        }
        return render_pdf("dossiers/forms/register.html", ctx)


def register_xlsx(
    agency_ids: Iterable[int] | None,
    start: dt.date,
    end: dt.date,
    *,
    agency: Agency | None = None,
    regulation: Regulation | None = None,
) -> bytes:
    """Form 07 as an Excel workbook (same columns as the PDF, Vietnamese headers, dates as
    real Excel dates shown dd/mm/yyyy hh:mm, header row frozen). Written in openpyxl's
    write-only mode, so thousands of rows stream through without a big memory peak."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
    from openpyxl.utils import get_column_letter

    regulation = regulation or regulation_on(end)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Sổ theo dõi hồ sơ")
    for index, (_name, width) in enumerate(REGISTER_COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    heading = _register_heading(agency, start, end)
    title_text = regulation.forms[REGISTER_NUMBER].upper()
    label = FORM_LABELS.get(regulation.code, {}).get(REGISTER_NUMBER, "")
    # Named styles, registered once: giving a cell a style by name is much cheaper than
    # setting font, border and alignment objects on each of thousands of cells.
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    font = Font(name="Times New Roman", size=11)
    styles = {
        "text": NamedStyle(
            name="egov_text",
            font=font,
            border=border,
            alignment=Alignment(wrap_text=True, vertical="top"),
        ),
        "date": NamedStyle(
            name="egov_date",
            font=font,
            border=border,
            alignment=Alignment(vertical="top"),
            number_format="dd/mm/yyyy hh:mm",
        ),
        "head": NamedStyle(
            name="egov_head",
            font=Font(name="Times New Roman", size=11, bold=True),
            border=border,
            alignment=Alignment(wrap_text=True, horizontal="center", vertical="center"),
            fill=PatternFill("solid", fgColor="D9D9D9"),
        ),
        "plain": NamedStyle(name="egov_plain", font=font),
        "bold": NamedStyle(name="egov_bold", font=Font(name="Times New Roman", size=11, bold=True)),
        "title": NamedStyle(
            name="egov_title", font=Font(name="Times New Roman", size=14, bold=True)
        ),
    }
    for style in styles.values():
        workbook.add_named_style(style)

    def cell(value, style: str = "text"):
        c = WriteOnlyCell(sheet, value=value)
        c.style = styles[style].name
        return c

    # Title rows above the table; the table header is frozen with them (set before any row:
    # a write-only sheet streams its settings first).
    sheet.freeze_panes = "A5"
    sheet.append([cell(heading["issuer_name"].upper(), "bold"), None, None, cell(label, "plain")])
    sheet.append([cell(title_text, "title")])
    sheet.append([cell(heading["period"], "plain")])
    sheet.append([cell(name, "head") for name, _ in REGISTER_COLUMNS])

    def date_cell(value: dt.datetime | None):
        return cell(_local(value).replace(tzinfo=None) if value else None, "date")

    text_cell = cell

    for row in register_rows(agency_ids, start, end):
        sheet.append(
            [
                text_cell(row.number),
                text_cell(row.code),
                text_cell(row.procedure),
                text_cell(row.applicant),
                text_cell(row.address),
                text_cell(row.phone),
                text_cell(row.agency),
                date_cell(row.received_at),
                date_cell(row.due_at),
                text_cell(row.transferred),
                text_cell(row.result),
                date_cell(row.returned_at),
                text_cell(row.returned_to),
                text_cell(row.note),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
