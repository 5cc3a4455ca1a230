"""Running the optimizers: every chosen optimizer stepped from one start on one function.

The update rules are ``nncore.optimizers``' numpy copies of Keras, so a path here is the path
``keras.optimizers`` would take, computed without TensorFlow in a few milliseconds. A path that
runs away is cut at its last good point, so every plotted number is finite and the page can
say at which step it left.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nncore.descent.functions import Array, Problem
from nncore.optimizers import OPTIMIZERS, Hyper

# How many plotted half-widths from the centre a path may wander before it counts as
# diverged: the view widens to show it up to there, further out the picture would be empty.
FAR = 4.0


@dataclass(frozen=True)
class Path:
    """The points one optimizer visited, cut at the last good point if it diverged."""

    optimizer: str
    points: Array  # (k+1, dim): θ_0 … θ_k
    losses: Array  # f(θ_i)
    diverged_at: int | None  # the step whose result was non-finite or far away, if any

    @property
    def steps(self) -> int:
        return len(self.points) - 1


def _outside(x: Array, center: Array, reach: Array) -> Array:
    with np.errstate(invalid="ignore"):
        inside = np.abs(x - center) <= reach  # NaN compares False, so it counts as outside
    return ~np.all(inside, axis=-1)


def run_all(
    problem: Problem, optimizers: list[str], start: Array, steps: int, hyper: Hyper
) -> dict[str, Path]:
    """Step every optimizer in ``optimizers`` from ``start`` for ``steps`` steps.

    They move in lockstep so one vectorised gradient call serves all of them each step (a
    slider move redraws 6 × 500 steps). A diverging row overflows to inf/NaN without harming
    the others; afterwards each path ends before its first far or non-finite point.
    """
    rules = [OPTIMIZERS[key].update for key in optimizers]
    states: list[dict] = [{} for _ in rules]
    trace = np.empty((steps + 1, len(rules), problem.dim))
    trace[0] = np.asarray(start, dtype=float)
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            grads = problem.gradient(trace[t - 1])
            for i, rule in enumerate(rules):
                trace[t, i] = rule(trace[t - 1, i], grads[i], states[i], t, hyper)
        function = problem.function
        far = _outside(trace, function.center(), FAR * function.half_width())
        far[0] = False  # the start is always drawn, wherever the teacher put it
        first_far = np.where(far.any(axis=0), far.argmax(axis=0), steps + 1)
        losses = np.asarray(problem.value(trace), dtype=float)
    return {
        key: Path(
            key,
            trace[: first_far[i], i].copy(),
            losses[: first_far[i], i].copy(),
            None if first_far[i] > steps else int(first_far[i]),
        )
        for i, key in enumerate(optimizers)
    }


def run(problem: Problem, optimizer: str, start: Array, steps: int, hyper: Hyper) -> Path:
    """One optimizer's path (see ``run_all``)."""
    return run_all(problem, [optimizer], start, steps, hyper)[optimizer]
