"""2D Playground speed: epochs a second, the grid's cost, and redraws in the browser.

TensorFlow Playground trains a 2-4-2 network on 250 points at screen refresh rate. Here:

1. In this process, the playground's engine (one compiled ``tf.function`` an epoch): 2-4-2
   (x1, x2 → 4 → 2 tanh → 2 softmax) on 250 training points of ``circle``, batch 10, SGD,
   epochs a second over a few seconds after a warm-up; the same network with ``model.fit``
   one epoch a call (what a page calling Keras the plain way would do) as the baseline, and
   the ratio. Target: at least 30 epochs a second.
2. The grid: every layer over 50 × 50 points (the boundary and each neuron's heatmap), median
   milliseconds. Target: under 20 ms.
3. The same for a 6 × 8 network (six hidden layers of eight), all seven features, with the
   same targets.
4. Through a training worker (the pool the app uses): epochs a second and snapshots a second
   as the server receives them while the network plays (allowed: the worker's own limit, one
   snapshot every ``SNAPSHOT_SECONDS`` of ``nncore.workers.playground``, 8 a second).
5. In the browser (skip with --no-browser; only this part with --browser-only): the app
   served, Chromium opens /playground and presses Play; for 8 s it counts how often the live
   plane's image changes (target 5–10 Hz), reads the epoch counter (epochs a second as the
   student sees them) and adds up the long tasks of the page's main thread (a busy browser
   shows fewer redraws than the server sends).

Every target is printed with "met" or "MISSED".
Run: .venv/bin/python benchmarks/playground_speed.py [--no-browser | --browser-only]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import verdict  # noqa: E402
from nncore.playground.datasets import generate, split  # noqa: E402
from nncore.playground.features import FEATURES  # noqa: E402
from nncore.playground.settings import GRID, PlaygroundSpec  # noqa: E402
from nncore.playground.snapshot import PlayRequest, Snapshot  # noqa: E402
from nncore.workers.playground import SNAPSHOT_SECONDS  # noqa: E402

SECONDS = 4.0
MIN_EPOCHS = 30.0  # a second, in this process
MAX_GRID_MS = 20.0
MAX_SNAPSHOTS = 1 / SNAPSHOT_SECONDS  # a second: the worker's own limit
REDRAWS = (5.0, 10.0)  # the live plane in the browser, times a second
SMALL = PlaygroundSpec(units=(4, 2))
BIG = PlaygroundSpec(features=tuple(FEATURES), units=(8,) * 6)


def request(spec: PlaygroundSpec, mode: str = "play") -> PlayRequest:
    parts = split(generate("circle", 500, 0.1, seed=0), 0.5, seed=0)
    return PlayRequest.for_split(spec, parts, mode=mode)


def engine_rates(spec: PlaygroundSpec, name: str) -> float:
    """Epochs a second and the grid's median milliseconds, in this process."""
    from nncore.playground.engine import PlaygroundEngine

    engine = PlaygroundEngine(request(spec))
    for _ in range(20):  # tracing and warm-up
        engine.epoch()
    engine.grids()
    started, epochs = time.perf_counter(), 0
    while time.perf_counter() - started < SECONDS:
        engine.epoch()
        epochs += 1
    rate = epochs / (time.perf_counter() - started)
    grid_ms = []
    for _ in range(50):
        t = time.perf_counter()
        engine.grids()
        grid_ms.append(1000 * (time.perf_counter() - t))
    grid = statistics.median(grid_ms)
    print(
        f"{name} engine: {rate:.0f} epochs/s "
        f"(target >= {MIN_EPOCHS:g}: {verdict(rate >= MIN_EPOCHS)})"
    )
    print(
        f"{name} grid {GRID}x{GRID} (every layer): {grid:.2f} ms median "
        f"(target < {MAX_GRID_MS:g} ms: {verdict(grid < MAX_GRID_MS)})"
    )
    return rate


def fit_rate(spec: PlaygroundSpec) -> float:
    """The baseline: ``model.fit(epochs=1)`` once an epoch (with validation, like the page)."""
    from nncore.playground.engine import build_model, make_optimizer

    r = request(spec)
    model = build_model(spec)
    model.compile(optimizer=make_optimizer(spec), loss="sparse_categorical_crossentropy")
    data = {
        "x": r.x_train,
        "y": r.y_train,
        "batch_size": spec.batch,
        "verbose": 0,
        "validation_data": (r.x_test, r.y_test),
    }
    model.fit(epochs=2, **data)
    started, epochs = time.perf_counter(), 0
    while time.perf_counter() - started < SECONDS:
        model.fit(epochs=1, **data)
        epochs += 1
    rate = epochs / (time.perf_counter() - started)
    print(f"2-4-2 model.fit, one call an epoch (baseline): {rate:.1f} epochs/s")
    return rate


def worker_rates() -> None:
    """Epochs and snapshots a second as the server receives them from a training worker."""
    from nncore.workers.playground_client import PlaygroundJob
    from nncore.workers.pool import Owner, TrainerPool

    pool = TrainerPool(workers=1)
    pool.ready.wait(300)
    owner = Owner()

    def latest(job: PlaygroundJob) -> Snapshot:
        """The job's last snapshot, once it has one."""
        while job.latest is None:
            time.sleep(0.05)
        return job.latest

    for spec, name in ((SMALL, "2-4-2"), (BIG, "6x8")):
        job = PlaygroundJob(request(spec), owner, pool)
        pool.submit(job)
        while latest(job).epoch < 20:
            time.sleep(0.05)
        first_epoch, first_version, started = latest(job).epoch, job.version, time.monotonic()
        time.sleep(SECONDS)
        elapsed = time.monotonic() - started
        epochs, snapshots = latest(job).epoch - first_epoch, job.version - first_version
        job.stop()
        while job.state != "released":
            time.sleep(0.05)
        rate = snapshots / elapsed
        print(
            f"{name} through a worker: {epochs / elapsed:.0f} epochs/s, {rate:.1f} snapshots/s "
            f"(allowed <= {MAX_SNAPSHOTS:g}: {verdict(rate <= MAX_SNAPSHOTS)})"
        )
    for worker in pool.workers:  # this benchmark's own worker: the browser part starts its own
        worker.stop()


# While the network plays, the plane is one image (.st-key-pg_live_plane img): a redraw is a new
# src. (Paused, it is the plotly figure with the boundary as its layout image.)
COUNT_REDRAWS = """() => { window.redraws = 0; window.counts = 0; let last = '', lastText = '';
  window.busy = 0;  // milliseconds of the main thread in long tasks (50 ms or more)
  new PerformanceObserver(list => list.getEntries().forEach(e => { window.busy += e.duration; }))
    .observe({type: 'longtask'});
  setInterval(() => {
    const counter = document.querySelector('.st-key-pg_epoch');
    if (counter && counter.innerText !== lastText) { lastText = counter.innerText; window.counts++; }
    const live = document.querySelector('.st-key-pg_live_plane img');
    if (live && live.complete && live.src !== last) { last = live.src; window.redraws++; }
  }, 10); }"""


def browser_rates() -> None:
    """Redraws of the boundary a second, and epochs a second, as a student sees them."""
    import re

    from playwright.sync_api import sync_playwright

    from appdriver import open_page
    from benchmarks.harness import launch_args, served

    def epoch(page) -> int:
        text = page.locator(".st-key-pg_epoch").inner_text()
        found = re.search(r"Epoch ([\d,]+)", text)
        if found is None:
            raise RuntimeError(f"no epoch counter in {text!r}")
        return int(found.group(1).replace(",", ""))

    with served() as (url, server), sync_playwright() as p:
        browser = p.chromium.launch(**launch_args(lower_priority=True))
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        open_page(page, url + "/playground")
        page.locator(".st-key-pg_play button").click()
        deadline = time.monotonic() + 300  # the app's worker may still be importing TensorFlow
        while epoch(page) < 20 and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        page.evaluate(COUNT_REDRAWS)
        first, started = epoch(page), time.monotonic()
        page.wait_for_timeout(8000)
        elapsed = time.monotonic() - started
        redraws = page.evaluate("window.redraws") - 1  # the first count is the picture as found
        counts = page.evaluate("window.counts") - 1
        busy = page.evaluate("window.busy") / 1000
        rate, (low, high) = redraws / elapsed, REDRAWS
        print(
            f"browser: boundary redrawn {rate:.1f} times/s "
            f"(target {low:g}-{high:g}: {verdict(low <= rate <= high)})"
        )
        print(f"browser: epoch counter changed {counts / elapsed:.1f} times/s")
        print(f"browser: main thread in long tasks {busy:.1f} s of {elapsed:.1f} s")
        print(f"browser: {(epoch(page) - first) / elapsed:.0f} epochs/s on the counter")
        browser.close()


if __name__ == "__main__":
    if "--browser-only" in sys.argv:
        browser_rates()
        sys.exit()
    small = engine_rates(SMALL, "2-4-2")
    baseline = fit_rate(SMALL)
    print(f"ratio engine/fit (2-4-2): {small / baseline:.1f}x")
    engine_rates(BIG, "6x8")
    worker_rates()
    if "--no-browser" not in sys.argv:
        browser_rates()
