"""The dossier page: header, papers and files, the timeline of steps and events, the PDF forms,
and the actions this officer may take now, each a small form posted to
``/dossiers/<pk>/<action>/`` with the dossier version it was shown (optimistic concurrency)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from egov.accounts.models import Role
from egov.core import calendar
from egov.core.files import store_upload
from egov.dossiers import online, selectors, services
from egov.dossiers.forms import (
    SCAN_KINDS,
    ActionForm,
    AssignForm,
    AttachResultForm,
    ExtendForm,
    HandOverForm,
    ReasonForm,
    ReceiveSupplementForm,
    RequestSupplementForm,
    ReturnForm,
    TransferForm,
)
from egov.dossiers.models import (
    OPEN_STATES,
    Dossier,
    DossierFile,
    DossierPaper,
    DossierStep,
    ReturnMethod,
    State,
    StepState,
    Timing,
)
from egov.dossiers.regulations import by_code
from egov.dossiers.views.common import apply_errors, officer_required, safe_reverse
from egov.dossiers.views.intake import SESSION_JUST_RECEIVED
from egov.organizations.models import Agency

WORKING = (State.RECEIVED, State.IN_PROCESS)


class AcceptOnlineForm(ActionForm):
    """Tiếp nhận hồ sơ trực tuyến: nothing to type, the page shows what was submitted."""


#: action → (title, form class); the order is the order on the page
ACTIONS: dict[str, tuple] = {
    "accept_online": (gettext_lazy("Tiếp nhận hồ sơ trực tuyến"), AcceptOnlineForm),
    "refuse_online": (gettext_lazy("Từ chối tiếp nhận"), ReasonForm),
    "return_result": (gettext_lazy("Trả kết quả cho người nộp"), ReturnForm),
    "attach_result": (gettext_lazy("Đính kèm văn bản kết quả"), AttachResultForm),
    "hand_over": (gettext_lazy("Chuyển bước tiếp theo"), HandOverForm),
    "assign": (gettext_lazy("Phân công xử lý"), AssignForm),
    "receive_supplement": (gettext_lazy("Nhận hồ sơ bổ sung"), ReceiveSupplementForm),
    "request_supplement": (gettext_lazy("Yêu cầu bổ sung hồ sơ (Mẫu 02)"), RequestSupplementForm),
    "extend": (gettext_lazy("Xin lỗi và gia hạn (Mẫu 04)"), ExtendForm),
    "transfer": (gettext_lazy("Chuyển liên thông"), TransferForm),
    "stop": (gettext_lazy("Dừng giải quyết (Mẫu 05)"), ReasonForm),
    "withdraw": (gettext_lazy("Ghi nhận rút hồ sơ"), ReasonForm),
}


def default_storage_exists(name: str) -> bool:
    from django.core.files.storage import storages

    return storages["default"].exists(name)


def _signs_on_hand_over(user, dossier, step) -> bool:
    """Whether handing over this step signs the result (the leader's approval, with a key)."""
    from django.conf import settings

    if step is None or step.role != "leader" or not dossier.result_file:
        return False
    if dossier.result_signed_at is not None or settings.EGOV_DOSSIER_SIGN_RESULTS == "off":
        return False
    from egov.signing.signers import person_key

    return person_key(user, step.agency) is not None


EVENT_LABELS = {
    "dossier.received": gettext_lazy("Tiếp nhận hồ sơ"),
    "dossier.refused": gettext_lazy("Từ chối tiếp nhận"),
    "dossier.submitted_online": gettext_lazy("Người dân nộp hồ sơ trực tuyến"),
    "dossier.return_method_changed": gettext_lazy("Đổi hình thức nhận kết quả"),
    "dossier.assigned": gettext_lazy("Phân công xử lý"),
    "dossier.handed_over": gettext_lazy("Chuyển bước xử lý"),
    "dossier.result_attached": gettext_lazy("Đính kèm kết quả"),
    "dossier.result_signed": gettext_lazy("Ký số kết quả (lãnh đạo và cơ quan)"),
    "dossier.result_not_signed": gettext_lazy("Phê duyệt kết quả không ký số (chưa có khóa)"),
    "dossier.result_downloaded": gettext_lazy("Người dân tải kết quả"),
    "dossier.returned": gettext_lazy("Trả kết quả"),
    "dossier.supplement_requested": gettext_lazy("Yêu cầu bổ sung hồ sơ"),
    "dossier.supplement_received": gettext_lazy("Nhận hồ sơ bổ sung"),
    "dossier.extended": gettext_lazy("Xin lỗi và gia hạn"),
    "dossier.transferred": gettext_lazy("Chuyển liên thông"),
    "dossier.stopped": gettext_lazy("Dừng giải quyết"),
    "dossier.withdrawn": gettext_lazy("Rút hồ sơ"),
}


# --- who may do what -------------------------------------------------------------------------------


def _holds(user, agency_id: int, *roles: str) -> bool:
    return services.user_can_act(user, agency_id, roles)


def _manages(user, dossier: Dossier, step: DossierStep | None) -> bool:
    """Officers answerable for the dossier as a whole: the receiving one-stop unit, the
    deciding government's leaders, and whoever works on the active step."""
    return (
        _holds(user, dossier.intake_agency_id, Role.ONESTOP)
        or _holds(user, dossier.agency_id, Role.LEADER)
        or (step is not None and services.may_work_on(user, step))
    )


def allowed_actions(user, dossier: Dossier, step: DossierStep | None) -> list[str]:
    """The actions to offer on the page (the services decide in the end)."""
    state = dossier.state
    works = step is not None and services.may_work_on(user, step)
    onestop = _holds(user, dossier.intake_agency_id, Role.ONESTOP)
    allowed = {
        "accept_online": state == State.WAITING_INTAKE and onestop,
        "refuse_online": state == State.WAITING_INTAKE and onestop,
        "return_result": state == State.RESULT_READY
        and _holds(user, dossier.intake_agency_id, Role.ONESTOP),
        "attach_result": state in WORKING and works,
        "hand_over": state in WORKING and works,
        "assign": state in OPEN_STATES
        and step is not None
        and _holds(user, step.agency_id, Role.LEADER),
        "receive_supplement": state == State.SUPPLEMENT and _manages(user, dossier, step),
        "request_supplement": state in WORKING and works,
        "extend": state in OPEN_STATES and _manages(user, dossier, step),
        "transfer": state in WORKING and works,
        "stop": state in OPEN_STATES and _holds(user, dossier.agency_id, Role.LEADER),
        "withdraw": state in OPEN_STATES and _holds(user, dossier.intake_agency_id, Role.ONESTOP),
    }
    return [name for name in ACTIONS if allowed[name]]


#: the actions shown open on the page (the others are folded)
PRIMARY = ("accept_online", "return_result", "receive_supplement", "hand_over")

#: actions whose service does not check who acts: the view checks it
_VIEW_CHECKED = {"receive_supplement", "extend"}


# --- forms -----------------------------------------------------------------------------------------


def _next_step(dossier: Dossier, step: DossierStep | None) -> DossierStep | None:
    if step is None:
        return None
    return (
        dossier.steps.filter(order__gt=step.order, state=StepState.PENDING)
        .select_related("agency")
        .order_by("order")
        .first()
    )


def _build_form(name, dossier, step, data=None, files=None):
    form_class = ACTIONS[name][1]
    initial = {"version": dossier.version}
    kwargs = {}
    if name == "hand_over":
        following = _next_step(dossier, step)
        kwargs["members"] = selectors.members_of(following.agency_id) if following else None
    elif name == "assign":
        initial["step"] = step.order if step else None
        kwargs["members"] = selectors.members_of(step.agency_id) if step else None
    elif name == "transfer":
        kwargs["targets"] = selectors.transfer_targets(dossier)
    elif name == "return_result":
        initial["received_by"] = dossier.applicant_name
    form = form_class(data, files, initial=initial, prefix=name, **kwargs)
    return form


# --- actions ---------------------------------------------------------------------------------------


def _do(name: str, dossier: Dossier, step, form, user) -> str:
    """Call the service of action ``name``; return the success message."""
    cd = form.cleaned_data
    version = cd["version"]
    if name == "accept_online":
        done = online.accept_online(dossier, by=user, expected_version=version)
        return _("Đã tiếp nhận hồ sơ trực tuyến: mã hồ sơ %(code)s, hẹn trả %(due)s.") % {
            "code": done.code,
            "due": calendar.format_moment(done.due_at),
        }
    if name == "refuse_online":
        online.refuse_online(dossier, cd["reason"], by=user, expected_version=version)
        return _("Đã từ chối tiếp nhận hồ sơ; người nộp được thông báo lý do (Mẫu 03).")
    if name == "hand_over":
        done = services.hand_over(
            dossier, by=user, note=cd["note"], to_user=cd["to_user"], expected_version=version
        )
        if done.result_signed_at is not None and dossier.result_signed_at is None:
            return _(
                "Đã phê duyệt: văn bản kết quả được ký số bằng chữ ký của bạn và của cơ quan; "
                "hồ sơ đã chuyển sang bước tiếp theo."
            )
        return _("Đã chuyển hồ sơ sang bước tiếp theo.")
    if name == "assign":
        services.assign(dossier, cd["step"], cd["assignee"], by=user, expected_version=version)
        return _("Đã phân công %(name)s xử lý.") % {"name": cd["assignee"]}
    if name == "attach_result":
        stored = store_upload(cd["file"], folder="dossiers/results", allowed=("pdf",))
        try:
            services.attach_result(
                dossier, stored, by=user, note=cd["note"], expected_version=version
            )
        except ValidationError:
            default_storage.delete(stored.name)
            raise
        return _("Đã đính kèm văn bản kết quả.")
    if name == "request_supplement":
        services.request_supplement(
            dossier, cd["reason"], form.paper_list(), by=user, expected_version=version
        )
        return _("Đã yêu cầu bổ sung hồ sơ; thời hạn tạm dừng đến khi nhận đủ giấy tờ.")
    if name == "receive_supplement":
        stored = [
            store_upload(f, folder="dossiers/supplements", allowed=SCAN_KINDS) for f in cd["files"]
        ]
        try:
            services.receive_supplement(
                dossier, stored, by=user, note=cd["note"], expected_version=version
            )
        except ValidationError:
            for file in stored:
                default_storage.delete(file.name)
            raise
        return _("Đã nhận hồ sơ bổ sung; thời hạn giải quyết được tính tiếp.")
    if name == "extend":
        services.apologize_and_extend(
            dossier, cd["new_due_at"], cd["reason"], by=user, expected_version=version
        )
        return _("Đã gia hạn; in văn bản xin lỗi (Mẫu 04) gửi người nộp.")
    if name == "transfer":
        services.transfer(
            dossier,
            cd["to_agency"],
            cd["days"],
            by=user,
            note=cd["note"],
            expected_version=version,
        )
        return _("Đã chuyển liên thông đến %(agency)s.") % {"agency": cd["to_agency"].name}
    if name == "stop":
        services.stop(dossier, cd["reason"], by=user, expected_version=version)
        return _("Đã dừng giải quyết hồ sơ; in thông báo (Mẫu 05).")
    if name == "withdraw":
        services.withdraw(dossier, cd["reason"], by=user, expected_version=version)
        return _("Đã ghi nhận người nộp rút hồ sơ.")
    if name == "return_result":
        services.return_result(
            dossier,
            by=user,
            received_by=cd["received_by"],
            note=cd["note"],
            expected_version=version,
        )
        return _("Đã trả kết quả cho %(name)s.") % {"name": cd["received_by"]}
    raise Http404


#: service error keys that the forms name differently
_RENAME = {"transfer": {"duration": "days"}}


@officer_required
@require_POST
def act(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    dossier = _visible_or_404(request.user, pk)
    step = services.active_step(dossier)
    if action in _VIEW_CHECKED and not _manages(request.user, dossier, step):
        messages.error(request, _("Bạn không có quyền thực hiện thao tác này với hồ sơ."))
        return redirect("dossiers:detail", dossier.pk)
    form = _build_form(action, dossier, step, request.POST, request.FILES)
    if form.is_valid():
        try:
            message = _do(action, dossier, step, form, request.user)
        except services.ConflictError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("dossiers:detail", dossier.pk)
        except services.TransitionError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("dossiers:detail", dossier.pk)
        except ValidationError as exc:
            apply_errors(form, exc, _RENAME.get(action))
        else:
            if action in ("accept_online", "refuse_online"):
                # the receipt panel: code, PIN, due date and form 01 (or form 03)
                request.session[SESSION_JUST_RECEIVED] = dossier.pk
            messages.success(request, message)
            return redirect("dossiers:detail", dossier.pk)
    # Show the page again with this form's errors and what the officer typed.
    dossier = _visible_or_404(request.user, pk)
    return render(
        request,
        "dossiers/detail.html",
        _context(request, dossier, bound=(action, form)),
        status=400,
    )


# --- the page --------------------------------------------------------------------------------------


def _visible_or_404(user, pk: int) -> Dossier:
    try:
        return selectors.dossier_for(user, pk)
    except Dossier.DoesNotExist as exc:
        raise Http404 from exc


@dataclass
class EventView:
    seq: int
    at: dt.datetime
    actor: str
    label: str
    details: list[tuple[str, str]]


def _moment(value) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else None
    return calendar.format_moment(moment) if moment else str(value)


def _describe(event, names: dict[int, str], people: dict[str, str]) -> EventView:
    data = event.data or {}
    details: list[tuple[str, str]] = []

    def add(label, key, fmt=str):
        value = data.get(key)
        if value not in (None, "", [], {}):
            details.append((label, fmt(value)))

    if event.action == "dossier.handed_over":
        if data.get("step_name"):
            details.append((_("Bước"), f"{data.get('step')}. {data['step_name']}"))
        add(_("Kết quả bước"), "timing", lambda v: str(dict(Timing.choices).get(v, v)))
        add(_("Chuyển đến cơ quan"), "to_agency", lambda v: names.get(v, str(v)))
        add(_("Người nhận"), "to_user", lambda v: people.get(v, v))
    add(_("Người được phân công"), "assignee", lambda v: people.get(v, v))
    add(_("Hạn trả kết quả"), "due_at", _moment)
    add(_("Hạn cũ"), "old_due_at", _moment)
    add(_("Hạn mới"), "new_due_at", _moment)
    add(_("Thời gian tạm dừng (giờ làm việc)"), "paused_hours")
    add(_("Giấy tờ cần bổ sung"), "papers", lambda v: "; ".join(v))
    add(_("Tệp"), "file")
    add(_("Người nhận kết quả"), "received_by")
    add(
        _("Hình thức nhận kết quả"),
        "return_method",
        lambda v: str(dict(ReturnMethod.choices).get(v, v)),
    )
    add(_("Địa chỉ nhận kết quả"), "postal_address")
    if event.action == "dossier.transferred":
        add(_("Cơ quan liên thông"), "to_agency", lambda v: names.get(v, str(v)))
        add(_("Thời hạn (ngày làm việc)"), "duration_days")
    add(_("Lý do"), "reason")
    add(_("Ghi chú"), "note")
    return EventView(
        seq=event.seq,
        at=event.occurred_at,
        actor=event.actor_label or _("Hệ thống"),
        label=str(EVENT_LABELS.get(event.action, event.action)),
        details=details,
    )


def _form_links(dossier: Dossier) -> list[dict]:
    try:
        titles = by_code(dossier.regulation).forms
    except KeyError:
        titles = {}
    numbers = []
    if dossier.code:
        numbers.append("01")
    if dossier.supplements.exists():
        numbers.append("02")
    if dossier.state == State.REFUSED:
        numbers.append("03")
    if dossier.deadline_changes.filter(kind="apology").exists():
        numbers.append("04")
    if dossier.state == State.STOPPED:
        numbers.append("05")
    if dossier.code:
        numbers.append("06")
    links = []
    for number in numbers:
        url = safe_reverse("dossiers:form_pdf", dossier.pk, number)
        if url:
            links.append({"number": number, "title": titles.get(number, ""), "url": url})
    return links


def _step_view(step: DossierStep, now) -> dict:
    left = None
    if step.state == StepState.ACTIVE and step.due_at:
        left = selectors.time_left(step.due_at, now)
    return {
        "step": step,
        "role": dict(Role.choices).get(step.role, step.role),
        "time_left": left,
        "css": f"is-{step.state}" + (" is-late" if step.timing == "late" else ""),
    }


def _context(request, dossier: Dossier, bound=None) -> dict:
    user = request.user
    now = timezone.now()
    step = services.active_step(dossier)
    steps = selectors.steps_of(dossier)
    actions = allowed_actions(user, dossier, step)
    bound_name, bound_form = bound or (None, None)
    if bound_name and bound_name not in actions:
        actions.insert(0, bound_name)
    following = _next_step(dossier, step)
    ready_next = following is None or services.is_return_step(following, dossier)
    primary = [n for n in actions if n in PRIMARY]
    if "attach_result" in actions and ready_next and not dossier.result_file:
        primary.insert(0, "attach_result")  # the result is needed before the hand-over
    if not primary and actions:
        primary = actions[:1]
    forms = []
    for name in actions:
        form = bound_form if name == bound_name else _build_form(name, dossier, step)
        title = ACTIONS[name][0]
        if name == "hand_over" and _signs_on_hand_over(request.user, dossier, step):
            title = gettext_lazy("Phê duyệt, ký số kết quả và chuyển bước")
        forms.append(
            {
                "name": name,
                "title": title,
                "form": form,
                "url": reverse(f"dossiers:{name}", args=[dossier.pk]),
                "open": name == bound_name or (not bound_name and name in primary),
                "danger": name in ("stop", "withdraw", "refuse_online"),
            }
        )
    audit_events = list(selectors.timeline_events(dossier))
    # the audit log names agencies by code (older events by id)
    agency_names = {s.agency_id: s.agency.name for s in steps}
    agency_names.update({s.agency.code: s.agency.name for s in steps})
    codes = {
        e.data.get("to_agency")
        for e in audit_events
        if isinstance((e.data or {}).get("to_agency"), str)
    }
    agency_names.update(
        dict(Agency.objects.filter(code__in=codes - set(agency_names)).values_list("code", "name"))
    )
    people = selectors.full_names(
        {v for e in audit_events for k, v in (e.data or {}).items() if k in ("to_user", "assignee")}
    )
    events = [_describe(e, agency_names, people) for e in audit_events]
    papers = list(DossierPaper.objects.filter(dossier_id=dossier.pk).order_by("order"))
    files_by_paper: dict[int | None, list] = {}
    for f in DossierFile.objects.filter(dossier_id=dossier.pk).order_by("id"):
        files_by_paper.setdefault(f.paper_id, []).append(f)
    for paper in papers:
        paper.file_list = files_by_paper.get(paper.pk, [])
    other_files = files_by_paper.get(None, [])
    for f in other_files:
        # the current result PDF gets its signature report (validated once, then kept)
        f.signature_report = None
        if f.purpose == DossierFile.Purpose.RESULT and f.storage_name == dossier.result_file:
            from egov.signing.reports import report_for_stored

            if f.kind == "pdf" and default_storage_exists(f.storage_name):
                f.signature_report = report_for_stored(
                    f.storage_name, original_name=f.original_name
                )
    just_received = request.session.pop(SESSION_JUST_RECEIVED, None) == dossier.pk
    timing_now = None
    if dossier.state in OPEN_STATES:
        timing_now = selectors.time_left(dossier.due_at, now, paused_at=dossier.paused_at)
    return {
        "dossier": dossier,
        "active_step": step,
        "following": following,
        "following_is_return": following is not None and ready_next,
        "steps": [_step_view(s, now) for s in steps],
        "events": events,
        "papers": papers,
        "other_files": other_files,
        "supplements": list(dossier.supplements.all()),
        "deadline_changes": list(dossier.deadline_changes.all()),
        "action_forms": forms,
        "form_links": _form_links(dossier),
        "form01_url": safe_reverse("dossiers:form_pdf", dossier.pk, "01"),
        "form03_url": safe_reverse("dossiers:form_pdf", dossier.pk, "03"),
        "just_received": just_received,
        "time_left": timing_now,
        "extended": dossier.original_due_at and dossier.due_at != dossier.original_due_at,
        "declared": _declared(dossier),
    }


def _declared(dossier: Dossier) -> list[tuple[str, str]]:
    """What the citizen declared in the procedure's online form."""
    if dossier.channel != "online":
        return []
    draft = online.OnlineDraft.objects.filter(dossier=dossier).select_related("procedure_version")
    draft = draft.first()
    return online.declared(draft) if draft else []


@officer_required
def detail(request, pk: int):
    dossier = _visible_or_404(request.user, pk)
    return render(request, "dossiers/detail.html", _context(request, dossier))


@officer_required
def download_file(request, file_pk: int):
    """A file of a dossier, after the same visibility check as the dossier page."""
    try:
        file = DossierFile.objects.select_related("dossier").get(pk=file_pk)
    except DossierFile.DoesNotExist as exc:
        raise Http404 from exc
    _visible_or_404(request.user, file.dossier_id)
    try:
        handle = default_storage.open(file.storage_name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("Không tìm thấy tệp trong kho lưu trữ.")) from exc
    from egov.core.files import KINDS

    content_type = KINDS.get(file.kind, (None, None, "application/octet-stream"))[2]
    inline = request.GET.get("inline") == "1" and file.kind in ("pdf", "png", "jpeg")
    return FileResponse(
        handle,
        as_attachment=not inline,
        filename=file.original_name,
        content_type=content_type,
    )
