"""A page that trains live, in Chromium: Streamlit's own "Stop" at the top cannot freeze it
(each page's own Pause and Stop are the way to stop)."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from appdriver import assert_no_exception, open_page, wait_idle
from tests.helpers import wait_until

pytestmark = pytest.mark.browser

# A training of about half a minute: a batch of 8 makes each epoch a hundred steps.
LONG_TRAINING = "/build?rows=1000&batch=8&epochs=150"
STATUS_STOP = '[data-testid="stStatusWidget"] button'
RUNNING_FIGURE = '[data-testid="stStatusWidgetRunningIcon"]'


def epoch_shown(page: Page) -> int:
    """The epoch Build & Train's progress line shows (0 while there is none)."""
    progress = page.get_by_text(re.compile(r"^Epoch \d+/\d+"))
    if not progress.count():
        return 0
    shown = re.match(r"Epoch (\d+)", progress.first.inner_text())
    assert shown is not None
    return int(shown.group(1))


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
    expect(page.get_by_text(re.compile(r"Stopped after \d+ of 150"))).to_be_visible(timeout=60_000)
    wait_idle(page)
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
