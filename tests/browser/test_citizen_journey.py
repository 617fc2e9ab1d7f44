"""Acceptance of the citizen portal (issue 6), as a new user would walk it on a phone.

A citizen registers (the confirmation code is read from a real SMTP server), finds "Đăng ký
khai sinh" by a search without diacritics, fills the online form with uploads (the JS uploader
shows a progress bar), reviews and submits it with the keyboard, and sees it in "my dossiers".
The demo one-stop officer of xã Đỗ Sơn accepts it (code + PIN) and asks for a supplement; the
citizen supplements online; the commune leader attaches the result and approves it, which
signs it with the demo PKI; the citizen downloads the signed result (checked again by
pyHanko); the officer returns it and the citizen rates the service. Every step sends its
email, checked in the SMTP server. Then, without login, tracking by code + PIN shows the
status, a wrong PIN shows nothing, and the QR target pre-fills the code. No request leaves
localhost.

Notifications are delivered by background tasks: the test runs the queued tasks itself
(``db_worker --batch``) between steps.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from egov.accounts.models import User
from egov.dossiers.models import Dossier, State
from egov.notifications.tests.conftest import Mailbox, free_port
from egov.portal.models import Rating
from egov.signing.backends import clear_cache
from egov.signing.services import validate_pdf

from .conftest import ARTIFACTS, _slug, is_local
from .test_counter_intake import BIRTH, action, log_in, pdf_bytes
from .test_result_signing import result_pdf

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
CITIZEN_NAME = "Trần Thị Mai Anh"
CITIZEN_EMAIL = "maianh.tran@example.vn"
CITIZEN_ID = "025190007788"
ADDRESS = "Khu 3, xã Đỗ Sơn, huyện Thanh Ba, tỉnh Phú Thọ"
PASSWORD = "Khai-sinh.2026!Do-Son"
CHILD = "Lê Minh Khang"


@pytest.fixture
def smtp_server(settings, live_server):
    """A real SMTP server on 127.0.0.1; the live server (same process) sends to it."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EGOV_NOTIFY_EMAIL_FROM = "motcua.doson@example.vn"
    settings.SITE_URL = live_server.url
    settings.EGOV_TASK_BACKOFF_SECONDS = 0
    yield mailbox
    controller.stop()


def run_tasks() -> None:
    """Deliver the queued notifications (what ``make run``'s worker does in the background)."""
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)


def mail_to(mailbox: Mailbox, subject: str, *, tasks: bool = True, timeout: float = 10.0):
    """The one message to the citizen whose subject contains ``subject`` (plain text body)."""
    deadline = time.monotonic() + timeout
    while True:
        if tasks:
            run_tasks()
        found = [
            m
            for m in mailbox.messages
            if subject in " ".join(str(m["Subject"]).split()) and m["To"] == CITIZEN_EMAIL
        ]
        if found:
            assert len(found) == 1, [str(m["Subject"]) for m in found]
            return found[0], found[0].get_body(preferencelist=("plain",)).get_content()
        if time.monotonic() > deadline:
            subjects = [str(m["Subject"]) for m in mailbox.messages]
            raise AssertionError(f"no email {subject!r}; got {subjects}")
        time.sleep(0.2)


def local_context(browser, base_url: str, viewport: dict, requests: list[str]):
    """A context like ``browser_page``'s: vi-VN, Vietnam time, nothing but localhost."""
    context = browser.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", base_url=base_url, viewport=viewport
    )
    context.set_default_timeout(15_000)

    def keep_it_local(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context.route(re.compile(r".*"), keep_it_local)
    context.on("request", lambda req: requests.append(req.url))
    return context


def shot(request, page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{_slug(request.node.name)}-{_slug(name)}.png"
    page.screenshot(path=str(path), full_page=True)


def expect_focus_reaches(page, start, target, max_tabs: int = 3) -> None:
    """Tab from ``start`` reaches ``target`` (a submit button) within ``max_tabs`` presses."""
    start.focus()
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError("the submit button is not reachable with Tab")


PROGRESS_WATCH = """() => {
  window.__progressSeen = 0;
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) {
      if (n.nodeType === 1 && (n.matches("progress") || n.querySelector("progress"))) {
        window.__progressSeen += 1;
      }
    }
  }).observe(document.body, {childList: true, subtree: true});
}"""


def test_citizen_journey_on_a_phone(
    request,
    transactional_db,
    live_server,
    chromium_browser,
    browser_page,
    browser_requests,
    screenshot,
    smtp_server,
    settings,
    tmp_path,
):
    settings.EGOV_SIGNING_PKI_DIR = tmp_path / "pki"
    call_command("load_demo", "thanh-ba-2021", "--quiet", "--dossiers", "0")
    call_command("make_demo_pki")
    mailbox, base = smtp_server, live_server.url
    leader = User.objects.get(username="lanhdao.doson")
    page = browser_page  # the citizen's phone
    page.set_viewport_size(PHONE)
    officer_requests: list[str] = []
    office = local_context(chromium_browser, base, DESKTOP, officer_requests).new_page()

    # --- 1. registration: name + email, the code from the SMTP server, a password -------------
    page.goto(base + "/dich-vu-cong/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cổng dịch vụ công")
    screenshot("01-home")
    page.get_by_role("link", name="Đăng ký tài khoản").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký tài khoản")
    page.get_by_label("Họ và tên").fill(CITIZEN_NAME)
    contact = page.get_by_label("Thư điện tử hoặc số điện thoại di động")
    contact.fill(CITIZEN_EMAIL)
    expect_focus_reaches(page, contact, page.get_by_test_id("register-submit"))
    screenshot("02-register")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập mã xác nhận")
    mail, text = mail_to(mailbox, "Mã xác nhận đăng ký tài khoản", tasks=False)
    code = re.search(r"^\s+(\d{6})\s*$", text, re.M).group(1)
    assert code in str(mail["Subject"]) and f"Kính gửi Ông/Bà {CITIZEN_NAME}" in text
    page.get_by_label("Mã xác nhận 6 chữ số").fill(code)
    screenshot("03-confirmation-code")
    page.get_by_test_id("confirm-submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đặt mật khẩu")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_test_id("password-submit").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã tạo tài khoản")
    citizen = User.objects.get(email=CITIZEN_EMAIL)
    assert citizen.is_citizen and citizen.get_full_name() == CITIZEN_NAME
    # the profile: CCCD and address, which the online form takes over
    page.get_by_label("Số định danh cá nhân (CCCD)").fill(CITIZEN_ID)
    page.get_by_label("Địa chỉ").fill(ADDRESS)
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã lưu thông tin cá nhân")
    screenshot("04-profile")

    # --- 2. find the procedure by a search without diacritics ---------------------------------
    page.goto(base + "/dich-vu-cong/")
    page.get_by_role("searchbox").or_(page.locator("#id_q")).first.fill("dang ky khai sinh")
    page.get_by_role("button", name="Tìm kiếm").click()
    results = page.get_by_test_id("procedure-results")
    expect(results.get_by_role("link", name="Đăng ký khai sinh", exact=True)).to_be_visible()
    screenshot("05-search")
    results.get_by_role("link", name="Đăng ký khai sinh", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    expect(page.get_by_text(BIRTH).first).to_be_visible()
    screenshot("06-procedure")
    page.get_by_test_id("submit-online").click()
    page.get_by_label("Nộp hồ sơ đến").select_option(label="UBND xã Đỗ Sơn")
    page.get_by_role("button", name="Bắt đầu khai hồ sơ").click()

    # --- 3. the draft: the form from the JSON Schema, the applicant, the uploads --------------
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    expect(page.locator("#a-name")).to_have_value(CITIZEN_NAME)
    expect(page.locator("#a-id_number")).to_have_value(CITIZEN_ID)
    expect(page.locator("#a-email")).to_have_value(CITIZEN_EMAIL)
    expect(page.locator("#a-address")).to_have_value(ADDRESS)
    born = timezone.localdate() - dt.timedelta(days=6)
    page.get_by_label("Họ, chữ đệm, tên người được khai sinh").fill(CHILD)
    page.locator("#f-ngay_sinh").fill(born.isoformat())
    page.get_by_label("Giới tính").select_option(label="Nam")
    page.get_by_label("Nơi sinh").fill("Trạm y tế xã Đỗ Sơn, huyện Thanh Ba, tỉnh Phú Thọ")
    page.get_by_label("Quốc tịch").fill("Việt Nam")
    page.get_by_label("Họ, chữ đệm, tên người mẹ").fill(CITIZEN_NAME)
    page.get_by_label("Số định danh cá nhân của người mẹ").fill(CITIZEN_ID)
    page.get_by_label("Quan hệ của người đi khai").select_option(label="Mẹ")
    page.get_by_label("Tôi cam đoan").check()
    expect(page.get_by_label("Nhận trực tuyến")).to_be_checked()
    page.evaluate(PROGRESS_WATCH)
    for order, name in ((1, "tờ khai khai sinh.pdf"), (2, "giấy chứng sinh.pdf")):
        page.locator(f"#paper_{order}").set_input_files(
            {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes()}
        )
        expect(page.locator(f"#p-{order} [data-files] li")).to_contain_text(name)
    expect(page.locator("[data-progress] progress")).to_have_count(0)  # done: bars removed
    assert page.evaluate("window.__progressSeen") >= 2, "no upload progress bar was shown"
    expect(page.locator("[data-errors]").first).to_be_empty()
    screenshot("07-draft-with-uploads")
    page.get_by_role("button", name="Lưu và xem lại hồ sơ").click()

    # --- 4. review, submit with the keyboard ---------------------------------------------------
    expect(page.get_by_text("Bước 2/2: xem lại và nộp")).to_be_visible()
    declared = page.get_by_test_id("declared")
    expect(declared).to_contain_text(CHILD)
    expect(declared).to_contain_text(born.strftime("%d/%m/%Y"))
    expect(page.get_by_text("giấy chứng sinh.pdf")).to_be_visible()
    screenshot("08-review")
    submit = page.get_by_test_id("submit")
    expect_focus_reaches(page, page.get_by_role("link", name="Sửa hồ sơ"), submit)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Đã nộp hồ sơ")
    expect(page.get_by_test_id("dossier-state")).to_have_text("Chờ tiếp nhận")
    screenshot("09-submitted")
    dossier = Dossier.objects.get(citizen=citizen)
    assert dossier.state == State.WAITING_INTAKE and dossier.code in ("", None)
    assert dossier.files.count() == 2

    # on a phone the navigation is folded behind its labelled button
    page.get_by_role("button", name="Mở menu").click()
    page.locator("#portal-nav").get_by_role("link", name="Hồ sơ của tôi").click()
    mine = page.get_by_test_id("my-dossiers")
    expect(mine.locator(f'[data-dossier="{dossier.pk}"]')).to_contain_text(
        "Hồ sơ trực tuyến chờ tiếp nhận"
    )
    expect(mine).to_contain_text("Chờ tiếp nhận")
    screenshot("10-my-dossiers")

    # --- 5. the one-stop officer accepts it: code + PIN, the "received" email ---------------
    log_in(office, base, "motcua.doson")
    office.goto(base + "/dossiers/?tab=online")
    office.locator("tr", has_text=CITIZEN_NAME).get_by_role("link").first.click()
    expect(office.get_by_text("Thông tin khai trực tuyến")).to_be_visible()
    action(office, "accept_online").get_by_role("button", name="Tiếp nhận hồ sơ trực tuyến").click()
    expect(office.get_by_role("alert").first).to_contain_text("Đã tiếp nhận hồ sơ trực tuyến")
    code = office.get_by_test_id("dossier-code").inner_text().strip()
    pin = office.get_by_test_id("dossier-pin").inner_text().strip()
    assert re.fullmatch(r"\d{6}", pin), pin
    dossier.refresh_from_db()
    assert (dossier.code, dossier.pin, dossier.state) == (code, pin, State.RECEIVED)
    shot(request, office, "11-officer-accepted")
    mail, text = mail_to(mailbox, f"Đã tiếp nhận hồ sơ {code}")
    assert pin in text and f"Kính gửi Ông/Bà {CITIZEN_NAME}" in text
    tracking_link = re.search(r"https?://\S+/tra-cuu/\?ma=\S+", text).group(0)
    assert tracking_link.startswith(base)

    # ... and asks for a supplement: the email says what is missing
    card = action(office, "request_supplement")
    card.get_by_label("Nội dung cần bổ sung, hoàn thiện").fill(
        "Bản chụp giấy chứng sinh bị mờ, không đọc được số"
    )
    card.get_by_label("Giấy tờ cần bổ sung").fill("Giấy chứng sinh (bản chụp rõ nét)")
    card.get_by_role("button", name="Yêu cầu bổ sung hồ sơ (Mẫu 02)").click()
    expect(office.get_by_role("alert").first).to_contain_text("Đã yêu cầu bổ sung hồ sơ")
    shot(request, office, "12-officer-supplement-requested")
    mail, text = mail_to(mailbox, f"Hồ sơ {code} cần bổ sung")
    assert "giấy chứng sinh bị mờ" in text and "Giấy chứng sinh (bản chụp rõ nét)" in text

    # --- 6. the citizen supplements online ---------------------------------------------------
    page.goto(base + "/dich-vu-cong/ho-so-cua-toi/")
    page.get_by_role("link", name=code).click()
    supplement = page.get_by_test_id("supplement")
    expect(supplement).to_contain_text("giấy chứng sinh bị mờ")
    screenshot("13-supplement-asked")
    supplement.get_by_role("link", name="Bổ sung hồ sơ trực tuyến").click()
    page.get_by_label("Giấy tờ bổ sung (PDF hoặc ảnh)").set_input_files(
        {"name": "giấy chứng sinh rõ nét.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    note = page.get_by_label("Ghi chú gửi cán bộ")
    note.fill("Tôi gửi lại bản chụp rõ nét.")
    send = page.get_by_role("button", name="Gửi hồ sơ bổ sung")
    expect_focus_reaches(page, note, send)
    screenshot("14-supplement-form")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Đã gửi hồ sơ bổ sung")
    expect(page.get_by_test_id("dossier-state")).not_to_have_text("Chờ bổ sung")
    expect(page.get_by_text("giấy chứng sinh rõ nét.pdf")).to_be_visible()
    screenshot("15-supplemented")
    mail_to(mailbox, f"Đã nhận hồ sơ bổ sung – hồ sơ {code}")

    # --- 7. processing: the officer hands over, the leader attaches, approves and signs ------
    office.reload()
    card = action(office, "hand_over")
    card.get_by_label("Người nhận ở bước tiếp theo").select_option(label=leader.get_full_name())
    card.get_by_role("button", name="Chuyển bước tiếp theo").click()
    expect(office.get_by_role("alert").first).to_contain_text("Đã chuyển hồ sơ")
    log_in(office, base, "lanhdao.doson")
    office.goto(f"{base}/dossiers/{dossier.pk}/")
    card = action(office, "attach_result")
    card.get_by_label("Văn bản kết quả (PDF)").set_input_files(
        {
            "name": "giấy khai sinh.pdf",
            "mimeType": "application/pdf",
            "buffer": result_pdf(leader.get_full_name()),
        }
    )
    card.get_by_role("button", name="Đính kèm văn bản kết quả").click()
    expect(office.get_by_role("alert").first).to_contain_text("Đã đính kèm văn bản kết quả")
    action(office, "hand_over").get_by_role("button", name="Chuyển bước tiếp theo").click()
    expect(office.get_by_role("alert").first).to_contain_text("Đã chuyển hồ sơ")
    card = action(office, "hand_over")
    card.get_by_role("button", name="Phê duyệt, ký số kết quả và chuyển bước").click()
    expect(office.get_by_role("alert").first).to_contain_text("được ký số")
    expect(office.get_by_test_id("state").first).to_have_text("Chờ trả kết quả")
    shot(request, office, "16-leader-signed")
    mail, text = mail_to(mailbox, f"Hồ sơ {code} đã có kết quả")
    assert f"Kính gửi Ông/Bà {CITIZEN_NAME}" in text

    # --- 8. the citizen downloads the signed result from "my dossiers" ------------------------
    page.goto(base + "/dich-vu-cong/ho-so-cua-toi/")
    row = page.get_by_test_id("my-dossiers").locator(f'[data-dossier="{dossier.pk}"]')
    expect(row).to_contain_text("Chờ trả kết quả")
    row.get_by_role("link", name=code).click()
    badge = page.get_by_test_id("signature-badge")
    expect(badge).to_have_attribute("data-status", "valid")
    expect(badge).to_contain_text("2 chữ ký số hợp lệ")
    screenshot("17-result-ready")
    with page.expect_download() as info:
        page.get_by_test_id("download-result").click()
    signed = info.value.path().read_bytes()
    assert info.value.suggested_filename == "giấy khai sinh-da-ky-so.pdf"
    # Playwright keeps an event loop in this thread; pyHanko's sync API wants its own
    with ThreadPoolExecutor(1) as pool:
        report = pool.submit(validate_pdf, signed).result()
    assert report.status == "valid", report.reasons
    assert len(report.signatures) == 2

    # --- 9. the officer returns the result; the citizen rates the service ---------------------
    log_in(office, base, "motcua.doson")
    office.goto(f"{base}/dossiers/{dossier.pk}/")
    card = action(office, "return_result")
    expect(card.get_by_label("Họ tên người nhận kết quả")).to_have_value(CITIZEN_NAME)
    card.get_by_role("button", name="Trả kết quả cho người nộp").click()
    expect(office.get_by_role("alert").first).to_contain_text(f"Đã trả kết quả cho {CITIZEN_NAME}")
    expect(office.get_by_test_id("state").first).to_have_text("Đã trả kết quả")
    shot(request, office, "18-officer-returned")

    page.goto(base + "/dich-vu-cong/ho-so-cua-toi/")
    row = page.get_by_test_id("my-dossiers").locator(f'[data-dossier="{dossier.pk}"]')
    expect(row).to_contain_text("Đã trả kết quả")
    row.get_by_role("link", name="Đánh giá mức độ hài lòng").click()
    form = page.locator("form.egov-rating")
    groups = form.locator("fieldset")
    expect(groups).to_have_count(5)
    for i in range(groups.count()):
        groups.nth(i).get_by_label("5 – Rất hài lòng").check()
    groups.nth(1).get_by_label("4 – Hài lòng").check()
    comment = form.get_by_label("Ý kiến góp ý (không bắt buộc)")
    comment.fill("Cán bộ hướng dẫn tận tình, nhận kết quả trực tuyến rất tiện.")
    expect_focus_reaches(page, comment, page.get_by_test_id("rating-submit"))
    screenshot("19-rating-form")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Cảm ơn Ông/Bà đã đánh giá")
    expect(page.get_by_test_id("my-rating")).to_contain_text("5/5")
    screenshot("20-rated")
    rating = Rating.objects.get(dossier=dossier)
    assert sorted(s.score for s in rating.scores.all()) == [4, 5, 5, 5, 5]
    mail, text = mail_to(mailbox, f"Đã trả kết quả hồ sơ {code}")
    assert f"Kính gửi Ông/Bà {CITIZEN_NAME}" in text

    # six emails to the citizen, one for each step, nothing twice
    subjects = [" ".join(str(m["Subject"]).split()) for m in mailbox.messages]
    assert len(subjects) == 6, subjects
    assert all(m["To"] == CITIZEN_EMAIL for m in mailbox.messages)

    # --- 10. tracking without login: the QR target, a wrong PIN, the right PIN ---------------
    tracking_requests: list[str] = []
    anonymous = local_context(chromium_browser, base, PHONE, tracking_requests).new_page()
    wrong = pin[:-1] + str((int(pin[-1]) + 1) % 10)
    anonymous.goto(tracking_link)  # what the QR code of form 01 and the email link open
    assert urlsplit(anonymous.url).path == "/tra-cuu/"
    field = anonymous.get_by_label("Mã hồ sơ")
    expect(field).to_have_value(code)
    # the whole code is readable on a 360 px screen (the field was unstyled and cut it)
    assert field.evaluate("el => el.scrollWidth <= el.clientWidth"), "the code is cut off"
    anonymous.get_by_label("Mã tra cứu (PIN)").fill(wrong)
    anonymous.get_by_test_id("track-submit").click()
    expect(anonymous.get_by_text("Mã hồ sơ hoặc mã tra cứu không đúng.")).to_be_visible()
    body = anonymous.locator("body").inner_text()
    for secret in (CITIZEN_NAME, CHILD, "Đăng ký khai sinh", "Đã trả kết quả", pin):
        assert secret not in body, secret
    expect(anonymous.get_by_test_id("dossier-state")).to_have_count(0)
    shot(request, anonymous, "21-tracking-wrong-pin")
    status = anonymous.request.get(f"{base}/tra-cuu/ho-so/{dossier.pk}/")
    assert status.status == 404  # the dossier's page is not open to this visitor

    anonymous.goto(f"{base}/tra-cuu/?ma={code}")
    expect(anonymous.get_by_label("Mã hồ sơ")).to_have_value(code)
    anonymous.get_by_label("Mã tra cứu (PIN)").fill(pin)
    anonymous.get_by_test_id("track-submit").click()
    expect(anonymous.get_by_test_id("dossier-code")).to_have_text(code)
    expect(anonymous.get_by_test_id("dossier-state")).to_have_text("Đã trả kết quả")
    expect(anonymous.get_by_test_id("signature-badge")).to_have_attribute("data-status", "valid")
    shot(request, anonymous, "22-tracking-by-code-and-pin")
    anonymous.context.close()
    office.context.close()

    # nothing the pages asked for left this machine
    for url in (*browser_requests, *officer_requests, *tracking_requests):
        assert is_local(url), url
    assert browser_requests and officer_requests and tracking_requests
    clear_cache()
