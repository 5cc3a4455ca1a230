"""/draw in Chromium: a click on a feature map's pixel opens it up, and the arithmetic shown
ends on the network's own number; on a phone, under a teacher's lock, the selects do it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from appdriver import PREDICTION, assert_no_exception, draw_vertical_stroke, open_page, wait_idle

AGREES = "the same number"


def plot_area(page: Page, key: str) -> Locator:
    """The part of a keyed plotly chart that takes clicks."""
    area = page.locator(f".st-key-{key} .nsewdrag").first
    expect(area).to_be_visible(timeout=60_000)  # plotly draws after the script has finished
    area.scroll_into_view_if_needed()
    return area


def click_at(page: Page, area: Locator, across: float, down: float) -> None:
    box = area.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * across, box["y"] + box["height"] * down)


def agreement(page: Page) -> Locator:
    return page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text=AGREES)


def numbers_shown(page: Page) -> tuple[str, str]:
    """The activation's result and the network's own pixel, as the page prints them."""
    text = page.locator('[data-testid="stMain"]').inner_text()
    activated = re.search(r"relu\(−?[\d.]+\) = (−?[\d.]+)", text)
    network = re.search(r"The network's own pixel \([^)]*\): (−?[\d.]+): the same number", text)
    assert activated and network, text
    return activated.group(1), network.group(1)


def draw_and_wait(page: Page) -> None:
    draw_vertical_stroke(page)
    expect(page.locator(PREDICTION)).to_be_visible(timeout=90_000)
    wait_idle(page)


@pytest.mark.browser
def test_clicking_a_feature_map_pixel_shows_its_sum_equal_to_the_pixel(page: Page, app_url: str):
    open_page(page, f"{app_url}/draw")
    draw_and_wait(page)
    expect(agreement(page)).to_have_count(0)

    # A pixel of the first map in conv1's mosaic: the section opens on it.
    click_at(page, plot_area(page, "draw_layer_conv1"), 0.08, 0.35)
    expect(agreement(page)).to_be_visible(timeout=60_000)
    wait_idle(page)
    expect(page.get_by_role("combobox", name="Layer")).to_have_value("conv1 (Conv2D)")
    expect(agreement(page)).to_contain_text("(conv1, map 1, row")
    first = agreement(page).inner_text()

    # Then a precise pixel on the large map: its middle, where the stroke is.
    click_at(page, plot_area(page, "draw_pixel_single_map"), 0.5, 0.5)
    expect(agreement(page)).not_to_have_text(first, timeout=60_000)
    expect(agreement(page)).to_be_visible()
    wait_idle(page)
    expect(agreement(page)).to_contain_text("row 13, column 13")  # the pixel clicked
    activated, network = numbers_shown(page)
    assert activated == network
    assert_no_exception(page)


@pytest.mark.browser
def test_a_phone_picks_a_pooling_pixel_with_the_selects_under_a_lock(
    browser: Browser, app_url: str
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    try:
        page = context.new_page()
        open_page(page, f"{app_url}/draw?lock=1")
        draw_and_wait(page)
        layer = page.locator(".st-key-draw_pixel_layer")
        layer.scroll_into_view_if_needed()
        layer.click()  # opening a pixel changes no setup: the lock leaves it alone
        page.get_by_role("option", name="pool1 (MaxPooling2D)").click()
        expect(page.get_by_text("Max pooling keeps the largest of the 2 × 2")).to_be_visible(
            timeout=60_000
        )
        expect(agreement(page)).to_be_visible()
        wait_idle(page)
        expect(agreement(page)).to_contain_text("pool1")
        assert_no_exception(page)
    finally:
        context.close()
