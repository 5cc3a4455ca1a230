"""/playground in Chromium: Play redraws the decision boundary and advances the epoch counter
(in a worker: the server never loads TensorFlow), and a click on the plane adds a point.

While the network plays, the plane is one image (``.st-key-pg_live_plane img``); paused, it is
the clickable plotly figure with the boundary as its layout image."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from appdriver import assert_no_exception, open_page, wait_idle
from tests.helpers import wait_until

# The plane is the figure whose axes are shown (the network figure's are hidden).
PLANE = """() => [...document.querySelectorAll('.js-plotly-plot')].find(
    gd => gd._fullLayout && gd._fullLayout.xaxis && gd._fullLayout.xaxis.visible !== false)"""
LIVE = ".st-key-pg_live_plane img"
BOUNDARY = f"""() => {{ const live = document.querySelector('{LIVE}');
    if (live) return live.src;
    const gd = ({PLANE})(); const im = gd && gd._fullLayout.images;
    return im && im.length ? im[0].source : null; }}"""
CLICKABLE = f"""() => {{ const gd = ({PLANE})();
    return !!gd && gd._fullData.some(t => t.name === 'click'); }}"""
SHOWN_POINTS = f"""() => {{ const gd = ({PLANE})();
    if (!gd || !gd._fullData) return [];
    return gd._fullData.filter(t => t.name === 'training' || t.name === 'test')
        .map(t => Array.from(t.x).map((x, i) => [x, t.y[i]])).flat(); }}"""


# Whether plotly's hover is on one of the plane's clickable places next to (x, y) (they are 0.4
# apart, and plotly may pick a neighbour of the nearest).
HOVERED = f"""([x, y]) => {{ const gd = ({PLANE})();
    return !!gd && (gd._hoverdata || []).some(p => p.data && p.data.name === 'click'
        && Math.abs(p.x - x) <= 0.41 && Math.abs(p.y - y) <= 0.41); }}"""
POLL = 0.2  # seconds between two looks at the page while waiting


def epoch(page: Page) -> int:
    text = page.locator(".st-key-pg_epoch").inner_text()
    shown = re.search(r"Epoch ([\d,]+)", text)
    assert shown is not None, text
    return int(shown.group(1).replace(",", ""))


@pytest.mark.browser
def test_play_redraws_the_boundary_and_advances_the_epoch(
    page: Page, app_server: tuple[str, subprocess.Popen]
):
    url, server = app_server
    open_page(page, f"{url}/playground?points=200")
    assert epoch(page) == 0 and page.evaluate(BOUNDARY) is None
    page.locator(".st-key-pg_play button").click()
    # The first epoch may wait for the worker to import TensorFlow.
    wait_until(lambda: epoch(page) > 0 and page.evaluate(BOUNDARY), 240, "the first snapshot", POLL)
    # Playing, the plane is the live picture (cheap for the browser), not the plotly figure.
    expect(page.locator(LIVE)).to_be_visible(timeout=30_000)
    assert not page.evaluate(CLICKABLE)
    first_epoch, first_picture = epoch(page), page.evaluate(BOUNDARY)
    assert first_picture.startswith("data:image/jpeg;base64,")
    wait_until(
        lambda: epoch(page) > first_epoch + 5 and page.evaluate(BOUNDARY) != first_picture,
        60,
        "a later epoch with a new boundary",
        POLL,
    )
    page.locator(".st-key-pg_pause button").click()
    expect(page.locator(".st-key-pg_play button")).to_be_visible(timeout=30_000)
    wait_idle(page)
    # The page catches up with the epochs the worker ran before it read the Pause (its last
    # snapshot comes after), then stays: paused means paused.
    seen = [epoch(page)]

    def caught_up() -> bool:
        page.wait_for_timeout(1000)
        seen.append(epoch(page))
        return seen[-1] == seen[-2]

    wait_until(caught_up, 30, "the epochs before the Pause to arrive", 0)
    paused = epoch(page)
    page.wait_for_timeout(1500)
    assert epoch(page) == paused
    # Paused, the clickable plotly plane is back, with the boundary the network ended on.
    wait_until(lambda: page.evaluate(CLICKABLE), 30, "the clickable plane", POLL)
    assert page.locator(LIVE).count() == 0 and page.evaluate(BOUNDARY)
    assert_no_exception(page)
    maps = Path(f"/proc/{server.pid}/maps").read_text()
    assert "tensorflow" not in maps and "keras" not in maps


@pytest.mark.browser
def test_clicking_the_plane_adds_a_point_where_it_was_clicked(page: Page, app_url: str):
    open_page(page, f"{app_url}/playground?data=gauss&points=100&show_test=1")
    # plotly.js arrives after the page: wait for the plane's 100 points (training and test).
    wait_until(lambda: len(page.evaluate(SHOWN_POINTS)) == 100, 60, "the plane to be drawn", POLL)
    before = page.evaluate(SHOWN_POINTS)
    # Screen position of the plane's point (4, -4): an empty corner for two blobs. The page
    # may still move while the network figure arrives: wait until the position holds.
    where = f"""() => {{ const gd = ({PLANE})(); const l = gd._fullLayout;
        const r = gd.getBoundingClientRect();
        return [r.left + l.xaxis._offset + l.xaxis.l2p(4), r.top + l.yaxis._offset + l.yaxis.l2p(-4)]; }}"""
    wait_until(lambda: page.locator(".js-plotly-plot").count() == 2, 60, "both figures", POLL)
    box = page.evaluate(where)
    for _ in range(20):
        page.wait_for_timeout(500)
        box, previous = page.evaluate(where), box
        if box == previous:
            break
    for _ in range(2):  # a click landing while plotly still draws the plane goes nowhere
        # Hover first, as a hand does: plotly clicks the point it last hovered, and under load
        # its hover lags the mouse. Click once its hover is on the place (4, -4).
        page.mouse.move(*box)
        page.mouse.move(box[0] + 1, box[1])
        try:
            wait_until(lambda: page.evaluate(HOVERED, [4, -4]), 15, "the hover on (4, -4)", POLL)
            page.mouse.click(box[0] + 1, box[1])
            wait_until(lambda: len(page.evaluate(SHOWN_POINTS)) > 100, 15, "the new point", POLL)
            break
        except AssertionError:
            continue
    wait_idle(page)
    wait_until(lambda: len(page.evaluate(SHOWN_POINTS)) > 100, 15, "the new point", POLL)
    after = page.evaluate(SHOWN_POINTS)
    added = [p for p in after if p not in before]
    assert len(after) == 101 and len(added) == 1
    x1, x2 = added[0]
    assert abs(x1 - 4) <= 0.41 and abs(x2 + 4) <= 0.41  # the click targets are 0.4 apart
    assert_no_exception(page)
