"""Acceptance of the documents issue (Nghị định 30/2020): after ``make run`` (demo preset, demo
PKI, demo documents), in a real browser,

1. the district clerk registers a scanned incoming letter: OCR pre-fills it ("Điền sẵn từ OCR —
   kiểm tra lại"), the clerk confirms, the số đến is given;
2. the leader directs it to Phòng Tư pháp and assigns the specialist;
3. the specialist drafts the reply from the document ("Soạn văn bản trả lời") and completes
   the handling with it;
4. the reply is reviewed by the head of the unit, approved and signed by the leader, issued by
   the clerk with the next number and the symbol of a công văn (``NN/UBND-TP``), signed by the
   leader and the agency;
5. it arrives at xã Đỗ Sơn, whose clerk registers it;
6. the incoming and outgoing registers of the period print with these documents (PDF text read
   back with pypdf).

Screenshots of every stage in ``test-artifacts/``."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

from django.core.management import call_command
from django.db.models import Max
from django.utils import timezone
from playwright.sync_api import expect

from egov.core.text import fold
from egov.documents.models import IncomingDocument, OutgoingDocument
from egov.signing.backends import clear_cache

from .test_counter_intake import action, log_in

LETTER = {
    "template": "ocr_tests/cong_van.html",
    "issuer_parent": "UBND TỈNH PHÚ THỌ",
    "issuer_name": "SỞ TƯ PHÁP",
    "doc_number": "245/STP-HCTP",
    "place_date": "Phú Thọ, ngày 05 tháng 3 năm 2026",
    "subject": "V/v báo cáo kết quả công tác chứng thực năm 2026",
    "recipient": "Ủy ban nhân dân huyện Thanh Ba",
    "paragraphs": [
        "Thực hiện kế hoạch công tác năm 2026, Sở Tư pháp đề nghị Ủy ban nhân dân huyện Thanh "
        "Ba báo cáo kết quả công tác chứng thực trên địa bàn huyện.",
        "Báo cáo gửi về Sở Tư pháp trước ngày 30 tháng 3 năm 2026 để tổng hợp.",
    ],
    "authority": "KT. GIÁM ĐỐC",
    "position": "PHÓ GIÁM ĐỐC",
    "signer": "Nguyễn Văn Hùng",
}


def scanned_letter(tmp_path) -> bytes:
    """The letter printed, scanned at 300 dpi (askew, specks) as a PNG: what a clerk uploads."""
    from egov.documents.tests.test_ocr import png_bytes, rasterise, render, scanned

    pages = rasterise(render(LETTER), tmp_path)
    return png_bytes(scanned(pages[0]))


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(
        " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(data)).pages).split()
    )


def _load_demo_documents():
    from django.db import connection

    try:
        call_command("load_demo_documents")
    finally:
        connection.close()


def open_tab_row(page, base, tab, text):
    page.goto(f"{base}/documents/?tab={tab}")
    page.get_by_test_id("inbox").get_by_role("link", name=text).first.click()


def test_scanned_letter_to_reply_issued_received_and_registered(
    transactional_db, live_server, browser_page, screenshot, settings, tmp_path
):
    settings.EGOV_SIGNING_PKI_DIR = tmp_path / "pki"
    call_command("load_demo", "thanh-ba-2021", "--quiet", "--dossiers", "0")
    call_command("make_demo_pki")
    # Playwright keeps an event loop in this thread; pyHanko's sync signing wants its own
    with ThreadPoolExecutor(1) as pool:
        pool.submit(_load_demo_documents).result()
    page, base = browser_page, live_server.url
    scan = scanned_letter(tmp_path)

    # --- 1. the clerk uploads the scan; OCR pre-fills; the clerk checks and confirms
    log_in(page, base, "vanthu")
    page.goto(f"{base}/documents/")
    page.get_by_test_id("register-link").click()
    page.get_by_label("Tệp văn bản").set_input_files(
        {"name": "cong-van-so-tu-phap.png", "mimeType": "image/png", "buffer": scan}
    )
    page.get_by_test_id("upload-submit").click()
    note = page.get_by_test_id("prefill-note")
    expect(note).to_contain_text("Điền sẵn từ OCR — kiểm tra lại", timeout=120_000)
    expect(page.get_by_label("Hình thức văn bản")).to_have_value("scan")
    expect(page.get_by_label("Số, ký hiệu văn bản")).to_have_value("245/STP-HCTP")
    expect(page.get_by_label("Ngày văn bản")).to_have_value("05/03/2026")
    expect(page.get_by_label("Loại văn bản")).to_have_value("cong_van")
    assert "chung thuc" in fold(page.get_by_label("Trích yếu nội dung").input_value())
    assert fold(page.locator("[name=signer_name]").input_value()) == "nguyen van hung"
    assert page.get_by_test_id("ocr-badge").count() >= 5
    screenshot("1-clerk-ocr-prefill")
    # the clerk corrects the issuer to the full name and sets the deadline
    page.locator("[name=issuer_name]").fill("Sở Tư pháp tỉnh Phú Thọ")
    page.get_by_label("Thời hạn giải quyết (ngày làm việc)").fill("10")
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã vào sổ văn bản đến: số đến")
    letter = IncomingDocument.objects.get(code_notation="STP-HCTP")
    assert letter.source == "scan" and letter.arrival_number is not None
    expect(page.get_by_test_id("arrival-number")).to_have_text(str(letter.arrival_number))
    expect(page.get_by_test_id("timeline")).to_contain_text("Vào sổ văn bản đến")
    screenshot("2-clerk-registered")

    # --- 2. the leader directs it to Phòng Tư pháp and assigns the specialist
    log_in(page, base, "lanhdao")
    open_tab_row(page, base, "to_direct", "245/STP-HCTP")
    card = action(page, "direct")
    card.get_by_label("Đơn vị chủ trì", exact=True).select_option(
        label="Phòng Tư pháp huyện Thanh Ba"
    )
    card.get_by_label("Hạn của đơn vị chủ trì (ngày làm việc)").fill("5")
    card.get_by_label("Ý kiến chỉ đạo").fill("Giao Phòng Tư pháp chủ trì, tham mưu báo cáo.")
    card.get_by_role("button", name="Cho ý kiến chỉ đạo, giao đơn vị xử lý").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã giao Phòng Tư pháp")
    card = action(page, "assign")
    card.get_by_label("Giao chuyên viên").select_option(label="Lê Thị Mai")
    card.get_by_role("button", name="Phân công chuyên viên").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã giao Lê Thị Mai xử lý")
    expect(page.get_by_test_id("part-state")).to_have_text("Đang xử lý")
    screenshot("3-leader-directed")

    # --- 3. the specialist drafts the reply and completes the handling with it
    log_in(page, base, "chuyenvien")
    open_tab_row(page, base, "to_process", "245/STP-HCTP")
    page.get_by_test_id("reply-draft").click()
    expect(page.get_by_test_id("reply-to")).to_contain_text("245/STP-HCTP")
    subject = page.get_by_label("Trích yếu nội dung").input_value()
    assert "245/STP-HCTP" in subject
    page.get_by_label("Nội dung", exact=True).fill(
        "Ủy ban nhân dân huyện Thanh Ba báo cáo kết quả công tác chứng thực năm 2026 như sau."
    )
    page.get_by_label("Nơi nhận trong hệ thống").select_option(label="UBND xã Đỗ Sơn")
    page.get_by_label("Thẩm quyền ký", exact=True).fill("TM. ỦY BAN NHÂN DÂN")
    page.get_by_label("Chức vụ người ký", exact=True).fill("Chủ tịch")
    page.get_by_test_id("draft-submit").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã lưu dự thảo")
    reply = OutgoingDocument.objects.get(reply_to=letter)
    page.goto(f"{base}/documents/incoming/{letter.pk}/")
    card = action(page, "complete")
    card.get_by_label("Kết quả xử lý").fill("Đã dự thảo báo cáo trả lời Sở Tư pháp.")
    card.get_by_label("Văn bản trả lời (nếu có)").select_option(str(reply.pk))
    card.get_by_role("button", name="Báo hoàn thành xử lý").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã báo hoàn thành")
    expect(page.get_by_test_id("state")).to_have_text("Đã giải quyết")
    expect(page.get_by_test_id("reply-link")).to_be_visible()
    screenshot("4-specialist-completed")
    page.get_by_test_id("reply-link").click()
    action(page, "send_review").get_by_role("button", name="Trình duyệt").click()
    expect(page.get_by_test_id("state")).to_have_text("Chờ lãnh đạo đơn vị duyệt")

    # --- 4. review by the head of the unit, approval and signature by the leader
    log_in(page, base, "truongphong.tuphap")
    page.goto(f"{base}/documents/?tab=to_review")
    page.get_by_test_id("inbox").get_by_role("link", name="245/STP-HCTP").click()
    action(page, "approve_review").get_by_role("button", name="Duyệt, trình lãnh đạo ký").click()
    expect(page.get_by_test_id("state")).to_have_text("Chờ lãnh đạo ký")
    screenshot("5-unit-head-reviewed")
    log_in(page, base, "lanhdao")
    page.goto(f"{base}/documents/?tab=to_sign")
    page.get_by_test_id("inbox").get_by_role("link", name="245/STP-HCTP").click()
    action(page, "sign").get_by_role("button", name="Phê duyệt và ký số").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã phê duyệt và ký số")
    expect(page.get_by_test_id("state")).to_have_text("Đã ký, chờ ban hành")
    screenshot("6-leader-signed")

    # --- the clerk issues: the next number of the year's series, the symbol of a công văn
    year = timezone.localdate().year
    before = (
        OutgoingDocument.objects.filter(
            agency=reply.agency, year=year, series_scope__endswith=":default"
        ).aggregate(m=Max("number"))["m"]
        or 0
    )
    log_in(page, base, "vanthu")
    page.goto(f"{base}/documents/?tab=to_issue")
    page.get_by_test_id("inbox").get_by_role("link", name="245/STP-HCTP").click()
    action(page, "issue").get_by_role("button", name="Cấp số, ban hành và phát hành").click()
    expected = f"{before + 1:02d}/UBND-TP"
    expect(page.get_by_role("alert").first).to_contain_text(f"Đã ban hành văn bản số {expected}")
    expect(page.get_by_test_id("number-symbol")).to_have_text(expected)
    reply.refresh_from_db()
    assert reply.number_symbol == expected and reply.number == before + 1
    badge = page.get_by_test_id("file-issued").get_by_test_id("signature-badge")
    expect(badge).to_have_attribute("data-status", "valid")
    expect(page.get_by_test_id("recipients")).to_contain_text("Đã gửi")
    screenshot("7-clerk-issued")

    # --- 5. xã Đỗ Sơn receives it and registers it
    log_in(page, base, "vanthu.doson")
    page.goto(f"{base}/documents/?tab=to_register")
    page.get_by_test_id("inbox").get_by_role("link", name=expected).click()
    expect(page.get_by_test_id("signature-badge").first).to_have_attribute("data-status", "valid")
    action(page, "register").get_by_role("button", name="Vào sổ văn bản đến").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã vào sổ văn bản đến")
    copy = IncomingDocument.objects.get(origin=reply)
    assert copy.state == "registered" and copy.issuer_name == "UBND huyện Thanh Ba"
    screenshot("8-commune-registered")

    # --- 6. the registers of the period print with both documents
    today = timezone.localdate().strftime("%d/%m/%Y")
    period = f"from=01/01/{year}&to={today}"
    page.goto(f"{base}/documents/")
    page.get_by_test_id("registers-link").click()
    expect(page.get_by_test_id("register-heading")).to_be_visible()
    screenshot("9-commune-registers-page")
    response = page.request.get(
        f"{base}/documents/registers/pdf/?kind=incoming&agency={copy.agency_id}&{period}"
    )
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text.upper() and expected in text
    log_in(page, base, "vanthu")
    for kind, needle in (("incoming", "245/STP-HCTP"), ("outgoing", expected)):
        response = page.request.get(
            f"{base}/documents/registers/pdf/?kind={kind}&agency={reply.agency_id}&{period}"
        )
        assert response.ok, response.text()
        text = pdf_text(response.body())
        assert needle in text, (kind, text[:500])
    assert "báo cáo kết quả công tác chứng thực" in text or "chứng thực" in text
    clear_cache()
