"""Pen stroke → answer, in the browser: the real /draw page against a bare one-script page.

Both are served the same way (``appdriver.running_app``), at the same time, each with its own
Chromium session. The baseline, ``benchmarks/bare_draw_page.py``, is what a competent engineer
would write without worker processes: canvas → the same preprocessing → the bundled CNN loaded
in the web server (``st.cache_resource``) and called directly → ``st.metric``. /draw sends the
28×28 input to its inference worker and also draws the probabilities, the input and every
layer's activations.

Each measurement is one identical stroke (a "1") on an empty canvas, timed in the page from the
mouse-up event to (a) the "Prediction" metric appearing fresh and (b) the script state going
back to ``notRunning`` (the rerun's end). Undo then empties the canvas (not timed). After
warm-up strokes on both pages (the bare page loads TensorFlow on its first), the pages take
turns, the first of each round alternating. Chromium runs below the server's priority, as if
on the students' own machines. Target: /draw's median answer (and the rerun's end) at most
1.2× the bare page's, printed with "met" or "MISSED".
Run: .venv/bin/python benchmarks/draw_latency.py [strokes_per_page]
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import (  # noqa: E402
    IDLE,
    holds_tensorflow,
    launch_args,
    print_latencies,
    ratio,
    served,
    stroke,
    timed_rerun,
    verdict,
    wait_workers_ready,
    watch,
)

from appdriver import wait_idle  # noqa: E402

BARE = Path(__file__).resolve().parent / "bare_draw_page.py"
WARM_UP = 3
TIMEOUT = 60.0
TARGET = 1.2


def open_canvas(browser, url: str) -> tuple[Page, dict[str, float]]:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(url)
    wait_idle(page)
    watch(page, "Prediction")
    surface = page.locator(".st-key-digit_canvas canvas").last
    surface.wait_for(timeout=60_000)
    return page, surface.bounding_box()


def one_stroke(page: Page, box: dict[str, float]) -> dict | None:
    """Time one stroke on an empty canvas, then empty it again with Undo."""
    result = timed_rerun(page, lambda: stroke(page, box), TIMEOUT, shown=True)
    page.locator(IDLE).wait_for(timeout=TIMEOUT * 1000)
    timed_rerun(page, lambda: page.get_by_role("button", name="Undo").click(), TIMEOUT)
    return result


def main() -> None:
    strokes = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    results: dict[str, list[dict | None]] = {"draw": [], "bare": []}
    with (
        served() as (app_url, app_server),
        served(BARE) as (bare_url, bare_server),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(**launch_args(lower_priority=True))
        pages = {
            "draw": open_canvas(browser, f"{app_url}/draw"),
            "bare": open_canvas(browser, bare_url),
        }
        wait_workers_ready(app_server.pid, ("inference",))
        for name, (page, box) in pages.items():
            for _ in range(WARM_UP):
                if one_stroke(page, box) is None:
                    raise RuntimeError(f"the {name} page did not answer a warm-up stroke")
        order = ["draw", "bare"]
        for _ in range(strokes):
            for name in order:
                results[name].append(one_stroke(*pages[name]))
            order.reverse()
        server_tf = {
            "draw": holds_tensorflow(app_server.pid),
            "bare": holds_tensorflow(bare_server.pid),
        }
        browser.close()

    summary = {}
    for name, label in (("draw", "draw_page"), ("bare", "bare_page")):
        runs = results[name]
        starts = [r and r["start"] for r in runs]
        answers = [r and r["shown"] for r in runs]
        ends = [r and r["end"] for r in runs]
        print_latencies(f"{label}_mouseup_to_rerun_start", starts, TIMEOUT)
        summary[name] = (
            print_latencies(f"{label}_mouseup_to_prediction", answers, TIMEOUT),
            print_latencies(f"{label}_mouseup_to_not_running", ends, TIMEOUT),
        )
        print(f"{label}_server_holds_tensorflow: {server_tf[name]}")
    (answer_draw, end_draw), (answer_bare, end_bare) = summary["draw"], summary["bare"]
    answered = ratio(answer_draw[0], answer_bare[0])
    print(
        f"prediction_ratio_p50 draw/bare: {answered:.2f} "
        f"(target <= {TARGET}: {verdict(answered <= TARGET)})"
    )
    print(f"prediction_ratio_p95 draw/bare: {ratio(answer_draw[1], answer_bare[1]):.2f}")
    ended = ratio(end_draw[0], end_bare[0])
    print(
        f"not_running_ratio_p50 draw/bare: {ended:.2f} "
        f"(target <= {TARGET}: {verdict(ended <= TARGET)})"
    )
    print(f"not_running_ratio_p95 draw/bare: {ratio(end_draw[1], end_bare[1]):.2f}")


if __name__ == "__main__":
    main()
