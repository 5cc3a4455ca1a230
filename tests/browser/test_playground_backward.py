"""/playground's backward pass in Chromium, under a teacher's lock: after a Step the toggle
turns the network into ∂loss/∂w and δ, a click on a weight's dot writes that weight's chain
rule with its numbers, and so does choosing a weight from the list (a phone's way)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from appdriver import assert_no_exception, open_page, wait_idle
from tests.helpers import wait_until

FIGURE = ".st-key-pg_network_back .js-plotly-plot"
CHAIN = ".st-key-pg_chain"
POLL = 0.2  # seconds between two looks at the page while waiting
# Where a weight's dot is on screen, and whether plotly's hover is on it.
DOT = f"""([layer, i, j]) => {{ const gd = document.querySelector('{FIGURE}');
    const t = gd._fullData.find(t => t.name === 'weight dots');
    const k = t.customdata.findIndex(c => c[0] === layer && c[1] === i && c[2] === j);
    const l = gd._fullLayout, r = gd.getBoundingClientRect();
    return [r.left + l.xaxis._offset + l.xaxis.l2p(t.x[k]),
            r.top + l.yaxis._offset + l.yaxis.l2p(t.y[k])]; }}"""
HOVERED = f"""([layer, i, j]) => {{ const gd = document.querySelector('{FIGURE}');
    return (gd._hoverdata || []).some(p => p.data.name === 'weight dots'
        && p.customdata[0] === layer && p.customdata[1] === i && p.customdata[2] === j); }}"""


def epoch(page: Page) -> int:
    text = page.locator(".st-key-pg_epoch").inner_text()
    shown = re.search(r"Epoch ([\d,]+)", text)
    assert shown is not None, text
    return int(shown.group(1).replace(",", ""))


def click_dot(page: Page, weight: list[int]) -> None:
    """Hover the weight's dot until plotly's hover is on it, then click (plotly clicks the
    point it last hovered); the figure may still settle after the page draws it."""
    for _ in range(3):
        page.locator(FIGURE).scroll_into_view_if_needed()  # a mouse off screen hovers nothing
        box = page.evaluate(DOT, weight)
        page.mouse.move(box[0] - 1, box[1])
        page.mouse.move(*box)
        try:
            wait_until(lambda: page.evaluate(HOVERED, weight), 10, "the hover on the dot", POLL)
        except AssertionError:
            continue
        page.mouse.click(*box)
        return
    raise AssertionError(f"plotly's hover never reached the dot of {weight}")


@pytest.mark.browser
def test_the_backward_pass_explains_a_clicked_or_chosen_weight(page: Page, app_url: str):
    open_page(page, f"{app_url}/playground?points=200&lock=1")
    page.locator(".st-key-pg_step button:visible").first.click()
    # The first epoch may wait for the worker to import TensorFlow (minutes on a busy machine).
    wait_until(lambda: epoch(page) >= 1, 420, "the first step", POLL)
    wait_idle(page)
    page.locator(".st-key-pg_backward label").click()  # a lock leaves it working
    chain = page.locator(CHAIN)
    expect(chain).to_contain_text("x₁ → neuron 1.1", timeout=60_000)
    wait_until(lambda: page.evaluate(f"() => !!document.querySelector('{FIGURE}')"), 30)
    # A click on the dot of neuron 1.3 → neuron 2.2 writes out that weight's chain rule.
    wait_idle(page)
    click_dot(page, [1, 2, 1])
    expect(chain).to_contain_text("neuron 1.3 → neuron 2.2", timeout=30_000)
    expect(chain.locator(".katex").first).to_be_visible()
    assert re.search(r"\d\.\d{5}", chain.inner_text())  # written with the numbers
    wait_idle(page)
    # The list does the same, for a finger that cannot hit a dot.
    page.locator(".st-key-pg_weight").click()
    page.keyboard.type("class 1")  # the list is long: typing narrows it, as on a phone
    page.get_by_role("option", name="neuron 2.1 → the output for class 1").click()
    expect(chain).to_contain_text("neuron 2.1 → the output for class 1", timeout=30_000)
    expect(chain).to_contain_text("out")
    wait_idle(page)
    assert_no_exception(page)
