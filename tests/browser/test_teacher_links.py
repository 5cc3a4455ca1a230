"""A teacher's link with ``lock=1`` locks the setup on every page: every control that changes it
is disabled (settings, presets, lessons, the data source, uploads…), and what runs the setup
still works (Train, Pause and Stop; Play, Pause, Step and Reset; Forward, Backward and Update;
drawing and teaching).

Each page is checked on all of its controls, found in the page itself: one added later without
the lock fails here unless it is named below as running the setup or choosing a view."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest
from playwright.sync_api import Page, expect

from appdriver import PREDICTION, assert_no_exception, draw_vertical_stroke, open_page, wait_idle
from pages._ui.site import SITE
from tests.helpers import wait_until

pytestmark = pytest.mark.browser

# Per page (its url path), the controls a locked link leaves working, by key: what runs the
# setup, and what only chooses what to look at. Every other control must be disabled.
RUNNING = {
    "": set(),
    "build": {"train", "step_batch", "pause", "resume", "stop", "health_layer"},
    "descent": set(),  # the animation's own Play and Pause are inside the figure
    "backprop": {"forward", "backward", "update", "train"},
    # Which feature-map pixel is opened up only chooses what to look at.
    "draw": {
        "draw_label",
        "draw_add",
        "draw_fine_tune",
        "draw_empty",
        "draw_pixel_layer",
        "draw_pixel_map",
        "draw_pixel_row",
        "draw_pixel_column",
        "draw_pixel_channel_*",  # keyed by the pixel it details
    },
    # The backward pass's toggle and weight, and "Your runs", only choose what to look at.
    "playground": {
        "pg_reset",
        "pg_play",
        "pg_pause",
        "pg_step",
        "pg_backward",
        "pg_weight",
        "pg_runs_axis",
        "pg_runs_picked",
        "pg_runs_delete",
        "pg_runs_share",
        "board_nickname",
    },
    "board": {"board_create"},  # a board is not a page's setup: the board page has no lock
}
# Build's "Your runs": looking at past runs, naming and deleting them, sharing one.
RUNS_SECTION = {"runs_axis", "runs_picked", "runs_delete", "runs_share", "board_nickname"}

# Every keyed Streamlit control in the page's main area, and whether it can be used: a control
# counts as enabled when any of its own parts is (help icons, the file input under a dropzone
# and the toolbars of charts and code are not parts that change anything). Downloads, charts
# and code are left out: they change nothing.
CONTROLS = """() => {
  const skip = '[data-testid="stTooltipHoverTarget"], [data-testid="stTooltipIcon"], '
    + '[data-testid="stFileUploaderDropzoneInput"], [data-testid="stElementToolbar"], '
    + '.js-plotly-plot, .modebar';
  const inert = ['stDownloadButton', 'stPlotlyChart', 'stCode', 'stDataFrame'];
  const found = {};
  for (const box of document.querySelectorAll(
      '[data-testid="stMain"] [data-testid="stElementContainer"]')) {
    const key = [...box.classList].find(name => name.startsWith('st-key-'));
    if (!key || inert.some(id => box.querySelector(`[data-testid="${id}"]`))) continue;
    const parts = [...box.querySelectorAll('button, input, textarea, select, [role="slider"]')]
      .filter(part => !part.closest(skip));
    if (!parts.length) continue;
    found[key.slice('st-key-'.length)] = parts.some(
      part => !part.disabled && part.getAttribute('aria-disabled') !== 'true');
  }
  return found; }"""


def open_locked(page: Page, url: str) -> None:
    """Open a teacher's locked link with every expander open, so every control is on the page."""
    open_page(page, url)
    closed = page.locator(
        '[data-testid="stMain"] [data-testid="stExpander"] details:not([open]) > summary:visible'
    )
    while closed.count():
        closed.first.click()
    assert_no_exception(page)


def controls(page: Page, idle: bool = True) -> dict[str, bool]:
    """Each control's key, and whether it is enabled, once the page has settled: the same twice
    half a second apart, after its script finished (``idle``; a page may run again at once, as
    Draw a Digit does when the canvas sends its first value) or while it runs (a training)."""
    seen: list[dict[str, bool]] = [{}]

    def settled() -> bool:
        if idle:
            wait_idle(page)
        page.wait_for_timeout(500)
        if idle:
            wait_idle(page)
        found = page.evaluate(CONTROLS)
        same = bool(found) and found == seen[0]
        seen[0] = found
        return same

    wait_until(settled, 60, "the page's controls to settle", 0)
    return seen[0]


def assert_locked(
    page: Page, allowed: set[str], working: Iterable[str] = (), idle: bool = True
) -> None:
    """Only ``allowed`` controls may be enabled (a name ending in ``*``: every key it starts),
    and each of ``working`` must be on the page and enabled (``idle``: see ``controls``)."""
    found = controls(page, idle)
    prefixes = tuple(name[:-1] for name in allowed if name.endswith("*"))
    unlocked = sorted(
        key
        for key, enabled in found.items()
        if enabled and key not in allowed and not key.startswith(prefixes)
    )
    assert not unlocked, f"controls that change the setup but are not locked: {unlocked}"
    stuck = sorted(key for key in working if not found.get(key))
    assert not stuck, f"controls that run the setup but cannot be used: {stuck}"
    assert_no_exception(page)


@pytest.mark.parametrize("site", SITE, ids=lambda site: site.url_path or "home")
def test_a_locked_link_locks_every_control_that_changes_the_setup(page: Page, app_url: str, site):
    open_locked(page, f"{app_url}/{site.url_path}?lock=1")
    allowed = RUNNING[site.url_path]
    # What runs the page is there and can be used (the board page has nothing else).
    working = {
        "build": {"train", "step_batch", "health_layer"},
        "backprop": {"forward", "backward", "update", "train"},
        "draw": {"draw_label"},
        "playground": {"pg_reset", "pg_play", "pg_step"},
        "board": {"board_create"},
    }.get(site.url_path, set())
    assert_locked(page, allowed, working)
    assert "lock=1" in page.url  # the link stays the teacher's as the page writes its address


def test_the_issue_s_build_link_keeps_the_teacher_s_setup(page: Page, app_url: str):
    """The link of the issue (one batch a step, so that the training lasts): presets, the data
    source and reopening a past run stay locked through a training; Train, Pause and Stop work."""
    open_locked(page, f"{app_url}/build?epochs=20&batch=1&hide=opt,lr,loss&lock=1")
    for name in ("Seed notebook", "Small CNN"):
        expect(page.get_by_role("button", name=name)).to_be_disabled()
    expect(page.locator('.st-key-data_source input[type="radio"]').last).to_be_disabled()
    expect(page.get_by_text("A CSV file")).to_have_count(0)  # no uploader
    allowed = RUNNING["build"] | RUNS_SECTION
    assert_locked(page, allowed, {"train"})

    page.locator(".st-key-train button").click()
    expect(page.get_by_text(re.compile(r"^Epoch [1-9]\d*/20"))).to_be_visible(timeout=120_000)
    assert_locked(page, allowed, {"pause", "stop"}, idle=False)
    page.locator(".st-key-stop button").click()
    expect(page.get_by_text(re.compile(r"Stopped after \d+ of 20"))).to_be_visible(timeout=60_000)
    expect(page.locator(".st-key-runs_open button").first).to_be_visible(timeout=60_000)
    wait_idle(page)
    # Stopped, it is listed under Your runs; reopening its settings would change the setup.
    expect(page.locator(".st-key-runs_open button").first).to_be_disabled()
    assert_locked(page, allowed, {"train", "runs_delete"})
    expect(page.locator(".st-key-build-epochs")).to_contain_text("20")


def test_a_locked_backprop_runs_its_walkthrough_but_keeps_its_numbers(page: Page, app_url: str):
    open_locked(page, f"{app_url}/backprop?lock=1")
    for step in ("forward", "backward", "update"):
        page.locator(f".st-key-{step} button").click()
        wait_idle(page)
    expect(page.get_by_role("heading", name="3 · Update")).to_be_visible()
    page.locator(".st-key-train button").click()
    wait_idle(page)
    expect(page.locator(".st-key-keep button")).to_be_disabled()
    expect(page.locator(".st-key-keep_trained button")).to_be_disabled()
    assert_locked(page, RUNNING["backprop"], RUNNING["backprop"])


def test_a_locked_draw_page_still_reads_drawings_and_is_taught(page: Page, app_url: str):
    open_locked(page, f"{app_url}/draw?lock=1")
    draw_vertical_stroke(page)
    expect(page.locator(PREDICTION)).to_be_visible(timeout=60_000)
    wait_idle(page)
    page.locator(".st-key-draw_label button").filter(has_text="7").click()
    wait_idle(page)
    assert_locked(page, RUNNING["draw"], {"draw_label", "draw_add"})
    page.locator(".st-key-draw_add button").click()
    expect(page.get_by_text("1 drawing(s) collected")).to_be_visible(timeout=30_000)
    wait_idle(page)
    assert_locked(page, RUNNING["draw"], {"draw_fine_tune", "draw_empty"})


def test_a_locked_playground_plays_but_keeps_its_points(page: Page, app_url: str):
    """(A click on the plane adding no point is checked in tests/test_page_playground.py.)"""
    open_locked(page, f"{app_url}/playground?points=100&lock=1")
    page.locator(".st-key-pg_play button").click()
    expect(page.locator(".st-key-pg_pause button")).to_be_visible(timeout=60_000)
    wait_until(
        lambda: re.search(r"Epoch [1-9]", page.locator(".st-key-pg_epoch").inner_text()),
        240,
        "an epoch",
        0.2,
    )
    assert_locked(page, RUNNING["playground"], {"pg_pause", "pg_step", "pg_reset"}, idle=False)
    page.locator(".st-key-pg_pause button").click()
    expect(page.locator(".st-key-pg_play button")).to_be_visible(timeout=30_000)
    wait_idle(page)
    assert_locked(page, RUNNING["playground"], {"pg_play"})
