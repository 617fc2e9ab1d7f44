"""Counter intake (tiếp nhận hồ sơ tại bộ phận một cửa).

Step 1 finds the procedure in the catalog of the level of the officer's government
(diacritics-insensitive); step 2 is the form of the version in force today. Submitting calls
``services.receive`` (or ``services.refuse_intake``); the service computes the due moment,
issues the code and the PIN and writes the audit event.

A double submit (double click, browser resubmission) must not create two dossiers: the form
carries a one-time token; the first request takes it with an atomic ``cache.add`` (shared by
all web nodes when Redis is configured), and a finished intake is remembered in the session
and the cache, so the second request is sent to the dossier the first one created.
"""

from __future__ import annotations

import secrets
import time

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from egov.core.files import store_upload
from egov.dossiers import selectors, services
from egov.dossiers.forms import SCAN_KINDS, IntakeForm, ProcedureSearchForm
from egov.dossiers.views.common import apply_errors, officer_required
from egov.procedures.models import Procedure
from egov.procedures.selectors import search_procedures

SEARCH_LIMIT = 50
SESSION_DONE = "dossiers_intake_done"
SESSION_JUST_RECEIVED = "dossiers_just_received"
TOKEN_TTL = 24 * 3600
PENDING = "pending"
WAIT_FOR_TWIN_SECONDS = 10


def _units_or_403(user):
    units = selectors.onestop_units(user)
    if not units:
        raise PermissionDenied(_("Chỉ cán bộ bộ phận một cửa mới tiếp nhận hồ sơ."))
    return units


def _chosen_unit(raw, units):
    if not raw and len(units) == 1:
        return units[0]
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        return None
    return next((u for u in units if u.pk == pk), None)


@officer_required
def intake(request):
    """Step 1: choose the one-stop unit (if several) and find the procedure."""
    units = _units_or_403(request.user)
    search = ProcedureSearchForm(request.GET)
    search.is_valid()
    q = search.cleaned_data.get("q", "") or ""
    unit = _chosen_unit(request.GET.get("unit"), units)
    procedures, more, government = [], False, None
    if unit is not None:
        government = unit.government()
        found = list(
            search_procedures(q, level=selectors.procedure_level_of(government))[: SEARCH_LIMIT + 1]
        )
        procedures, more = found[:SEARCH_LIMIT], len(found) > SEARCH_LIMIT
    context = {
        "units": units,
        "unit": unit,
        "government": government,
        "q": q,
        "procedures": procedures,
        "more": more,
    }
    if request.headers.get("HX-Request"):
        return render(request, "dossiers/_procedure_results.html", context)
    return render(request, "dossiers/intake_search.html", context)


# --- step 2 ------------------------------------------------------------------------------------


def _token_key(user, token: str) -> str:
    return f"dossiers:intake:{user.pk}:{token}"


def _finished_dossier(request, token: str) -> int | None:
    done = request.session.get(SESSION_DONE, {})
    if token in done:
        return done[token]
    value = cache.get(_token_key(request.user, token))
    return value if isinstance(value, int) else None


def _remember(request, token: str, dossier_pk: int) -> None:
    cache.set(_token_key(request.user, token), dossier_pk, TOKEN_TTL)
    done = dict(list(request.session.get(SESSION_DONE, {}).items())[-19:])
    done[token] = dossier_pk
    request.session[SESSION_DONE] = done


def _wait_for_twin(request, token: str) -> int | None:
    """Another request with the same token is being saved: wait for its dossier."""
    deadline = time.monotonic() + WAIT_FOR_TWIN_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.2)
        pk = _finished_dossier(request, token)
        if pk is not None:
            return pk
        if cache.get(_token_key(request.user, token)) is None:
            return None  # the twin failed validation; this request may try
    return None


def _applicant(cd) -> services.Applicant:
    return services.Applicant(
        name=cd.get("applicant_name", ""),
        kind=cd.get("applicant_kind", ""),
        id_number=cd.get("applicant_id_number", ""),
        tax_code=cd.get("applicant_tax_code", ""),
        phone=cd.get("applicant_phone", ""),
        email=cd.get("applicant_email", ""),
        address=cd.get("applicant_address", ""),
    )


def _submit(request, form: IntakeForm, version, unit, refuse: bool):
    """Store the scans, call the service; on a refusal by the service, remove the scans."""
    cd = form.cleaned_data
    stored = []
    try:
        if not refuse:
            for upload, order in form.scans():
                stored.append(
                    (store_upload(upload, folder="dossiers/scans", allowed=SCAN_KINDS), order)
                )
        intake = services.Intake(
            procedure_version=version,
            applicant=_applicant(cd),
            papers_received=cd.get("papers") or (),
            scans=stored,
            return_method=cd.get("return_method") or "",
            subject=cd.get("subject", ""),
        )
        if refuse:
            return services.refuse_intake(
                intake, unit, cd.get("refuse_reason", ""), by=request.user
            )
        return services.receive(intake, unit, by=request.user)
    except ValidationError:
        for file, _order in stored:
            default_storage.delete(file.name)
        raise


@officer_required
def intake_form(request, procedure_pk: int):
    """Step 2: the applicant, the papers and their scans; receive or refuse."""
    units = _units_or_403(request.user)
    unit = _chosen_unit(request.POST.get("unit") or request.GET.get("unit"), units)
    if unit is None:
        return redirect("dossiers:intake")
    government = unit.government()
    procedure = get_object_or_404(
        Procedure,
        pk=procedure_pk,
        is_active=True,
        level=selectors.procedure_level_of(government),
    )
    version = procedure.version_on()
    if version is None:
        messages.error(request, _("Thủ tục này chưa có phiên bản đang có hiệu lực."))
        return redirect(f"{reverse('dossiers:intake')}?unit={unit.pk}")
    papers = list(version.papers.all())

    if request.method != "POST":
        form = IntakeForm(
            initial={"token": secrets.token_urlsafe(24), "version": version.pk, "unit": unit.pk},
            papers=papers,
        )
        return _render(request, form, procedure, version, unit, government)

    refuse = request.POST.get("action") == "refuse"
    data = request.POST.copy()
    stale_version = data.get("version") != str(version.pk)
    data["version"] = str(version.pk)
    token = (data.get("token") or "").strip()
    if not token:
        data["token"] = token = secrets.token_urlsafe(24)
    form = IntakeForm(data, None if refuse else request.FILES, papers=papers)

    done = _finished_dossier(request, token)
    if done is not None:
        messages.info(request, _("Hồ sơ này đã được ghi nhận (biểu mẫu được gửi hai lần)."))
        return redirect("dossiers:detail", done)
    if not form.is_valid():
        return _render(request, form, procedure, version, unit, government, status=400)
    if stale_version:
        form.add_error(
            None,
            _("Thủ tục vừa có phiên bản mới; kiểm tra lại thành phần hồ sơ rồi gửi lại."),
        )
        return _render(request, form, procedure, version, unit, government, status=409)

    key = _token_key(request.user, token)
    if not cache.add(key, PENDING, 120):
        twin = _wait_for_twin(request, token)
        if twin is not None:
            messages.info(request, _("Hồ sơ này đã được ghi nhận (biểu mẫu được gửi hai lần)."))
            return redirect("dossiers:detail", twin)
        if not cache.add(key, PENDING, 120):
            form.add_error(None, _("Hồ sơ đang được lưu, vui lòng chờ rồi kiểm tra danh sách."))
            return _render(request, form, procedure, version, unit, government, status=409)
    try:
        dossier = _submit(request, form, version, unit, refuse)
    except ValidationError as exc:
        cache.delete(key)
        apply_errors(form, exc, {"reason": "refuse_reason"})
        return _render(request, form, procedure, version, unit, government, status=400)
    except BaseException:
        cache.delete(key)
        raise
    _remember(request, token, dossier.pk)
    request.session[SESSION_JUST_RECEIVED] = dossier.pk
    if refuse:
        messages.warning(request, _("Đã ghi nhận việc từ chối tiếp nhận hồ sơ."))
    else:
        messages.success(
            request,
            _("Đã tiếp nhận hồ sơ %(code)s, mã tra cứu %(pin)s.")
            % {"code": dossier.code, "pin": dossier.pin},
        )
    return redirect("dossiers:detail", dossier.pk)


def _render(request, form, procedure, version, unit, government, status=200):
    context = {
        "form": form,
        "procedure": procedure,
        "version": version,
        "unit": unit,
        "government": government,
        "fees": list(version.fees.all()),
        "steps": list(version.steps.all()),
    }
    return render(request, "dossiers/intake_form.html", context, status=status)
