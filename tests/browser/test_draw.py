"""/draw in Chromium: a stroke drawn with the mouse (or a finger) is read as a 1, clearing
removes the answer, teaching fine-tunes a private copy (the drawing stays with its answer),
and the canvas's toolbar offers no mode in which strokes draw nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from appdriver import (
    PREDICTION,
    assert_no_exception,
    canvas_box,
    draw_vertical_stroke,
    open_page,
    wait_idle,
)

# Bright pixels on the canvas's layers: the drawing the visitor sees.
INK = """canvas => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let bright = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] > 128) bright++;
  return bright;
}"""


def ink(page: Page) -> int:
    return sum(layer.evaluate(INK) for layer in page.locator(".st-key-digit_canvas canvas").all())


@pytest.mark.browser
def test_a_vertical_stroke_is_a_one_and_clearing_removes_it(page: Page, app_url: str):
    open_page(page, f"{app_url}/draw")
    expect(page.get_by_text("Draw a digit from 0 to 9")).to_be_visible()
    expect(page.locator(PREDICTION)).to_have_count(0)

    draw_vertical_stroke(page)
    prediction = page.locator(PREDICTION)
    expect(prediction).to_be_visible(timeout=60_000)
    wait_idle(page)
    expect(prediction.locator('[data-testid="stMetricValue"]')).to_have_text("1")
    assert_no_exception(page)

    page.get_by_role("button", name="Reset canvas & history").click()
    expect(page.locator(PREDICTION)).to_have_count(0, timeout=60_000)
    wait_idle(page)
    expect(page.get_by_text("Draw a digit from 0 to 9")).to_be_visible()
    assert_no_exception(page)


@pytest.mark.browser
def test_teaching_fine_tunes_a_private_copy(page: Page, app_url: str):
    open_page(page, f"{app_url}/draw")
    draw_vertical_stroke(page)
    expect(page.locator(PREDICTION)).to_be_visible(timeout=60_000)
    wait_idle(page)

    page.locator(".st-key-draw_label button").filter(has_text="7").click()
    wait_idle(page)
    page.locator(".st-key-draw_add button").click()
    expect(page.get_by_text("1 drawing(s) collected")).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.locator(".st-key-draw_fine_tune button").click()

    result = page.get_by_text("Fine-tuned on 1 drawing(s). This drawing: before 1")
    expect(result).to_be_visible(timeout=180_000)
    wait_idle(page)
    expect(
        page.get_by_text("Answering with your fine-tuned copy of the bundled CNN")
    ).to_be_visible()
    # The drawing is still on the canvas, beside the answer and the 28 x 28 made from it
    # (it used to be wiped while they stayed).
    assert ink(page) > 1000
    expect(page.locator(PREDICTION)).to_be_visible()
    assert_no_exception(page)


@pytest.mark.browser
def test_the_toolbar_has_no_mode_that_stops_drawing(page: Page, app_url: str):
    """Its pencil was not a pen but 'select', after which strokes drew nothing."""
    open_page(page, f"{app_url}/draw")
    expect(page.get_by_role("button", name="Undo", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Reset canvas & history")).to_be_visible()
    expect(page.get_by_role("button", name="Edit", exact=True)).to_be_hidden()
    draw_vertical_stroke(page)
    expect(page.locator(PREDICTION)).to_be_visible(timeout=60_000)
    assert ink(page) > 1000
    assert_no_exception(page)


@pytest.mark.browser
def test_a_finger_stroke_is_a_one(browser: Browser, app_url: str):
    """Touch events, as a tablet sends them (Chromium's DevTools protocol, no mouse at all)."""
    context = browser.new_context(viewport={"width": 1000, "height": 1200}, has_touch=True)
    try:
        page = context.new_page()
        open_page(page, f"{app_url}/draw")
        box = canvas_box(page)
        x, top, height = box["x"] + box["width"] / 2, box["y"], box["height"]
        touch = context.new_cdp_session(page)
        touch.send(
            "Input.dispatchTouchEvent",
            {"type": "touchStart", "touchPoints": [{"x": x, "y": top + 0.15 * height}]},
        )
        for i in range(1, 26):
            y = top + (0.15 + 0.7 * i / 25) * height
            touch.send(
                "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
            )
        touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        value = page.locator(PREDICTION).locator('[data-testid="stMetricValue"]')
        expect(value).to_be_visible(timeout=60_000)
        wait_idle(page)
        expect(value).to_have_text("1")
        assert_no_exception(page)
    finally:
        context.close()


@pytest.mark.browser
def test_a_stroke_starting_at_the_top_right_corner_draws(page: Page, app_url: str):
    """The canvas's toolbar used to hide over that corner, eating strokes and taps."""
    open_page(page, f"{app_url}/draw")
    box = canvas_box(page)
    x, top = box["x"] + box["width"] - 12, box["y"] + 6
    page.mouse.move(x, top)
    page.mouse.down()
    page.mouse.move(x - box["width"] * 0.4, box["y"] + box["height"] * 0.9, steps=25)
    page.mouse.up()
    expect(page.locator(PREDICTION)).to_be_visible(timeout=60_000)
    assert_no_exception(page)


@pytest.mark.browser
def test_adding_a_drawing_clears_the_chosen_digit(page: Page, app_url: str):
    open_page(page, f"{app_url}/draw")
    draw_vertical_stroke(page)
    expect(page.locator(PREDICTION)).to_be_visible(timeout=60_000)
    wait_idle(page)
    page.locator(".st-key-draw_label button").filter(has_text="4").click()
    wait_idle(page)
    page.locator(".st-key-draw_add button").click()
    expect(page.get_by_text("1 drawing(s) collected")).to_be_visible(timeout=30_000)
    wait_idle(page)
    # The next drawing needs its own digit: nothing is picked, so Add waits for one.
    expect(page.locator(".st-key-draw_add button")).to_be_disabled()
