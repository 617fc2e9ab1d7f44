"""Public pages of the citizen portal (no login).

Tracking: a dossier code and its lookup PIN (both printed on form 01; the QR code on the form
carries the code) show the status, the steps done, the due date and, once the result is ready,
the signed result with its signature report. A wrong PIN shows nothing; lookups are limited
per client address (``EGOV_PORTAL_TRACKING_LIMIT`` per 15 minutes)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.files.storage import storages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from egov.core import audit, ratelimit
from egov.dossiers.models import Dossier, DossierFile, State, StepState

WINDOW = 15 * 60
SESSION_KEY = "portal_tracked"
RESULT_STATES = (State.RESULT_READY, State.RETURNED)


def _granted(request) -> list[int]:
    return list(request.session.get(SESSION_KEY, []))


def _grant(request, dossier: Dossier) -> None:
    ids = [i for i in _granted(request) if i != dossier.pk][-19:]
    request.session[SESSION_KEY] = [*ids, dossier.pk]


def track(request):
    from .forms import TrackForm

    data = request.POST if request.method == "POST" else None
    initial = {"ma": request.GET.get("ma", "")}
    form = TrackForm(data, initial=initial)
    status = 200
    if data is not None and form.is_valid():
        allowed = ratelimit.hit(
            "track",
            ratelimit.client_ip(request),
            limit=settings.EGOV_PORTAL_TRACKING_LIMIT,
            window=WINDOW,
        )
        if not allowed:
            form.add_error(
                None,
                _("Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau %(minutes)s phút.")
                % {"minutes": max(1, ratelimit.retry_after(WINDOW) // 60)},
            )
            status = 429
        else:
            dossier = Dossier.objects.filter(code=form.cleaned_data["ma"]).only("pk", "pin").first()
            if (
                dossier is not None
                and dossier.pin
                and secrets.compare_digest(dossier.pin, form.cleaned_data["pin"])
            ):
                _grant(request, dossier)
                return redirect("portal:dossier", pk=dossier.pk)
            form.add_error(None, _("Mã hồ sơ hoặc mã tra cứu không đúng."))
            status = 404
    return render(request, "portal/track.html", {"form": form}, status=status)


def _tracked(request, pk: int) -> Dossier:
    if pk not in _granted(request):
        raise Http404
    try:
        return Dossier.objects.select_related("procedure_version", "agency").get(pk=pk)
    except Dossier.DoesNotExist:
        raise Http404 from None


def _result(dossier: Dossier) -> DossierFile | None:
    if dossier.state not in RESULT_STATES or not dossier.result_file:
        return None
    return (
        DossierFile.objects.filter(dossier=dossier, storage_name=dossier.result_file)
        .order_by("-id")
        .first()
    )


def dossier_status(request, pk: int):
    from egov.signing.reports import report_for_stored

    dossier = _tracked(request, pk)
    steps = list(dossier.steps.filter(state=StepState.DONE).order_by("order"))
    result = _result(dossier)
    report = None
    if result is not None and result.kind == "pdf":
        report = report_for_stored(result.storage_name, original_name=result.original_name)
    return render(
        request,
        "portal/dossier.html",
        {"dossier": dossier, "steps": steps, "result": result, "report": report},
    )


def download_result(request, pk: int):
    dossier = _tracked(request, pk)
    result = _result(dossier)
    if result is None:
        raise Http404
    audit.record(
        "dossier.result_downloaded",
        agency=dossier.agency_id,
        obj=dossier,
        data={"file": result.original_name, "channel": "portal"},
    )
    handle = storages["default"].open(result.storage_name, "rb")
    return FileResponse(handle, as_attachment=True, filename=result.original_name)
