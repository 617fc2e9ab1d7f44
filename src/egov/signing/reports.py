"""Validation reports kept with the stored PDFs they describe."""

from __future__ import annotations

import hashlib

from django.core.files.storage import storages

from .models import SignatureReport
from .services import validate_pdf


def validate_and_keep(
    pdf_bytes: bytes, *, storage_name: str = "", original_name: str = "", by=None
) -> SignatureReport:
    """Validate ``pdf_bytes`` and keep the report (for the stored file ``storage_name``)."""
    report = validate_pdf(pdf_bytes)
    data = report.as_dict()
    return SignatureReport.objects.create(
        storage_name=storage_name,
        original_name=original_name[:255],
        sha256=hashlib.sha256(pdf_bytes).hexdigest(),
        status=report.status,
        signature_count=len(report.signatures),
        report=data,
        checked_by=by if getattr(by, "is_authenticated", False) else None,
    )


def report_for_stored(
    storage_name: str, *, original_name: str = "", by=None, refresh: bool = False
) -> SignatureReport:
    """The latest kept report of a stored file, validating it the first time (or when
    ``refresh``: e.g. after the trust store changed)."""
    if not refresh:
        existing = SignatureReport.objects.filter(storage_name=storage_name).order_by("-id").first()
        if existing is not None:
            return existing
    with storages["default"].open(storage_name, "rb") as fh:
        data = fh.read()
    return validate_and_keep(data, storage_name=storage_name, original_name=original_name, by=by)
