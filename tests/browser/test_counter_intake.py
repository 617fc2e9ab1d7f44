"""Acceptance: the demo one-stop officer of xã Đỗ Sơn receives a birth registration at the
counter in a real browser (search without diacritics, applicant with diacritics, ticked papers,
a PDF scan), prints form 01; the commune leader works the internal steps and attaches the
result; the officer returns it to the applicant. Screenshots at intake, of the dossier page
with its timeline, and after the return."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfWriter

from egov.demo.presets import DEMO_PASSWORD
from egov.dossiers.models import Dossier, State, StepState
from egov.procedures.models import Procedure

BIRTH = "1.001193"  # Đăng ký khai sinh in the demo catalog


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def ensure_birth_procedure() -> None:
    """The demo catalog has it; if the catalog is not loaded, make a small one like it."""
    if Procedure.objects.filter(national_code=BIRTH).exists():
        return
    from egov.procedures import services

    field = services.get_or_create_field("HT", "Hộ tịch")
    services.save_version(
        BIRTH,
        field=field,
        effective_from=dt.date(2020, 1, 1),
        name="Đăng ký khai sinh",
        level="commune",
        online_level="partial",
        processing_time=Decimal(1),
        time_unit="days",
        papers=[
            {"name": "Tờ khai đăng ký khai sinh", "kind": "original", "count": 1},
            {"name": "Giấy chứng sinh", "kind": "original", "count": 1},
        ],
        steps=[
            {"name": "Tiếp nhận hồ sơ", "unit": "onestop", "role": "onestop", "duration": "0.1"},
            {
                "name": "Kiểm tra, ghi sổ",
                "unit": "department",
                "role": "specialist",
                "duration": "0.5",
            },
            {
                "name": "Chủ tịch UBND xã ký",
                "unit": "government",
                "role": "leader",
                "duration": "0.3",
            },
            {"name": "Trả kết quả", "unit": "onestop", "role": "onestop", "duration": "0.1"},
        ],
    )


def log_in(page, base_url, username):
    page.context.clear_cookies()
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Tên đăng nhập, email hoặc số điện thoại").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def action(page, name):
    """The action's folded card, opened."""
    card = page.locator(f'details[data-action="{name}"]')
    if card.get_attribute("open") is None:
        card.locator("summary").click()
    return card


def test_counter_intake_to_return(
    transactional_db, live_server, browser_page, browser_requests, screenshot
):
    call_command("load_demo", "thanh-ba-2021", "--quiet")
    ensure_birth_procedure()
    page, base = browser_page, live_server.url

    # --- intake at the counter of xã Đỗ Sơn
    log_in(page, base, "motcua.doson")
    page.get_by_role("link", name="Tiếp nhận hồ sơ").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tiếp nhận hồ sơ")
    page.get_by_label(re.compile("Tìm thủ tục")).fill("khai sinh")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_test_id(f"procedure-{BIRTH}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")

    page.get_by_label("Họ tên người nộp / tên tổ chức").fill("Nguyễn Thị Ánh Tuyết")
    page.get_by_label("Số định danh cá nhân (CCCD)").fill("025190004321")
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    page.get_by_label("Địa chỉ").fill("Khu 5, xã Đỗ Sơn, huyện Thanh Ba, tỉnh Phú Thọ")
    boxes = page.locator("input[type=checkbox][name=papers]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    page.locator("#id_scan_1").set_input_files(
        {"name": "tờ khai khai sinh.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.get_by_label("Nhận tại bộ phận một cửa").check()
    screenshot("intake-form")
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()

    receipt = page.get_by_test_id("just-received")
    expect(receipt).to_be_visible()
    code = page.get_by_test_id("dossier-code").inner_text().strip()
    assert re.fullmatch(r"002\.00\.25\.H42-\d{6}-\d{4}", code), code
    expect(page.get_by_test_id("dossier-pin")).to_have_text(re.compile(r"^\d{6}$"))
    dossier = Dossier.objects.get(code=code)
    assert dossier.applicant_name == "Nguyễn Thị Ánh Tuyết"
    assert dossier.files.get().original_name == "tờ khai khai sinh.pdf"
    screenshot("intake-done")

    # form 01 opens as a PDF
    href = page.get_by_test_id("print-01").get_attribute("href")
    assert href == f"/dossiers/{dossier.pk}/forms/01.pdf"
    response = page.request.get(base + href)
    assert response.ok and response.headers["content-type"].startswith("application/pdf")
    assert response.body().startswith(b"%PDF-")

    # step 1 (reception) handed over to the commune leader
    card = action(page, "hand_over")
    card.get_by_label("Ý kiến, ghi chú khi chuyển").fill("Hồ sơ đầy đủ, hợp lệ")
    card.get_by_label("Người nhận ở bước tiếp theo").select_option(label="Bùi Văn Thắng")
    card.get_by_role("button", name="Chuyển bước tiếp theo").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã chuyển hồ sơ")

    # --- the commune leader: checks (step 2), attaches the result, signs (step 3)
    log_in(page, base, "lanhdao.doson")
    page.goto(base + "/dossiers/")
    page.get_by_role("link", name=code).click()
    card = action(page, "attach_result")
    card.get_by_label("Văn bản kết quả (PDF)").set_input_files(
        {"name": "giấy khai sinh.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    card.get_by_role("button", name="Đính kèm văn bản kết quả").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã đính kèm văn bản kết quả")
    action(page, "hand_over").get_by_role("button", name="Chuyển bước tiếp theo").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã chuyển hồ sơ")
    card = action(page, "hand_over")
    card.get_by_label("Người nhận ở bước tiếp theo").select_option(label="Nguyễn Văn Bình")
    card.get_by_role("button", name="Chuyển bước tiếp theo").click()
    expect(page.get_by_test_id("state").first).to_have_text("Chờ trả kết quả")
    timeline = page.get_by_test_id("steps-timeline")
    expect(timeline.locator("li.is-done")).to_have_count(3)
    expect(page.get_by_test_id("events-timeline")).to_contain_text("Đính kèm kết quả")
    screenshot("dossier-timeline")

    # --- back at the counter: return the result to the applicant
    log_in(page, base, "motcua.doson")
    page.goto(base + "/dossiers/")
    page.get_by_test_id("tab-return").click()
    expect(page.locator(f'tr[data-code="{code}"]')).to_be_visible()
    screenshot("inbox-to-return")
    page.get_by_role("link", name=code).click()
    card = action(page, "return_result")
    expect(card.get_by_label("Họ tên người nhận kết quả")).to_have_value("Nguyễn Thị Ánh Tuyết")
    card.get_by_role("button", name="Trả kết quả cho người nộp").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "Đã trả kết quả cho Nguyễn Thị Ánh Tuyết"
    )
    expect(page.get_by_test_id("state").first).to_have_text("Đã trả kết quả")
    expect(page.get_by_test_id("steps-timeline").locator("li.is-done")).to_have_count(4)
    screenshot("returned")

    dossier.refresh_from_db()
    assert dossier.state == State.RETURNED and dossier.returned_to == "Nguyễn Thị Ánh Tuyết"
    assert not dossier.steps.exclude(state=StepState.DONE).exists()
    assert all(
        "127.0.0.1" in u or "localhost" in u for u in browser_requests if u.startswith("http")
    )
