"""Nothing a teacher reads is cut, on a projector, a laptop or a phone.

Every page of the site table is opened at three sizes: 1920×1080 in presenter mode, 1280×800
with the sidebar open, and a 390×844 phone. On each, no metric's value or label, no formula,
no heading, no menu's choice or button's label may be wider than its box (its ``scrollWidth``
beyond its ``clientWidth``: cut, with or without an ellipsis, or behind a scroll bar), and no
plotly title may leave its figure or sit on another. In presenter mode figure titles are at
least 22 px, like the text around them. The pages are first brought to what they show after
use: Backprop walked through and trained 10,000 times (E_total ends near 3.5·10⁻⁵, which was
cut to "3.51018778…" and read as 3.5), Draw a Digit answering a stroke, and the 2D Playground
trained one epoch with a neuron's numbers open.

One browser context per size, every page loaded once in it. The plane of the 2D Playground is
also measured: at least 420 px square on a laptop with the sidebar open.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from appdriver import (
    PREDICTION,
    assert_no_exception,
    draw_vertical_stroke,
    metric_value,
    open_page,
    wait_idle,
)
from pages._ui.site import SITE
from tests.helpers import wait_until

SIZES: dict[str, tuple[ViewportSize, str]] = {
    "projector": ({"width": 1920, "height": 1080}, "?present=1"),
    "laptop": ({"width": 1280, "height": 800}, ""),
    "phone": ({"width": 390, "height": 844}, ""),
}
PRESENTER_TITLE_PX = 22
POLL = 0.2

# Every cut thing on the page, as [kind, text, how far it overflows in px]. A KaTeX formula
# ends in a 2 px strut (.vlist-s) that always overflows its box: only glyphs are measured.
CUT = """([presenter, smallest]) => {
  const cut = [];
  const shown = (e) => e.getClientRects().length > 0;
  const text = (e) => (e.innerText || e.textContent || e.value || '').replace(/\\s+/g, ' ')
    .trim().slice(0, 90);
  const wider = (e) => e.scrollWidth - e.clientWidth;
  const main = document.querySelector('[data-testid="stMain"]');
  const kinds = {
    'metric value': '[data-testid="stMetricValue"]',
    'metric label': '[data-testid="stMetricLabel"]',
    'heading': 'h1, h2, h3, h4, h5, h6',
    'button label': '[data-testid^="stBaseButton"] [data-testid="stMarkdownContainer"]',
  };
  for (const [kind, selector] of Object.entries(kinds)) {
    for (const e of main.querySelectorAll(selector)) {
      if (!shown(e)) continue;
      const boxes = [e, ...e.querySelectorAll('div, p, span')].filter(
        (b) => shown(b) && !b.closest('.katex-mathml'));
      const worst = Math.max(...boxes.map(wider));
      if (worst > 1) cut.push([kind, text(e), worst]);
    }
  }
  for (const e of main.querySelectorAll('[data-testid="stSelectbox"] input')) {
    if (shown(e) && wider(e) > 1) cut.push(['menu choice', e.value, wider(e)]);
  }
  for (const e of main.querySelectorAll('.katex-display')) {
    if (!shown(e) || wider(e) <= 1) continue;
    const right = e.getBoundingClientRect().right;
    const glyphs = [...e.querySelectorAll('.katex-html *')].filter(
      (g) => !g.children.length && !g.closest('.vlist-s') && g.getBoundingClientRect().width);
    const past = Math.max(0, ...glyphs.map((g) => g.getBoundingClientRect().right - right));
    if (past > 1) cut.push(['formula', text(e.querySelector('.katex-mathml') || e), past]);
  }
  for (const e of main.querySelectorAll('.katex')) {
    if (!shown(e) || e.closest('.katex-display')) continue;
    const box = (e.closest('[data-testid="stMarkdownContainer"]') || e.parentElement)
      .getBoundingClientRect();
    const past = e.getBoundingClientRect().right - box.right;
    if (past > 1) cut.push(['inline formula', text(e.querySelector('.katex-mathml') || e), past]);
  }
  for (const plot of main.querySelectorAll('.js-plotly-plot')) {
    if (!shown(plot)) continue;
    const box = plot.getBoundingClientRect();
    const titles = [...plot.querySelectorAll('.gtitle, .g-xtitle text, .g-ytitle text')]
      .filter((t) => t.getBoundingClientRect().width > 0);
    for (const t of titles) {
      const r = t.getBoundingClientRect();
      const past = Math.max(box.left - r.left, r.right - box.right, box.top - r.top,
        r.bottom - box.bottom);
      if (past > 1) cut.push(['figure title', text(t), past]);
      const size = parseFloat(getComputedStyle(t).fontSize);
      if (presenter && t.classList.contains('gtitle') && size < smallest)
        cut.push(['small title', text(t), size]);
    }
    const main_title = titles.find((t) => t.classList.contains('gtitle'));
    for (const t of titles) {
      if (!main_title || t === main_title) continue;
      const a = main_title.getBoundingClientRect(), b = t.getBoundingClientRect();
      const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const down = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (across > 1 && down > 1) cut.push(['title on an axis title', text(main_title), down]);
    }
  }
  return cut;
}"""

# Every plotly chart on the page drawn (plotly.js arrives after the page).
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .every(c => c.querySelector('.main-svg'))"""
# Where the first neuron of the playground's network figure is on screen.
FIRST_NEURON = """() => {
    const gd = document.querySelector('.st-key-pg_network .js-plotly-plot');
    const trace = gd && gd._fullData.find(t => t.name === 'neurons');
    if (!trace) return null;
    const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
    const box = gd.getBoundingClientRect();
    return [box.left + xa._offset + xa.l2p(trace.x[0]), box.top + ya._offset + ya.l2p(trace.y[0])];
}"""


def press(page: Page, key: str) -> None:
    page.locator(f".st-key-{key} button").click()
    wait_idle(page)


def use_backprop(page: Page) -> None:
    """The walkthrough's three steps, then 10,000 updates: E_total falls to about 3.5·10⁻⁵."""
    for key in ("forward", "backward", "update"):
        press(page, key)
    expect(page.locator(".st-key-train button")).to_have_text("Train 10,000 steps")
    press(page, "train")
    expect(metric_value(page, "E_total after 10,000 updates")).to_have_text("3.51·10⁻⁵")


def use_draw(page: Page) -> None:
    """A stroke, and the answer with what the network saw (its first answer may wait for a
    worker to load TensorFlow)."""
    draw_vertical_stroke(page)
    expect(page.locator(PREDICTION)).to_be_visible(timeout=120_000)
    wait_idle(page)


def use_playground(page: Page) -> None:
    """One epoch trained, then the first neuron's numbers opened: its formula, worked out."""
    page.locator(".st-key-pg_step").get_by_role("button", name="Step").click()
    epoch = page.locator(".st-key-pg_epoch")
    expect(epoch).not_to_contain_text("Epoch 0", timeout=240_000)  # a worker may start first
    wait_idle(page)
    wait_until(lambda: page.evaluate(FIRST_NEURON), 60, "the network figure", POLL)
    numbers = page.locator(".st-key-pg_numbers")
    for _ in range(3):  # plotly clicks the point it last hovered: hover first, as a hand does
        page.locator(".st-key-pg_network").scroll_into_view_if_needed()
        x, y = page.evaluate(FIRST_NEURON)
        page.mouse.move(x - 1, y)
        page.mouse.move(x, y)
        page.wait_for_timeout(300)
        page.mouse.click(x, y)
        try:
            expect(numbers).to_be_visible(timeout=20_000)
            break
        except AssertionError:
            continue
    expect(numbers.locator(".katex-display")).to_have_count(2)
    wait_idle(page)


USE: dict[str, Callable[[Page], None]] = {
    "backprop": use_backprop,
    "draw": use_draw,
    "playground": use_playground,
}


@pytest.mark.browser
@pytest.mark.parametrize("size", list(SIZES))
def test_no_metric_formula_heading_or_title_is_cut(browser: Browser, app_url: str, size: str):
    viewport, query = SIZES[size]
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    found: list[tuple] = []
    try:
        for site in SITE:
            open_page(page, f"{app_url}/{site.url_path}{query}")
            assert_no_exception(page)
            if use := USE.get(site.url_path):
                use(page)
            wait_until(lambda: page.evaluate(CHARTS_DRAWN), 60, "the charts", POLL)
            page.wait_for_timeout(300)  # plotly lays out its titles after the first paint
            assert_no_exception(page)
            found += [
                (site.title, *cut) for cut in page.evaluate(CUT, [bool(query), PRESENTER_TITLE_PX])
            ]
    finally:
        context.close()
    assert not found, "\n".join(map(str, found))


@pytest.mark.browser
def test_the_playgrounds_plane_is_the_page_on_a_laptop(browser: Browser, app_url: str):
    context = browser.new_context(viewport=SIZES["laptop"][0])
    page = context.new_page()
    try:
        open_page(page, f"{app_url}/playground")
        sidebar = page.locator('[data-testid="stSidebar"]')
        expect(sidebar).to_have_attribute("data-collapsed", "false")  # open, taking its room
        plane = """() => { const gd = [...document.querySelectorAll('.js-plotly-plot')].find(
            g => g._fullLayout && g._fullLayout.xaxis && g._fullLayout.xaxis.visible !== false);
            return gd ? [gd._fullLayout.xaxis._length, gd._fullLayout.yaxis._length] : null; }"""
        wait_until(lambda: page.evaluate(plane), 60, "the plane", POLL)
        width, height = page.evaluate(plane)
        assert width >= 420 and height >= 420 and abs(width - height) <= 1, (width, height)
        assert_no_exception(page)
    finally:
        context.close()
