"""What crosses between the server and a playground worker: plain numpy data, no TensorFlow.

The server sends a ``PlayRequest`` (the spec, the points already turned into features, and the
weights to continue from); the worker streams ``Snapshot``s, each one the state of the network
after an epoch: the losses since the last snapshot, the network's answer over the plane, what
every hidden neuron computes over the plane, and the weights. The messages that carry them are
listed with every other in ``nncore.workers.messages``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nncore.playground.datasets import RADIUS, Split
from nncore.playground.features import feature_matrix, grid_points
from nncore.playground.metrics import PlayMetrics
from nncore.playground.settings import GRID, PlaygroundSpec
from nncore.playground.stopping import StopRule


@dataclass(frozen=True)
class PlayRequest:
    """A training to run (or continue) in a worker.

    ``x_grid`` is the grid's features (GRID² rows), so the worker never needs the feature table.
    ``weights`` continue an earlier job of the same network (None: fresh, seeded weights);
    ``mode`` is what the worker does first: "play", or "step" (one epoch, then wait).
    ``stop`` is the stop rule still to come (None: play until paused); ``seconds`` the
    training time the network has already had, which its snapshots go on counting.
    """

    spec: PlaygroundSpec
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    x_grid: np.ndarray
    weights: list[np.ndarray] | None = None
    epoch: int = 0
    mode: str = "play"
    stop: StopRule | None = None
    seconds: float = 0.0

    @classmethod
    def for_split(
        cls,
        spec: PlaygroundSpec,
        parts: Split,
        *,
        weights: list[np.ndarray] | None = None,
        epoch: int = 0,
        mode: str = "play",
        stop: StopRule | None = None,
        seconds: float = 0.0,
    ) -> PlayRequest:
        """The request for these points as the page shows them: the spec's features of the
        training and test points and of the plane's grid, so every caller (the page, the
        tests, the benchmarks) trains on exactly what a student sees."""
        f = spec.features
        return cls(
            spec,
            feature_matrix(parts.train.x, f),
            parts.train.y,
            feature_matrix(parts.test.x, f),
            parts.test.y,
            feature_matrix(grid_points(GRID, RADIUS), f),
            weights=weights,
            epoch=epoch,
            mode=mode,
            stop=stop,
            seconds=seconds,
        )


@dataclass(frozen=True)
class Snapshot:
    """The playground's network after ``epoch`` epochs.

    ``losses`` are (epoch, train loss, test loss) rows since the previous snapshot.
    ``output`` is GRID × GRID × C class probabilities (C = 1 for regression: the value);
    ``neurons`` one GRID × GRID array per hidden layer and neuron (layer, unit, row, column);
    ``weights`` the Keras weights, kernel then bias for each Dense layer.
    ``scores`` are (epoch, train, test) rows beside ``losses``: accuracy for classes, R² for
    values; ``metrics`` the measures after ``epoch`` (None before the first epoch);
    ``seconds`` the network's training time so far, all its jobs together.
    """

    epoch: int
    losses: tuple[tuple[int, float, float], ...]
    output: np.ndarray
    neurons: tuple[np.ndarray, ...]
    weights: list[np.ndarray]
    playing: bool
    note: str = ""
    accuracy: tuple[float, float] = field(default=(float("nan"), float("nan")))
    scores: tuple[tuple[int, float, float], ...] = ()
    metrics: PlayMetrics | None = None
    seconds: float = 0.0
