"""A page that trains live, in Chromium: its curves never go blank between two drawings, and
Streamlit's own "Stop" at the top cannot freeze it (each page's own Pause and Stop are the way
to stop)."""

from __future__ import annotations

import io
import re
import time

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from appdriver import assert_no_exception, open_page, wait_idle
from nncore.style import TRAIN_COLOUR
from pages._ui.build import REDRAW_SECONDS
from tests.helpers import wait_until

pytestmark = pytest.mark.browser

# A training of about half a minute: a batch of 8 makes each epoch a hundred steps.
LONG_TRAINING = "/build?rows=1000&batch=8&epochs=150"
STATUS_STOP = '[data-testid="stStatusWidget"] button'
RUNNING_FIGURE = '[data-testid="stStatusWidgetRunningIcon"]'
LIVE = ".st-key-livechart_curves"

# Once an animation frame, what the live curves' area holds: every chart in it (how many epochs
# it draws, whether it is drawn and shown), in the order they are painted, the top one last.
SAMPLER = """(live) => { window.__frames = []; const look = () => {
  const box = document.querySelector(live);
  const charts = box ? [...box.querySelectorAll('[data-testid="stElementContainer"]')] : [];
  const seen = charts.map(element => {
    const gd = element.querySelector('.js-plotly-plot');
    const key = [...element.classList].find(name => name.startsWith('st-key-')) || '';
    const drawn = !!gd && getComputedStyle(element).display !== 'none'
      && getComputedStyle(gd).visibility !== 'hidden'
      && [...gd.querySelectorAll('path.js-line')].some(path => (path.getAttribute('d') || '').length > 1);
    const place = element.parentElement.closest(live + ' > *');
    return {key, drawn, epochs: gd && gd.data ? gd.data[0].x.length : 0,
            z: Number(getComputedStyle(place).zIndex) || 0};
  });
  // Painted in order of z-index, then of the page: the top one last (a stable sort).
  seen.sort((a, b) => a.z - b.z);
  window.__frames.push({t: performance.now(), seen});
  if (!window.__stopSampling) requestAnimationFrame(look); };
  requestAnimationFrame(look); }"""


def epoch_shown(page: Page) -> int:
    """The epoch Build & Train's progress line shows (0 while there is none)."""
    progress = page.get_by_text(re.compile(r"^Epoch \d+/\d+"))
    if not progress.count():
        return 0
    shown = re.match(r"Epoch (\d+)", progress.first.inner_text())
    assert shown is not None
    return int(shown.group(1))


def curve_pixels(page: Page) -> int:
    """How many pixels of the live curves' area on screen have the training curve's colour."""
    box = page.locator(LIVE).bounding_box()
    assert box is not None
    picture = Image.open(io.BytesIO(page.screenshot(clip=box))).convert("RGB")
    colour = np.array([int(TRAIN_COLOUR[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(np.asarray(picture, dtype=int) - colour).sum(axis=2) < 60).sum())


def test_the_live_curves_never_go_blank_while_they_are_redrawn(page: Page, app_url: str):
    open_page(page, app_url + LONG_TRAINING)
    page.locator(".st-key-train button").click()
    # Sampled once the curves have a few epochs (a curve of one point draws no line).
    wait_until(lambda: epoch_shown(page) >= 3, 120, "the third epoch", 0.1)
    page.evaluate(SAMPLER, LIVE)
    pixels, started = [], time.monotonic()
    while time.monotonic() - started < 12 and epoch_shown(page) < 150:
        pixels.append(curve_pixels(page))  # what a student sees, a few times a second
    page.evaluate("window.__stopSampling = true")
    frames = page.evaluate("window.__frames")
    elapsed = (frames[-1]["t"] - frames[0]["t"]) / 1000
    assert elapsed > 5 and len(frames) > 100, (elapsed, len(frames))
    assert len(pixels) >= 10
    assert min(pixels) > 50, pixels  # never an empty area: the curves are always on screen
    for frame in frames:
        drawn = [chart for chart in frame["seen"] if chart["drawn"]]
        assert drawn, f"no curves shown at {frame['t']:.0f} ms: {frame['seen']}"
        # What is on top is the newest drawing, or lets it show through until it is drawn.
        assert drawn[-1]["epochs"] == max(chart["epochs"] for chart in drawn), frame
    # Live (redrawn), and at most once every REDRAW_SECONDS: each drawing costs the server.
    # The sampled time is the browser's: on a busy machine drawings made over a longer span
    # reach it late and together, so the bound allows half as many again.
    drawings = {chart["key"] for frame in frames for chart in frame["seen"]}
    numbers = sorted(int(key.rsplit("-", 1)[1]) for key in drawings)
    assert numbers[-1] - numbers[0] >= elapsed / (4 * REDRAW_SECONDS), numbers
    assert numbers[-1] - numbers[0] <= 1.5 * elapsed / REDRAW_SECONDS + 2, (numbers, elapsed)
    assert_no_exception(page)


def test_streamlit_s_own_stop_is_not_offered_while_a_training_runs(page: Page, app_url: str):
    """Streamlit's "Stop" beside its running figure would end the page's script and leave the
    page frozen while the training goes on unseen: it is not shown, and the page's own Pause
    and Stop work all along."""
    open_page(page, app_url + LONG_TRAINING)
    page.locator(".st-key-train button").click()
    wait_until(lambda: epoch_shown(page) >= 1, 120, "the first epoch", 0.1)
    # The script runs for the whole training: Streamlit shows that it runs, without its Stop.
    expect(page.locator(RUNNING_FIGURE)).to_be_visible(timeout=10_000)
    for _ in range(10):
        expect(page.locator(STATUS_STOP)).to_be_hidden()
        page.wait_for_timeout(200)
    shown = epoch_shown(page)
    wait_until(lambda: epoch_shown(page) > shown + 2, 60, "the page to follow the training", 0.1)
    page.locator(".st-key-pause button").click()
    expect(page.get_by_text("Paused after epoch")).to_be_visible(timeout=60_000)
    wait_idle(page)
    page.locator(".st-key-resume button").click()
    paused = epoch_shown(page)
    wait_until(lambda: epoch_shown(page) > paused, 60, "an epoch after the resume", 0.1)
    expect(page.locator(STATUS_STOP)).to_be_hidden()
    page.locator(".st-key-stop button").click()
    stopped = page.get_by_text(re.compile(r"Stopped after \d+ of 150"))
    expect(stopped).to_be_visible(timeout=60_000)
    wait_idle(page)
    # Once stopped, one drawing of the curves is left, with every epoch done.
    said = re.search(r"after (\d+)", stopped.inner_text())
    assert said is not None
    curves = page.locator(f"{LIVE} .js-plotly-plot")
    expect(curves).to_have_count(1)
    assert curves.evaluate("gd => gd.data.map(trace => trace.x.length)") == [int(said[1])] * 4
    assert_no_exception(page)


def test_the_playground_offers_no_streamlit_stop_while_it_plays(page: Page, app_url: str):
    open_page(page, f"{app_url}/playground?points=200")
    page.locator(".st-key-pg_play button").click()
    epoch = page.locator(".st-key-pg_epoch")
    wait_until(lambda: re.search(r"Epoch [1-9]", epoch.inner_text()), 240, "an epoch", 0.2)
    started = time.monotonic()
    while time.monotonic() - started < 4:  # the plane and the curves are redrawn meanwhile
        expect(page.locator(STATUS_STOP)).to_be_hidden()
        page.wait_for_timeout(100)
    page.locator(".st-key-pg_pause button").click()
    expect(page.locator(".st-key-pg_play button")).to_be_visible(timeout=30_000)
    wait_idle(page)
    assert_no_exception(page)


def test_a_reload_in_the_middle_of_a_training_stops_it_and_says_so(page: Page, app_url: str):
    """Nobody watches the training of a page that was reloaded: it is stopped, so the trainer
    is free for the next training at once, and the reloaded page says what became of it."""
    open_page(page, app_url + LONG_TRAINING)
    page.locator(".st-key-train button").click()
    wait_until(lambda: epoch_shown(page) >= 2, 120, "the second epoch", 0.1)
    assert "run=" in page.url  # the address names the training while it runs
    page.reload()
    wait_idle(page)
    expect(
        page.get_by_text(re.compile(r"Your training was stopped after epoch \d+"))
    ).to_be_visible(timeout=30_000)
    # The trainer is free: a new training on the reloaded page starts and trains.
    page.locator(".st-key-train button").click()
    wait_until(lambda: epoch_shown(page) >= 1, 60, "the new training's first epoch", 0.1)
    assert_no_exception(page)
