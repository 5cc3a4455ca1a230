"""Lessons in Chromium: on a phone, "Bad twin" loads the twin and its note says what goes wrong
(above the plane, with a line under the buttons saying so), the note's button goes back to the
setup that works; on a projector, Build & Train's twin link opens with its note in sight."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from appdriver import assert_no_exception, open_page, wait_idle

pytestmark = pytest.mark.browser

NOTE = ".st-key-pg_lesson_note"
WAIT = 60_000  # ms for a rerun on a busy machine


def fits_across(page: Page, selector: str) -> None:
    """The element is as wide as the screen at most: nothing of it is cut off at the side."""
    box = page.locator(selector).bounding_box()
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box


def test_on_a_phone_the_bad_twin_and_back_with_the_note_above_the_plane(page: Page, app_url: str):
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, app_url + "/playground")
    expect(page.locator(NOTE)).to_have_count(0)
    # A button with a tooltip holds a second, 0×0 copy of itself: the visible one is clicked.
    page.locator(".st-key-pg_lesson_xor_twin button:visible").click()
    expect(page.locator(NOTE)).to_contain_text(
        "XOR needs a hidden layer: the bad twin.", timeout=WAIT
    )
    expect(page.locator(NOTE)).to_contain_text("Hidden layers: 0 instead of 1.")
    expect(page).to_have_url(re.compile(r"\?data=xor&layers=0&stop=epochs$"))
    wait_idle(page)
    # The buttons are far below the note on a phone: a line under them says where it is.
    expect(page.get_by_text("Why, and what to expect: above the plane.")).to_be_visible()
    # The note stands above the plane (the page's first picture on a phone).
    note, plane = page.locator(NOTE).bounding_box(), page.locator(".js-plotly-plot").first
    plane_box = plane.bounding_box()
    assert note is not None and plane_box is not None and note["y"] < plane_box["y"]
    fits_across(page, NOTE)
    page.locator(".st-key-pg_lesson_other button").click()
    expect(page.locator(NOTE)).to_contain_text(
        "XOR needs a hidden layer: a setup that works.", timeout=WAIT
    )
    expect(page).to_have_url(re.compile(r"\?data=xor&layers=1&l1=8&stop=epochs$"))
    wait_idle(page)
    assert_no_exception(page)


def test_on_a_projector_a_twins_link_opens_with_its_note_in_the_first_screen(
    page: Page, app_url: str
):
    """The link a teacher sends: its note is what the class sees first, above the curves, and
    whole (the claim's own training is checked by tests/test_lessons.py)."""
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_page(page, app_url + "/build?lesson=learning-rate&twin=bad&present=1")
    note = page.locator(".st-key-lesson_note")
    expect(note).to_contain_text("A learning rate that fits: the bad twin.", timeout=WAIT)
    expect(note).to_contain_text("Learning rate η: 1 instead of 0.001.")
    expect(note).to_contain_text("at least 50 points lower than the good setup's")
    expect(page).to_have_url(re.compile(r"\?lr=1&epochs=20&present=1$"))
    wait_idle(page)
    box = note.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 1080, box  # no scrolling needed
    fits_across(page, ".st-key-lesson_note")
    expect(page.locator(".st-key-train button")).to_be_enabled()
    expect(
        page.get_by_text("Why, and what to expect: at the top, above the curves.")
    ).to_be_attached()
    assert_no_exception(page)
