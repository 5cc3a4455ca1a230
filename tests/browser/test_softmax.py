"""/draw in Chromium: softmax opened up under the answer, with a temperature to play with."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from appdriver import PREDICTION, assert_no_exception, draw_vertical_stroke, open_page, wait_idle


@pytest.mark.browser
def test_the_answer_opens_into_its_softmax(page: Page, app_url: str):
    open_page(page, f"{app_url}/draw?temp=0.5")
    draw_vertical_stroke(page)
    expect(page.locator(PREDICTION)).to_be_visible(timeout=60_000)
    wait_idle(page)
    page.get_by_text("Softmax, by the numbers").click()
    expect(page.get_by_text("Sum of the exponentials")).to_be_visible()
    expect(page.get_by_text("Probabilities at temperature T = 0.5")).to_be_visible()
    expect(page.locator('[data-testid="stTable"]').last).to_be_visible()
    assert "temp=0.5" in page.url  # the lesson's temperature stays in the link
    assert_no_exception(page)
