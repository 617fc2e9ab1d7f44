"""Catalog pages of the officer UI: the list (search, filters, cursor pagination), a procedure
with its versions, papers, fees and internal process, and for administrators the editor,
activation, import (with a progress bar) and export.

Every change goes through ``procedures.services`` (``save_version``, ``set_active``) or
``importexport.start_import``; the views only read and validate input.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from egov.accounts.models import Role
from egov.core.files import clean_original_name, store_upload
from egov.procedures import importexport, services
from egov.procedures.forms import (
    TEMPLATE_KINDS,
    CatalogFilterForm,
    FeeFormSet,
    ImportForm,
    PaperFormSet,
    StepFormSet,
    VersionForm,
    step_total_error,
)
from egov.procedures.importexport import number_text
from egov.procedures.models import (
    Field,
    ImportJob,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    RequiredPaper,
)
from egov.procedures.selectors import search_procedures

PAGE_SIZE = 50
ONLINE_BADGES = {
    OnlineLevel.OFFLINE: ("text-bg-secondary", gettext_lazy("Mức 2")),
    OnlineLevel.PARTIAL: ("text-bg-info", gettext_lazy("Một phần")),
    OnlineLevel.FULL: ("text-bg-success", gettext_lazy("Toàn trình")),
}
#: colours of the process-share bar, one per step (cycled)
STEP_COLOURS = ["bg-primary", "bg-success", "bg-warning", "bg-info", "bg-danger", "bg-dark"]
MAX_ERRORS_SHOWN = 500
ROLE_LABELS = dict(Role.choices)


def is_catalog_admin(user) -> bool:
    return user.is_superuser or Role.ADMIN in user.roles()


def _require_admin(user) -> None:
    if not is_catalog_admin(user):
        raise PermissionDenied


def vnd(amount: int) -> str:
    """``1000000`` → ``1.000.000 đ``."""
    return f"{amount:,} đ".replace(",", ".")


def online_badge(level: str) -> tuple[str, str]:
    css, label = ONLINE_BADGES.get(level, ("text-bg-light", level))
    return css, str(label)


def processing_label(version: ProcedureVersion) -> str:
    """``0,5 ngày làm việc``, ``8 giờ làm việc``."""
    return f"{number_text(version.processing_time)} {version.get_time_unit_display()}"


def _versions_in_force(procedures: list[Procedure], day: dt.date) -> dict[int, ProcedureVersion]:
    """The version in force on ``day`` of each procedure, in one query."""
    rows = (
        ProcedureVersion.objects.filter(procedure__in=procedures, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("procedure_id", "effective_from")
    )
    return {v.procedure_id: v for v in rows}  # the latest start wins


# --- the list --------------------------------------------------------------------------------


@login_required
def catalog(request):
    form = CatalogFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    admin = is_catalog_admin(request.user)
    field = data.get("field")
    qs = search_procedures(
        data.get("q", ""),
        level=data.get("level", ""),
        field_id=field.pk if field else None,
        online_level=data.get("online_level", ""),
        active_only=not data.get("inactive"),
    )
    total = qs.count()  # the catalog is small (hundreds of rows): a count is cheap here
    after = request.GET.get("after", "").strip()[:20]
    if after:
        qs = qs.filter(national_code__gt=after)
    rows = list(qs[: PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    current = _versions_in_force(rows, timezone.localdate())
    items = []
    for procedure in rows:
        version = current.get(procedure.pk)
        items.append(
            {
                "procedure": procedure,
                "version": version,
                "badge": online_badge(procedure.online_level),
                "processing": processing_label(version) if version else "",
            }
        )
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "after" and v], doseq=False)
    return render(
        request,
        "procedures/catalog.html",
        {
            "form": form,
            "items": items,
            "total": total,
            "after": after,
            "next_cursor": rows[-1].national_code if has_next else None,
            "query": query,
            "is_admin": admin,
        },
    )


# --- one procedure ---------------------------------------------------------------------------


def _version_status(version: ProcedureVersion, today: dt.date) -> tuple[str, str]:
    if version.effective_from > today:
        return "upcoming", _("Sắp có hiệu lực")
    if version.effective_to is not None and version.effective_to < today:
        return "ended", _("Hết hiệu lực")
    return "current", _("Đang áp dụng")


def whole_percents(parts: list[Decimal], total: Decimal) -> list[int]:
    """Whole percents of ``total`` for ``parts`` (largest remainder): they add up to exactly 100
    when the parts fill the total, and a non-zero part is never shown as 0 %."""
    if not total or total <= 0:
        return [0] * len(parts)
    exact = [p / total * 100 for p in parts]
    widths = [int(e) for e in exact]
    target = min(100, int(round(sum(exact))))
    order = sorted(range(len(parts)), key=lambda i: exact[i] - widths[i], reverse=True)
    for i in order[: max(0, target - sum(widths))]:
        widths[i] += 1
    for i, part in enumerate(parts):
        if part > 0 and widths[i] == 0:
            widths[i] = 1
    while sum(widths) > 100:  # only after bumping tiny parts to 1 %
        widths[widths.index(max(widths))] -= 1
    return widths


def step_shares(version: ProcedureVersion, steps: list[ProcessStep]) -> dict:
    """Each step's share of the processing time as whole percents for the bar, plus the time
    not given to any step (hatched), all adding up to 100."""
    limit = version.processing_time
    spare = limit - sum((s.duration for s in steps), Decimal("0"))
    parts = [s.duration for s in steps] + ([spare] if spare > 0 else [])
    widths = whole_percents(parts, limit)
    rows = [
        {
            "step": s,
            "percent": widths[i],
            "width": widths[i],
            "colour": STEP_COLOURS[i % len(STEP_COLOURS)],
            "duration": number_text(s.duration),
            "role_label": ROLE_LABELS.get(s.role, s.role),
        }
        for i, s in enumerate(steps)
    ]
    return {
        "rows": rows,
        "spare_width": widths[-1] if spare > 0 else 0,
        "spare": number_text(spare) if spare > 0 else "",
    }


@login_required
def detail(request, pk: int):
    procedure = get_object_or_404(Procedure.objects.select_related("field"), pk=pk)
    today = timezone.localdate()
    versions = list(procedure.versions.select_related("field").order_by("-effective_from"))
    in_force = procedure.version_on(today)
    selected = in_force or (versions[0] if versions else None)
    wanted = request.GET.get("version", "")
    if wanted.isdigit():
        selected = next((v for v in versions if v.pk == int(wanted)), selected)
    context = {
        "procedure": procedure,
        "versions": [(v, *_version_status(v, today)) for v in versions],
        "in_force": in_force,
        "selected": selected,
        "badge": online_badge(procedure.online_level),
        "is_admin": is_catalog_admin(request.user),
    }
    if selected is not None:
        steps = list(selected.steps.all())
        context.update(
            {
                "papers": list(selected.papers.all()),
                "fees": [(f, vnd(f.amount)) for f in selected.fees.all()],
                "fee_total": vnd(sum(f.amount for f in selected.fees.all())),
                "steps": step_shares(selected, steps),
                "selected_status": _version_status(selected, today),
                "processing": processing_label(selected),
            }
        )
    return render(request, "procedures/detail.html", context)


@login_required
def paper_template(request, pk: int):
    paper = get_object_or_404(RequiredPaper, pk=pk)
    if not paper.template:
        raise Http404
    try:
        handle = paper.template.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    extension = paper.template.name.rsplit(".", 1)[-1] if "." in paper.template.name else ""
    filename = clean_original_name(f"{paper.template_name or paper.name}.{extension}")
    return FileResponse(handle, as_attachment=True, filename=filename)


# --- editing (administrators) ----------------------------------------------------------------


def _initial_from(version: ProcedureVersion | None) -> tuple[dict, list, list, list]:
    if version is None:
        initial = {"online_level": OnlineLevel.OFFLINE, "time_unit": "days"}
        steps = [
            {"name": _("Tiếp nhận hồ sơ"), "unit": "onestop", "role": "onestop"},
            {"name": _("Thẩm định, xử lý hồ sơ"), "unit": "department", "role": "specialist"},
            {"name": _("Phê duyệt, ký kết quả"), "unit": "government", "role": "leader"},
            {"name": _("Trả kết quả"), "unit": "onestop", "role": "onestop"},
        ]
        return initial, [], [], steps
    initial = {name: getattr(version, name) for name in services.VERSION_FIELDS}
    initial.pop("form_schema", None)
    initial["field"] = version.field_id
    papers = [
        {
            "name": p.name,
            "kind": p.kind,
            "count": p.count,
            "required": p.required,
            "template_name": p.template_name,
            "keep_template": p.template.name if p.template else "",
        }
        for p in version.papers.all()
    ]
    fees = [
        {"name": f.name, "kind": f.kind, "amount": f.amount, "note": f.note}
        for f in version.fees.all()
    ]
    steps = [
        {
            "name": s.name,
            "unit": s.unit,
            "department_abbreviation": s.department_abbreviation,
            "role": s.role,
            "duration": s.duration,
        }
        for s in version.steps.all()
    ]
    return initial, papers, fees, steps


def _kept_forms(formset) -> list[dict]:
    return [
        f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


def _papers_data(formset, procedure: Procedure | None) -> list[dict]:
    known = set()
    if procedure is not None:
        known = set(
            RequiredPaper.objects.filter(version__procedure=procedure)
            .exclude(template="")
            .values_list("template", flat=True)
        )
    papers = []
    for data in _kept_forms(formset):
        template = ""
        if data.get("template"):
            stored = store_upload(
                data["template"], folder="procedures/templates", allowed=TEMPLATE_KINDS
            )
            template = stored.name
        elif data.get("keep_template") in known:
            template = data["keep_template"]
        papers.append(
            {
                "name": data["name"],
                "kind": data["kind"],
                "count": data["count"],
                "required": data["required"],
                "template_name": data["template_name"],
                "template": template,
            }
        )
    return papers


def _edit(request, procedure: Procedure | None, version: ProcedureVersion | None):
    """Create a procedure (both None), add a version (procedure only) or change the content of
    one version (both)."""
    _require_admin(request.user)
    creating = procedure is None
    source = version or (
        None
        if creating
        else procedure.version_on(timezone.localdate())
        or procedure.versions.order_by("-effective_from").first()
    )
    fixed_date = version.effective_from if version is not None else None
    if request.method == "POST":
        form = VersionForm(request.POST, creating=creating, fixed_date=fixed_date)
        papers = PaperFormSet(request.POST, request.FILES, prefix="papers")
        fees = FeeFormSet(request.POST, prefix="fees")
        steps = StepFormSet(request.POST, prefix="steps")
        valid = all([form.is_valid(), papers.is_valid(), fees.is_valid(), steps.is_valid()])
        step_rows = _kept_forms(steps) if steps.is_valid() else []
        if valid:
            error = step_total_error(form.cleaned_data["processing_time"], step_rows)
            if error is not None:
                form.add_error(None, error)
                valid = False
            elif not step_rows:
                form.add_error(None, _("Quy trình nội bộ phải có ít nhất một bước."))
                valid = False
        if valid:
            data = form.cleaned_data
            code = data["national_code"] if creating else procedure.national_code
            effective_from = fixed_date or data["effective_from"]
            if creating and Procedure.objects.filter(national_code=code).exists():
                form.add_error(
                    "national_code",
                    _(
                        "Mã thủ tục %(code)s đã có trong danh mục: hãy thêm phiên bản mới cho "
                        "thủ tục đó."
                    )
                    % {"code": code},
                )
                valid = False
            elif (
                version is None
                and not creating
                and procedure.versions.filter(effective_from=effective_from).exists()
            ):
                form.add_error(
                    "effective_from",
                    _(
                        "Đã có phiên bản hiệu lực từ ngày %(day)s; hãy sửa phiên bản đó hoặc chọn "
                        "ngày khác."
                    )
                    % {"day": f"{effective_from:%d/%m/%Y}"},
                )
                valid = False
        if valid:
            try:
                field = data["field"] or services.get_or_create_field(
                    data["new_field_code"],
                    data["new_field_name"] or Field.objects.get(code=data["new_field_code"]).name,
                )
                saved = services.save_version(
                    code,
                    field=field,
                    effective_from=effective_from,
                    papers=_papers_data(papers, procedure),
                    fees=[
                        {k: d[k] for k in ("name", "kind", "amount", "note")}
                        for d in _kept_forms(fees)
                    ],
                    steps=[
                        {
                            k: d[k]
                            for k in ("name", "unit", "department_abbreviation", "role", "duration")
                        }
                        for d in step_rows
                    ],
                    by=request.user,
                    name=data["name"],
                    level=data["level"],
                    online_level=data["online_level"],
                    processing_time=data["processing_time"],
                    time_unit=data["time_unit"],
                    cutoff_time=data["cutoff_time"],
                    legal_basis=data["legal_basis"],
                    result_type=data["result_type"],
                    applicant_kinds=data["applicant_kinds"],
                    note=data["note"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("Đã lưu phiên bản hiệu lực từ %(day)s của thủ tục %(code)s.")
                    % {"day": f"{saved.effective_from:%d/%m/%Y}", "code": code},
                )
                return redirect(
                    f"{reverse('procedures:detail', args=[saved.procedure_id])}?version={saved.pk}"
                )
        messages.error(request, _("Chưa lưu được: hãy xem các lỗi được đánh dấu bên dưới."))
    else:
        initial, paper_rows, fee_rows, step_rows = _initial_from(source)
        form = VersionForm(initial=initial, creating=creating, fixed_date=fixed_date)
        papers = PaperFormSet(initial=paper_rows, prefix="papers")
        fees = FeeFormSet(initial=fee_rows, prefix="fees")
        steps = StepFormSet(initial=step_rows, prefix="steps")
    if creating:
        title = _("Thêm thủ tục hành chính")
    elif version is not None:
        title = _("Sửa phiên bản từ %(day)s") % {"day": f"{version.effective_from:%d/%m/%Y}"}
    else:
        title = _("Thêm phiên bản mới")
    return render(
        request,
        "procedures/edit.html",
        {
            "form": form,
            "papers": papers,
            "fees": fees,
            "steps": steps,
            "procedure": procedure,
            "version": version,
            "source": source,
            "title": title,
        },
    )


@login_required
def create(request):
    return _edit(request, None, None)


@login_required
def new_version(request, pk: int):
    return _edit(request, get_object_or_404(Procedure, pk=pk), None)


@login_required
def edit_version(request, pk: int, version_pk: int):
    procedure = get_object_or_404(Procedure, pk=pk)
    version = get_object_or_404(ProcedureVersion, pk=version_pk, procedure=procedure)
    return _edit(request, procedure, version)


@login_required
@require_POST
def set_active(request, pk: int):
    _require_admin(request.user)
    procedure = get_object_or_404(Procedure, pk=pk)
    active = request.POST.get("active") == "1"
    services.set_active(procedure, active, by=request.user)
    if active:
        messages.success(
            request, _("Đã áp dụng lại thủ tục %(code)s.") % {"code": procedure.national_code}
        )
    else:
        messages.success(
            request,
            _("Đã ngừng áp dụng thủ tục %(code)s: thủ tục không còn hiện khi tiếp nhận hồ sơ.")
            % {"code": procedure.national_code},
        )
    return redirect("procedures:detail", pk=procedure.pk)


# --- export ----------------------------------------------------------------------------------


def _export_name(extension: str) -> str:
    return f"danh-muc-tthc-{timezone.localdate():%Y%m%d}.{extension}"


@login_required
def export_csv(request):
    response = StreamingHttpResponse(
        importexport.iter_csv(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name("csv")}"'
    return response


@login_required
def export_xlsx(request):
    # FileResponse closes the buffer when the response is done.
    buffer = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    importexport.write_xlsx(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=_export_name("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- import ----------------------------------------------------------------------------------


@login_required
def import_page(request):
    _require_admin(request.user)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            job = importexport.start_import(
                form.cleaned_data["file"], form.checked, by=request.user
            )
            return redirect("procedures:import_job", pk=job.pk)
    else:
        form = ImportForm()
    return render(
        request,
        "procedures/import.html",
        {
            "form": form,
            "jobs": ImportJob.objects.select_related("created_by")[:10],
            "columns": importexport.ALL_COLUMNS,
        },
    )


def _job_context(job: ImportJob) -> dict:
    return {
        "job": job,
        "errors_shown": job.errors[:MAX_ERRORS_SHOWN],
        "errors_hidden": max(0, len(job.errors) - MAX_ERRORS_SHOWN),
    }


@login_required
def import_job(request, pk: int):
    _require_admin(request.user)
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    return render(request, "procedures/import_job.html", _job_context(job))


@login_required
def import_progress(request, pk: int):
    """The progress block alone, polled by htmx every second until the job is finished."""
    _require_admin(request.user)
    job = get_object_or_404(ImportJob, pk=pk)
    return render(request, "procedures/_import_progress.html", _job_context(job))


@login_required
def import_errors(request, pk: int):
    _require_admin(request.user)
    job = get_object_or_404(ImportJob, pk=pk)
    response = HttpResponse(
        importexport.errors_csv(job.errors), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="loi-nhap-danh-muc-{job.pk}.csv"'
    return response
