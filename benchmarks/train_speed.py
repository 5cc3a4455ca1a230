"""Training speed: the epoch engine against plain ``model.fit``, and the cost of the live page.

1. The notebook's setup (1,000 rows, 784 → 128 sigmoid → 64 tanh → 10 softmax, Adam, batch
   256, test metrics every epoch), 100 epochs: ``model.fit(..., validation_data=...)`` against
   the engine (``EpochEngine.for_spec``), in this process, same spec and seed. Both are warmed
   up first (a short run of each: TensorFlow's one-off start-up costs are paid by neither), then
   timed in alternation, the first of each pair alternating too. A timing covers the training
   only: model building excluded, the tracing of the new model's functions included (every real
   training pays it). Prints medians, both final test accuracies and the ratio engine/fit.
2. The same for the "Small CNN" preset (5,000 rows), 10 epochs.
3. In the browser: the app is served; on a fresh session each time, Chromium opens /build with
   its default settings (the notebook's network, 100 epochs) and presses Train; timed in the
   page from the click to the "Test accuracy" metric appearing. The training runs in a worker
   process; the page streams its epochs into live curves. One warm-up training (in its own
   session) once the workers have warmed up, then the measured ones. Compared with the engine
   alone from step 1. Chart updates are counted twice: the curve redraws the browser drew, and
   the websocket messages carrying the curves figure that the server sent, a second of the
   page's own "Training time". Allowed: the Build page's own limit, one redraw every
   ``REDRAW_SECONDS`` of ``pages/_ui/build.py`` (read from its source: 2.5 a second), in
   every run; printed with "met" or "MISSED".
Chromium runs below the server's priority. Run: .venv/bin/python benchmarks/train_speed.py
[repetitions] [--no-browser]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nncore.data.mnist import prepare_split  # noqa: E402
from nncore.network.model import build_model  # noqa: E402
from nncore.network.spec import SEED_NOTEBOOK, SMALL_CNN, NetworkSpec  # noqa: E402
from nncore.training.engine import EpochEngine  # noqa: E402

WARM_UP_EPOCHS = 3
BUILD_PAGE = "pages/_ui/build.py"  # its REDRAW_SECONDS: the live curves' fastest redraw

# Count every time the curves figure shows a new number of epochs (polled every 10 ms).
COUNT_CURVE_DRAWS = """() => { window.curveDraws = 0; let last = -1;
  setInterval(() => { for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    if (!gd.data || !gd.textContent.includes('Accuracy')) continue;
    const n = gd.data[0].x.length; if (n !== last) { last = n; window.curveDraws++; }
  } }, 10); }"""


def fit_seconds(spec: NetworkSpec) -> tuple[float, float]:
    """``model.fit`` with the test rows as validation data: (seconds, final test accuracy)."""
    split = prepare_split(spec)
    model = build_model(spec)
    started = time.perf_counter()
    history = model.fit(
        split.x_train,
        split.y_train,
        epochs=spec.epochs,
        batch_size=spec.batch,
        validation_data=(split.x_test, split.y_test),
        verbose=0,
    )
    return time.perf_counter() - started, history.history["val_accuracy"][-1]


def engine_seconds(spec: NetworkSpec) -> tuple[float, float]:
    """The engine, epoch by epoch as a worker runs it: (seconds, final test accuracy)."""
    engine = EpochEngine.for_spec(spec)
    started = time.perf_counter()
    for epoch in range(1, spec.epochs + 1):
        record = engine.run_epoch(epoch)
    seconds = time.perf_counter() - started
    engine.release()
    return seconds, record.val_accuracy


def compare(name: str, spec: NetworkSpec, repetitions: int) -> float:
    """Warm both up, time them in alternation; print medians and the ratio. Engine median."""
    warm = replace(spec, epochs=WARM_UP_EPOCHS)
    fit_seconds(warm)
    engine_seconds(warm)
    runs: dict[str, list[tuple[float, float]]] = {"fit": [], "engine": []}
    measure = {"fit": fit_seconds, "engine": engine_seconds}
    order = ["fit", "engine"]
    for _ in range(repetitions):
        for kind in order:
            runs[kind].append(measure[kind](spec))
        order.reverse()
    medians = {}
    for kind in ("fit", "engine"):
        seconds = statistics.median(s for s, _ in runs[kind])
        accuracy = statistics.median(a for _, a in runs[kind])
        medians[kind] = seconds
        print(
            f"{name}_{kind}: {seconds:.2f} s median of {repetitions} "
            f"({1000 * seconds / spec.epochs:.1f} ms/epoch; "
            f"runs {', '.join(f'{s:.2f}' for s, _ in runs[kind])} s), "
            f"test accuracy {accuracy:.3f}"
        )
    print(f"{name}_ratio engine/fit: {medians['engine'] / medians['fit']:.3f}")
    return medians["engine"]


def chart_updates_allowed() -> float:
    """The Build page's own limit on live-curve redraws, a second."""
    from harness import app_constant

    return 1 / app_constant(BUILD_PAGE, "REDRAW_SECONDS")


def print_rates(name: str, rates: list[float], allowed: float, detail: str) -> None:
    """Median and largest rate of the runs, against the page's limit (every run within it)."""
    from harness import verdict

    worst = max(rates)
    print(
        f"{name}: {statistics.median(rates):.1f} a second median, max {worst:.1f} "
        f"(allowed <= {allowed:g}: {verdict(worst <= allowed)}; {detail})"
    )


def browser_trainings(repetitions: int) -> list[dict]:
    """Each: click → "Test accuracy" (s), the page's own "Training time" and the curve draws."""
    from harness import launch_args, press_train, served, wait_workers_ready, watch
    from playwright.sync_api import WebSocket, sync_playwright

    from appdriver import wait_idle

    results = []
    with served() as (url, server), sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_args(lower_priority=True))
        for index in range(repetitions + 1):  # the first is the warm-up
            # A fresh session each time, as a visitor opening the page would have.
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            sent = {"frames": 0, "bytes": 0}  # curve figures the server sent (websocket)

            def count(payload: str | bytes, sent: dict = sent) -> None:
                data = payload if isinstance(payload, bytes) else payload.encode()
                if b"Accuracy" in data and b"epoch" in data:
                    sent["frames"] += 1
                    sent["bytes"] += len(data)

            def listen(socket: WebSocket, count: Callable[[str | bytes], None] = count) -> None:
                socket.on("framereceived", count)

            page.on("websocket", listen)
            page.goto(f"{url}/build")
            wait_idle(page)
            if index == 0:
                wait_workers_ready(server.pid, ("trainer",))
            watch(page, "Test accuracy")
            page.evaluate(COUNT_CURVE_DRAWS)
            sent.update(frames=0, bytes=0)
            result = press_train(page, 300)
            if result is None or not result["trained"]:
                raise RuntimeError("the training on /build did not show its test accuracy")
            metric = page.locator('[data-testid="stMetric"]').filter(has_text="Training time")
            value = metric.locator('[data-testid="stMetricValue"]').inner_text()
            result["training_time"] = float(value.split()[0])
            result["draws"] = page.evaluate("window.curveDraws")
            result["sent"], result["sent_bytes"] = sent["frames"], sent["bytes"]
            context.close()
            if index > 0:
                results.append(result)
        browser.close()
    return results


def main() -> None:
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    repetitions = int(numbers[0]) if numbers else 3
    notebook = replace(SEED_NOTEBOOK, epochs=100)
    engine_time = compare("notebook_100_epochs", notebook, repetitions)
    compare("small_cnn_5000_rows_10_epochs", replace(SMALL_CNN, epochs=10), repetitions)
    if "--no-browser" in sys.argv:
        return
    allowed = chart_updates_allowed()
    runs = browser_trainings(repetitions)
    wall = statistics.median(r["shown"] for r in runs)
    page_time = statistics.median(r["training_time"] for r in runs)
    rates = [r["draws"] / max(r["training_time"], 1e-9) for r in runs]
    each = ", ".join(f"{r['shown']:.2f}" for r in runs)
    print(
        f"notebook_100_epochs_browser_click_to_test_accuracy: {wall:.2f} s median of "
        f"{len(runs)} (runs {each} s)"
    )
    print(
        f"notebook_100_epochs_browser_training_time_metric: {page_time:.2f} s median "
        "(the page's own figure: first epoch's start to last epoch's record)"
    )
    print(
        f"browser/engine ratio: {wall / engine_time:.2f} (click to test accuracy vs the "
        f"engine alone, {engine_time:.2f} s)"
    )
    print_rates(
        "chart_updates_drawn",
        rates,
        allowed,
        f"{'/'.join(str(r['draws']) for r in runs)} updates",
    )
    sent = [r["sent"] / max(r["training_time"], 1e-9) for r in runs]
    print_rates(
        "chart_updates_sent",
        sent,
        allowed,
        f"websocket messages carrying the curves: {'/'.join(str(r['sent']) for r in runs)}, "
        f"{statistics.median(r['sent_bytes'] for r in runs) / 1024:.0f} KB median a training",
    )


if __name__ == "__main__":
    main()
