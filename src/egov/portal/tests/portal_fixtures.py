"""Shared set-up of the portal tests (public pages, citizen accounts, ratings): the one-stop
world of the dossier tests, the real SMTP server and SMS gateway of the notification tests,
citizens, and a dossier taken through the real services up to the returned result."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from egov.accounts.tests.factories import PASSWORD, CitizenFactory  # noqa: F401  (re-exported)
from egov.core.files import store_upload
from egov.dossiers import services
from egov.dossiers.tests.conftest import receive, vn, world  # noqa: F401  (fixtures)
from egov.notifications.tests.conftest import sms_gateway, smtp_server  # noqa: F401  (fixtures)

#: the fixtures; test modules take them with ``from …portal_fixtures import *`` and import the
#: helpers (``returned``, ``to_result_ready``, ``vn``, ``PASSWORD``) by name
__all__ = [
    "_fresh_rate_limits",
    "citizen",
    "other_citizen",
    "receive",
    "sms_gateway",
    "smtp_server",
    "world",
]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache, shared by the whole test process."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def citizen(db):
    return CitizenFactory(
        full_name="Phạm Thị Dân", email="dan@example.vn", username="c:dan@example.vn"
    )


@pytest.fixture
def other_citizen(db):
    return CitizenFactory(
        full_name="Lê Văn Khác", email="khac@example.vn", username="c:khac@example.vn"
    )


def make_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def to_result_ready(w, dossier):
    """Processing → signed off by the leader: the result waits at the one-stop unit."""
    with services.simulated_clock(vn(2026, 3, 2, 10, 0)):
        services.hand_over(dossier, by=w.desk, to_user=w.specialist)
    stored = store_upload(
        SimpleUploadedFile("giay-khai-sinh.pdf", make_pdf(), content_type="application/pdf"),
        folder="dossiers/results",
    )
    with services.simulated_clock(vn(2026, 3, 3, 9, 0)):
        services.attach_result(dossier, stored, by=w.specialist)
        services.hand_over(dossier, by=w.specialist)
    with services.simulated_clock(vn(2026, 3, 3, 14, 0)):
        services.hand_over(dossier, by=w.leader)
    dossier.refresh_from_db()
    return dossier


def returned(w, dossier):
    to_result_ready(w, dossier)
    with services.simulated_clock(vn(2026, 3, 4, 9, 0)):
        services.return_result(dossier, by=w.desk, received_by=dossier.applicant_name)
    dossier.refresh_from_db()
    return dossier
