"""Browser tests: Playwright (Python, sync API) driving Debian's chromium against pytest-django's
``live_server``.

Every test in this folder is marked ``browser`` (run them alone with ``pytest -m browser``, or
leave them out with ``-m "not browser"``); they skip, naming the package, when chromium is
missing. Pages run with a Vietnamese locale and Vietnam's time zone. Requests to any host other
than the live server are recorded (``browser_requests``) and aborted, so a page that still loads
something from a CDN fails its test instead of waiting for the network. Screenshots go to
``test-artifacts/`` at the repository root (gitignored); a failing test leaves one there too.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parents[1] / "test-artifacts"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
CHROMIUM_ARGS = [
    "--no-sandbox",  # the suite runs as root in CI containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_failed_key] = report.failed
    return report


_failed_key = pytest.StashKey[bool]()


def chromium_executable() -> str | None:
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.fixture(scope="package")
def chromium_browser() -> Iterator:
    """One headless chromium for all browser tests, stopped when they are done."""
    executable = chromium_executable()
    if executable is None:
        pytest.skip("chromium not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread, and Django refuses
    # ORM calls from a thread with a running loop. The test code is plain sync code, so the
    # check is switched off for as long as Playwright runs, and only then.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_requests() -> list[str]:
    """Every URL the page asked for, in order (filled by ``browser_page``)."""
    return []


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname in LOCAL_HOSTS


@pytest.fixture
def browser_page(
    request, chromium_browser, live_server, transactional_db, browser_requests
) -> Iterator:
    """A fresh page in a fresh context (no cookies), locale vi-VN, time zone Asia/Ho_Chi_Minh."""
    context = chromium_browser.new_context(
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)

    def keep_it_local(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context.route(re.compile(r".*"), keep_it_local)
    page = context.new_page()
    page.on("request", lambda req: browser_requests.append(req.url))
    yield page
    if request.node.stash.get(_failed_key, False):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(
            path=str(ARTIFACTS / f"{_slug(request.node.name)}-failed.png"), full_page=True
        )
    context.close()


@pytest.fixture
def screenshot(request, browser_page) -> Callable[[str], Path]:
    """``screenshot("home")`` saves the page as ``test-artifacts/<test>-home.png``."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{_slug(request.node.name)}-{_slug(name)}.png"
        browser_page.screenshot(path=str(path), full_page=True)
        return path

    return take


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:120]
