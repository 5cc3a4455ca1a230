"""/descent in Chromium: Play animates in the browser and the contour lines survive it, labels
are neither cut off nor stacked on each other (phone and projector), the theory waits one click
away, and a diverging or garbled link explains itself."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from appdriver import assert_no_exception, open_page
from nncore.optimizers import OPTIMIZERS
from tests.helpers import wait_until

pytestmark = pytest.mark.browser

FIGURE = ".st-key-descent_figure .js-plotly-plot"
ETA_LINE = ".st-key-descent_eta_scale .js-plotly-plot"
PHONE, LAPTOP, DESKTOP = (390, 844), (1280, 800), (1920, 1080)

# Boxes of everything plotly writes in a figure, by kind, in page pixels.
BOXES_JS = """gd => {
  const boxes = (sel) => [...gd.querySelectorAll(sel)].map(e => e.getBoundingClientRect())
    .filter(r => r.width > 0 && r.height > 0)
    .map(r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom}));
  return {
    figure: boxes('.main-svg').slice(0, 1),
    legend: boxes('.legend'),
    modebar: boxes('.modebar'),
    notes: boxes('.annotation-text-g, .textpoint text'),
    buttons: boxes('.updatemenu-button'),
    step: boxes('.slider-current-value'),
    steps: boxes('.slider-labels text, .slider-label'),
    titles: boxes('.g-xtitle text, .g-ytitle text, .g-x2title text, .g-y2title text'),
    ticks: boxes('.xtick text, .ytick text, .x2tick text, .y2tick text'),
    loss_ticks: boxes('.y2tick text'),
    function_area: boxes('.draglayer .xy > .nsewdrag'),
    loss_area: boxes('.draglayer .x2y2 > .nsewdrag'),
  };
}"""


def boxes(page: Page, selector: str) -> dict[str, list[dict]]:
    return page.locator(selector).evaluate(BOXES_JS)


def overlap(a: dict, b: dict, slack: float = 1.0) -> bool:
    return (
        min(a["right"], b["right"]) - max(a["left"], b["left"]) > slack
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > slack
    )


def collisions(found: dict, groups: list[str], against: list[str] | None = None) -> list[str]:
    """Pairs of boxes that overlap: within ``groups`` (each box with every other), or each box
    of ``groups`` with each of ``against``."""
    named = [(g, box) for g in groups for box in found[g]]
    others = named if against is None else [(g, box) for g in against for box in found[g]]
    hits = []
    for i, (name, box) in enumerate(named):
        for j, (other, second) in enumerate(others):
            if (against is not None or j > i) and overlap(box, second):
                hits.append(f"{name} {box} overlaps {other} {second}")
    return hits


def cut_off(found: dict, groups: list[str]) -> list[str]:
    """Boxes that reach outside the figure (plotly then clips them at its edge)."""
    edge = found["figure"][0]
    return [
        f"{name} {box} outside {edge}"
        for name in groups
        for box in found[name]
        if box["left"] < edge["left"] - 1
        or box["right"] > edge["right"] + 1
        or box["top"] < edge["top"] - 1
        or box["bottom"] > edge["bottom"] + 1
    ]


# Pieces of level lines on screen: a contour trace's paths, or the pieces (moveto commands) of
# the scatter trace that draws them; and the shading image under the plot.
LEVEL_PIECES_JS = """gd => {
  const contour = gd.querySelectorAll('.contourlayer path').length;
  const scatter = [...gd.querySelectorAll('.scatterlayer .trace')]
    .filter(g => g.__data__ && g.__data__[0].trace.name === 'level lines of f')
    .flatMap(g => [...g.querySelectorAll('path.js-line')])
    .map(path => (path.getAttribute('d') || '').split('M').length - 1);
  return contour + scatter.reduce((a, b) => a + b, 0);
}"""


def level_pieces(page: Page) -> int:
    return page.locator(FIGURE).evaluate(LEVEL_PIECES_JS)


def shading_images(page: Page) -> int:
    return page.locator(FIGURE).evaluate("gd => gd.querySelectorAll('.imagelayer image').length")


def slider_position(page: Page) -> int:
    """Which step the plotly slider shows (plotly moves it as frames play)."""
    return page.locator(FIGURE).evaluate("gd => gd.layout.sliders[0].active")


def open_figure(page: Page, url: str) -> None:
    open_page(page, url)
    expect(page.locator(FIGURE)).to_be_visible(timeout=60_000)
    page.wait_for_function(
        f"() => document.querySelector('{FIGURE}')?._transitionData?._frames?.length > 0"
    )


def test_play_runs_in_the_browser_and_the_contour_lines_survive_it(page: Page, app_url: str):
    open_figure(page, f"{app_url}/descent?fn=bowl&steps=50")
    frames = page.locator(FIGURE).evaluate("gd => gd._transitionData._frames.length")
    assert frames == 51 and slider_position(page) == 0  # one frame per step
    before = (level_pieces(page), shading_images(page))
    assert before[0] >= 20
    colours = page.locator(FIGURE).evaluate(
        "gd => gd.data.filter(t => t.mode === 'lines+markers').map(t => t.line.color)"
    )
    assert colours == [OPTIMIZERS[k].color for k in ("sgd", "momentum", "adam")]

    page.locator(FIGURE).get_by_text("▶ Play").click()
    page.wait_for_function(
        f"() => document.querySelector('{FIGURE}').layout.sliders[0].active === 50",
        timeout=30_000,
    )
    app = page.locator('[data-testid="stApp"]')
    expect(app).to_have_attribute("data-test-script-state", "notRunning")  # no rerun needed
    assert (level_pieces(page), shading_images(page)) == before
    assert_no_exception(page)


def test_pause_stops_the_animation_and_rosenbrock_keeps_its_contours(page: Page, app_url: str):
    open_figure(page, f"{app_url}/descent?fn=rosenbrock&eta=0.001&steps=500")
    before = (level_pieces(page), shading_images(page))
    assert before[0] >= 20
    page.locator(FIGURE).get_by_text("▶ Play").click()
    page.wait_for_function(
        f"() => document.querySelector('{FIGURE}').layout.sliders[0].active > 5", timeout=20_000
    )
    page.locator(FIGURE).get_by_text("❚❚ Pause").click()
    paused = slider_position(page)
    page.wait_for_timeout(500)
    assert slider_position(page) == paused < 59
    assert (level_pieces(page), shading_images(page)) == before
    assert_no_exception(page)


def settle(page: Page, selector: str) -> None:
    """Wait until the figure has taken its new width after a resize (plotly lays out again)."""
    page.wait_for_function(
        """([selector, width]) => {
            const svg = document.querySelector(selector + ' .main-svg');
            return svg && Math.abs(svg.getBoundingClientRect().width - width) < 80;
        }""",
        arg=[selector, page.locator(selector).evaluate("gd => gd.parentElement.clientWidth")],
    )
    # Plotly then places its labels again: wait until two looks find everything where it was.
    seen: list[dict[str, list[dict]]] = []

    def still() -> bool:
        seen.append(boxes(page, selector))
        return len(seen) > 1 and seen[-1] == seen[-2]

    wait_until(still, 30, "the figure's labels to stay put", interval=0.2)


@pytest.mark.parametrize("query", ["fn=bowl", "fn=bowl&view=surface", "fn=quadratic"])
def test_no_label_is_cut_off_or_stacked_on_another(page: Page, app_url: str, query: str):
    """The user test: titles, legend and toolbar on top of each other on a phone, the η line's
    labels cut off or on a tick, the loss axis title over the contour plot. One page load,
    looked at on a phone, a laptop and a desktop screen."""
    labels = ["legend", "modebar", "notes", "buttons", "step", "titles"]
    open_figure(page, f"{app_url}/descent?{query}")
    for size in (PHONE, LAPTOP, DESKTOP):
        page.set_viewport_size({"width": size[0], "height": size[1]})
        settle(page, FIGURE)
        page.locator(FIGURE).scroll_into_view_if_needed()
        found = boxes(page, FIGURE)
        problems = collisions(found, labels)
        problems += collisions(found, ["notes", "legend", "step"], ["ticks"])
        problems += collisions(found, ["legend"], ["function_area", "loss_area"])
        problems += collisions(found, ["loss_ticks", "titles"], ["function_area"])
        problems += collisions(found, ["buttons"], ["steps"])
        problems += cut_off(found, [*labels, "ticks", "steps"])
        assert problems == [], f"{query} at {size}: " + "\n".join(problems)
        if "surface" not in query:  # the η number line is drawn for quadratics
            settle(page, ETA_LINE)
            page.locator(ETA_LINE).scroll_into_view_if_needed()
            line = boxes(page, ETA_LINE)
            problems = collisions(line, ["notes"]) + collisions(line, ["notes"], ["ticks"])
            problems += cut_off(line, ["notes", "ticks"])
            assert problems == [], f"η line, {query} at {size}: " + "\n".join(problems)
    assert_no_exception(page)


def test_a_diverging_link_shows_why_and_the_theory_waits_one_click_away(page: Page, app_url: str):
    open_page(page, f"{app_url}/descent?eta=1.2")
    alert = page.locator('[data-testid="stAlert"]', has_text="diverged at step 5")
    expect(alert).to_be_visible(timeout=30_000)
    expect(alert).to_contain_text(f"{OPTIMIZERS['sgd'].label} diverged")
    expect(alert).to_contain_text("η = 1.2 is above 2/L = 1")
    expect(page.locator(FIGURE)).to_be_visible(timeout=30_000)
    # explained gently: one plain sentence by the η control, the theory one click away
    expect(page.get_by_text("A step that is too long jumps past the bottom")).to_be_visible()
    why = page.locator('[data-testid="stExpander"]', has_text="Why 2/L and 2/(L+μ)?")
    theory = why.get_by_text("The more sharply a valley bends")
    expect(theory).to_be_hidden()
    why.get_by_text("Why 2/L and 2/(L+μ)?").click()
    expect(theory).to_be_visible()
    assert_no_exception(page)


def test_a_garbage_link_gives_a_notice(page: Page, app_url: str):
    open_page(page, f"{app_url}/descent?eta=lots&fn=rosenbrock&gd=1")
    expect(page.get_by_text("Ignored eta='lots' is not a number")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Ignored gd='1': not a setting of this page.")).to_be_visible()
    expect(page.locator(FIGURE)).to_be_visible(timeout=30_000)
    assert_no_exception(page)
