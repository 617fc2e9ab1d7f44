"""Acceptance: after loading the demo, the demo clerk logs in through a real browser and sees
the officer home page in Vietnamese, with the dashboard chart drawn from vendored Chart.js."""

from __future__ import annotations

import re

from django.core.management import call_command
from playwright.sync_api import expect

from egov.demo.presets import DEMO_PASSWORD


def test_demo_clerk_sees_the_home_page_in_vietnamese(
    transactional_db, live_server, browser_page, browser_requests, screenshot
):
    call_command("load_demo", "thanh-ba-2021", "--quiet", "--dossiers", "0")
    page = browser_page
    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/accounts/login/?next=/")
    page.get_by_label("Tên đăng nhập, email hoặc số điện thoại").fill("vanthu")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    expect(page.get_by_text("Văn thư", exact=True)).to_be_visible()
    page.get_by_test_id("nav-more").click()  # tools and administration are in "Khác"
    expect(page.get_by_role("link", name="Cơ quan, đơn vị")).to_be_visible()
    # The chart was drawn: Chart.js sizes the canvas once it renders.
    expect(page.locator("#bridge-chart")).to_have_attribute("style", re.compile("height"))
    screenshot("demo-clerk-home")
    assert all(
        "127.0.0.1" in u or "localhost" in u for u in browser_requests if u.startswith("http")
    )
