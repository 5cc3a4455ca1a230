"""A first lesson on Gradient Descent and Backpropagation, on the screens a class uses: on a
laptop what is moved and what it moves are on one screen, on a projector every figure's text is
as large as the page's, and on a phone the controls a lesson is about take a finger."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, FloatRect, Locator, Page, ViewportSize, expect

from appdriver import assert_no_exception, open_page, wait_idle
from pages._ui.site import TOUCH_TARGET_PX

pytestmark = pytest.mark.browser

LAPTOP: ViewportSize = {"width": 1280, "height": 800}
PROJECTOR: ViewportSize = {"width": 1920, "height": 1080}
PHONE: ViewportSize = {"width": 390, "height": 844}
DESCENT_FIGURE = ".st-key-descent_figure .js-plotly-plot"
ETA = ".st-key-descent-eta"
PRESENTER_MIN_PX = 22
# On Gradient Descent: a button for a telling η and an optimizer's switch.
TOUCHED = (
    ".st-key-descent_eta_best button:visible",
    '.st-key-descent-sgd [data-testid="stCheckbox"] > label',
)

# The font size of every piece of text plotly wrote in the page's figures: [px, text].
FIGURE_TEXT = """() => [...document.querySelectorAll('.js-plotly-plot text')]
  .filter(t => t.getClientRects().length > 0 && (t.textContent || '').trim())
  .map(t => [parseFloat(getComputedStyle(t).fontSize), t.textContent.trim().slice(0, 40)])"""


@pytest.fixture
def sized(browser: Browser) -> Iterator[Callable[[ViewportSize], Page]]:
    """A page in a fresh browser context of a given size (a phone's has touch)."""
    contexts = []

    def make(viewport: ViewportSize) -> Page:
        context = browser.new_context(viewport=viewport, has_touch=viewport["width"] < 500)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def box(page: Page, selector: str) -> FloatRect:
    return shown_box(page.locator(selector).first)


def shown_box(locator: Locator) -> FloatRect:
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def within_first_screen(found: FloatRect | None, viewport: ViewportSize) -> bool:
    assert found is not None
    return found["y"] >= 0 and found["y"] + min(found["height"], 40) <= viewport["height"]


def test_descent_on_a_laptop_shows_the_picture_beside_eta(sized, app_url: str):
    page = sized(LAPTOP)
    open_page(page, f"{app_url}/descent")
    expect(page.locator(DESCENT_FIGURE)).to_be_visible(timeout=60_000)
    eta, picture = box(page, ETA), box(page, DESCENT_FIGURE)
    assert within_first_screen(eta, LAPTOP), eta
    assert within_first_screen(picture, LAPTOP), picture
    assert picture["y"] < eta["y"] + 250  # beside η, not under the other controls
    assert_no_exception(page)


def test_descent_on_a_phone_has_the_picture_right_under_eta(sized, app_url: str):
    page = sized(PHONE)
    open_page(page, f"{app_url}/descent")
    expect(page.locator(DESCENT_FIGURE)).to_be_visible(timeout=60_000)
    eta, picture = box(page, ETA), box(page, DESCENT_FIGURE)
    assert picture["y"] - eta["y"] < 700, (eta, picture)  # it was 1200 px


def test_backprop_on_a_laptop_has_its_buttons_and_first_result_on_screen(sized, app_url: str):
    page = sized(LAPTOP)
    open_page(page, f"{app_url}/backprop")
    for key in ("forward", "backward", "update"):
        assert within_first_screen(box(page, f".st-key-{key} button"), LAPTOP), key
    page.locator(".st-key-forward button").click()
    result = page.locator('[data-testid="stAlert"]').filter(has_text="E_total = 0.298371109")
    expect(result).to_be_visible(timeout=30_000)
    wait_idle(page)
    assert page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollTop") == 0
    assert within_first_screen(result.bounding_box(), LAPTOP)
    page.locator(".st-key-backward button").click()
    expect(
        page.locator('[data-testid="stAlert"]').filter(has_text="∂E/∂w5 = 0.0821670")
    ).to_be_visible(timeout=30_000)
    assert_no_exception(page)


@pytest.mark.parametrize("path", ["/", "/descent", "/descent?fn=bowl", "/backprop"])
def test_presenter_mode_figures_are_as_large_as_the_text(sized, app_url: str, path: str):
    page = sized(PROJECTOR)
    joiner = "&" if "?" in path else "?"
    open_page(page, f"{app_url}{path}{joiner}present=1")
    if path == "/backprop":  # the diagram with every number of the forward pass on it
        page.locator(".st-key-forward button").click()
        wait_idle(page)
    expect(page.locator(".js-plotly-plot text").first).to_be_attached(timeout=60_000)
    charts = 2 if path.startswith("/descent") else 1
    expect(page.locator(".js-plotly-plot")).to_have_count(charts, timeout=60_000)
    page.wait_for_function(
        "n => [...document.querySelectorAll('.js-plotly-plot')]"
        ".filter(gd => gd.querySelector('.xtick text, .textpoint text')).length >= n",
        arg=charts,
        timeout=60_000,
    )
    texts = page.evaluate(FIGURE_TEXT)
    small = [(size, text) for size, text in texts if size < PRESENTER_MIN_PX]
    assert texts and not small, small
    assert_no_exception(page)


def test_on_a_phone_the_lessons_controls_take_a_finger(sized, app_url: str):
    page = sized(PHONE)
    open_page(page, f"{app_url}/descent")
    expect(page.locator(DESCENT_FIGURE)).to_be_visible(timeout=60_000)
    play = page.locator(f"{DESCENT_FIGURE} .updatemenu-button").first
    expect(play).to_be_attached(timeout=60_000)
    play.scroll_into_view_if_needed()
    assert shown_box(play)["height"] >= TOUCH_TARGET_PX
    # Plotly's toolbar is not drawn over the charts on a phone.
    expect(page.locator(f"{DESCENT_FIGURE} .modebar-container")).to_be_hidden()
    for selector in TOUCHED:
        control = page.locator(selector).first
        control.scroll_into_view_if_needed()
        assert shown_box(control)["height"] >= TOUCH_TARGET_PX
    # A slider's thumb takes a touch up to 22 px from its centre.
    thumb = page.locator(
        '.st-key-descent-eta [data-testid="stSlider"] div:has(> div > input)'
    ).first
    thumb.scroll_into_view_if_needed()
    centre = shown_box(thumb)
    x = centre["x"] + centre["width"] / 2
    y = centre["y"] + centre["height"] / 2 + TOUCH_TARGET_PX / 2 - 3
    hit = page.evaluate(
        "([x, y]) => !!document.elementFromPoint(x, y)?.closest('.st-key-descent-eta')", [x, y]
    )
    assert hit
    open_page(page, f"{app_url}/build")
    assert (box(page, ".st-key-train button"))["height"] >= TOUCH_TARGET_PX
    assert_no_exception(page)
