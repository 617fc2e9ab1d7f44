"""Official documents: the only code that changes incoming and outgoing documents.

Module map (this file, top to bottom):

- errors: :class:`TransitionError`, :class:`ConflictError`, :class:`DuplicateWarning`
- helpers: clock, row locks with ``expected_version``, roles, timeline event + audit, alerts
- files: :func:`attach_file` checks and stores a file, keeps its PDF text layer for search and,
  for a signed PDF, the signature validation report (``egov.signing.reports``)
- incoming (văn bản đến): :func:`register_incoming`, :func:`register_pending`,
  :func:`reject_pending`, :func:`direct`, :func:`assign_specialist`, :func:`record_progress`,
  :func:`complete_assignment`, :func:`close_incoming`
- outgoing (văn bản đi): :func:`create_draft`, :func:`update_draft`, :func:`send_for_review`,
  :func:`approve_review`, :func:`return_draft`, :func:`approve_and_sign`, :func:`issue`,
  :func:`dispatch`, :func:`recall`, :func:`correct`, :func:`replace`
- alerts: :func:`mark_alert_read`

Related modules: ``numbering`` (number/symbol format, series), ``doctypes`` (the decree's type
table), ``selectors`` (inboxes, search, registers), ``rendering`` (the NĐ 30 PDF layout),
``tasks`` (e-mail dispatch).

Every function is one transition: it locks the document row, checks the role of the officer
and the current state (and, when given, the ``expected_version`` the officer saw), changes
state, writes a :class:`DocumentEvent` (the timeline) and the audit event, and enqueues
follow-up work, all in one transaction. Bad input raises ``ValidationError`` with a
Vietnamese message and a ``code``; nothing changes. Legal basis: Nghị định 30/2020/NĐ-CP
(STANDARDS.md §1).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core import audit, calendar
from egov.core.files import DEFAULT_ALLOWED, check_upload, store_upload
from egov.core.text import fold
from egov.organizations.models import Agency

from . import doctypes, numbering
from .models import (
    Amendment,
    AmendmentKind,
    Assignment,
    Direction,
    DocumentAlert,
    DocumentEvent,
    DocumentFile,
    IncomingDocument,
    InState,
    OutgoingDocument,
    OutState,
    Recipient,
    Secrecy,
    Source,
    Urgency,
)

#: file kinds accepted for documents: PDF and scans, and office files for drafts
DOCUMENT_FILE_KINDS = (*DEFAULT_ALLOWED, "docx", "odt", "xlsx", "ods")
#: at most this many characters of a PDF's text layer go into the search column
MAX_TEXT = 100_000


class TransitionError(ValidationError):
    """The action is not allowed in the document's current state."""


class ConflictError(ValidationError):
    """Someone else changed the document since the officer loaded it."""


class DuplicateWarning(ValidationError):
    """The same issuer, number/symbol and date is already registered in this agency
    (Phụ lục VI III.1). The clerk may confirm and register anyway (``confirm_duplicate``)."""

    def __init__(self, message, *, existing: IncomingDocument):
        super().__init__(message, code="duplicate")
        self.existing = existing


# --- helpers -------------------------------------------------------------------------------------

_CLOCK: ContextVar[dt.datetime | None] = ContextVar("egov_documents_clock", default=None)


def _now() -> dt.datetime:
    return _CLOCK.get() or timezone.now()


@contextmanager
def simulated_clock(moment: dt.datetime) -> Iterator[None]:
    """Act as if it were ``moment``: only for demo and benchmark data replayed through the
    services (and tests of yearly resets). Never used by views or the API."""
    token = _CLOCK.set(moment)
    try:
        yield
    finally:
        _CLOCK.reset(token)


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _lock(model, doc, expected_version, allowed: Iterable[str], action: str):
    pk = doc.pk if isinstance(doc, model) else doc
    locked = model.objects.select_for_update().get(pk=pk)
    if expected_version is not None and int(expected_version) != locked.version:
        raise ConflictError(
            _(
                "Văn bản vừa được người khác cập nhật. Vui lòng tải lại trang để xem trạng thái mới."
            ),
            code="conflict",
        )
    if locked.state not in allowed:
        raise TransitionError(
            _("Không thể %(action)s: văn bản đang ở trạng thái “%(state)s”.")
            % {"action": action, "state": locked.get_state_display()},
            code="transition_not_allowed",
        )
    return locked


def _save(doc, *fields: str) -> None:
    doc.version += 1
    doc.save(update_fields=[*fields, "version"])


def _label(user) -> str:
    if user is None:
        return _("Hệ thống")
    return user.get_full_name() or user.get_username()


def _event(doc, action: str, by, note: str = "", **data) -> DocumentEvent:
    """One timeline step of ``doc`` (incoming or outgoing), also appended to the audit log."""
    at = _now()
    is_in = isinstance(doc, IncomingDocument)
    event = DocumentEvent.objects.create(
        incoming=doc if is_in else None,
        outgoing=None if is_in else doc,
        action=action,
        at=at,
        actor=by,
        actor_label=_label(by),
        note=note,
        data=data,
    )
    audit.record(
        f"document.{action}",
        actor=by,
        agency=doc.agency_id,
        obj=doc,
        data={"note": note, **data},
        at=_CLOCK.get(),
    )
    return event


def _alert(users: Iterable, kind: str, doc, message: str) -> None:
    is_in = isinstance(doc, IncomingDocument)
    DocumentAlert.objects.bulk_create(
        [
            DocumentAlert(
                user=u,
                kind=kind,
                incoming=doc if is_in else None,
                outgoing=None if is_in else doc,
                message=message[:500],
            )
            for u in {u.pk: u for u in users}.values()
        ]
    )


def officers(agency_id: int, role: str):
    """Active officers holding ``role`` at exactly this agency."""
    from egov.accounts.models import User

    return User.objects.filter(
        is_active=True,
        memberships__is_active=True,
        memberships__agency_id=agency_id,
        memberships__role=role,
    ).distinct()


def has_role(user, agency_id: int, roles: Iterable[str]) -> bool:
    if user is None:
        return True  # the system (a task, an import) acts with no user
    if user.is_superuser:
        return True
    return user.memberships.filter(
        is_active=True, agency_id=agency_id, role__in=list(roles)
    ).exists()


def _require(user, agency_id: int, roles: Iterable[str], what: str) -> None:
    if not has_role(user, agency_id, roles):
        raise ValidationError(
            _("Bạn không có quyền %(what)s tại đơn vị này.") % {"what": what}, code="forbidden"
        )


def _invalid(field_name: str, message: str, code: str) -> ValidationError:
    """A field error that keeps its code: ``exc.error_dict[field_name][0].code``."""
    return ValidationError({field_name: ValidationError(message, code=code)})


def _in_subtree(unit: Agency, root: Agency) -> bool:
    return unit.pk == root.pk or unit.path.startswith(root.path)


# --- files ---------------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        parts, total = [], 0
        for page in reader.pages:
            text = page.extract_text() or ""
            parts.append(text)
            total += len(text)
            if total > MAX_TEXT:
                break
        return " ".join(" ".join(parts).split())[:MAX_TEXT]
    except Exception:  # a text layer is a bonus: a PDF that pypdf cannot read has none
        return ""


def _read(uploaded) -> bytes:
    if isinstance(uploaded, bytes | bytearray):
        return bytes(uploaded)
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    return data


def attach_file(
    doc, uploaded, role: str, *, by, file_version: int = 1, checked=None
) -> DocumentFile:
    """Store ``uploaded`` (checked by content with ``core.files``) as a file of ``doc``. A PDF's
    text layer is kept for search; a PDF carrying signatures is validated and its report kept
    (Điều 21.2: check authenticity and integrity of electronic documents)."""
    checked = checked or check_upload(uploaded, allowed=DOCUMENT_FILE_KINDS)
    is_in = isinstance(doc, IncomingDocument)
    stored = store_upload(
        uploaded,
        folder="documents/incoming" if is_in else "documents/outgoing",
        checked=checked,
    )
    text, report = "", None
    if checked.kind == "pdf":
        data = _read(uploaded)
        text = _pdf_text(data)
        if b"/ByteRange" in data:
            from egov.signing.reports import validate_and_keep

            report = validate_and_keep(
                data, storage_name=stored.name, original_name=stored.original_name, by=by
            )
    return DocumentFile.objects.create(
        incoming=doc if is_in else None,
        outgoing=None if is_in else doc,
        role=role,
        file_version=file_version,
        storage_name=stored.name,
        original_name=stored.original_name,
        size=stored.size,
        sha256=stored.sha256,
        kind=stored.kind,
        page_count=stored.page_count,
        text=text,
        signature_report=report,
        uploaded_by=by,
    )


def _check_files(files: Iterable) -> list:
    """Check every file before anything is written: a bad one refuses the whole action."""
    return [check_upload(f, allowed=DOCUMENT_FILE_KINDS) for f in files]


def _incoming_search_text(doc: IncomingDocument) -> str:
    texts = list(doc.files.values_list("text", flat=True)) if doc.pk else []
    parts = [
        str(doc.arrival_number or ""),
        doc.number_symbol,
        doc.issuer_name,
        doc.issuer_code,
        doc.type_name,
        doc.subject,
        doc.signer_name,
        doc.description,
        *texts,
    ]
    return fold(" ".join(p for p in parts if p))[: MAX_TEXT * 2]


def _outgoing_search_text(doc: OutgoingDocument) -> str:
    texts = (
        list(doc.files.filter(role__in=["issued", "signed"]).values_list("text", flat=True))
        if doc.pk
        else []
    )
    parts = [
        doc.number_symbol,
        doc.type_name,
        doc.subject,
        doc.signer_name,
        doc.recipients_text,
        doc.body,
        *texts,
    ]
    return fold(" ".join(p for p in parts if p))[: MAX_TEXT * 2]


# --- incoming: registration ------------------------------------------------------------------


@dataclass
class IncomingData:
    """The metadata the clerk enters (or confirms after OCR pre-fill), Phụ lục VI Phần II."""

    issuer_name: str
    number_symbol: str  # "05/QĐ-UBND"; split into CodeNumber / CodeNotation
    issued_date: dt.date
    doc_type: str
    subject: str
    issuer_code: str = ""
    signer_name: str = ""
    signer_position: str = ""
    page_count: int | None = None
    urgency: int = Urgency.NORMAL
    secrecy: int = Secrecy.NORMAL
    due_at: dt.datetime | None = None
    #: alternative to ``due_at``: the deadline in working days from registration
    due_days: int | None = None
    description: str = ""
    language: str = "Tiếng Việt"
    issuer_agency: Agency | None = None

    def clean(self, today: dt.date) -> tuple[str, str]:
        errors: dict[str, list[ValidationError]] = {}

        def err(name, msg):
            errors.setdefault(name, []).append(ValidationError(msg, code="invalid"))

        self.issuer_name = " ".join((self.issuer_name or "").split())
        self.subject = " ".join((self.subject or "").split())
        if not self.issuer_name:
            err("issuer_name", _("Nhập tên cơ quan ban hành."))
        elif len(self.issuer_name) > 200:
            err("issuer_name", _("Tên cơ quan ban hành dài quá 200 ký tự."))
        if not self.subject:
            err("subject", _("Nhập trích yếu nội dung."))
        elif len(self.subject) > 500:
            err("subject", _("Trích yếu dài quá 500 ký tự."))
        code_number = code_notation = ""
        try:
            code_number, code_notation = numbering.parse_number_symbol(self.number_symbol)
            if len(code_notation) > 30:
                err("number_symbol", _("Ký hiệu văn bản dài quá 30 ký tự."))
        except ValidationError as exc:
            err("number_symbol", exc.messages[0])
        if not isinstance(self.issued_date, dt.date):
            err("issued_date", _("Nhập ngày tháng của văn bản."))
        elif self.issued_date > today:
            err("issued_date", _("Ngày văn bản không thể sau ngày hôm nay."))
        try:
            doctypes.get(self.doc_type)
        except ValidationError as exc:
            err("doc_type", exc.messages[0])
        if self.urgency not in Urgency.values:
            err("urgency", _("Độ khẩn không hợp lệ."))
        if self.secrecy not in Secrecy.values:
            err("secrecy", _("Độ mật không hợp lệ."))
        if self.page_count is not None and not (0 < int(self.page_count) < 1000):
            err("page_count", _("Số trang phải từ 1 đến 999."))
        if self.issuer_code and len(self.issuer_code) > 13:
            err("issuer_code", _("Mã định danh cơ quan ban hành dài tối đa 13 ký tự."))
        if self.due_days is not None and (not isinstance(self.due_days, int) or self.due_days < 1):
            err("due_days", _("Số ngày làm việc phải là số nguyên dương."))
        if errors:
            raise ValidationError(errors)
        return code_number, code_notation


def dup_key(issuer_code: str, issuer_name: str, number_symbol: str, issued_date) -> str:
    """The duplicate key: the issuer (its code when known, else its folded name), the folded
    number/symbol and the date."""
    issuer = (issuer_code or "").strip().upper() or fold(issuer_name)
    return f"{issuer}|{fold(number_symbol).replace(' ', '')}|{issued_date:%Y-%m-%d}"[:300]


def find_duplicate(agency_id: int, key: str, exclude_pk=None) -> IncomingDocument | None:
    qs = IncomingDocument.objects.filter(agency_id=agency_id, dup_key=key).exclude(
        state=InState.CANCELLED
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("id").first()


def _duplicate_check(doc: IncomingDocument, confirm: bool) -> None:
    existing = find_duplicate(doc.agency_id, doc.dup_key, exclude_pk=doc.pk)
    if existing is not None and not confirm:
        when = (
            _("số đến %(n)s/%(y)s") % {"n": existing.arrival_number, "y": existing.arrival_year}
            if existing.arrival_number
            else _("đang chờ vào sổ")
        )
        raise DuplicateWarning(
            _(
                "Văn bản số %(ns)s ngày %(date)s của %(issuer)s đã có trong sổ (%(when)s). "
                "Xác nhận nếu vẫn muốn vào sổ."
            )
            % {
                "ns": doc.number_symbol,
                "date": doc.issued_date.strftime("%d/%m/%Y"),
                "issuer": doc.issuer_name,
                "when": when,
            },
            existing=existing,
        )


def _give_arrival_number(doc: IncomingDocument, by) -> None:
    """Số đến (Điều 22.2): next in the agency's yearly sequence, shared by paper and electronic
    documents; the year is that of the registration, so numbering restarts on 1 January."""
    now = _now()
    year = _local_day(now).year
    doc.arrival_year = year
    doc.arrival_number = numbering.next_arrival_number(doc.agency_id, year)
    doc.registered_at = now
    doc.registered_by = by
    doc.state = InState.REGISTERED


def _flag_urgent(doc: IncomingDocument) -> None:
    """Khẩn and above are presented to the leaders at once (Điều 4.2.c, 23.1)."""
    if doc.urgency >= Urgency.URGENT:
        _alert(
            officers(doc.agency_id, "leader"),
            DocumentAlert.Kind.URGENT,
            doc,
            _("Văn bản %(urgency)s: %(ns)s của %(issuer)s – %(subject)s")
            % {
                "urgency": doc.get_urgency_display().upper(),
                "ns": doc.number_symbol,
                "issuer": doc.issuer_name,
                "subject": doc.subject,
            },
        )


def _due_from(data: IncomingData, now: dt.datetime) -> dt.datetime | None:
    if data.due_at is not None:
        return data.due_at
    if data.due_days:
        return calendar.add_working_days(now, data.due_days)
    return None


def register_incoming(
    agency: Agency,
    data: IncomingData,
    *,
    source: str,
    main_file=None,
    attachments: Sequence = (),
    by,
    confirm_duplicate: bool = False,
    arrived_at: dt.datetime | None = None,
) -> IncomingDocument:
    """Register an incoming document (vào sổ văn bản đến, Điều 22): checks the metadata and the
    files, warns on a duplicate (:class:`DuplicateWarning` unless ``confirm_duplicate``), gives
    the số đến, keeps the files (PDF text layer; signature report for signed PDFs) and flags
    urgent documents to the agency's leaders at once. Only the agency's clerk may register."""
    if source not in Source.values:
        raise _invalid("source", _("Nguồn văn bản không hợp lệ."), "invalid")
    now = _now()
    code_number, code_notation = data.clean(_local_day(now))
    _require(by, agency.pk, ("clerk",), _("vào sổ văn bản đến"))
    if main_file is None and source != Source.HUB:
        raise _invalid(
            "main_file", _("Đính kèm tệp văn bản (bản điện tử hoặc bản quét)."), "file_missing"
        )
    files = [f for f in [main_file, *attachments] if f is not None]
    checks = _check_files(files)
    t = doctypes.get(data.doc_type)
    with transaction.atomic():
        doc = IncomingDocument(
            agency=agency,
            source=source,
            arrived_at=arrived_at or now,
            issuer_name=data.issuer_name,
            issuer_code=data.issuer_code.strip(),
            issuer_agency=data.issuer_agency,
            code_number=code_number,
            code_notation=code_notation,
            issued_date=data.issued_date,
            doc_type=t.code,
            type_name=t.name,
            subject=data.subject,
            language=data.language,
            page_count=data.page_count,
            description=data.description,
            signer_name=data.signer_name.strip(),
            signer_position=data.signer_position.strip(),
            urgency=data.urgency,
            secrecy=data.secrecy,
            due_at=_due_from(data, now),
            created_by=by,
        )
        doc.dup_key = dup_key(doc.issuer_code, doc.issuer_name, doc.number_symbol, doc.issued_date)
        _duplicate_check(doc, confirm_duplicate)
        _give_arrival_number(doc, by)
        doc.save()
        for i, (f, check) in enumerate(zip(files, checks, strict=True)):
            role = DocumentFile.Role.MAIN if (i == 0 and main_file is not None) else "attachment"
            attach_file(doc, f, role, by=by, checked=check)
        main = doc.files.filter(role=DocumentFile.Role.MAIN).first()
        if main is not None:
            if doc.page_count is None and main.page_count:
                doc.page_count = main.page_count
            if main.signature_report_id:
                doc.signature_status = main.signature_report.status
        doc.search_text = _incoming_search_text(doc)
        doc.save(update_fields=["page_count", "signature_status", "search_text"])
        _event(
            doc,
            "incoming.registered",
            by,
            arrival_number=doc.arrival_number,
            year=doc.arrival_year,
            number_symbol=doc.number_symbol,
            source=source,
            duplicate_confirmed=bool(confirm_duplicate),
        )
        _flag_urgent(doc)
    return doc


def register_pending(
    incoming: IncomingDocument,
    *,
    by,
    confirm_duplicate: bool = False,
    expected_version: int | None = None,
    due_days: int | None = None,
) -> IncomingDocument:
    """Register a document that arrived electronically (internal dispatch, the hub) and waits
    in the clerk's inbox: same duplicate check and số đến as :func:`register_incoming`."""
    with transaction.atomic():
        doc = _lock(IncomingDocument, incoming, expected_version, [InState.PENDING], _("vào sổ"))
        _require(by, doc.agency_id, ("clerk",), _("vào sổ văn bản đến"))
        _duplicate_check(doc, confirm_duplicate)
        _give_arrival_number(doc, by)
        if due_days:
            doc.due_at = calendar.add_working_days(_now(), due_days)
        doc.search_text = _incoming_search_text(doc)
        _save(
            doc,
            "arrival_year",
            "arrival_number",
            "registered_at",
            "registered_by",
            "state",
            "due_at",
            "search_text",
        )
        _event(
            doc,
            "incoming.registered",
            by,
            arrival_number=doc.arrival_number,
            year=doc.arrival_year,
            number_symbol=doc.number_symbol,
            source=doc.source,
            duplicate_confirmed=bool(confirm_duplicate),
        )
        _flag_urgent(doc)
    return doc


def reject_pending(
    incoming: IncomingDocument, reason: str, *, by, expected_version: int | None = None
) -> IncomingDocument:
    """Return a wrong or invalid electronic document to its sender (Điều 21.2.b)."""
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Nhập lý do trả lại văn bản."), "required")
    with transaction.atomic():
        doc = _lock(IncomingDocument, incoming, expected_version, [InState.PENDING], _("trả lại"))
        _require(by, doc.agency_id, ("clerk",), _("trả lại văn bản đến"))
        doc.state = InState.CANCELLED
        _save(doc, "state")
        _event(doc, "incoming.rejected", by, note=reason)
    return doc


# --- incoming: direction and processing -----------------------------------------------------


@dataclass
class UnitOrder:
    """One unit in the direction slip, with its deadline: ``due_at``, or ``days`` working days
    from now, or (neither) the document's own deadline."""

    unit: Agency
    due_at: dt.datetime | None = None
    days: int | None = None


def _unit_due(order: UnitOrder, doc: IncomingDocument, now: dt.datetime) -> dt.datetime | None:
    if order.due_at is not None:
        if order.due_at <= now:
            raise _invalid(
                "deadline",
                _("Hạn xử lý của %(unit)s đã qua.") % {"unit": order.unit.name},
                "deadline_past",
            )
        return order.due_at
    if order.days is not None:
        if not isinstance(order.days, int) or order.days < 1:
            raise _invalid("deadline", _("Số ngày làm việc phải là số nguyên dương."), "invalid")
        return calendar.add_working_days(now, order.days)
    return doc.due_at


def direct(
    incoming: IncomingDocument,
    *,
    lead: UnitOrder,
    coordinating: Sequence[UnitOrder] = (),
    opinion: str = "",
    by,
    expected_version: int | None = None,
) -> IncomingDocument:
    """The leader's direction (phiếu giải quyết văn bản đến, Phụ lục IV): the lead unit, the
    coordinating units, a deadline per unit in working days (core.calendar), the opinion.
    Each unit's leaders are told to assign a specialist."""
    now = _now()
    with transaction.atomic():
        doc = _lock(
            IncomingDocument, incoming, expected_version, [InState.REGISTERED], _("chỉ đạo")
        )
        _require(by, doc.agency_id, ("leader",), _("chỉ đạo giải quyết văn bản"))
        orders = [lead, *coordinating]
        seen: set[int] = set()
        for order in orders:
            if order.unit.pk in seen:
                raise _invalid(
                    "units",
                    _("Đơn vị %(unit)s được chọn hai lần.") % {"unit": order.unit.name},
                    "unit_repeated",
                )
            seen.add(order.unit.pk)
            if not _in_subtree(order.unit, doc.agency) or not order.unit.is_active():
                raise _invalid(
                    "units",
                    _("%(unit)s không phải đơn vị thuộc %(agency)s.")
                    % {"unit": order.unit.name, "agency": doc.agency.name},
                    "unit_outside",
                )
        dues = [_unit_due(o, doc, now) for o in orders]
        direction = Direction.objects.create(
            incoming=doc, directed_by=by, directed_at=now, opinion=(opinion or "").strip()
        )
        for i, (order, due) in enumerate(zip(orders, dues, strict=True)):
            Assignment.objects.create(
                incoming=doc,
                direction=direction,
                unit=order.unit,
                role=Assignment.Role.LEAD if i == 0 else Assignment.Role.COORDINATE,
                due_at=due,
            )
            _alert(
                officers(order.unit.pk, "leader"),
                DocumentAlert.Kind.ASSIGNED,
                doc,
                _("Văn bản %(ns)s giao %(unit)s %(role)s, hạn %(due)s")
                % {
                    "ns": doc.number_symbol,
                    "unit": order.unit.name,
                    "role": _("chủ trì") if i == 0 else _("phối hợp"),
                    "due": timezone.localtime(due).strftime("%d/%m/%Y") if due else "-",
                },
            )
        doc.state = InState.IN_PROCESS
        doc.directed_at = now
        doc.to_places = "; ".join(o.unit.name for o in orders)[:1000]
        if doc.due_at is None:
            doc.due_at = dues[0]
        _save(doc, "state", "directed_at", "to_places", "due_at")
        _event(
            doc,
            "incoming.directed",
            by,
            note=direction.opinion,
            lead=lead.unit.name,
            coordinating=[o.unit.name for o in coordinating],
            deadlines={
                o.unit.name: d.isoformat() if d else None for o, d in zip(orders, dues, strict=True)
            },
        )
    return doc


def _lock_assignment(assignment: Assignment | int, allowed: Iterable[str], action: str):
    pk = assignment.pk if isinstance(assignment, Assignment) else assignment
    a = Assignment.objects.select_for_update().select_related("incoming", "unit").get(pk=pk)
    if a.state not in allowed:
        raise TransitionError(
            _("Không thể %(action)s: phần việc của %(unit)s đang ở trạng thái “%(state)s”.")
            % {"action": action, "unit": a.unit.name, "state": a.get_state_display()},
            code="transition_not_allowed",
        )
    if a.incoming.state != InState.IN_PROCESS:
        raise TransitionError(
            _("Không thể %(action)s: văn bản đang ở trạng thái “%(state)s”.")
            % {"action": action, "state": a.incoming.get_state_display()},
            code="transition_not_allowed",
        )
    return a


def _is_unit_head(user, a: Assignment) -> bool:
    return has_role(user, a.unit_id, ("leader",)) or has_role(
        user, a.incoming.agency_id, ("leader",)
    )


def assign_specialist(assignment: Assignment, specialist, *, by, opinion: str = "") -> Assignment:
    """The unit head (a leader of the unit, or of the agency) gives the unit's part to a
    specialist of the unit (Phụ lục IV, phiếu giải quyết part 2). Re-assigning is allowed while
    the part is open."""
    with transaction.atomic():
        a = _lock_assignment(
            assignment, [Assignment.State.WAITING, Assignment.State.IN_PROCESS], _("phân công")
        )
        if not _is_unit_head(by, a):
            raise ValidationError(
                _("Chỉ lãnh đạo đơn vị được phân công xử lý văn bản."), code="forbidden"
            )
        if not specialist.memberships.filter(
            is_active=True, agency_id=a.unit_id, role__in=["specialist", "leader"]
        ).exists():
            raise _invalid(
                "specialist",
                _("%(name)s không thuộc %(unit)s.")
                % {"name": _label(specialist), "unit": a.unit.name},
                "not_in_unit",
            )
        a.assignee = specialist
        a.assigned_by = by
        a.assigned_at = _now()
        a.state = Assignment.State.IN_PROCESS
        if opinion:
            a.unit_opinion = opinion.strip()
        a.save(update_fields=["assignee", "assigned_by", "assigned_at", "state", "unit_opinion"])
        doc = a.incoming
        _alert(
            [specialist],
            DocumentAlert.Kind.ASSIGNED,
            doc,
            _("Bạn được giao xử lý văn bản %(ns)s: %(subject)s")
            % {"ns": doc.number_symbol, "subject": doc.subject},
        )
        _event(
            doc,
            "incoming.assigned",
            by,
            note=a.unit_opinion,
            unit=a.unit.name,
            specialist=_label(specialist),
        )
    return a


def record_progress(assignment: Assignment, note: str, *, by) -> Assignment:
    """The specialist (or the unit head) records progress, an opinion or a proposal."""
    note = (note or "").strip()
    if not note:
        raise _invalid("note", _("Nhập nội dung tiến độ, ý kiến."), "required")
    with transaction.atomic():
        a = _lock_assignment(assignment, [Assignment.State.IN_PROCESS], _("cập nhật tiến độ"))
        if not (by is not None and by.pk == a.assignee_id) and not _is_unit_head(by, a):
            raise ValidationError(
                _("Chỉ người được giao xử lý mới cập nhật tiến độ."), code="forbidden"
            )
        a.progress = note
        a.save(update_fields=["progress"])
        _event(a.incoming, "incoming.progress", by, note=note, unit=a.unit.name)
    return a


def complete_assignment(
    assignment: Assignment, result: str, *, by, reply: OutgoingDocument | None = None
) -> Assignment:
    """The specialist finishes the unit's part, optionally linking the outgoing reply. When
    every lead part is done the document is resolved (the lead unit answers for the result;
    coordinating units may still add their part)."""
    with transaction.atomic():
        a = _lock_assignment(assignment, [Assignment.State.IN_PROCESS], _("hoàn thành xử lý"))
        if not (by is not None and by.pk == a.assignee_id) and not _is_unit_head(by, a):
            raise ValidationError(
                _("Chỉ người được giao xử lý mới báo hoàn thành."), code="forbidden"
            )
        now = _now()
        a.state = Assignment.State.DONE
        a.completed_at = now
        a.result = (result or "").strip()
        a.save(update_fields=["state", "completed_at", "result"])
        doc = IncomingDocument.objects.select_for_update().get(pk=a.incoming_id)
        fields = []
        if reply is not None:
            if reply.agency_id != doc.agency_id and not _in_subtree(reply.agency, doc.agency):
                raise _invalid(
                    "reply", _("Văn bản trả lời phải do cơ quan này ban hành."), "reply_agency"
                )
            doc.reply = reply
            fields.append("reply")
        if (
            not doc.assignments.filter(role=Assignment.Role.LEAD)
            .exclude(state__in=[Assignment.State.DONE, Assignment.State.CANCELLED])
            .exists()
        ):
            doc.state = InState.DONE
            doc.completed_at = now
            fields += ["state", "completed_at"]
        _save(doc, *fields)
        _event(
            doc,
            "incoming.completed_part",
            by,
            note=a.result,
            unit=a.unit.name,
            reply=reply.number_symbol if reply else None,
            on_time=(a.due_at is None or now <= a.due_at),
        )
    return a


def close_incoming(
    incoming: IncomingDocument, note: str = "", *, by, expected_version: int | None = None
) -> IncomingDocument:
    """The leader files a document that needs no handling (to know, "để biết"): done at once."""
    with transaction.atomic():
        doc = _lock(
            IncomingDocument, incoming, expected_version, [InState.REGISTERED], _("lưu, để biết")
        )
        _require(by, doc.agency_id, ("leader",), _("kết thúc văn bản đến"))
        doc.state = InState.DONE
        doc.completed_at = _now()
        _save(doc, "state", "completed_at")
        _event(doc, "incoming.closed", by, note=(note or "").strip())
    return doc


# --- outgoing: drafting and review ---------------------------------------------------------


@dataclass
class RecipientSpec:
    """A place the document goes: an agency in egov (``agency``), an e-mail address, or paper."""

    channel: str
    agency: Agency | None = None
    email: str = ""
    name: str = ""


@dataclass
class DraftData:
    doc_type: str
    subject: str
    body: str = ""
    recipients: Sequence[RecipientSpec] = ()
    urgency: int = Urgency.NORMAL
    secrecy: int = Secrecy.NORMAL
    due_date: dt.date | None = None
    reply_to: IncomingDocument | None = None
    replaces: OutgoingDocument | None = None
    signer_position: str = ""
    authority: str = ""
    issued_amount: int = 1
    extra: dict = field(default_factory=dict)

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}

        def err(name, msg):
            errors.setdefault(name, []).append(ValidationError(msg, code="invalid"))

        self.subject = " ".join((self.subject or "").split())
        try:
            doctypes.get(self.doc_type)
        except ValidationError as exc:
            err("doc_type", exc.messages[0])
        if not self.subject:
            err("subject", _("Nhập trích yếu nội dung."))
        elif len(self.subject) > 500:
            err("subject", _("Trích yếu dài quá 500 ký tự."))
        if self.urgency not in Urgency.values:
            err("urgency", _("Độ khẩn không hợp lệ."))
        if self.secrecy not in Secrecy.values:
            err("secrecy", _("Độ mật không hợp lệ."))
        if self.authority:
            from .rendering import AUTHORITY_PREFIXES

            if not self.authority.strip().upper().startswith(AUTHORITY_PREFIXES):
                err("authority", _("Thẩm quyền ký bắt đầu bằng TM., Q., KT., TL. hoặc TUQ."))
        for r in self.recipients:
            if r.channel == Recipient.Channel.INTERNAL:
                if r.agency is None:
                    err("recipients", _("Chọn cơ quan nhận trong hệ thống."))
            elif r.channel == Recipient.Channel.EMAIL:
                try:
                    validate_email(r.email)
                except ValidationError:
                    err(
                        "recipients",
                        _("Địa chỉ thư điện tử “%(e)s” không hợp lệ.") % {"e": r.email},
                    )
            elif r.channel == Recipient.Channel.PAPER:
                if not (r.name or "").strip():
                    err("recipients", _("Nhập tên nơi nhận bản giấy."))
            else:
                err("recipients", _("Hình thức gửi không hợp lệ."))
        if self.secrecy > Secrecy.NORMAL and any(
            r.channel == Recipient.Channel.EMAIL for r in self.recipients
        ):
            err("recipients", _("Văn bản mật không được gửi qua thư điện tử."))
        if errors:
            raise ValidationError(errors)


def _set_recipients(doc: OutgoingDocument, specs: Sequence[RecipientSpec]) -> None:
    doc.recipients.all().delete()
    rows = []
    for r in specs:
        name = r.name or (r.agency.name if r.agency else r.email)
        rows.append(
            Recipient(
                outgoing=doc,
                channel=r.channel,
                agency=r.agency,
                email=r.email,
                name=name[:200],
            )
        )
    Recipient.objects.bulk_create(rows)
    doc.recipients_text = "; ".join(r.name for r in rows)[:1000]


def _apply_draft(doc: OutgoingDocument, data: DraftData) -> None:
    t = doctypes.get(data.doc_type)
    doc.doc_type = t.code
    doc.type_name = t.name
    doc.subject = data.subject
    doc.body = data.body or ""
    doc.urgency = data.urgency
    doc.secrecy = data.secrecy
    doc.due_date = data.due_date
    doc.reply_to = data.reply_to
    doc.replaces = data.replaces
    doc.signer_position = (data.signer_position or "").strip()
    doc.authority = (data.authority or "").strip()
    doc.issued_amount = max(1, int(data.issued_amount or 1))


def _next_draft_version(doc: OutgoingDocument) -> int:
    last = (
        doc.files.filter(role=DocumentFile.Role.DRAFT)
        .order_by("-file_version")
        .values_list("file_version", flat=True)
        .first()
    )
    return (last or 0) + 1


def create_draft(
    drafting_unit: Agency,
    data: DraftData,
    *,
    by,
    files: Sequence = (),
    attachments: Sequence = (),
    agency: Agency | None = None,
) -> OutgoingDocument:
    """A specialist drafts an outgoing document for ``agency`` (default: the government of the
    drafting unit). ``files`` are draft versions (kept, numbered), ``attachments`` appendices."""
    agency = agency or drafting_unit.government()
    data.clean()
    if not _in_subtree(drafting_unit, agency):
        raise _invalid(
            "drafting_unit", _("Đơn vị soạn thảo không thuộc cơ quan ban hành."), "unit_outside"
        )
    if not (
        has_role(by, drafting_unit.pk, ("specialist", "leader"))
        or has_role(by, agency.pk, ("specialist", "leader"))
    ):
        raise ValidationError(
            _("Bạn không có quyền soạn thảo văn bản tại đơn vị này."), code="forbidden"
        )
    checks = _check_files([*files, *attachments])
    with transaction.atomic():
        doc = OutgoingDocument(agency=agency, drafting_unit=drafting_unit, created_by=by)
        _apply_draft(doc, data)
        doc.save()
        _set_recipients(doc, data.recipients)
        for i, f in enumerate(files):
            attach_file(
                doc, f, DocumentFile.Role.DRAFT, by=by, file_version=i + 1, checked=checks[i]
            )
        for f, check in zip(attachments, checks[len(files) :], strict=True):
            attach_file(doc, f, DocumentFile.Role.ATTACHMENT, by=by, checked=check)
        doc.search_text = _outgoing_search_text(doc)
        doc.save(update_fields=["recipients_text", "search_text"])
        _event(doc, "outgoing.drafted", by, subject=doc.subject, type=doc.type_name)
    return doc


def update_draft(
    outgoing: OutgoingDocument,
    *,
    by,
    data: DraftData | None = None,
    new_version=None,
    expected_version: int | None = None,
) -> OutgoingDocument:
    """The drafter edits a draft or a returned document; a new file is a new version (the
    earlier ones are kept)."""
    if data is not None:
        data.clean()
    checks = _check_files([new_version] if new_version is not None else [])
    with transaction.atomic():
        doc = _lock(
            OutgoingDocument,
            outgoing,
            expected_version,
            [OutState.DRAFT, OutState.RETURNED],
            _("sửa dự thảo"),
        )
        if by is not None and doc.created_by_id != by.pk and not by.is_superuser:
            raise ValidationError(_("Chỉ người soạn thảo được sửa dự thảo."), code="forbidden")
        fields = ["search_text"]
        if data is not None:
            _apply_draft(doc, data)
            _set_recipients(doc, data.recipients)
            fields += [
                "doc_type",
                "type_name",
                "subject",
                "body",
                "urgency",
                "secrecy",
                "due_date",
                "reply_to",
                "replaces",
                "signer_position",
                "authority",
                "issued_amount",
                "recipients_text",
            ]
        file_version = None
        if new_version is not None:
            file_version = _next_draft_version(doc)
            attach_file(
                doc,
                new_version,
                DocumentFile.Role.DRAFT,
                by=by,
                file_version=file_version,
                checked=checks[0],
            )
        doc.search_text = _outgoing_search_text(doc)
        _save(doc, *fields)
        _event(doc, "outgoing.edited", by, file_version=file_version)
    return doc


def _pick_reviewer(agency_id: int, reviewer, what: str):
    if reviewer is None:
        return None
    if not has_role(reviewer, agency_id, ("leader",)):
        raise _invalid(
            "reviewer",
            _("%(name)s không phải lãnh đạo %(what)s.") % {"name": _label(reviewer), "what": what},
            "not_a_leader",
        )
    return reviewer


def send_for_review(
    outgoing: OutgoingDocument,
    *,
    by,
    reviewer=None,
    note: str = "",
    expected_version: int | None = None,
) -> OutgoingDocument:
    """The drafter sends the draft to the head of the drafting unit (or, when the drafting unit
    is the agency itself, straight to the agency's leaders). ``reviewer`` picks one leader;
    without it any leader of the unit may review."""
    with transaction.atomic():
        doc = _lock(
            OutgoingDocument,
            outgoing,
            expected_version,
            [OutState.DRAFT, OutState.RETURNED],
            _("trình duyệt"),
        )
        if by is not None and doc.created_by_id != by.pk and not by.is_superuser:
            raise ValidationError(_("Chỉ người soạn thảo được trình dự thảo."), code="forbidden")
        if not doc.files.filter(role=DocumentFile.Role.DRAFT).exists() and not doc.body.strip():
            raise ValidationError(
                _("Dự thảo chưa có nội dung hoặc tệp dự thảo."), code="draft_empty"
            )
        unit_level = doc.drafting_unit_id != doc.agency_id
        target_agency = doc.drafting_unit_id if unit_level else doc.agency_id
        doc.reviewer = _pick_reviewer(target_agency, reviewer, _("đơn vị"))
        doc.state = OutState.UNIT_REVIEW if unit_level else OutState.LEADER_REVIEW
        _save(doc, "state", "reviewer")
        _alert(
            [doc.reviewer] if doc.reviewer else officers(target_agency, "leader"),
            DocumentAlert.Kind.TO_REVIEW,
            doc,
            _("Dự thảo chờ duyệt: %(subject)s") % {"subject": doc.subject},
        )
        _event(doc, "outgoing.sent_for_review", by, note=(note or "").strip(), to=doc.state)
    return doc


def _may_review(user, doc: OutgoingDocument, agency_id: int) -> bool:
    if doc.reviewer_id is not None and user is not None and not user.is_superuser:
        return user.pk == doc.reviewer_id
    return has_role(user, agency_id, ("leader",))


def approve_review(
    outgoing: OutgoingDocument,
    *,
    by,
    leader=None,
    note: str = "",
    expected_version: int | None = None,
) -> OutgoingDocument:
    """The unit head approves the draft and sends it to the agency's leader (``leader`` picks
    one; without it any leader of the agency)."""
    with transaction.atomic():
        doc = _lock(
            OutgoingDocument, outgoing, expected_version, [OutState.UNIT_REVIEW], _("duyệt")
        )
        if not _may_review(by, doc, doc.drafting_unit_id):
            raise ValidationError(
                _("Chỉ lãnh đạo đơn vị soạn thảo được duyệt dự thảo này."), code="forbidden"
            )
        doc.reviewer = _pick_reviewer(doc.agency_id, leader, _("cơ quan"))
        doc.state = OutState.LEADER_REVIEW
        _save(doc, "state", "reviewer")
        _alert(
            [doc.reviewer] if doc.reviewer else officers(doc.agency_id, "leader"),
            DocumentAlert.Kind.TO_REVIEW,
            doc,
            _("Văn bản chờ ký: %(subject)s") % {"subject": doc.subject},
        )
        _event(doc, "outgoing.unit_approved", by, note=(note or "").strip())
    return doc


def return_draft(
    outgoing: OutgoingDocument, comments: str, *, by, expected_version: int | None = None
) -> OutgoingDocument:
    """The unit head or the leader returns the draft to its drafter with comments."""
    comments = (comments or "").strip()
    if not comments:
        raise _invalid("comments", _("Nhập ý kiến khi trả lại dự thảo."), "required")
    with transaction.atomic():
        doc = _lock(
            OutgoingDocument,
            outgoing,
            expected_version,
            [OutState.UNIT_REVIEW, OutState.LEADER_REVIEW],
            _("trả lại"),
        )
        agency_id = doc.drafting_unit_id if doc.state == OutState.UNIT_REVIEW else doc.agency_id
        if not _may_review(by, doc, agency_id):
            raise ValidationError(_("Bạn không phải người duyệt văn bản này."), code="forbidden")
        from_state = doc.state
        doc.state = OutState.RETURNED
        doc.reviewer = None
        _save(doc, "state", "reviewer")
        if doc.created_by is not None:
            _alert(
                [doc.created_by],
                DocumentAlert.Kind.RETURNED,
                doc,
                _("Dự thảo bị trả lại: %(c)s") % {"c": comments},
            )
        _event(doc, "outgoing.returned", by, note=comments, from_state=from_state)
    return doc


def _attach_bytes(doc, pdf: bytes, role: str, name: str, by) -> DocumentFile:
    from django.core.files.base import ContentFile

    content = ContentFile(pdf, name=name)
    return attach_file(doc, content, role, by=by)


def _signing_mode() -> str:
    return getattr(settings, "EGOV_DOCUMENTS_SIGNING", "when_configured")


def _has_keys(user, agency) -> bool:
    from egov.signing.signers import agency_key, person_key

    return person_key(user, agency) is not None and agency_key(agency) is not None


def _person_sign(pdf: bytes, user, agency, reason: str) -> bytes:
    """The signer's own signature, image centred between the position line and the name
    (find_signature_box on the template's signature block)."""
    from egov.signing.backends import SigningError
    from egov.signing.services import sign_pdf
    from egov.signing.signers import backend_for, find_signature_box, key_image, person_key

    key = person_key(user, agency)
    if key is None:
        raise SigningError(_("%(name)s chưa có khóa ký số.") % {"name": _label(user)})
    place = find_signature_box(pdf, _label(user))
    image = key_image(key)
    if place is not None and image is not None:
        page, box = place
        return sign_pdf(
            pdf, backend_for(key), kind="person", reason=reason, box=box, page=page, image=image
        )
    return sign_pdf(pdf, backend_for(key), kind="person", reason=reason)


def _issued_pdf(doc: OutgoingDocument, day) -> bytes:
    """The document with its number and date: the leader-signed PDF with the two fields filled
    (the leader's signature stays valid), or — approved without a signature — rendered again
    with them."""
    from django.core.files.storage import storages

    from egov.signing.services import fill_form_fields, form_field_names

    from .rendering import DATE_FIELD, NUMBER_FIELD, date_words, render_outgoing

    approved = doc.files.filter(role=DocumentFile.Role.SIGNED).order_by("-id").first()
    if approved is not None:
        with storages["default"].open(approved.storage_name, "rb") as fh:
            pdf = fh.read()
        if NUMBER_FIELD in form_field_names(pdf):
            return fill_form_fields(
                pdf,
                {NUMBER_FIELD: doc.number_symbol, DATE_FIELD: date_words(day)},
                italic=(DATE_FIELD,),
            )
    return render_outgoing(doc, number_symbol=doc.number_symbol, issued_date=day)


def approve_and_sign(
    outgoing: OutgoingDocument,
    *,
    by,
    signer_position: str = "",
    authority: str = "",
    expected_version: int | None = None,
) -> OutgoingDocument:
    """The leader approves and signs (Điều 13): the document is rendered with the NĐ 30 layout
    (number and date left blank for the clerk) and signed with the leader's key, the blue
    signature image between the position line and the name. ``EGOV_DOCUMENTS_SIGNING``:
    "required" refuses without keys, "when_configured" approves unsigned when the leader has no
    key (logged), "off" never signs."""
    from egov.signing.backends import SigningError

    from .rendering import render_outgoing

    with transaction.atomic():
        doc = _lock(
            OutgoingDocument, outgoing, expected_version, [OutState.LEADER_REVIEW], _("ký duyệt")
        )
        _require(by, doc.agency_id, ("leader",), _("ký ban hành văn bản"))
        if (
            doc.reviewer_id is not None
            and by is not None
            and by.pk != doc.reviewer_id
            and not by.is_superuser
        ):
            raise ValidationError(
                _("Văn bản này được trình cho %(name)s ký.") % {"name": _label(doc.reviewer)},
                code="forbidden",
            )
        now = _now()
        doc.signer = by
        doc.signer_name = _label(by)[:50]
        if signer_position:
            doc.signer_position = signer_position.strip()
        doc.signer_position = doc.signer_position or (getattr(by, "position", "") or _("Chủ tịch"))
        if authority:
            doc.authority = authority.strip()
        doc.signed_at = now
        doc.state = OutState.APPROVED
        doc.reviewer = None
        mode = _signing_mode()
        signed = False
        if mode != "off":
            has = _has_keys(by, doc.agency)
            if not has and mode == "required":
                raise ValidationError(
                    _("%(name)s hoặc cơ quan chưa có khóa ký số: không thể ký duyệt.")
                    % {"name": _label(by)},
                    code="no_signing_key",
                )
            # the final text with the number and the date as empty fields: the leader signs
            # it; the clerk fills them at issue (form filling keeps this signature valid)
            from egov.signing.services import prepare_form_fields

            pdf = prepare_form_fields(render_outgoing(doc, form_fields=True))
            if has:
                try:
                    pdf = _person_sign(pdf, by, doc.agency, _("Ký duyệt văn bản"))
                    signed = True
                except SigningError as exc:
                    raise ValidationError(str(exc), code="signing_failed") from exc
            _attach_bytes(doc, pdf, DocumentFile.Role.SIGNED, f"{doc.doc_type}-ky-duyet.pdf", by)
        _save(
            doc,
            "signer",
            "signer_name",
            "signer_position",
            "authority",
            "signed_at",
            "state",
            "reviewer",
        )
        _alert(
            officers(doc.agency_id, "clerk"),
            DocumentAlert.Kind.TO_ISSUE,
            doc,
            _("Văn bản đã ký, chờ cấp số và ban hành: %(subject)s") % {"subject": doc.subject},
        )
        _event(doc, "outgoing.signed", by, signed=signed, position=doc.signer_position)
    return doc


# --- outgoing: issue, dispatch --------------------------------------------------------------


def issue(
    outgoing: OutgoingDocument,
    *,
    by,
    send: bool = True,
    expected_version: int | None = None,
) -> OutgoingDocument:
    """The clerk issues (Điều 15, 16): the number from the register's series for the year (per
    agency by default; a configured separate series; always separate for secret documents),
    the symbol by the decree (``05/QĐ-UBND``, ``12/UBND-VX``), the date; they are filled into
    the fields of the PDF the leader signed (the leader's signature stays valid: the clerk
    never uses the leader's key) and the agency signature is applied (seal over the left third
    of the leader's signature, Phụ lục I II.8). Then, unless ``send`` is False, the
    document is dispatched (:func:`dispatch`). The number is taken under the series' row lock
    in this transaction: two clerks never get the same number, a failure gives it back."""
    from egov.signing.backends import SigningError
    from egov.signing.signers import agency_key, sign_as_agency

    with transaction.atomic():
        doc = _lock(
            OutgoingDocument, outgoing, expected_version, [OutState.APPROVED], _("ban hành")
        )
        _require(by, doc.agency_id, ("clerk",), _("cấp số, ban hành văn bản"))
        now = _now()
        today = _local_day(now)
        series = numbering.series_for(doc.agency_id, doc.doc_type, doc.secrecy)
        symbol = numbering.format_symbol(
            doc.doc_type, doc.agency.abbreviation, doc.drafting_unit.abbreviation
        )
        number = numbering.next_outgoing_number(series, today.year)
        doc.series_scope = series.scope
        doc.year = today.year
        doc.number = number
        doc.code_number = numbering.format_number(number)
        doc.code_notation = symbol
        doc.issued_date = today
        doc.issued_at = now
        doc.issued_by = by
        doc.state = OutState.ISSUED
        mode = _signing_mode()
        signed = False
        if mode != "off":
            pdf = _issued_pdf(doc, today)
            if agency_key(doc.agency) is not None:
                try:
                    pdf = sign_as_agency(
                        pdf,
                        doc.agency,
                        reason=_("Ban hành văn bản số %(ns)s") % {"ns": doc.number_symbol},
                    )
                    signed = True
                except SigningError as exc:
                    raise ValidationError(str(exc), code="signing_failed") from exc
            elif mode == "required":
                raise ValidationError(
                    _("Cơ quan chưa có khóa ký số: không thể ban hành."),
                    code="no_signing_key",
                )
            issued = _attach_bytes(
                doc,
                pdf,
                DocumentFile.Role.ISSUED,
                f"{doc.code_number}-{doc.code_notation}.pdf".replace("/", "-"),
                by,
            )
            doc.page_count = issued.page_count
        doc.search_text = _outgoing_search_text(doc)
        _save(
            doc,
            "series_scope",
            "year",
            "number",
            "code_number",
            "code_notation",
            "issued_date",
            "issued_at",
            "issued_by",
            "state",
            "page_count",
            "search_text",
        )
        _event(
            doc,
            "outgoing.issued",
            by,
            number_symbol=doc.number_symbol,
            series=series.scope,
            signed=signed,
        )
        if doc.replaces_id:
            _replace(
                doc.replaces_id,
                doc,
                _("Thay thế bởi văn bản số %(ns)s") % {"ns": doc.number_symbol},
                by,
            )
        if send:
            _dispatch(doc, by)
    return doc


def _copy_metadata(doc: OutgoingDocument, to_agency: Agency) -> IncomingDocument:
    return IncomingDocument(
        agency=to_agency,
        state=InState.PENDING,
        source=Source.INTERNAL,
        arrived_at=_now(),
        issuer_name=doc.agency.name,
        issuer_code=doc.agency.code,
        issuer_agency=doc.agency,
        code_number=doc.code_number,
        code_notation=doc.code_notation,
        issued_date=doc.issued_date,
        doc_type=doc.doc_type,
        type_name=doc.type_name,
        subject=doc.subject,
        page_count=doc.page_count,
        signer_name=doc.signer_name,
        signer_position=doc.signer_position,
        urgency=doc.urgency,
        secrecy=doc.secrecy,
        due_at=None,
        origin=doc,
    )


def _deliver_internal(doc: OutgoingDocument, recipient: Recipient, by) -> None:
    """The receiving agency gets its incoming copy, waiting in its clerk's inbox."""
    copy = _copy_metadata(doc, recipient.agency)
    copy.dup_key = dup_key(copy.issuer_code, copy.issuer_name, copy.number_symbol, copy.issued_date)
    copy.save()
    for f in doc.files.filter(role__in=[DocumentFile.Role.ISSUED, DocumentFile.Role.ATTACHMENT]):
        DocumentFile.objects.create(
            incoming=copy,
            role=DocumentFile.Role.MAIN if f.role == DocumentFile.Role.ISSUED else f.role,
            storage_name=f.storage_name,
            original_name=f.original_name,
            size=f.size,
            sha256=f.sha256,
            kind=f.kind,
            page_count=f.page_count,
            text=f.text,
            signature_report=f.signature_report,
            uploaded_by=by,
        )
    main = copy.files.filter(role=DocumentFile.Role.MAIN).select_related("signature_report").first()
    if main is not None and main.signature_report_id:
        copy.signature_status = main.signature_report.status
    copy.search_text = _incoming_search_text(copy)
    copy.save(update_fields=["signature_status", "search_text"])
    _event(
        copy, "incoming.arrived", by, from_agency=doc.agency.name, number_symbol=doc.number_symbol
    )
    _alert(
        officers(recipient.agency_id, "clerk"),
        DocumentAlert.Kind.ARRIVED,
        copy,
        _("Văn bản đến chờ vào sổ: %(ns)s của %(issuer)s")
        % {"ns": copy.number_symbol, "issuer": copy.issuer_name},
    )
    recipient.incoming = copy
    recipient.state = Recipient.State.SENT
    recipient.sent_at = _now()
    recipient.save(update_fields=["incoming", "state", "sent_at"])


def _dispatch(doc: OutgoingDocument, by) -> dict[str, int]:
    from egov.core.tasks import enqueue

    counts = {"internal": 0, "email": 0, "paper": 0}
    for r in doc.recipients.select_related("agency").filter(
        state__in=[Recipient.State.PENDING, Recipient.State.FAILED]
    ):
        if r.channel == Recipient.Channel.INTERNAL:
            _deliver_internal(doc, r, by)
            counts["internal"] += 1
        elif r.channel == Recipient.Channel.EMAIL:
            job = enqueue("egov.documents.tasks.send_email", r.pk)
            r.job_id = job.pk
            r.save(update_fields=["job_id"])
            counts["email"] += 1
        else:
            r.state = Recipient.State.PAPER
            r.save(update_fields=["state"])
            counts["paper"] += 1
    _event(doc, "outgoing.dispatched", by, **counts)
    return counts


def dispatch(outgoing: OutgoingDocument, *, by) -> dict[str, int]:
    """Send an issued document to its recipients not reached yet: agencies in egov get an
    incoming copy waiting for registration; e-mails are sent by a background task (with
    retries); paper copies are marked for the clerk. Returns how many of each."""
    with transaction.atomic():
        doc = _lock(OutgoingDocument, outgoing, None, [OutState.ISSUED], _("phát hành"))
        _require(by, doc.agency_id, ("clerk",), _("phát hành văn bản"))
        return _dispatch(doc, by)


def mark_paper_sent(recipient: Recipient, *, by) -> Recipient:
    """The clerk records that the paper copy left (Ngày chuyển of the register)."""
    with transaction.atomic():
        r = Recipient.objects.select_for_update().select_related("outgoing").get(pk=recipient.pk)
        if r.state != Recipient.State.PAPER:
            raise TransitionError(
                _("Nơi nhận này không chờ chuyển bản giấy."), code="transition_not_allowed"
            )
        _require(by, r.outgoing.agency_id, ("clerk",), _("chuyển văn bản giấy"))
        r.state = Recipient.State.SENT
        r.sent_at = _now()
        r.save(update_fields=["state", "sent_at"])
        _event(r.outgoing, "outgoing.paper_sent", by, recipient=r.name)
    return r


# --- outgoing: recall, correction, replacement ------------------------------------------------


def _propagate(doc: OutgoingDocument, kind: str, note: str, by, *, cancel: bool) -> int:
    """Tell every internal recipient: their incoming copy is cancelled (recall, replacement:
    Điều 18.4.b) or annotated (correction); their clerk and the people handling it are told."""
    n = 0
    for copy in IncomingDocument.objects.select_for_update().filter(origin=doc):
        copy.amendment = kind
        fields = ["amendment"]
        if cancel and copy.state != InState.CANCELLED:
            copy.state = InState.CANCELLED
            fields.append("state")
            copy.assignments.filter(
                state__in=[Assignment.State.WAITING, Assignment.State.IN_PROCESS]
            ).update(state=Assignment.State.CANCELLED)
        _save(copy, *fields)
        _event(copy, f"incoming.{kind}", by, note=note, number_symbol=doc.number_symbol)
        people = list(officers(copy.agency_id, "clerk")) + [
            a.assignee for a in copy.assignments.select_related("assignee") if a.assignee
        ]
        _alert(
            people,
            DocumentAlert.Kind.AMENDED,
            copy,
            _("%(kind)s văn bản %(ns)s: %(note)s")
            % {"kind": AmendmentKind(kind).label, "ns": doc.number_symbol, "note": note},
        )
        n += 1
    return n


def _require_issuer_officer(by, doc) -> None:
    if not (has_role(by, doc.agency_id, ("leader", "clerk"))):
        raise ValidationError(
            _("Chỉ lãnh đạo hoặc văn thư cơ quan ban hành được thực hiện việc này."),
            code="forbidden",
        )


def recall(
    outgoing: OutgoingDocument, reason: str, *, by, expected_version: int | None = None
) -> OutgoingDocument:
    """Recall (thu hồi) an issued document: frozen at the sender, cancelled at every internal
    recipient (Điều 18.4.b; Phụ lục VI III.1)."""
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Nhập lý do thu hồi."), "required")
    with transaction.atomic():
        doc = _lock(OutgoingDocument, outgoing, expected_version, [OutState.ISSUED], _("thu hồi"))
        _require_issuer_officer(by, doc)
        Amendment.objects.create(
            outgoing=doc, kind=AmendmentKind.RECALL, reason=reason, at=_now(), by=by
        )
        doc.state = OutState.RECALLED
        _save(doc, "state")
        n = _propagate(doc, AmendmentKind.RECALL, reason, by, cancel=True)
        _event(doc, "outgoing.recalled", by, note=reason, copies=n)
    return doc


def correct(
    outgoing: OutgoingDocument,
    note: str,
    *,
    by,
    file=None,
    expected_version: int | None = None,
) -> OutgoingDocument:
    """Record a correction (đính chính) of an issued document, with the correcting file if any,
    and tell the internal recipients (their copy keeps its state, the note is added)."""
    note = (note or "").strip()
    if not note:
        raise _invalid("note", _("Nhập nội dung đính chính."), "required")
    checks = _check_files([file] if file is not None else [])
    with transaction.atomic():
        doc = _lock(
            OutgoingDocument, outgoing, expected_version, [OutState.ISSUED], _("đính chính")
        )
        _require_issuer_officer(by, doc)
        Amendment.objects.create(
            outgoing=doc, kind=AmendmentKind.CORRECTION, reason=note, at=_now(), by=by
        )
        stored = None
        if file is not None:
            stored = attach_file(doc, file, DocumentFile.Role.ATTACHMENT, by=by, checked=checks[0])
        _save(doc)
        n = _propagate(doc, AmendmentKind.CORRECTION, note, by, cancel=False)
        if stored is not None:
            for copy in IncomingDocument.objects.filter(origin=doc):
                DocumentFile.objects.create(
                    incoming=copy,
                    role=DocumentFile.Role.ATTACHMENT,
                    storage_name=stored.storage_name,
                    original_name=stored.original_name,
                    size=stored.size,
                    sha256=stored.sha256,
                    kind=stored.kind,
                    page_count=stored.page_count,
                    text=stored.text,
                    uploaded_by=by,
                )
        _event(doc, "outgoing.corrected", by, note=note, copies=n)
    return doc


def _replace(old_id: int, new: OutgoingDocument, reason: str, by) -> None:
    old = OutgoingDocument.objects.select_for_update().get(pk=old_id)
    if old.state != OutState.ISSUED:
        raise TransitionError(
            _("Văn bản bị thay thế phải đang có hiệu lực (đã ban hành), hiện ở trạng thái “%(s)s”.")
            % {"s": old.get_state_display()},
            code="transition_not_allowed",
        )
    if old.agency_id != new.agency_id:
        raise ValidationError(
            _("Chỉ thay thế văn bản của cùng cơ quan ban hành."), code="replace_agency"
        )
    Amendment.objects.create(
        outgoing=old,
        kind=AmendmentKind.REPLACEMENT,
        reason=reason,
        replacement=new,
        at=_now(),
        by=by,
    )
    old.state = OutState.REPLACED
    _save(old, "state")
    n = _propagate(old, AmendmentKind.REPLACEMENT, reason, by, cancel=True)
    _event(old, "outgoing.replaced", by, note=reason, replacement=new.number_symbol, copies=n)


def replace(
    old: OutgoingDocument, new: OutgoingDocument, reason: str = "", *, by
) -> OutgoingDocument:
    """Record that the issued document ``new`` replaces the issued document ``old`` (thay thế):
    ``old`` loses effect and the internal recipients' copies of it are cancelled. (A draft
    created with ``DraftData.replaces`` does this by itself when issued.)"""
    with transaction.atomic():
        new = OutgoingDocument.objects.select_for_update().get(pk=new.pk)
        if new.state != OutState.ISSUED:
            raise TransitionError(
                _("Văn bản thay thế phải được ban hành trước."), code="transition_not_allowed"
            )
        _require_issuer_officer(by, new)
        new.replaces_id = old.pk
        _save(new, "replaces")
        _replace(
            old.pk,
            new,
            (reason or "").strip()
            or _("Thay thế bởi văn bản số %(ns)s") % {"ns": new.number_symbol},
            by,
        )
    old.refresh_from_db()
    return old


# --- alerts --------------------------------------------------------------------------------------


def mark_alert_read(alert: DocumentAlert, *, by) -> None:
    if by is None or alert.user_id != by.pk:
        raise ValidationError(_("Thông báo này không phải của bạn."), code="forbidden")
    DocumentAlert.objects.filter(pk=alert.pk, read_at__isnull=True).update(read_at=_now())


__all__ = [
    "ConflictError",
    "DraftData",
    "DuplicateWarning",
    "IncomingData",
    "RecipientSpec",
    "TransitionError",
    "UnitOrder",
    "approve_and_sign",
    "approve_review",
    "assign_specialist",
    "attach_file",
    "close_incoming",
    "complete_assignment",
    "correct",
    "create_draft",
    "direct",
    "dispatch",
    "issue",
    "mark_alert_read",
    "mark_paper_sent",
    "recall",
    "record_progress",
    "register_incoming",
    "register_pending",
    "reject_pending",
    "replace",
    "return_draft",
    "send_for_review",
    "simulated_clock",
    "update_draft",
]
