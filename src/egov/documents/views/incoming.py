"""Incoming documents (văn bản đến): the two-step registration (upload → pre-filled form →
confirm), the document page with the direction slip, the units' parts and the timeline, and
its actions (register or return an electronic arrival, direct, file "để biết", assign,
progress, complete)."""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from egov.accounts.models import User
from egov.core.files import store_upload
from egov.organizations.models import Agency

from .. import forms, selectors, services
from ..models import Assignment, DocumentFile, IncomingDocument, InState, OutgoingDocument
from .common import (
    UPLOAD_FOLDER,
    describe_events,
    incoming_or_404,
    make_token,
    officer_required,
    outgoing_or_404,
    read_token,
    run_action,
)

log = logging.getLogger(__name__)

ACTIONS = {
    "register": gettext_lazy("Vào sổ văn bản đến"),
    "reject": gettext_lazy("Trả lại văn bản (sai, không đúng thẩm quyền)"),
    "direct": gettext_lazy("Cho ý kiến chỉ đạo, giao đơn vị xử lý"),
    "close": gettext_lazy("Lưu, để biết (không cần xử lý)"),
    "assign": gettext_lazy("Phân công chuyên viên"),
    "progress": gettext_lazy("Cập nhật tiến độ, ý kiến"),
    "complete": gettext_lazy("Báo hoàn thành xử lý"),
}


def clerk_agencies(user):
    if user.is_superuser:
        return Agency.objects.filter(kind__in=Agency.GOVERNMENT_KINDS)
    return Agency.objects.filter(
        memberships__user=user, memberships__is_active=True, memberships__role="clerk"
    ).distinct()


# --- registration -------------------------------------------------------------------------------


def _prefill(data: bytes, kind: str) -> tuple[dict, dict]:
    """Initial form values read from the file, and what the page says about them."""
    from ..ocr import OcrError, ocr_text, prefill

    info = {"ocr": False, "read": False, "error": "", "fields": [], "signed": b"/ByteRange" in data}
    try:
        result = ocr_text(data, kind)
    except OcrError as exc:
        info["error"] = str(exc)
        return {}, info
    except Exception:  # a pre-fill is a help: the clerk types the metadata when it fails
        log.exception("documents: pre-fill failed")
        info["error"] = _("Không đọc được nội dung tệp; vui lòng nhập thông tin văn bản.")
        return {}, info
    info["ocr"] = result.used_ocr
    info["read"] = True
    guesses = prefill(result.text)
    values = guesses.initial(min_confidence=0.3)
    initial: dict = {}
    for name in ("issuer_name", "issued_date", "doc_type", "subject", "signer_name"):
        if values.get(name):
            initial[name] = values[name]
    if guesses.signer_position is not None and guesses.signer_position.confidence >= 0.3:
        position = guesses.signer_position.value
        initial["signer_position"] = position[:1] + position[1:].lower()
    if guesses.number_symbol:
        initial["number_symbol"] = guesses.number_symbol
    if result.page_count:
        initial["page_count"] = result.page_count
    info["fields"] = sorted(k for k in initial if k != "page_count")
    return initial, info


@officer_required
def register(request):
    """Step 1 (upload) and step 2 (the pre-filled form, confirmed by the clerk)."""
    agencies = list(clerk_agencies(request.user)[:2])
    if not agencies:
        messages.error(request, _("Chỉ văn thư cơ quan được vào sổ văn bản đến."))
        return redirect("documents:inbox")
    agency = agencies[0]
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, agency)
    upload = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and upload.is_valid():
        f = upload.cleaned_data["file"]
        stored = store_upload(f, folder=UPLOAD_FOLDER, checked=f.egov_check)
        f.seek(0)
        data = f.read()
        initial, info = _prefill(data, stored.kind)
        source = "scan" if (info["ocr"] or stored.kind != "pdf") else "upload"
        initial.update(source=source)
        token = make_token(request.user, stored, p=info["fields"], ocr=info["ocr"])
        initial["token"] = token
        form = forms.IncomingForm(initial=initial)
        return render(
            request,
            "documents/register_form.html",
            {
                "form": form,
                "agency": agency,
                "file_name": stored.original_name,
                "file_kind": stored.kind,
                "prefill": info,
                "prefilled": set(info["fields"]),
            },
        )
    return render(request, "documents/register_upload.html", {"form": upload, "agency": agency})


def _confirm(request, agency):
    form = forms.IncomingForm(request.POST, request.FILES)
    token = read_token(request.user, request.POST.get("token", ""))
    duplicate = None
    if token is None:
        messages.error(
            request,
            _("Tệp đã tải lên không còn hoặc đã quá hạn: vui lòng tải tệp văn bản lên lại."),
        )
        return redirect("documents:register")
    if form.is_valid():
        cd = form.cleaned_data
        with storages["default"].open(token["n"], "rb") as fh:
            main = ContentFile(fh.read(), name=token["o"])
        data = services.IncomingData(
            issuer_name=cd["issuer_name"],
            issuer_code=cd["issuer_code"],
            number_symbol=cd["number_symbol"],
            issued_date=cd["issued_date"],
            doc_type=cd["doc_type"],
            subject=cd["subject"],
            signer_name=cd["signer_name"],
            signer_position=cd["signer_position"],
            page_count=cd["page_count"],
            urgency=cd["urgency"],
            secrecy=cd["secrecy"],
            due_days=cd["due_days"],
            description=cd["description"],
            issuer_agency=Agency.objects.filter(code=cd["issuer_code"]).first()
            if cd["issuer_code"]
            else None,
        )
        try:
            doc = services.register_incoming(
                agency,
                data,
                source=cd["source"],
                main_file=main,
                attachments=cd["attachments"],
                by=request.user,
                confirm_duplicate=cd["confirm_duplicate"],
            )
        except services.DuplicateWarning as exc:
            duplicate = exc.existing
            form.add_error("confirm_duplicate", exc.messages)
        except ValidationError as exc:
            from .common import apply_errors

            apply_errors(form, exc)
        else:
            storages["default"].delete(token["n"])
            messages.success(
                request,
                _("Đã vào sổ văn bản đến: số đến %(n)s/%(y)s.")
                % {"n": doc.arrival_number, "y": doc.arrival_year},
            )
            return redirect("documents:incoming", doc.pk)
    return render(
        request,
        "documents/register_form.html",
        {
            "form": form,
            "agency": agency,
            "file_name": token["o"],
            "file_kind": token["k"],
            "prefill": {"ocr": token.get("ocr"), "read": bool(token.get("p")), "fields": []},
            "prefilled": set(token.get("p") or []),
            "duplicate": duplicate,
        },
        status=400,
    )


# --- the document page ------------------------------------------------------------------------


def direction_units(doc: IncomingDocument):
    return (
        Agency.objects.filter(parent_id=doc.agency_id)
        .exclude(kind=Agency.Kind.ONESTOP)
        .active()
        .order_by("path")
    )


def unit_members(unit_id: int):
    return (
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__agency_id=unit_id,
            memberships__role__in=["specialist", "leader"],
        )
        .distinct()
        .order_by("full_name")
    )


def _is_unit_head(user, a: Assignment) -> bool:
    return services.has_role(user, a.unit_id, ("leader",)) or services.has_role(
        user, a.incoming.agency_id, ("leader",)
    )


def _replies(doc):
    return OutgoingDocument.objects.filter(reply_to=doc).order_by("-id")


def _parts(user, doc: IncomingDocument, bound=None):
    """The units' parts with the forms this officer may use on each."""
    bound_name, bound_form = bound or (None, None)
    rows = []
    for a in doc.assignments.select_related("unit", "assignee", "direction").order_by("id"):
        a.incoming = doc
        a.is_overdue = selectors.is_overdue(a)
        head = _is_unit_head(user, a)
        mine = a.assignee_id == user.pk
        forms_ = []
        if a.is_open and head:
            forms_.append(
                (
                    "assign",
                    forms.AssignForm(
                        initial={"assignment": a.pk, "specialist": a.assignee_id},
                        members=unit_members(a.unit_id),
                        prefix=f"a{a.pk}",
                    ),
                )
            )
        if a.state == Assignment.State.IN_PROCESS and (head or mine):
            forms_.append(
                ("progress", forms.ProgressForm(initial={"assignment": a.pk}, prefix=f"a{a.pk}"))
            )
            forms_.append(
                (
                    "complete",
                    forms.CompleteForm(
                        initial={"assignment": a.pk, "reply": _replies(doc).first()},
                        replies=_replies(doc),
                        prefix=f"a{a.pk}",
                    ),
                )
            )
        forms_ = [
            (
                n,
                bound_form
                if (bound_name == n and bound_form.initial.get("assignment") == a.pk)
                else f,
            )
            for n, f in forms_
        ]
        rows.append(
            {
                "a": a,
                "forms": [
                    {
                        "name": n,
                        "title": ACTIONS[n],
                        "form": f,
                        "url": reverse(f"documents:incoming_{n}", args=[doc.pk]),
                        "open": (bound_name == n and f is bound_form)
                        or (n == "assign" and a.state == Assignment.State.WAITING)
                        or (n == "complete" and mine),
                    }
                    for n, f in forms_
                ],
                "may_reply": mine and a.state == Assignment.State.IN_PROCESS,
            }
        )
    return rows


def _doc_forms(user, doc: IncomingDocument, bound=None) -> list[dict]:
    bound_name, bound_form = bound or (None, None)
    clerk = services.has_role(user, doc.agency_id, ("clerk",))
    leader = services.has_role(user, doc.agency_id, ("leader",))
    names = []
    if doc.state == InState.PENDING and clerk:
        names += ["register", "reject"]
    if doc.state == InState.REGISTERED and leader:
        names += ["direct", "close"]
    out = []
    for name in names:
        if name == bound_name:
            form = bound_form
        elif name == "register":
            form = forms.PendingRegisterForm(initial={"version": doc.version}, prefix=name)
        elif name == "reject":
            form = forms.ReasonForm(initial={"version": doc.version}, prefix=name)
        elif name == "direct":
            form = forms.DirectForm(
                initial={"version": doc.version}, units=direction_units(doc), prefix=name
            )
        else:
            form = forms.CloseForm(initial={"version": doc.version}, prefix=name)
        out.append(
            {
                "name": name,
                "title": ACTIONS[name],
                "form": form,
                "url": reverse(f"documents:incoming_{name}", args=[doc.pk]),
                "open": name in ("register", "direct") or name == bound_name,
                "danger": name == "reject",
            }
        )
    return out


def _context(request, doc: IncomingDocument, bound=None) -> dict:
    user = request.user
    files = list(doc.files.select_related("signature_report").order_by("id"))
    direction = doc.directions.select_related("directed_by").order_by("-directed_at").first()
    return {
        "doc": doc,
        "files": files,
        "direction": direction,
        "parts": _parts(user, doc, bound),
        "action_forms": _doc_forms(user, doc, bound),
        "events": describe_events(selectors.timeline(doc)),
        "replies": list(_replies(doc)),
        "overdue": selectors.is_overdue(doc),
        "now": timezone.now(),
    }


@officer_required
def detail(request, pk: int):
    doc = incoming_or_404(request.user, pk)
    return render(request, "documents/incoming_detail.html", _context(request, doc))


def _assignment_of(doc, cd) -> Assignment:
    try:
        return Assignment.objects.select_related("incoming", "unit").get(
            pk=cd["assignment"], incoming=doc
        )
    except Assignment.DoesNotExist as exc:
        raise Http404 from exc


def _deadline(date):
    """A deadline typed as a date: the end of that day."""
    if not date:
        return None
    return timezone.make_aware(dt.datetime.combine(date, dt.time(23, 59)))


@officer_required
@require_POST
def act(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    user = request.user
    doc = incoming_or_404(user, pk)
    target = reverse("documents:incoming", args=[doc.pk])
    data = request.POST
    if action in ("assign", "progress", "complete"):
        prefix = next((k.split("-", 1)[0] for k in data if k.endswith("-assignment")), "x")
        if action == "assign":
            try:
                unit_id = Assignment.objects.get(
                    pk=data.get(f"{prefix}-assignment"), incoming=doc
                ).unit_id
            except (Assignment.DoesNotExist, ValueError) as exc:
                raise Http404 from exc
            form = forms.AssignForm(data, members=unit_members(unit_id), prefix=prefix)
        elif action == "progress":
            form = forms.ProgressForm(data, prefix=prefix)
        else:
            form = forms.CompleteForm(data, replies=_replies(doc), prefix=prefix)
    elif action == "register":
        form = forms.PendingRegisterForm(data, prefix=action)
    elif action == "reject":
        form = forms.ReasonForm(data, prefix=action)
    elif action == "direct":
        form = forms.DirectForm(data, units=direction_units(doc), prefix=action)
    else:
        form = forms.CloseForm(data, prefix=action)

    def do(cd):
        if action == "register":
            d = services.register_pending(
                doc,
                by=user,
                confirm_duplicate=cd["confirm_duplicate"],
                due_days=cd["due_days"],
                expected_version=cd["version"],
            )
            return _("Đã vào sổ văn bản đến: số đến %(n)s/%(y)s.") % {
                "n": d.arrival_number,
                "y": d.arrival_year,
            }
        if action == "reject":
            services.reject_pending(doc, cd["reason"], by=user, expected_version=cd["version"])
            return _("Đã trả lại văn bản cho nơi gửi.")
        if action == "direct":
            lead = services.UnitOrder(
                cd["lead"], due_at=_deadline(cd["lead_date"]), days=cd["lead_days"]
            )
            coordinating = [
                services.UnitOrder(
                    u,
                    due_at=_deadline(cd["coordinating_date"]),
                    days=cd["coordinating_days"],
                )
                for u in cd["coordinating"]
            ]
            services.direct(
                doc,
                lead=lead,
                coordinating=coordinating,
                opinion=cd["opinion"],
                by=user,
                expected_version=cd["version"],
            )
            return _("Đã giao %(unit)s chủ trì xử lý.") % {"unit": cd["lead"].name}
        if action == "close":
            services.close_incoming(doc, cd["note"], by=user, expected_version=cd["version"])
            return _("Đã lưu văn bản (để biết).")
        a = _assignment_of(doc, cd)
        if action == "assign":
            services.assign_specialist(a, cd["specialist"], by=user, opinion=cd["opinion"])
            return _("Đã giao %(name)s xử lý.") % {"name": cd["specialist"].get_full_name()}
        if action == "progress":
            services.record_progress(a, cd["note"], by=user)
            return _("Đã cập nhật tiến độ.")
        services.complete_assignment(a, cd["result"], by=user, reply=cd["reply"])
        return _("Đã báo hoàn thành phần việc của %(unit)s.") % {"unit": a.unit.name}

    response = run_action(request, form, do, target)
    if response is not None:
        return response
    doc = incoming_or_404(user, pk)
    return render(
        request,
        "documents/incoming_detail.html",
        _context(request, doc, bound=(action, form)),
        status=400,
    )


# --- files --------------------------------------------------------------------------------------


@officer_required
def download_file(request, file_pk: int):
    """A file of a document, after the same visibility check as the document page."""
    try:
        f = DocumentFile.objects.get(pk=file_pk)
    except DocumentFile.DoesNotExist as exc:
        raise Http404 from exc
    if f.incoming_id:
        incoming_or_404(request.user, f.incoming_id)
    else:
        outgoing_or_404(request.user, f.outgoing_id)
    try:
        handle = storages["default"].open(f.storage_name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("Không tìm thấy tệp trong kho lưu trữ.")) from exc
    from egov.core.files import KINDS

    content_type = KINDS.get(f.kind, (None, None, "application/octet-stream"))[2]
    inline = request.GET.get("inline") == "1" and f.kind in ("pdf", "png", "jpeg")
    return FileResponse(
        handle, as_attachment=not inline, filename=f.original_name, content_type=content_type
    )


__all__ = ["act", "detail", "download_file", "register"]
