"""Training speed: the engine against plain ``model.fit``, and the cost of the live page.

1. The notebook's setup (1,000 rows, 784 → 128 sigmoid → 64 tanh → 10 softmax, Adam, batch
   256, test metrics every epoch) for 100 epochs: ``model.fit(..., validation_data=...)`` then
   the engine, in this process, same seed. Prints both wall times (model building excluded,
   first-call tracing included), both final test accuracies and the ratio engine/fit.
2. The same for the "Small CNN" preset on all 5,000 rows (10 epochs).
3. The live page: the app is served, Chromium opens /build with the notebook's settings and
   presses Train twice (the first warms the fresh server up, as ``fit`` warmed this process);
   the second is measured. The page's "Training time" metric is the wall time of its training loop,
   chart updates included (they happen at most every 0.2 s); it is compared with the engine's
   time without a UI from step 1, and the number of chart updates the page sent is counted in
   the browser (plotly redraws of the curves figure).
Run: .venv/bin/python benchmarks/train_speed.py [--no-browser]
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nncore.data import prepare_split  # noqa: E402
from nncore.model import build_model  # noqa: E402
from nncore.spec import SEED_NOTEBOOK, SMALL_CNN, NetworkSpec  # noqa: E402
from nncore.training import TrainingRun  # noqa: E402


def fit_seconds(spec: NetworkSpec) -> tuple[float, float]:
    split = prepare_split(spec)
    model = build_model(spec)
    started = time.perf_counter()
    history = model.fit(
        split.x_train, split.y_train, epochs=spec.epochs, batch_size=spec.batch,
        validation_data=(split.x_test, split.y_test), verbose=0,
    )  # fmt: skip
    return time.perf_counter() - started, history.history["val_accuracy"][-1]


def engine_seconds(spec: NetworkSpec) -> tuple[float, float]:
    run = TrainingRun.start(spec)
    started = time.perf_counter()
    while run.active:
        run.step()
    return time.perf_counter() - started, run.test_accuracy()


def compare(name: str, spec: NetworkSpec) -> float:
    fit_time, fit_accuracy = fit_seconds(spec)
    engine_time, engine_accuracy = engine_seconds(spec)
    print(f"{name} fit: {fit_time:.2f} s ({1000 * fit_time / spec.epochs:.1f} ms/epoch), "
          f"test accuracy {fit_accuracy:.3f}")  # fmt: skip
    print(f"{name} engine: {engine_time:.2f} s ({1000 * engine_time / spec.epochs:.1f} ms/epoch), "
          f"test accuracy {engine_accuracy:.3f}")  # fmt: skip
    print(f"{name} ratio engine/fit: {engine_time / fit_time:.3f}")
    return engine_time


def browser_seconds(epochs: int) -> tuple[float, int]:
    """Wall time of the page's training loop and the number of curve redraws the browser got."""
    from playwright.sync_api import expect, sync_playwright

    from appdriver import CHROMIUM, CHROMIUM_FLAGS, running_app, wait_idle

    with running_app() as (url, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.goto(f"{url}/build?epochs={epochs}")
        wait_idle(page)
        # Count every time the curves figure shows a new number of epochs (polled every 10 ms).
        page.evaluate("""() => { window.curveDraws = 0; let last = -1;
                setInterval(() => { for (const gd of document.querySelectorAll('.js-plotly-plot')) {
                  if (!gd.data || !gd.textContent.includes('Accuracy')) continue;
                  const n = gd.data[0].x.length; if (n !== last) { last = n; window.curveDraws++; }
                } }, 10); }""")
        app = page.locator('[data-testid="stApp"]')
        metric = page.locator('[data-testid="stMetric"]').filter(has_text="Training time")
        for _ in range(2):  # the first training warms the fresh server up, as fit did above
            page.evaluate("window.curveDraws = 0")
            page.locator(".st-key-train button").click()
            expect(app).to_have_attribute("data-test-script-state", "running")
            wait_idle(page, timeout=300_000)
        value = metric.locator('[data-testid="stMetricValue"]').inner_text()
        draws = page.evaluate("window.curveDraws")
        browser.close()
    return float(value.split()[0]), draws


def main() -> None:
    notebook = replace(SEED_NOTEBOOK, epochs=100)
    engine_time = compare("notebook_100_epochs", notebook)
    compare("small_cnn_5000_rows_10_epochs", replace(SMALL_CNN, epochs=10))
    if "--no-browser" not in sys.argv:
        page_time, draws = browser_seconds(notebook.epochs)
        print(f"notebook_100_epochs in the browser (live curves): {page_time:.2f} s")
        print(f"browser/engine ratio: {page_time / engine_time:.2f}")
        print(f"chart updates: {draws} in {page_time:.2f} s "
              f"({draws / max(page_time, 1e-9):.1f} a second)")  # fmt: skip


if __name__ == "__main__":
    main()
