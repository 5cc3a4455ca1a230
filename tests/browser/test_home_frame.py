"""The frame around every page, as a teacher meets it in a first lesson: Back leaves a page
whose settings were changed, a mistyped address says so, and the tab's icon comes from the app
itself (a classroom may be offline)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from appdriver import assert_no_exception, open_page, wait_idle

pytestmark = pytest.mark.browser


def test_back_after_a_setting_change_leaves_the_page(page: Page, app_url: str):
    open_page(page, f"{app_url}/")
    expect(page.locator("h1").first).to_contain_text("Sequential Playground")
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Gradient Descent").click()
    expect(page.locator("h1").first).to_contain_text("Gradient", timeout=60_000)
    wait_idle(page)
    page.locator('.st-key-descent-steps input[type="range"]').press("ArrowRight")
    page.wait_for_url("**/descent?steps=51", timeout=30_000)
    wait_idle(page)

    page.go_back()
    page.wait_for_url(f"{app_url}/", timeout=30_000)
    expect(page.locator("h1").first).to_contain_text("Sequential Playground", timeout=60_000)
    wait_idle(page)
    # Forward brings the changed setting back, from the link.
    page.go_forward()
    page.wait_for_url("**/descent?steps=51", timeout=30_000)
    expect(page.locator(".st-key-descent-steps")).to_contain_text("51", timeout=60_000)
    assert_no_exception(page)


def test_an_unknown_address_says_there_is_no_such_page(page: Page, app_url: str):
    open_page(page, f"{app_url}/nonexistent")
    notice = page.get_by_text("There is no page at /nonexistent")
    expect(notice).to_be_visible(timeout=30_000)
    expect(page.locator("h1").filter(has_text="Sequential Playground")).to_be_visible()
    assert_no_exception(page)


def test_the_tab_icon_is_the_apps_own(browser: Browser, app_url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        elsewhere: list[str] = []
        own_host = urlsplit(app_url).netloc
        own_icon = re.compile(rf"^(data:image/|{re.escape(app_url)}/)")  # inline or served here
        page.on(
            "request",
            lambda request: (
                elsewhere.append(request.url)
                if urlsplit(request.url).scheme in ("http", "https")
                and urlsplit(request.url).netloc != own_host
                else None
            ),
        )
        for path in ("/", "/descent", "/backprop"):
            open_page(page, f"{app_url}{path}")
            icon = page.locator("link[rel='shortcut icon']")
            expect(icon).to_have_attribute("href", own_icon, timeout=30_000)
        assert elsewhere == []
    finally:
        context.close()
