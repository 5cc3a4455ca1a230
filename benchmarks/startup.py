"""Start-up: from `streamlit run` to each page ready in Chromium, and to the first drawing answered.

Page ready: connected, script idle and the page's title shown, each path on a fresh server
(timed from starting the server). The web server never imports TensorFlow; the worker
processes import it in the background from the first page view on, so they compete with the
first page for the CPU. Baseline: a one-line Streamlit script (``st.title``) served and opened
the same way, in the same run.

First drawing: a fresh server, /draw opened at once and a digit drawn as soon as the canvas is
there; timed until the "Prediction" metric shows (from starting the server, and from the
mouse-up). The inference worker may still be importing TensorFlow then. Baseline: the bare
drawing page of ``draw_latency.py`` (TensorFlow imported by the web server at the first drawing).

Rounds alternate the order of the servers. Chromium runs below the server's priority.
Run: .venv/bin/python benchmarks/startup.py [rounds]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser, ViewportSize, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import launch_args, served, stroke, timed_rerun, watch  # noqa: E402

from appdriver import wait_idle  # noqa: E402

BARE_DRAW = Path(__file__).resolve().parent / "bare_draw_page.py"
PATHS = ("/", "/build", "/descent", "/draw")
VIEWPORT: ViewportSize = {"width": 1400, "height": 1000}


def time_to_ready(browser: Browser, path: str, script: Path | None = None) -> float:
    """Seconds from starting a fresh server to ``path`` being ready in a new session."""
    started = time.perf_counter()
    with served(script) as (url, _):
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.goto(url + path)
        wait_idle(page)
        page.locator("h1").first.wait_for()
        seconds = time.perf_counter() - started
        context.close()
    return seconds


def first_answer(browser: Browser, path: str, script: Path | None = None) -> tuple[float, float]:
    """(from server start, from mouse-up) to the first drawing's "Prediction" on a fresh server."""
    started = time.perf_counter()
    with served(script) as (url, _):
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.goto(url + path)
        wait_idle(page)
        watch(page, "Prediction")
        surface = page.locator(".st-key-digit_canvas canvas").last
        surface.wait_for(timeout=60_000)
        box = surface.bounding_box()
        result = timed_rerun(page, lambda: stroke(page, box), 180, shown=True)
        total = time.perf_counter() - started
        context.close()
    if result is None or result["shown"] is None:
        raise RuntimeError(f"the first drawing on {script or path} was not answered")
    return total, result["shown"]


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    ready: dict[str, list[float]] = {"bare": [], **{path: [] for path in PATHS}}
    answers: dict[str, list[tuple[float, float]]] = {"draw": [], "bare_draw": []}
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        bare = Path(folder) / "bare.py"
        bare.write_text("import streamlit as st\nst.title('bare')\n")
        browser = playwright.chromium.launch(**launch_args(lower_priority=True))
        # (what is timed, the path opened, the script served: None for the app)
        jobs: list[tuple[str, str, Path | None]] = [
            ("bare", "/", bare),
            *((path, path, None) for path in PATHS),
            ("draw", "/draw", None),
            ("bare_draw", "/", BARE_DRAW),
        ]
        for index in range(rounds):
            for name, path, script in jobs if index % 2 == 0 else reversed(jobs):
                if name in answers:
                    answers[name].append(first_answer(browser, path, script))
                else:
                    ready[name].append(time_to_ready(browser, path, script))
        browser.close()

    baseline = statistics.median(ready["bare"])
    print(f"bare_streamlit_ready: {baseline:.2f} s median of {rounds}")
    for path in PATHS:
        seconds = statistics.median(ready[path])
        print(
            f"ready {path}: {seconds:.2f} s median (ratio to bare streamlit "
            f"{seconds / baseline:.2f}; runs {', '.join(f'{s:.2f}' for s in ready[path])})"
        )
    for name, label in (("draw", "draw_page"), ("bare_draw", "bare_draw_page")):
        total = statistics.median(t for t, _ in answers[name])
        after_stroke = statistics.median(s for _, s in answers[name])
        print(
            f"first_answer_{label}: {total:.2f} s from server start, {after_stroke:.2f} s "
            f"from mouse-up (medians of {rounds})"
        )
    draw = statistics.median(t for t, _ in answers["draw"])
    bare_draw = statistics.median(t for t, _ in answers["bare_draw"])
    print(f"first_answer_ratio draw/bare_draw (from server start): {draw / bare_draw:.2f}")


if __name__ == "__main__":
    main()
