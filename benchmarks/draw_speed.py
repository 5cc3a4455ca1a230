"""Server time per drawing on /draw: MNIST preprocessing plus inference, against model.predict.

Run: ``python benchmarks/draw_speed.py``. Prints ``name: value unit`` lines. The baseline is
the same preprocessing followed by ``model.predict`` (what most tutorials use), measured in the
same run on the same input. Target: median of ours at most 10 ms. The page calls the model
directly inside a graph traced once (``digits.graph_call``); the plain eager call is printed too.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nncore import digits  # noqa: E402
from nncore.train_digits import ASSET  # noqa: E402

RUNS = 200
BASELINE_RUNS = 40
TARGET_MS = 10.0


def canvas_drawing(seed: int) -> np.ndarray:
    """A 280x280 RGBA canvas with a hand-like '7' (jittered per seed), white ink on black."""
    rng = np.random.default_rng(seed)
    points = [(70, 60), (210, 60), (120, 230)]
    jittered = [(x + int(rng.integers(-15, 16)), y + int(rng.integers(-15, 16))) for x, y in points]
    image = Image.new("RGBA", (280, 280), (0, 0, 0, 255))
    ImageDraw.Draw(image).line(jittered, fill=(255, 255, 255, 255), width=22, joint="curve")
    return np.asarray(image)


def median_ms(step, drawings: list[np.ndarray], runs: int) -> float:
    """Median wall time of ``step(drawing)`` in milliseconds, after two warm-up calls."""
    for drawing in drawings[:2]:
        step(drawing)
    times = []
    for i in range(runs):
        drawing = drawings[i % len(drawings)]
        started = time.perf_counter()
        step(drawing)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    model = digits.load_model(str(ASSET))
    drawings = [canvas_drawing(seed) for seed in range(20)]

    def ours(drawing: np.ndarray) -> int:
        x = digits.prepare_drawing(drawing).x
        return int(np.argmax(digits.classify(model, x, (28, 28, 1))))

    def eager_call(drawing: np.ndarray) -> int:
        x = digits.prepare_drawing(drawing).x
        return int(np.argmax(model(x.reshape(1, 28, 28, 1), training=False)[0]))

    def with_predict(drawing: np.ndarray) -> int:
        x = digits.prepare_drawing(drawing).x
        return int(np.argmax(model.predict(x.reshape(1, 28, 28, 1), verbose=0)[0]))

    def preprocessing_only(drawing: np.ndarray) -> None:
        digits.prepare_drawing(drawing)

    assert ours(drawings[0]) == with_predict(drawings[0]), "both paths must give the same answer"
    preprocessing = median_ms(preprocessing_only, drawings, RUNS)
    direct = median_ms(ours, drawings, RUNS)
    eager = median_ms(eager_call, drawings, RUNS)
    baseline = median_ms(with_predict, drawings, BASELINE_RUNS)
    print(f"preprocessing_median: {preprocessing:.2f} ms")
    print(f"preprocess_and_model_call_median: {direct:.2f} ms")
    print(f"preprocess_and_eager_model_call_median: {eager:.2f} ms")
    print(f"preprocess_and_predict_median (baseline): {baseline:.2f} ms")
    print(f"speedup_vs_predict: {baseline / direct:.1f} x")
    print(f"target_met: {direct <= TARGET_MS} (target <= {TARGET_MS:g} ms)")


if __name__ == "__main__":
    main()
