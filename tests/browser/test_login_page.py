"""An officer logs in through a real browser; the page is Vietnamese and loads nothing from
outside the server (no CDN: government intranets are often closed)."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect

from egov.accounts.tests.factories import PASSWORD, MembershipFactory

from .conftest import LOCAL_HOSTS, is_local


def test_officer_logs_in_in_vietnamese(
    transactional_db, live_server, browser_page, browser_requests, screenshot
):
    membership = MembershipFactory(role="clerk")
    page = browser_page
    failed = []
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))

    page.goto(live_server.url + "/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập hệ thống")
    screenshot("login")

    page.get_by_label("Tên đăng nhập, email hoặc số điện thoại").fill(membership.user.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    expect(page.get_by_role("heading", level=1)).to_contain_text(membership.user.full_name)
    expect(page.get_by_text(membership.agency.name)).to_be_visible()
    screenshot("home")

    assert browser_requests, "no request recorded"
    outside = [url for url in browser_requests if not is_local(url)]
    assert outside == [], f"requests left {sorted(LOCAL_HOSTS)}: {outside}"
    assert {urlsplit(u).hostname for u in browser_requests if u.startswith("http")} <= LOCAL_HOSTS
    assert any(
        "/static/" in url for url in browser_requests
    )  # the vendored assets were loaded locally
    assert [f for f in failed if not f.endswith("/favicon.ico")] == []
