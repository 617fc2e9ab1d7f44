"""Acceptance of the signing issue: with the demo PKI, the demo commune leader approves a
dossier result in a real browser; it is signed by the leader and by the agency; the citizen,
without logging in, tracks the dossier by code + PIN and sees both signatures as valid, then
downloads the signed PDF (checked again by pyHanko and by poppler's pdfsig)."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor

from django.core.management import call_command
from django.template import engines
from playwright.sync_api import expect

from egov.accounts.models import User
from egov.dossiers import services
from egov.dossiers.models import Dossier
from egov.signing.backends import clear_cache
from egov.signing.services import validate_pdf

from .test_counter_intake import BIRTH, action, ensure_birth_procedure, log_in

RESULT = """{% extends "core/pdf_base.html" %}
{% block issuer_parent %}UBND HUYỆN THANH BA{% endblock %}{% block issuer %}UBND XÃ ĐỖ SƠN{% endblock %}
{% block doc_number %}Số: 15/2026/TLKS{% endblock %}
{% block document_title %}<p class="document-title">GIẤY KHAI SINH</p>{% endblock %}
{% block content %}<p>Họ, chữ đệm, tên: NGUYỄN MINH AN. Ngày sinh: 02/11/2026.</p>{% endblock %}
{% block signature %}<div class="authority">TM. ỦY BAN NHÂN DÂN</div>
<div class="position">CHỦ TỊCH</div><div class="signer">{{ signer }}</div>{% endblock %}
"""


def result_pdf(signer: str) -> bytes:
    from weasyprint import HTML

    from egov.core.pdf import make_url_fetcher

    html = engines["django"].from_string(RESULT).render({"signer": signer})
    return HTML(string=html, base_url="file:///", url_fetcher=make_url_fetcher()).write_pdf()


def test_leader_signs_result_and_citizen_sees_valid_signatures(
    transactional_db, live_server, browser_page, screenshot, settings, tmp_path
):
    settings.EGOV_SIGNING_PKI_DIR = tmp_path / "pki"
    call_command("load_demo", "thanh-ba-2021", "--quiet", "--dossiers", "0")
    ensure_birth_procedure()
    call_command("make_demo_pki")
    page, base = browser_page, live_server.url
    leader = User.objects.get(username="lanhdao.doson")
    desk = User.objects.get(username="motcua.doson")

    # a dossier received at the counter and handed to the leader (the intake UI has its own test)
    from egov.dossiers.tests.conftest import intake
    from egov.procedures.models import Procedure

    version = Procedure.objects.get(national_code=BIRTH).versions.order_by("-id").first()
    dossier = services.receive(intake(version), desk.memberships.get().agency, by=desk)
    services.hand_over(dossier, by=desk, to_user=leader)

    # --- the leader checks (step 2), attaches the result and approves (step 3)
    log_in(page, base, "lanhdao.doson")
    page.goto(f"{base}/dossiers/{dossier.pk}/")
    card = action(page, "attach_result")
    card.get_by_label("Văn bản kết quả (PDF)").set_input_files(
        {
            "name": "giấy khai sinh.pdf",
            "mimeType": "application/pdf",
            "buffer": result_pdf(leader.get_full_name()),
        }
    )
    card.get_by_role("button", name="Đính kèm văn bản kết quả").click()
    action(page, "hand_over").get_by_role("button", name="Chuyển bước tiếp theo").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã chuyển hồ sơ")
    card = action(page, "hand_over")
    card.get_by_role("button", name="Phê duyệt, ký số kết quả và chuyển bước").click()
    expect(page.get_by_role("alert").first).to_contain_text("được ký số")
    badge = page.get_by_test_id("signature-badge")
    expect(badge).to_have_attribute("data-status", "valid")
    expect(badge).to_contain_text("2 chữ ký số hợp lệ")
    expect(page.get_by_test_id("events-timeline")).to_contain_text("Ký số kết quả")
    screenshot("leader-signed")

    # --- the citizen, not logged in, on a phone
    dossier.refresh_from_db()
    page.context.clear_cookies()
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{base}/tra-cuu/?ma={dossier.code}")
    expect(page.get_by_label("Mã hồ sơ")).to_have_value(dossier.code)
    page.get_by_label("Mã tra cứu (PIN)").fill(dossier.pin)
    page.get_by_test_id("track-submit").click()
    expect(page.get_by_test_id("dossier-state")).to_have_text("Chờ trả kết quả")
    badge = page.get_by_test_id("signature-badge")
    expect(badge).to_have_attribute("data-status", "valid")
    rows = page.get_by_test_id("signature-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(leader.get_full_name())
    expect(rows.nth(1)).to_contain_text("UBND xã Đỗ Sơn")
    screenshot("citizen-result")
    with page.expect_download() as info:
        page.get_by_test_id("download-result").click()
    path = info.value.path()
    signed = path.read_bytes()
    # Playwright keeps an event loop in this thread; pyHanko's sync API wants its own
    with ThreadPoolExecutor(1) as pool:
        report = pool.submit(validate_pdf, signed).result()
    assert report.status == "valid", report.reasons
    out = subprocess.run(["pdfsig", path], capture_output=True, timeout=60).stdout.decode()
    assert out.count("Signature is Valid.") == 2, out
    assert Dossier.objects.get(pk=dossier.pk).result_signed_at is not None
    clear_cache()
