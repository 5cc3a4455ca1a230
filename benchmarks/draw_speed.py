"""Time per drawing on /draw without the browser: MNIST preprocessing plus the network's answer.

Ours is what the page does: ``prepare_drawing`` in the web server, then
``nncore.workers.client.answer(BUNDLED, x)``, which sends the 28×28 input to the inference
worker (a separate process holding TensorFlow) and brings back the probabilities and every
weighted layer's output. The baselines call the same bundled Keras model in this process, after
the same preprocessing: ``model.predict`` (what most tutorials use), a direct call
``model(x, training=False)`` (what a competent engineer would write), and the direct call plus
each layer's output (the same work the worker does, with ``nncore.digits.inference``).
All four run on the same 20 drawings, warmed up first, in alternation, so load on the machine
hits all of them alike. Target: ours at most 10 ms median, printed with "met" or "MISSED".
Run: .venv/bin/python benchmarks/draw_speed.py [rounds]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness import percentile, verdict  # noqa: E402

from nncore.digits.bundled import ASSET  # noqa: E402
from nncore.digits.preprocess import prepare_drawing  # noqa: E402
from nncore.workers.client import answer, inference_service  # noqa: E402
from nncore.workers.messages import BUNDLED  # noqa: E402

TARGET_MS = 10.0
WARM_UP = 5


def canvas_drawing(seed: int) -> np.ndarray:
    """A 280x280 RGBA canvas with a hand-like '7' (jittered per seed), white ink on black."""
    rng = np.random.default_rng(seed)
    points = [(70, 60), (210, 60), (120, 230)]
    jittered = [(x + int(rng.integers(-15, 16)), y + int(rng.integers(-15, 16))) for x, y in points]
    image = Image.new("RGBA", (280, 280), (0, 0, 0, 255))
    ImageDraw.Draw(image).line(jittered, fill=(255, 255, 255, 255), width=22, joint="curve")
    return np.asarray(image)


def network_input(drawing: np.ndarray) -> np.ndarray:
    """The 28×28 input the page makes of a drawing (every drawing here is a usable '7')."""
    x = prepare_drawing(drawing).x
    if x is None:
        raise RuntimeError("a benchmark drawing could not be classified")
    return x


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    from nncore.digits.inference import classify, layer_activations, load_model

    model = load_model(str(ASSET))  # in this process, for the baselines
    started = time.perf_counter()
    inference_service().call("answer", BUNDLED, np.zeros((28, 28), np.float32))
    print(
        f"inference_worker_start: {time.perf_counter() - started:.1f} s (TensorFlow import, "
        "model load and warm-up, once per server)"
    )
    drawings = [canvas_drawing(seed) for seed in range(20)]

    def worker(drawing: np.ndarray) -> int:
        x = network_input(drawing)
        return int(np.argmax(answer(BUNDLED, x).probabilities))

    def direct_call(drawing: np.ndarray) -> int:
        x = network_input(drawing)
        return int(np.argmax(model(x.reshape(1, 28, 28, 1), training=False)[0]))

    def direct_call_and_layers(drawing: np.ndarray) -> int:
        x = network_input(drawing)
        probabilities = classify(model, x, (28, 28, 1))
        layer_activations(model, x, (28, 28, 1))
        return int(np.argmax(probabilities))

    def predict(drawing: np.ndarray) -> int:
        x = network_input(drawing)
        return int(np.argmax(model.predict(x.reshape(1, 28, 28, 1), verbose=0)[0]))

    def preprocessing(drawing: np.ndarray) -> int:
        prepare_drawing(drawing)
        return 0

    steps: dict[str, Callable[[np.ndarray], int]] = {
        "preprocessing_only": preprocessing,
        "ours_worker_answer": worker,
        "in_process_direct_call": direct_call,
        "in_process_direct_call_and_layers": direct_call_and_layers,
        "in_process_predict": predict,
    }
    answers = {
        name: step(drawings[0]) for name, step in steps.items() if name != "preprocessing_only"
    }
    assert len(set(answers.values())) == 1, f"the paths disagree: {answers}"
    for step in steps.values():
        for drawing in drawings[:WARM_UP]:
            step(drawing)
    times: dict[str, list[float]] = {name: [] for name in steps}
    names = list(steps)
    for i in range(rounds):
        drawing = drawings[i % len(drawings)]
        for name in names[i % len(names) :] + names[: i % len(names)]:  # rotate who goes first
            begun = time.perf_counter()
            steps[name](drawing)
            times[name].append(1000 * (time.perf_counter() - begun))
    for name, values in times.items():
        print(
            f"{name}_median: {statistics.median(values):.2f} ms "
            f"(p95 {percentile(values, 95):.2f} ms, {len(values)} drawings)"
        )
    ours = statistics.median(times["ours_worker_answer"])
    for name in (
        "in_process_direct_call",
        "in_process_direct_call_and_layers",
        "in_process_predict",
    ):
        print(f"ratio ours/{name}: {ours / statistics.median(times[name]):.2f}")
    print(
        f"target: ours {ours:.2f} ms median, at most {TARGET_MS:g} ms: {verdict(ours <= TARGET_MS)}"
    )


if __name__ == "__main__":
    main()
