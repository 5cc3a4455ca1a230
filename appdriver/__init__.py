"""Drives the real app: serve it with `streamlit run`, open pages in Debian's Chromium, wait for
its reruns. Shared by the browser tests and the benchmarks (installed with requirements-dev)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import FloatRect, Locator, Page, expect

from deploy.cluster import free_port

ROOT = Path(__file__).resolve().parents[1]
# The answer Draw a Digit shows for a drawing.
PREDICTION = '[data-testid="stMetric"]:has-text("Prediction")'
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def serve_app(
    port: int, extra_env: dict[str, str] | None = None, script: Path | None = None
) -> subprocess.Popen:
    """Start the app (or ``script``) as a teacher would, on ``port``; the caller stops it."""
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script or ROOT / "app.py"),
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
    ]
    env = {**os.environ, **(extra_env or {})}
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def wait_healthy(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the app did not answer on port {port} within {timeout} s")


@contextmanager
def running_app(script: Path | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """The app (or ``script``) served on a free port while the block runs: (base URL, server)."""
    port = free_port()
    server = serve_app(port, script=script)
    try:
        wait_healthy(port)
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.terminate()
        server.wait(timeout=20)


def wait_idle(page: Page, timeout: float = 60_000) -> None:
    """Wait until the app is connected and its script has finished running."""
    app = page.locator('[data-testid="stApp"]')
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=timeout)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout)


def open_page(page: Page, url: str, timeout: float = 60_000) -> None:
    page.goto(url)
    wait_idle(page, timeout)


def assert_no_exception(page: Page) -> None:
    """A traceback on the page is a failure, whatever else the test checks."""
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def metric(page: Page, label: str) -> Locator:
    """The ``st.metric`` whose label contains ``label`` (its value: ``metric_value``)."""
    return page.locator('[data-testid="stMetric"]').filter(has_text=label)


def metric_value(page: Page, label: str) -> Locator:
    return metric(page, label).locator('[data-testid="stMetricValue"]')


def canvas_box(page: Page) -> FloatRect:
    """Where Draw a Digit's drawing surface is on screen (Fabric stacks two canvases; both
    share a box)."""
    surface = page.locator(".st-key-digit_canvas canvas").last
    expect(surface).to_be_visible(timeout=30_000)
    # Until the page pins the canvas's toolbar above it, the toolbar lies over the top edge
    # and eats a stroke started there (the page checks for the component every 300 ms).
    pinned = page.locator(".st-key-digit_canvas style[data-pinned-toolbar]")
    expect(pinned.first).to_be_attached(timeout=30_000)
    # The page may still be settling (a figure above drawn late moves the canvas down): a
    # stroke aimed at a box measured mid-move would miss it, so wait until two readings a
    # frame apart agree.
    box = surface.bounding_box()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => done(0)))")
        again = surface.bounding_box()
        if box is not None and again == box:
            return box
        box = again
    raise AssertionError(f"the canvas never stopped moving: {box}")


def draw_vertical_stroke(page: Page) -> None:
    """On Draw a Digit's canvas: press, move down the middle in small steps like a hand,
    release."""
    box = canvas_box(page)
    x = box["x"] + box["width"] / 2
    top, bottom = box["y"] + box["height"] * 0.15, box["y"] + box["height"] * 0.85
    page.mouse.move(x, top)
    page.mouse.down()
    page.mouse.move(x, bottom, steps=25)
    page.mouse.up()
