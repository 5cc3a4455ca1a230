"""Does TensorFlow used "elsewhere" slow the Gradient Descent page down?

Before the worker processes, a server on which any visitor had trained or drawn held Keras,
and Streamlit then reset Keras and collected garbage after every script run of every visitor:
a /descent slider move went from 0.79 s to 1.25–2.7 s. Now TensorFlow lives in the workers.

Two app servers run side by side, both served with ``appdriver.running_app``; each has one
Chromium session on /descent. Once both servers' workers have warmed up in the background, the
two sessions take turns moving the "steps" slider one step (keyboard ArrowRight), timed in the
page from the key-down event to the end of the rerun it caused (``data-test-script-state``
``running`` → ``notRunning``). First both servers are fresh (a calibration: their ratio should be
1); then another session on server B trains the notebook network on /build and draws on /draw,
and the turns go on. Target: server B (after) at most 1.1× server A (fresh), by median,
printed with "met" or "MISSED".
Chromium runs below the server's priority. Run: .venv/bin/python benchmarks/descent_after_tf.py [steps]
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import (  # noqa: E402
    holds_tensorflow,
    launch_args,
    press_train,
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

WARM_UP = 3
TIMEOUT = 60.0
TARGET = 1.1
VIEWPORT = {"width": 1400, "height": 1000}


def open_descent(browser, url: str) -> Page:
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.goto(f"{url}/descent")
    wait_idle(page)
    watch(page)
    page.locator('.st-key-descent-steps input[type="range"]').wait_for(
        state="attached", timeout=60_000
    )
    return page


def slider_step(page: Page) -> float | None:
    slider = page.locator('.st-key-descent-steps input[type="range"]')
    result = timed_rerun(page, lambda: slider.press("ArrowRight"), TIMEOUT)
    return None if result is None else result["end"]


def take_turns(pages: dict[str, Page], steps: int) -> dict[str, list[float | None]]:
    """``steps`` slider moves per page, the pages alternating (and which goes first, too)."""
    times: dict[str, list[float | None]] = {name: [] for name in pages}
    order = list(pages)
    for _ in range(steps):
        for name in order:
            times[name].append(slider_step(pages[name]))
        order.reverse()
    return times


def use_tensorflow(browser, url: str) -> None:
    """Another visitor of server B: one training on /build, one drawing answered on /draw."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(f"{url}/build")
    wait_idle(page)
    watch(page, "Test accuracy")
    trained = press_train(page, 300)
    if trained is None or not trained["trained"]:
        raise RuntimeError("the training on /build did not finish")
    page.goto(f"{url}/draw")
    wait_idle(page)
    watch(page, "Prediction")
    surface = page.locator(".st-key-digit_canvas canvas").last
    surface.wait_for(timeout=60_000)
    box = surface.bounding_box()
    drawn = timed_rerun(page, lambda: stroke(page, box), 120, shown=True)
    if drawn is None or drawn["shown"] is None:
        raise RuntimeError("the drawing on /draw was not answered")
    context.close()


def main() -> None:
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with (
        served() as (url_a, server_a),
        served() as (url_b, server_b),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(**launch_args(lower_priority=True))
        pages = {"a": open_descent(browser, url_a), "b": open_descent(browser, url_b)}
        for server in (server_a, server_b):
            wait_workers_ready(server.pid, ("trainer", "inference"))
        for page in pages.values():
            for _ in range(WARM_UP):
                slider_step(page)
        before = take_turns(pages, steps)
        use_tensorflow(browser, url_b)
        after = take_turns(pages, steps)
        tf_in_server = holds_tensorflow(server_a.pid) or holds_tensorflow(server_b.pid)
        browser.close()

    a_before = print_latencies("descent_step_server_a_fresh_first_half", before["a"], TIMEOUT)
    b_before = print_latencies("descent_step_server_b_fresh_first_half", before["b"], TIMEOUT)
    a_after = print_latencies("descent_step_server_a_fresh", after["a"], TIMEOUT)
    b_after = print_latencies("descent_step_server_b_after_tensorflow", after["b"], TIMEOUT)
    print(f"calibration_ratio_p50 b/a (both fresh): {ratio(b_before[0], a_before[0]):.2f}")
    after = ratio(b_after[0], a_after[0])
    print(
        f"after_tensorflow_ratio_p50 b/a: {after:.2f} (target <= {TARGET}: {verdict(after <= TARGET)})"
    )
    print(f"after_tensorflow_ratio_p95 b/a: {ratio(b_after[1], a_after[1]):.2f}")
    print(f"server_b_after/before_ratio_p50: {ratio(b_after[0], b_before[0]):.2f}")
    print(f"tensorflow_in_a_web_server: {tf_in_server}")


if __name__ == "__main__":
    main()
