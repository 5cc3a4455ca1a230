"""How close the up-front cost of a training is to its real epochs (``nncore.training.cost``).

A training estimated beyond ``MAX_TRAINING_SECONDS`` is refused before it starts, so the
estimate decides who may train: it must not refuse what a lesson trains, nor let through what
would hold a trainer for hours. For a range of networks (dense and convolutional, batches of
1 to 64), one epoch is timed in the epoch engine, in this process, with as many TensorFlow
threads as a trainer gets here, after a first epoch that traces the graph; the estimate is
printed beside it with their ratio. The baseline is the notebook network, measured in the same
run. Target: every ratio within 0.5–2, printed with "met" or "MISSED".
Run: .venv/bin/python benchmarks/training_estimate.py [rounds]
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness import ratio, verdict  # noqa: E402

from nncore.network.spec import SEED_NOTEBOOK, SMALL_CNN, LayerSpec, NetworkSpec  # noqa: E402
from nncore.training.cost import epoch_seconds  # noqa: E402
from nncore.training.engine import EpochEngine  # noqa: E402

LOW, HIGH = 0.5, 2.0
WIDE_CONV = LayerSpec("conv", filters=64, kernel="3")
NETWORKS = {
    "notebook (baseline)": SEED_NOTEBOOK,
    "notebook, batch 1": replace(SEED_NOTEBOOK, rows=1000, batch=1),
    "one small dense layer, batch 2": NetworkSpec(
        layers=(LayerSpec("dense", units=32),), rows=2000, batch=2
    ),
    "two dense layers of 1024": NetworkSpec(
        layers=(LayerSpec("dense", units=1024),) * 2, rows=5000, batch=64
    ),
    "small CNN": SMALL_CNN,
    "small CNN, batch 8": replace(SMALL_CNN, rows=1000, batch=8),
    "two 64-filter convolutions, batch 1": NetworkSpec(
        layers=(WIDE_CONV, WIDE_CONV, LayerSpec("dense", units=64)), rows=500, test=0.1, batch=1
    ),
}


def measured_epoch(spec: NetworkSpec, rounds: int) -> float:
    """The median time of ``rounds`` epochs, after one that traces the graph."""
    engine = EpochEngine.for_spec(replace(spec, epochs=rounds + 1))
    engine.run_epoch(1)
    times = []
    for epoch in range(2, rounds + 2):
        started = time.perf_counter()
        engine.run_epoch(epoch)
        times.append(time.perf_counter() - started)
    engine.release()
    return statistics.median(times)


def main(rounds: int = 3) -> None:
    print(f"epochs timed per network: {rounds} (median)")
    baseline = measured_epoch(SEED_NOTEBOOK, rounds)
    print(f"baseline, the notebook network's epoch: {baseline * 1000:.1f} ms")
    worst_low, worst_high = float("inf"), 0.0
    for name, spec in NETWORKS.items():
        measured = measured_epoch(spec, rounds)
        estimated = epoch_seconds(spec)
        share = ratio(estimated, measured)
        worst_low, worst_high = min(worst_low, share), max(worst_high, share)
        print(
            f"{name}: measured {measured:.3f} s, estimated {estimated:.3f} s, "
            f"estimate/measured {share:.2f}, epoch vs baseline {ratio(measured, baseline):.1f}x"
        )
    met = worst_low >= LOW and worst_high <= HIGH
    print(
        f"estimate/measured range: {worst_low:.2f}-{worst_high:.2f} "
        f"(target {LOW}-{HIGH}): {verdict(met)}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
