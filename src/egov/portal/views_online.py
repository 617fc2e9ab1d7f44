"""Online submission on the citizen portal (login required, citizens only).

start (choose where) → draft (the procedure's form from its JSON Schema, the applicant, one
uploader per paper, the return method; saved at every step) → review → submit (idempotent on
the draft's token) → the dossier's page, where the citizen follows it, supplements it online
when asked, changes the return method and downloads the signed result. Every state change is a
call to ``dossiers.online``; the views only parse and show. Works without JavaScript: the
uploader script (``portal/online.js``) only adds per-file progress bars.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.core import audit
from egov.dossiers import online
from egov.dossiers.models import (
    Dossier,
    DossierFile,
    OnlineDraft,
    ReturnMethod,
    State,
)
from egov.procedures.models import ProcedureVersion

from .forms_online import ReturnMethodForm, StartForm, SubmitForm, SupplementForm

RESULT_STATES = (State.RESULT_READY, State.RETURNED)
CHECK_PARAM = "kiem-tra"


def citizen_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not getattr(request.user, "is_citizen", False):
            raise PermissionDenied(_("Chức năng này dành cho tài khoản người dân, doanh nghiệp."))
        return view(request, *args, **kwargs)

    return wrapper


def _draft(request, pk: int) -> OnlineDraft:
    return get_object_or_404(
        OnlineDraft.objects.select_related(
            "procedure_version", "procedure_version__procedure", "intake_agency"
        ),
        pk=pk,
        citizen=request.user,
    )


def _dossier(request, pk: int) -> Dossier:
    return get_object_or_404(
        Dossier.objects.select_related("procedure_version", "agency", "intake_agency"),
        pk=pk,
        citizen=request.user,
    )


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"__all__": exc.messages}


# --- start ------------------------------------------------------------------------------------


@citizen_required
def start(request, pk: int):
    version = get_object_or_404(ProcedureVersion.objects.select_related("procedure"), pk=pk)
    if not online.is_online(version):
        return render(request, "portal/online/not_online.html", {"version": version}, status=404)
    agencies = online.governments_for(version)
    form = StartForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            draft = online.start_draft(request.user, version, form.cleaned_data["agency"])
        except ValidationError as exc:
            for message in _errors(exc).values():
                form.add_error(None, message)
        else:
            return redirect("portal:online_draft", draft.pk)
    drafts = OnlineDraft.objects.filter(
        citizen=request.user, procedure_version=version, dossier__isnull=True
    ).select_related("intake_agency")
    return render(
        request,
        "portal/online/start.html",
        {"version": version, "form": form, "drafts": drafts, "papers": version.papers.all()},
        status=400 if form.errors else 200,
    )


# --- the draft --------------------------------------------------------------------------------


def _paper_rows(draft: OnlineDraft, errors: dict) -> list[dict]:
    return [
        {
            "paper": paper,
            "files": (draft.files or {}).get(str(paper.order), []),
            "errors": errors.get(f"paper_{paper.order}", []),
            "input": f"paper_{paper.order}",
            "upload_url": reverse("portal:online_upload", args=[draft.pk, paper.order]),
        }
        for paper in draft.procedure_version.papers.all()
    ]


def _field_rows(draft: OnlineDraft, errors: dict) -> list[dict]:
    rows = []
    for spec in online.fields_of(online.schema_of(draft.procedure_version)):
        value = (draft.data or {}).get(spec.name, "")
        if spec.type == "boolean":
            value = value is True or str(value).lower() in ("on", "true", "1")
        rows.append(
            {
                "spec": spec,
                "id": f"f-{spec.name}",
                "value": value,
                "errors": errors.get(spec.name, []),
            }
        )
    return rows


APPLICANT_FIELDS = (
    ("name", "name", "text", True),
    ("id_number", "off", "text", True),
    ("phone", "tel", "tel", False),
    ("email", "email", "email", False),
    ("address", "street-address", "text", True),
)


def _applicant_rows(draft: OnlineDraft, errors: dict) -> list[dict]:
    labels = {
        "name": _("Họ và tên người nộp"),
        "id_number": _("Số định danh cá nhân (CCCD, 12 chữ số)"),
        "phone": _("Số điện thoại di động"),
        "email": _("Thư điện tử"),
        "address": _("Địa chỉ liên hệ"),
    }
    rows = []
    for key, autocomplete, kind, required in APPLICANT_FIELDS:
        rows.append(
            {
                "name": f"a_{key}",
                "id": f"a-{key}",
                "label": labels[key],
                "value": (draft.applicant or {}).get(key, ""),
                "type": kind,
                "autocomplete": autocomplete,
                "required": required,
                "inputmode": "numeric" if key == "id_number" else "",
                "errors": errors.get(f"applicant_{key}", []),
            }
        )
    return rows


def _render_draft(request, draft: OnlineDraft, errors: dict | None = None, status: int = 200):
    errors = errors or {}
    return_form = ReturnMethodForm(
        initial={"return_method": draft.return_method, "postal_address": draft.postal_address}
    )
    summary = []
    for key, messages_ in errors.items():
        anchor = (
            f"p-{key[6:]}"
            if key.startswith("paper_")
            else f"a-{key[10:]}"
            if key.startswith("applicant_")
            else "return-method"
            if key in ("return_method", "postal_address")
            else f"f-{key}"
        )
        summary += [(anchor, m) for m in messages_]
    return render(
        request,
        "portal/online/draft.html",
        {
            "draft": draft,
            "version": draft.procedure_version,
            "fields": _field_rows(draft, errors),
            "applicant": _applicant_rows(draft, errors),
            "papers": _paper_rows(draft, errors),
            "return_form": return_form,
            "return_errors": errors.get("return_method", []),
            "address_errors": errors.get("postal_address", []),
            "error_summary": summary,
            "general_errors": errors.get("__all__", []),
        },
        status=status,
    )


@citizen_required
def draft_view(request, pk: int):
    draft = _draft(request, pk)
    if draft.is_submitted:
        return redirect("portal:online_dossier", draft.dossier_id)
    if request.method != "POST":
        errors = {}
        if CHECK_PARAM in request.GET:
            errors = online.check_draft(draft)[2]
        return _render_draft(request, draft, errors)

    post = request.POST
    specs = online.fields_of(online.schema_of(draft.procedure_version))
    data = {}
    for spec in specs:
        key = f"f_{spec.name}"
        if spec.type == "boolean":
            data[spec.name] = key in post
        else:
            data[spec.name] = post.get(key, "")
    try:
        draft = online.save_draft(
            draft,
            by=request.user,
            data=data,
            applicant={k: post.get(f"a_{k}", "") for k in online.APPLICANT_KEYS},
            return_method=post.get("return_method", draft.return_method),
            postal_address=post.get("postal_address", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("portal:online_draft", draft.pk)

    # the files chosen without the script come with the form
    errors: dict[str, list[str]] = {}
    for paper in draft.procedure_version.papers.all():
        for upload in request.FILES.getlist(f"paper_{paper.order}"):
            try:
                online.add_file(draft, paper.order, upload, by=request.user)
            except ValidationError as exc:
                errors.setdefault(f"paper_{paper.order}", []).extend(
                    f"{upload.name}: {m}" for m in exc.messages
                )
    remove = post.get("remove", "")
    if remove and ":" in remove:
        order, name = remove.split(":", 1)
        if order.isdigit():
            online.remove_file(draft, int(order), name, by=request.user)
    draft.refresh_from_db()
    if errors:
        messages.error(
            request,
            _("Một số tệp không được chấp nhận; các thông tin khác đã được lưu."),
        )
        return _render_draft(request, draft, errors, status=400)
    if post.get("next") == "review":
        errors = online.check_draft(draft)[2]
        if errors:
            messages.warning(request, _("Hồ sơ chưa đầy đủ: vui lòng sửa các mục được đánh dấu."))
            return _render_draft(request, draft, errors, status=400)
        return redirect("portal:online_review", draft.pk)
    if remove:
        messages.success(request, _("Đã xóa tệp."))
    else:
        messages.success(
            request, _("Đã lưu bản nháp. Ông/bà có thể quay lại tiếp tục bất cứ lúc nào.")
        )
    return redirect(reverse("portal:online_draft", args=[draft.pk]) + "#papers" * bool(remove))


@citizen_required
@require_POST
def upload(request, pk: int, order: int):
    """The uploader script's endpoint: one file for one paper; JSON answer."""
    draft = _draft(request, pk)
    file = request.FILES.get("file")
    if file is None:
        return JsonResponse({"ok": False, "errors": [_("Chưa chọn tệp.")]}, status=400)
    try:
        entry = online.add_file(draft, order, file, by=request.user)
    except ValidationError as exc:
        return JsonResponse({"ok": False, "errors": exc.messages}, status=400)
    return JsonResponse(
        {
            "ok": True,
            "file": {
                "name": entry["name"],
                "original_name": entry["original_name"],
                "size": entry["size"],
                "pages": entry["page_count"],
            },
        }
    )


# --- review and submission --------------------------------------------------------------------


@citizen_required
def review(request, pk: int):
    draft = _draft(request, pk)
    if draft.is_submitted:
        return redirect("portal:online_dossier", draft.dossier_id)
    errors = online.check_draft(draft)[2]
    if errors:
        messages.warning(request, _("Hồ sơ chưa đầy đủ: vui lòng sửa các mục được đánh dấu."))
        return redirect(reverse("portal:online_draft", args=[draft.pk]) + f"?{CHECK_PARAM}=1")
    return render(
        request,
        "portal/online/review.html",
        {
            "draft": draft,
            "version": draft.procedure_version,
            "declared": online.declared(draft),
            "papers": _paper_rows(draft, {}),
            "applicant": _applicant_rows(draft, {}),
            "return_label": ReturnMethod(draft.return_method).label,
            "form": SubmitForm(initial={"token": draft.token}),
        },
    )


@citizen_required
@require_POST
def submit(request, pk: int):
    draft = _draft(request, pk)
    form = SubmitForm(request.POST)
    token = form.cleaned_data["token"] if form.is_valid() else request.POST.get("token", "")
    try:
        dossier = online.submit(draft, by=request.user, token=token)
    except ValidationError as exc:
        if getattr(exc, "code", None) == "bad_token":
            messages.error(request, " ".join(exc.messages))
            return redirect("portal:online_review", draft.pk)
        messages.error(request, _("Hồ sơ chưa đầy đủ: vui lòng sửa các mục được đánh dấu."))
        return redirect(reverse("portal:online_draft", args=[draft.pk]) + f"?{CHECK_PARAM}=1")
    messages.success(
        request,
        _(
            "Đã nộp hồ sơ. Bộ phận một cửa sẽ kiểm tra và tiếp nhận; ông/bà sẽ nhận được mã hồ sơ "
            "và ngày hẹn trả kết quả khi hồ sơ được tiếp nhận."
        ),
    )
    return redirect("portal:online_dossier", dossier.pk)


# --- after submission -----------------------------------------------------------------------------


def _result(dossier: Dossier) -> DossierFile | None:
    if dossier.state not in RESULT_STATES or not dossier.result_file:
        return None
    return (
        DossierFile.objects.filter(dossier=dossier, storage_name=dossier.result_file)
        .order_by("-id")
        .first()
    )


@citizen_required
def dossier_view(request, pk: int):
    dossier = _dossier(request, pk)
    result = _result(dossier)
    report = None
    if (
        result is not None
        and result.kind == "pdf"
        and storages["default"].exists(result.storage_name)
    ):
        from egov.signing.reports import report_for_stored

        report = report_for_stored(result.storage_name, original_name=result.original_name)
    draft = OnlineDraft.objects.filter(dossier=dossier).first()
    pending = dossier.supplements.filter(resumed_at__isnull=True).order_by("-requested_at").first()
    return render(
        request,
        "portal/online/dossier.html",
        {
            "dossier": dossier,
            "declared": online.declared(draft) if draft else [],
            "files": dossier.files.exclude(purpose=DossierFile.Purpose.RESULT).order_by("id"),
            "supplement": pending if dossier.state == State.SUPPLEMENT else None,
            "result": result,
            "report": report,
            "can_change_return": dossier.state in online.RETURN_CHANGE_STATES,
        },
    )


@citizen_required
def result_download(request, pk: int):
    dossier = _dossier(request, pk)
    result = _result(dossier)
    if result is None:
        raise Http404
    audit.record(
        "dossier.result_downloaded",
        actor=request.user,
        agency=dossier.agency_id,
        obj=dossier,
        data={"file": result.original_name, "channel": "online"},
    )
    handle = storages["default"].open(result.storage_name, "rb")
    return FileResponse(handle, as_attachment=True, filename=result.original_name)


@citizen_required
def supplement(request, pk: int):
    dossier = _dossier(request, pk)
    pending = dossier.supplements.filter(resumed_at__isnull=True).order_by("-requested_at").first()
    if dossier.state != State.SUPPLEMENT:
        messages.info(request, _("Hồ sơ không ở trạng thái chờ bổ sung."))
        return redirect("portal:online_dossier", dossier.pk)
    form = SupplementForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            stored = [
                online.store_upload(f, folder=online.UPLOAD_FOLDER, allowed=online.UPLOAD_KINDS)
                for f in form.cleaned_data["files"]
            ]
            try:
                online.supplement_online(
                    dossier, stored, form.cleaned_data["note"], by=request.user
                )
            except ValidationError as exc:
                for file in stored:
                    storages["default"].delete(file.name)
                for key, messages_ in _errors(exc).items():
                    form.add_error(key if key in form.fields else None, messages_)
            else:
                messages.success(
                    request,
                    _("Đã gửi hồ sơ bổ sung; thời hạn giải quyết được tính tiếp."),
                )
                return redirect("portal:online_dossier", dossier.pk)
        status = 400
    return render(
        request,
        "portal/online/supplement.html",
        {"dossier": dossier, "request_": pending, "form": form},
        status=status,
    )


@citizen_required
def return_method(request, pk: int):
    dossier = _dossier(request, pk)
    form = ReturnMethodForm(
        request.POST or None,
        initial={"return_method": dossier.return_method, "postal_address": dossier.postal_address},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                online.choose_return_method(
                    dossier,
                    form.cleaned_data["return_method"],
                    form.cleaned_data["postal_address"],
                    by=request.user,
                )
            except ValidationError as exc:
                for key, messages_ in _errors(exc).items():
                    form.add_error(key if key in form.fields else None, messages_)
            else:
                messages.success(request, _("Đã cập nhật hình thức nhận kết quả."))
                return redirect("portal:online_dossier", dossier.pk)
        status = 400
    return render(
        request,
        "portal/online/return_method.html",
        {"dossier": dossier, "form": form},
        status=status,
    )
