"""A school laptop's share: the CPU one Chromium spends on each page, beside a one-line page.

    python -m benchmarks.page_weight [--rounds 3]

For every page of the site and for a one-line Streamlit page (a title and a slider, served by
its own server in the same run): the CPU-seconds of all of Chromium's processes (browser,
renderer, GPU and network services) to open the page in a fresh tab until it is drawn and
still, and for one typical interaction until the page is still again (a slider moved one step
with the keyboard; on Draw a Digit, one stroke; on Backpropagation, Forward). A page is "still" when Chromium used less
than 20 ms of CPU over half a second. Medians over ``--rounds`` rounds, the pages in a new
order each round.

Target (the site's promise for a cheap school laptop): opening any page costs at most twice
the one-line page's CPU. The interaction figures are printed against the one-line page's slider
for reference.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from appdriver import canvas_box
from benchmarks.class_load.cpu import load_average
from benchmarks.harness import (
    children,
    command_line,
    cpu_seconds,
    launch_args,
    served,
    stroke,
    verdict,
)

PAGES = ("/", "/build", "/descent", "/draw", "/backprop", "/playground")
ONE_LINE_PAGE = (
    "import streamlit as st\n\nst.title('A one-line page')\nst.slider('A slider', 0, 10)\n"
)
VIEWPORT = {"width": 1280, "height": 800}
STILL_CPU = 0.02  # s of Chromium CPU over STILL_WINDOW that count as doing nothing
STILL_WINDOW = 0.5
TARGET_RATIO = 2.0


def chromium_cpu(root: int) -> dict[int, float]:
    """CPU-seconds so far of each Chromium process below ``root`` (this benchmark), by pid:
    not the app servers it started, nor Playwright's driver."""
    return {pid: cpu_seconds(pid) for pid in children(root) if "chromium" in command_line(pid)}


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU-seconds spent between two readings by the processes alive at the second (a tab
    closed in between is not counted against the next page)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def settle(root: int, timeout: float = 30.0) -> None:
    """Wait until Chromium is still: less than STILL_CPU over STILL_WINDOW."""
    deadline = time.monotonic() + timeout
    last = chromium_cpu(root)
    while time.monotonic() < deadline:
        time.sleep(STILL_WINDOW)
        now = chromium_cpu(root)
        if spent(last, now) < STILL_CPU:
            return
        last = now


# Drawn: connected, its script finished, its title shown and no placeholder left. (Right
# after connecting, the script may not have started yet: "not running" alone is too early.)
DRAWN = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app && app.dataset.testConnectionState === 'CONNECTED'
    && app.dataset.testScriptState === 'notRunning' && !!document.querySelector('h1')
    && !document.querySelector('[data-testid="stSkeleton"]');
}"""


def wait_drawn(page: Page) -> None:
    page.wait_for_function(DRAWN, timeout=120_000)


def move_slider(page: Page) -> None:
    """The page's first slider one step to the right, with the keyboard."""
    page.locator('[data-testid="stSlider"] input[type="range"]').first.focus()
    page.keyboard.press("ArrowRight")


def press_forward(page: Page) -> None:
    """Backpropagation's first step: the forward pass, with its numbers."""
    page.locator(".st-key-forward button").click()


def draw_stroke(page: Page) -> None:
    box = canvas_box(page)
    stroke(page, {"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"]})


def measure(
    browser: Browser, url: str, root: int, act: Callable[[Page], None]
) -> tuple[float, float]:
    """Chromium CPU-seconds to open ``url`` in a fresh tab, and for ``act`` on it."""
    settle(root)
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    page = context.new_page()
    try:
        before = chromium_cpu(root)
        page.goto(url)
        wait_drawn(page)
        settle(root)
        opened = spent(before, chromium_cpu(root))
        before = chromium_cpu(root)
        act(page)
        page.wait_for_timeout(100)  # the rerun's request leaves the page
        wait_drawn(page)
        settle(root)
        return opened, spent(before, chromium_cpu(root))
    finally:
        context.close()


# What a student does first on each page; a slider moved one step elsewhere.
ACTIONS = {"/draw": draw_stroke, "/backprop": press_forward}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    root = os.getpid()
    print(f"load average before: {load_average()[0]:.2f}")
    opened: dict[str, list[float]] = {}
    acted: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "one_line_page.py"
        script.write_text(ONE_LINE_PAGE)
        with (
            served() as (app_url, _),
            served(script) as (bare_url, _),
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(**launch_args())
            # Every page once first: the workers start and the server's caches fill.
            for path in PAGES:
                measure(browser, app_url + path, root, lambda page: None)
            rng = random.Random(0)
            for _ in range(args.rounds):
                order = [*PAGES, "one-line"]
                rng.shuffle(order)
                for name in order:
                    url = bare_url if name == "one-line" else app_url + name
                    action = ACTIONS.get(name, move_slider)
                    load, interaction = measure(browser, url, root, action)
                    opened.setdefault(name, []).append(load)
                    acted.setdefault(name, []).append(interaction)
            browser.close()
    print(f"load average after: {load_average()[0]:.2f}")
    bare_open = statistics.median(opened["one-line"])
    bare_act = statistics.median(acted["one-line"])
    print("page          open CPU s   × one-line   interaction CPU s   × one-line slider")
    for name in [*PAGES, "one-line"]:
        load, act = statistics.median(opened[name]), statistics.median(acted[name])
        what = {"/draw": "stroke", "/backprop": "Forward"}.get(name, "slider")
        print(
            f"{name:12s}  {load:10.2f}   {load / bare_open:10.2f}   {act:10.2f} ({what})"
            f"   {act / bare_act:8.2f}"
        )
    worst = max(PAGES, key=lambda name: statistics.median(opened[name]))
    ratio = statistics.median(opened[worst]) / bare_open
    print(
        f"the heaviest page to open, {worst}: {ratio:.2f}× the one-line page "
        f"(target ≤ {TARGET_RATIO:g}×): {verdict(ratio <= TARGET_RATIO)}"
    )


if __name__ == "__main__":
    main()
