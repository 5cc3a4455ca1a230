"""/descent in Chromium: Play animates in the browser, a diverging link explains itself."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from appdriver import assert_no_exception, open_page

PLOT = ".st-key-descent_figure .js-plotly-plot"


def slider_position(page: Page) -> int:
    """Which step the plotly slider shows (plotly moves it as frames play)."""
    return page.locator(PLOT).evaluate("gd => gd.layout.sliders[0].active")


def frame_count(page: Page) -> int:
    return page.locator(PLOT).evaluate("gd => gd._transitionData._frames.length")


@pytest.mark.browser
def test_play_moves_the_step_slider_without_a_rerun(page: Page, app_url: str):
    open_page(page, f"{app_url}/descent?fn=bowl&steps=50")
    plot = page.locator(PLOT)
    expect(plot).to_be_visible(timeout=30_000)
    page.wait_for_function(
        f"() => document.querySelector('{PLOT}')?._transitionData?._frames?.length > 0"
    )
    assert frame_count(page) == 51  # one frame per step
    assert slider_position(page) == 0

    page.locator(PLOT).get_by_text("▶ Play").click()
    page.wait_for_function(
        f"() => document.querySelector('{PLOT}').layout.sliders[0].active > 5", timeout=20_000
    )
    app = page.locator('[data-testid="stApp"]')
    expect(app).to_have_attribute("data-test-script-state", "notRunning")  # no rerun needed
    page.locator(PLOT).get_by_text("❚❚ Pause").click()
    paused = slider_position(page)
    page.wait_for_timeout(500)
    assert slider_position(page) == paused
    assert_no_exception(page)


@pytest.mark.browser
def test_a_diverging_link_shows_why(page: Page, app_url: str):
    open_page(page, f"{app_url}/descent?eta=1.2")
    alert = page.locator('[data-testid="stAlert"]', has_text="Gradient descent diverged")
    expect(alert).to_be_visible(timeout=30_000)
    expect(alert).to_contain_text("η = 1.2 is above 2/L = 1")
    expect(page.locator(PLOT)).to_be_visible(timeout=30_000)
    assert_no_exception(page)


@pytest.mark.browser
def test_a_garbage_link_gives_a_notice(page: Page, app_url: str):
    open_page(page, f"{app_url}/descent?eta=lots&fn=rosenbrock")
    expect(page.get_by_text("Ignored eta='lots' is not a number")).to_be_visible(timeout=30_000)
    expect(page.locator(PLOT)).to_be_visible(timeout=30_000)
    assert_no_exception(page)
