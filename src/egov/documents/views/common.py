"""Helpers shared by the document pages: visibility, the timeline labels, the uploaded file
kept between the two steps of the registration."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egov.core import calendar
from egov.dossiers.views.common import apply_errors, officer_required, safe_reverse

from ..models import IncomingDocument, OutgoingDocument

__all__ = [
    "EVENT_LABELS",
    "apply_errors",
    "describe_events",
    "incoming_or_404",
    "officer_required",
    "outgoing_or_404",
    "run_action",
    "safe_reverse",
]

EVENT_LABELS = {
    "incoming.registered": gettext_lazy("Vào sổ văn bản đến"),
    "incoming.arrived": gettext_lazy("Văn bản đến qua hệ thống, chờ vào sổ"),
    "incoming.rejected": gettext_lazy("Trả lại văn bản"),
    "incoming.directed": gettext_lazy("Lãnh đạo cho ý kiến chỉ đạo"),
    "incoming.assigned": gettext_lazy("Phân công chuyên viên xử lý"),
    "incoming.progress": gettext_lazy("Cập nhật tiến độ, ý kiến"),
    "incoming.completed_part": gettext_lazy("Hoàn thành xử lý"),
    "incoming.closed": gettext_lazy("Lưu, để biết"),
    "incoming.recall": gettext_lazy("Văn bản bị thu hồi"),
    "incoming.correction": gettext_lazy("Văn bản được đính chính"),
    "incoming.replacement": gettext_lazy("Văn bản bị thay thế"),
    "outgoing.drafted": gettext_lazy("Soạn dự thảo"),
    "outgoing.edited": gettext_lazy("Sửa dự thảo"),
    "outgoing.sent_for_review": gettext_lazy("Trình duyệt"),
    "outgoing.unit_approved": gettext_lazy("Lãnh đạo đơn vị duyệt, trình ký"),
    "outgoing.returned": gettext_lazy("Trả lại dự thảo"),
    "outgoing.signed": gettext_lazy("Lãnh đạo phê duyệt, ký"),
    "outgoing.issued": gettext_lazy("Cấp số, ban hành"),
    "outgoing.dispatched": gettext_lazy("Phát hành đến nơi nhận"),
    "outgoing.paper_sent": gettext_lazy("Chuyển bản giấy"),
    "outgoing.recalled": gettext_lazy("Thu hồi văn bản"),
    "outgoing.corrected": gettext_lazy("Đính chính văn bản"),
    "outgoing.replaced": gettext_lazy("Văn bản bị thay thế"),
}

_DETAIL_LABELS = {
    "arrival_number": gettext_lazy("Số đến"),
    "number_symbol": gettext_lazy("Số, ký hiệu"),
    "lead": gettext_lazy("Đơn vị chủ trì"),
    "coordinating": gettext_lazy("Đơn vị phối hợp"),
    "deadlines": gettext_lazy("Hạn xử lý"),
    "unit": gettext_lazy("Đơn vị"),
    "specialist": gettext_lazy("Chuyên viên"),
    "reply": gettext_lazy("Văn bản trả lời"),
    "on_time": gettext_lazy("Đúng hạn"),
    "from_agency": gettext_lazy("Từ cơ quan"),
    "subject": gettext_lazy("Trích yếu"),
    "type": gettext_lazy("Loại"),
    "file_version": gettext_lazy("Phiên bản tệp"),
    "signed": gettext_lazy("Ký số"),
    "position": gettext_lazy("Chức vụ"),
    "internal": gettext_lazy("Trong hệ thống"),
    "email": gettext_lazy("Thư điện tử"),
    "paper": gettext_lazy("Bản giấy"),
    "recipient": gettext_lazy("Nơi nhận"),
    "replacement": gettext_lazy("Thay thế bởi"),
    "copies": gettext_lazy("Số bản sao đã báo"),
    "duplicate_confirmed": gettext_lazy("Đã xác nhận trùng"),
}


@dataclass
class EventView:
    at: object
    actor: str
    label: str
    note: str
    details: list[tuple[str, str]]
    action: str


def _fmt(value) -> str:
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            moment = parse_datetime(v) if isinstance(v, str) else None
            parts.append(f"{k}: {calendar.format_moment(moment) if moment else (v or '—')}")
        return "; ".join(parts)
    return str(value)


def describe_events(events) -> list[EventView]:
    out = []
    for e in events:
        details = []
        for key, label in _DETAIL_LABELS.items():
            value = (e.data or {}).get(key)
            if value in (None, "", [], {}) or (key == "duplicate_confirmed" and not value):
                continue
            if key in ("internal", "email", "paper") and not value:
                continue
            details.append((str(label), _fmt(value)))
        out.append(
            EventView(
                at=e.at,
                actor=e.actor_label or _("Hệ thống"),
                label=str(EVENT_LABELS.get(e.action, e.action)),
                note=e.note,
                details=details,
                action=e.action,
            )
        )
    return out


def incoming_or_404(user, pk: int) -> IncomingDocument:
    try:
        return (
            IncomingDocument.objects.visible_to(user)
            .select_related("agency", "reply", "origin", "registered_by")
            .get(pk=pk)
        )
    except IncomingDocument.DoesNotExist as exc:
        raise Http404 from exc


def outgoing_or_404(user, pk: int) -> OutgoingDocument:
    try:
        return (
            OutgoingDocument.objects.visible_to(user)
            .select_related("agency", "drafting_unit", "reply_to", "replaces", "reviewer")
            .get(pk=pk)
        )
    except OutgoingDocument.DoesNotExist as exc:
        raise Http404 from exc


def run_action(request, form, do, redirect_to):
    """Call ``do(cleaned_data)`` (a service call returning the success message); a
    transition or conflict error goes to the top of the page, a field error back to the form.
    Returns a redirect on success or on a state error, None when the form is to be shown again."""
    from ..services import ConflictError, TransitionError

    if not form.is_valid():
        return None
    try:
        message = do(form.cleaned_data)
    except (ConflictError, TransitionError) as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(redirect_to)
    except ValidationError as exc:
        if getattr(exc, "code", None) == "forbidden" or (
            not hasattr(exc, "error_dict") and _is_forbidden(exc)
        ):
            messages.error(request, " ".join(exc.messages))
            return redirect(redirect_to)
        apply_errors(form, exc)
        return None
    messages.success(request, message)
    return redirect(redirect_to)


def _is_forbidden(exc: ValidationError) -> bool:
    return any(getattr(e, "code", None) == "forbidden" for e in exc.error_list)


# --- the uploaded file between the two steps of the registration -----------------------------

UPLOAD_FOLDER = "documents/uploads"
_SALT = "egov.documents.register-upload"
#: a pre-filled form may stay open for a working day
TOKEN_MAX_AGE = 24 * 3600


def make_token(user, stored, **extra) -> str:
    """A signed reference to the stored upload, for this user only; ``extra`` rides along
    (what was pre-filled, whether OCR read it)."""
    return signing.dumps(
        {
            "u": user.pk,
            "n": stored.name,
            "o": stored.original_name,
            "k": stored.kind,
            "h": stored.sha256,
            **extra,
        },
        salt=_SALT,
        compress=True,
    )


def read_token(user, token: str) -> dict | None:
    """The stored upload named by ``token``, if the token is ours, fresh, for this user, and the
    file is still there unchanged."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("u") != user.pk or not str(data.get("n", "")).startswith(UPLOAD_FOLDER + "/"):
        return None
    if not storages["default"].exists(data["n"]):
        return None
    return data
