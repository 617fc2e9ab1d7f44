"""Signature checking pages: upload any PDF and see (and keep) its validation report."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from egov.core import audit
from egov.core.files import store_upload
from egov.core.pagination import keyset_page

from .forms import VerifyForm
from .models import SignatureReport
from .reports import validate_and_keep


def _officer(request) -> None:
    if not getattr(request.user, "is_officer", False):
        raise PermissionDenied


@login_required
def verify(request):
    """Kiểm tra chữ ký số: upload a PDF, validate every signature, keep the report."""
    _officer(request)
    form = VerifyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        stored = store_upload(upload, folder="signing/checked", allowed=("pdf",))
        upload.seek(0)
        report = validate_and_keep(
            upload.read(),
            storage_name=stored.name,
            original_name=stored.original_name,
            by=request.user,
        )
        audit.record(
            "signing.validated",
            actor=request.user,
            obj=report,
            data={"file": stored.original_name, "sha256": stored.sha256, "status": report.status},
        )
        return redirect("signing:report", pk=report.pk)
    mine = SignatureReport.objects.filter(checked_by=request.user)
    page = keyset_page(mine, cursor=request.GET.get("cursor"), size=20)
    return render(request, "signing/verify.html", {"form": form, "page": page})


@login_required
def report(request, pk: int):
    _officer(request)
    item = get_object_or_404(SignatureReport, pk=pk)
    if item.checked_by_id not in (None, request.user.pk) and not request.user.is_superuser:
        raise PermissionDenied
    return render(request, "signing/report.html", {"item": item})
