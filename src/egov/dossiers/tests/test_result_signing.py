"""Dossier results are signed by the approving leader and the agency (issue 4 integration),
and the citizen-facing tracking page shows the signatures as valid."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.template import engines
from django.test import override_settings

from egov.core import audit
from egov.core.files import store_upload
from egov.core.testing import require_program
from egov.dossiers import services
from egov.dossiers.models import DossierFile, State
from egov.signing import pki
from egov.signing.backends import clear_cache
from egov.signing.models import SignatureReport, SignerKey, TrustedRoot
from egov.signing.services import validate_pdf
from egov.signing.signers import ensure_demo_keys, find_signature_box

from .conftest import vn

RESULT = """{% extends "core/pdf_base.html" %}
{% block issuer_parent %}UBND HUYỆN THỬ{% endblock %}{% block issuer %}UBND XÃ ĐỖ THỬ{% endblock %}
{% block document_title %}<p class="document-title">QUYẾT ĐỊNH</p>
<p class="document-subject">Về việc đăng ký khai sinh</p>{% endblock %}
{% block content %}<p>Đăng ký khai sinh cho cháu Nguyễn Văn An.</p>{% endblock %}
{% block signature %}<div class="authority">TM. ỦY BAN NHÂN DÂN</div>
<div class="position">CHỦ TỊCH</div><div class="signer">{{ signer }}</div>{% endblock %}
"""


def render_result(signer: str) -> bytes:
    from weasyprint import HTML

    from egov.core.pdf import make_url_fetcher

    html = engines["django"].from_string(RESULT).render({"signer": signer})
    return HTML(string=html, base_url="file:///", url_fetcher=make_url_fetcher()).write_pdf()


def pdfsig(pdf: bytes, tmp_path) -> str:
    path = require_program("pdfsig", "poppler-utils")
    f = tmp_path / "result.pdf"
    f.write_bytes(pdf)
    return subprocess.run([path, str(f)], capture_output=True, timeout=60).stdout.decode()


@pytest.fixture
def keys(world, tmp_path, settings):
    settings.EGOV_SIGNING_PKI_DIR = tmp_path / "pki"
    settings.EGOV_SIGNING_PKCS12_PASSWORD = "test-pw"
    ca = pki.ensure_root_ca(settings.EGOV_SIGNING_PKI_DIR, "test-pw")
    TrustedRoot.objects.create(name="test root", pem=ca.cert_pem().decode())
    count = ensure_demo_keys(settings.EGOV_SIGNING_PKI_DIR, ca)
    yield count
    clear_cache()


def to_approval(world, receive):
    d = receive()
    with services.simulated_clock(vn(2026, 3, 2, 10, 0)):
        services.hand_over(d, by=world.desk, to_user=world.specialist)
    result = store_upload(
        ContentFile(render_result(world.leader.get_full_name()), name="quyet-dinh.pdf"),
        folder="dossiers/results",
    )
    with services.simulated_clock(vn(2026, 3, 3, 9, 0)):
        services.attach_result(d, result, by=world.specialist)
        services.hand_over(d, by=world.specialist)  # to the leader (step 3)
    d.refresh_from_db()
    return d, result


def test_demo_keys_for_every_agency_and_leader(world, keys):
    assert keys == SignerKey.objects.count()
    assert SignerKey.objects.filter(kind="person", user=world.leader, agency=world.commune).exists()
    assert SignerKey.objects.filter(kind="agency", agency=world.commune_desk).exists()
    assert all(k.is_demo and k.image_path for k in SignerKey.objects.all())


def test_leader_approval_signs_the_result(world, receive, keys, tmp_path):
    d, unsigned = to_approval(world, receive)
    with services.simulated_clock(vn(2026, 3, 4, 9, 0)):
        services.hand_over(d, by=world.leader)
    d.refresh_from_db()
    assert d.state == State.RESULT_READY and d.result_signed_at is not None
    assert d.result_file != unsigned.name  # the unsigned version is kept beside it
    names = list(
        DossierFile.objects.filter(dossier=d, purpose="result").values_list(
            "original_name", flat=True
        )
    )
    assert names == ["quyet-dinh.pdf", "quyet-dinh-da-ky-so.pdf"]
    with storages["default"].open(d.result_file, "rb") as fh:
        signed = fh.read()
    report = validate_pdf(signed)
    assert report.status == "valid", report.reasons
    assert [s.signer_name for s in report.signatures] == [
        world.leader.get_full_name(),
        world.commune.name,
    ]
    out = pdfsig(signed, tmp_path)
    assert out.count("Signature Validation: Signature is Valid.") == 2, out
    assert "Total document signed" in out  # the last (agency) signature covers the file
    # both are visible: the person signature in the signature block, the seal beside it
    from pypdf import PdfReader

    widgets = {
        str(a.get_object()["/T"]): [float(v) for v in a.get_object()["/Rect"]]
        for a in PdfReader(io.BytesIO(signed)).pages[0]["/Annots"]
    }
    person, seal = widgets["person-1"], widgets["agency-1"]
    assert person[2] - person[0] > 50 and person[3] - person[1] > 30  # visible, not 0x0
    seal_width = seal[2] - seal[0]
    assert 100 < seal_width < 104  # 36 mm, the real size of the seal
    # the seal's right edge covers the left third of the signature image
    assert abs(seal[2] - (person[0] + (person[2] - person[0]) / 3)) < 1.5
    event = audit.AuditEvent.objects.filter(action="dossier.result_signed").get()
    assert event.data["visible"] is True and event.data["signer"] == world.leader.get_full_name()


def test_signature_box_between_position_and_name(world):
    pdf = render_result("Trần Văn Lãnh")
    page, (x1, y1, x2, y2) = find_signature_box(pdf, "Trần Văn Lãnh")
    assert page == 0
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "CHỦ TỊCH" in text
    assert y2 - y1 > 30  # the 60 pt gap of the template, less the line heights
    assert 300 < (x1 + x2) / 2 < 520  # the right-hand signature column of an A4 page


def test_without_keys_required_mode_refuses_and_changes_nothing(world, receive, settings):
    settings.EGOV_DOSSIER_SIGN_RESULTS = "required"
    d, _ = to_approval(world, receive)
    version = d.version
    with (
        pytest.raises(ValidationError, match="chưa có khóa ký số"),
        services.simulated_clock(vn(2026, 3, 4, 9, 0)),
    ):
        services.hand_over(d, by=world.leader)
    d.refresh_from_db()
    assert d.version == version and d.state == State.IN_PROCESS and d.result_signed_at is None


def test_without_keys_default_mode_approves_unsigned_and_logs_it(world, receive):
    d, unsigned = to_approval(world, receive)
    with services.simulated_clock(vn(2026, 3, 4, 9, 0)):
        services.hand_over(d, by=world.leader)
    d.refresh_from_db()
    assert d.state == State.RESULT_READY and d.result_file == unsigned.name
    assert audit.AuditEvent.objects.filter(action="dossier.result_not_signed").count() == 1


def test_wrong_password_is_a_clear_error_and_nothing_changes(world, receive, keys, settings):
    d, unsigned = to_approval(world, receive)
    key = SignerKey.objects.get(kind="person", user=world.leader)
    key.secret_env = "EGOV_TEST_MISSING_PIN"
    key.save()
    with (
        pytest.raises(ValidationError, match="EGOV_TEST_MISSING_PIN"),
        services.simulated_clock(vn(2026, 3, 4, 9, 0)),
    ):
        services.hand_over(d, by=world.leader)
    d.refresh_from_db()
    assert d.result_file == unsigned.name and d.state == State.IN_PROCESS


@override_settings(EGOV_PORTAL_TRACKING_LIMIT=100)
def test_citizen_tracking_shows_valid_signatures_and_downloads(world, receive, keys, client):
    d, _ = to_approval(world, receive)
    with services.simulated_clock(vn(2026, 3, 4, 9, 0)):
        services.hand_over(d, by=world.leader)
    d.refresh_from_db()
    wrong = client.post("/tra-cuu/", {"ma": d.code, "pin": "000000" if d.pin != "000000" else "1"})
    assert wrong.status_code == 404
    assert d.applicant_name not in wrong.content.decode()
    assert client.get(f"/tra-cuu/ho-so/{d.pk}/").status_code == 404  # nothing without the PIN
    ok = client.post("/tra-cuu/", {"ma": d.code.lower(), "pin": d.pin})
    assert ok.status_code == 302
    page = client.get(ok["Location"]).content.decode()
    assert 'data-status="valid"' in page and "2 chữ ký số hợp lệ" in page
    assert world.leader.get_full_name() in page and world.commune.name in page
    assert SignatureReport.objects.filter(storage_name=d.result_file, status="valid").count() == 1
    download = client.get(f"/tra-cuu/ho-so/{d.pk}/ket-qua/")
    body = b"".join(download.streaming_content)
    assert download.status_code == 200 and body.startswith(b"%PDF")
    assert validate_pdf(body).status == "valid"


@override_settings(EGOV_PORTAL_TRACKING_LIMIT=3)
def test_tracking_is_rate_limited(world, receive, client):
    from django.core.cache import cache

    cache.clear()
    d = receive()
    codes = [client.post("/tra-cuu/", {"ma": d.code, "pin": f"x{i}"}).status_code for i in range(5)]
    assert codes == [404, 404, 404, 429, 429]
    # even the right PIN is refused until the window ends
    assert client.post("/tra-cuu/", {"ma": d.code, "pin": d.pin}).status_code == 429
    cache.clear()
