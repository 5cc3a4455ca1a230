"""/backprop in Chromium: the walkthrough shows the textbook's numbers, a click on the diagram
chooses the weight to explain, and formulas fit a phone's width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from appdriver import assert_no_exception, open_page, wait_idle

DIAGRAM = ".st-key-backprop_diagram .js-plotly-plot"


STAGE_HEADERS = {
    "forward": "1 · Forward pass",
    "backward": "2 · Backward pass",
    "update": "3 · Update",
}


def press(page: Page, key: str) -> None:
    """Click a walkthrough button and wait until its section is drawn and the run has ended."""
    page.locator(f".st-key-{key} button").click()
    header = page.get_by_role("heading", name=STAGE_HEADERS[key])
    expect(header).to_be_visible(timeout=60_000)
    wait_idle(page)


def table_text(page: Page, header: str) -> str:
    """The text of the page's table that has a column called ``header``."""
    table = page.locator('[data-testid="stTable"]', has_text=header)
    expect(table).to_have_count(1, timeout=30_000)
    return table.inner_text()


@pytest.mark.browser
def test_the_walkthrough_shows_the_textbooks_numbers(page: Page, app_url: str):
    open_page(page, f"{app_url}/backprop")
    expect(page.locator(DIAGRAM)).to_be_visible(timeout=30_000)
    press(page, "forward")
    forward = table_text(page, "net (weighted sum)")
    for number in ("0.3775", "0.593269992", "0.596884378", "0.75136507", "0.772928465"):
        assert number in forward
    assert "0.298371109" in forward
    press(page, "backward")
    assert "0.0821670406" in table_text(page, "∂E/∂w")  # ∂E/∂w5
    assert "0.000438567734" in table_text(page, "∂E/∂w")  # ∂E/∂w1
    press(page, "update")
    updated = table_text(page, "new value")
    for number in ("0.35891648", "0.408666186", "0.51130127", "0.561370121", "0.149780716"):
        assert number in updated
    assert_no_exception(page)


def chip_position(page: Page, key: str) -> tuple[float, float]:
    """Where on the page the square of weight ``key`` is drawn."""
    return page.locator(DIAGRAM).evaluate(
        """(gd, key) => {
            const trace = gd.data.find(t => t.name === "weights");
            const i = trace.customdata.indexOf(key);
            const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
            const box = gd.getBoundingClientRect();
            return [box.left + xa._offset + xa.l2p(trace.x[i]),
                    box.top + ya._offset + ya.l2p(trace.y[i])];
        }""",
        key,
    )


@pytest.mark.browser
def test_clicking_a_weight_on_the_diagram_explains_it(page: Page, app_url: str):
    open_page(page, f"{app_url}/backprop")
    expect(page.locator(DIAGRAM)).to_be_visible(timeout=30_000)
    press(page, "backward")
    expect(page.get_by_text("Backward pass: ∂E/∂w5")).to_be_visible()
    page.locator(DIAGRAM).scroll_into_view_if_needed()
    x, y = chip_position(page, "w_i2h1")
    page.mouse.click(x, y)
    expect(page.get_by_text("Backward pass: ∂E/∂w2")).to_be_visible(timeout=30_000)
    wait_idle(page)
    expect(page.locator(".st-key-backprop-explain input")).to_have_value("w2 (i2 → h1)")
    assert "explain=w_i2h1" in page.url
    assert_no_exception(page)


@pytest.mark.browser
def test_formulas_fit_a_phone(page: Page, app_url: str):
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, f"{app_url}/backprop?n_in=3&n_hidden=3&n_out=3&explain=w_i1h1")
    press(page, "backward")
    # KaTeX typesets after the script has finished: wait for the formulas before measuring them.
    page.wait_for_function(
        "document.querySelectorAll('.katex-display').length > 10", timeout=30_000
    )
    widths = page.evaluate(
        """() => [...document.querySelectorAll('.katex-display')]
            .map(e => [e.scrollWidth, e.clientWidth])"""
    )
    assert len(widths) > 10
    assert all(scroll <= client + 4 for scroll, client in widths), widths
    assert_no_exception(page)
