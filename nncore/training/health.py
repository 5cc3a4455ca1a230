"""How healthy a network's learning is, layer by layer: plain numbers a page can draw.

Backpropagation hands every layer a gradient; the optimizer turns it into an update. Three
classic failures are visible in those numbers long before the loss curve says anything:
gradients that shrink layer after layer (vanishing, typical of sigmoid in deep networks),
updates as large as the weights themselves (the explosion before a divergence) and relu units
that output 0 for every input (dead: they will never learn again). The worker measures them
(``nncore.training.gradients``); this module holds the record and says what it means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

HISTOGRAM_BINS = 30
VANISHING_RATIO = 0.05  # first layer's gradient 20× smaller than the last one's, or less
EXPLODING_UPDATE = 0.5  # an update half the size of the weights it changes
TINY_UPDATE = 1e-5  # updates this small relative to the weights: the layer has stopped learning
DEAD_SHARE = 0.1  # a few dead relu units are normal; a tenth of a layer is worth a sentence


@dataclass(frozen=True)
class Histogram:
    """Counts of values per bin, and how many values were NaN or infinite (left out)."""

    counts: np.ndarray
    edges: np.ndarray
    not_finite: int = 0

    @property
    def centres(self) -> np.ndarray:
        return (self.edges[:-1] + self.edges[1:]) / 2


def histogram(values: np.ndarray, bins: int = HISTOGRAM_BINS) -> Histogram:
    """A histogram that survives a diverging network: non-finite values are counted apart."""
    flat = np.asarray(values, dtype=np.float64).ravel()
    finite = flat[np.isfinite(flat)]
    if finite.size == 0:
        return Histogram(np.zeros(bins, dtype=np.int64), np.linspace(-1, 1, bins + 1), flat.size)
    low, high = float(finite.min()), float(finite.max())
    if low == high:  # all weights equal (zeros initializer): one bin around that value
        low, high = low - 0.5, high + 0.5
    counts, edges = np.histogram(finite, bins=bins, range=(low, high))
    return Histogram(counts, edges, int(flat.size - finite.size))


def norm(values: np.ndarray) -> float:
    """The Euclidean length of a whole weight (or gradient) array."""
    return float(np.sqrt(np.sum(np.square(np.asarray(values, dtype=np.float64)))))


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, infinite when only the denominator is 0 (zero weights)."""
    if denominator == 0:
        return 0.0 if numerator == 0 else math.inf
    return numerator / denominator


@dataclass(frozen=True)
class LayerHealth:
    """One layer with weights: its kernel's size, its gradient's and its last update's.

    ``dead``/``units`` count the relu units that output 0 for every test example (None for a
    layer that is not relu).
    """

    name: str
    weight_norm: float
    gradient_norm: float
    update_norm: float
    weights: Histogram
    gradients: Histogram
    dead: int | None = None
    units: int | None = None

    @property
    def gradient_ratio(self) -> float:
        """|∂loss/∂W| / |W|: how hard the loss pulls on this layer, whatever its size."""
        return ratio(self.gradient_norm, self.weight_norm)

    @property
    def update_ratio(self) -> float:
        """|ΔW| / |W|: how much of the layer the last update rewrote (for one batch's step,
        around 1e-3 is the usual rule of thumb; an epoch's change adds up many steps)."""
        return ratio(self.update_norm, self.weight_norm)


@dataclass(frozen=True)
class NetworkHealth:
    """Every weighted layer after a step, in order from input to output.

    ``span`` says what the update covers: "one batch" after Step one batch, "one epoch" during
    a training (the weights' change over the last epoch).
    """

    layers: tuple[LayerHealth, ...]
    span: str
    batch_loss: float


def layer_health(
    name: str,
    kernel: np.ndarray,
    gradient: np.ndarray,
    previous_kernel: np.ndarray,
    dead: int | None = None,
    units: int | None = None,
) -> LayerHealth:
    """One layer's numbers from its kernel now, its gradient, and its kernel before the step."""
    kernel = np.asarray(kernel)
    return LayerHealth(
        name=name,
        weight_norm=norm(kernel),
        gradient_norm=norm(gradient),
        update_norm=norm(kernel - np.asarray(previous_kernel)),
        weights=histogram(kernel),
        gradients=histogram(gradient),
        dead=dead,
        units=units,
    )


def dead_units(outputs: np.ndarray) -> int:
    """Units (last axis) that output exactly 0 for every row and position: dead relu units."""
    flat = np.asarray(outputs).reshape(-1, np.asarray(outputs).shape[-1])
    return int(np.sum(np.all(flat == 0, axis=0)))


def what_to_look_for(health: NetworkHealth, example: str = "digit") -> str:
    """One sentence for the student: the most telling thing in these numbers, or what to try.
    ``example`` is what one test example is called (a digit, or a row of the visitor's table)."""
    layers = health.layers
    if not layers:
        return "This network has no weights to learn."
    if not math.isfinite(health.batch_loss) or any(
        not math.isfinite(layer.gradient_norm) or not math.isfinite(layer.weight_norm)
        for layer in layers
    ):
        return (
            "The numbers have left the finite range: the updates grew until the weights "
            "overflowed. A smaller learning rate keeps each step a small fraction of the weights."
        )
    huge = [layer.name for layer in layers if layer.update_ratio > EXPLODING_UPDATE]
    if huge:
        return (
            f"Exploding: one step changed {', '.join(huge)} by more than half of its weights. "
            "Steps this large overshoot; this is what a divergence looks like before the loss "
            "becomes NaN. Lower the learning rate."
        )
    dead = [
        (layer.name, layer.dead, layer.units)
        for layer in layers
        if layer.dead and layer.units and layer.dead >= DEAD_SHARE * layer.units
    ]
    if dead:
        name, count, units = max(dead, key=lambda entry: entry[1] / entry[2])
        return (
            f"Dead relu units: {count} of {units} in {name} output 0 for every test {example}, so "
            "their gradient is 0 and they never learn again. A smaller learning rate or "
            "He initialisation keeps more of them alive."
        )
    first, last = layers[0].gradient_ratio, layers[-1].gradient_ratio
    if len(layers) > 2 and last > 0 and first / last < VANISHING_RATIO:
        return (
            f"Vanishing gradients: the first layer's gradient is {last / max(first, 1e-300):,.0f}× "
            "smaller (relative to its weights) than the last one's, so the first layers barely "
            "learn. Each sigmoid or tanh shrinks the gradient passing through it; relu does not."
        )
    if all(layer.update_ratio < TINY_UPDATE for layer in layers):
        return (
            "The updates are tiny compared with the weights: learning has (nearly) stopped. "
            "A larger learning rate, or it has simply converged."
        )
    return f"Healthy: every layer gets a gradient. {update_sentence(health)} " + (
        "Try sigmoid in 5 layers, η = 10, or a relu network with a large η, and watch these bars."
    )


def update_sentence(health: NetworkHealth) -> str:
    """What the update sizes on screen mean, quoting them: the rule of thumb (about 0.001 of
    the weights) is for one batch's step, and an epoch's change adds up many such steps, so
    a healthy training shows more. Saying "0.001 is typical" beside a 0.017 read as a
    contradiction."""
    ratios = [layer.update_ratio for layer in health.layers]
    low, high = min(ratios), max(ratios)
    size = f"{low:.1e}" if f"{low:.1e}" == f"{high:.1e}" else f"{low:.1e} to {high:.1e}"
    if health.span == "one batch":
        return (
            f"This step changed each layer's weights by {size} of their size; around 0.001 "
            "for one batch's step is the usual rule of thumb (the dotted line)."
        )
    return (
        f"Over {health.span} each layer's weights changed by {size} of their size: many "
        "batches' steps added up, so more than the 0.001 (dotted line) typical of one "
        f"batch's step, and far below the {EXPLODING_UPDATE:g} where steps overshoot."
    )


@dataclass(frozen=True)
class StepState:
    """Where a session's stepping stands: weights, optimizer variables and steps taken.

    Plain arrays, kept in the visitor's session between clicks, so momentum and Adam's
    moments carry over from one step to the next exactly as they would inside ``fit``.
    """

    weights: list[np.ndarray]
    optimizer: list[np.ndarray]
    steps: int


@dataclass(frozen=True)
class StepResult:
    state: StepState
    health: NetworkHealth
