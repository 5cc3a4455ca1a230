"""A training as a page sees it: its epochs so far, its state, and what it left behind.

Plain data, no TensorFlow: the worker that trains streams ``EpochRecord``s and, at the end, the
trained weights and how the network did on the test rows; the page keeps them in the visitor's
session and draws everything (curves, the η marks, the confusion matrix) from them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from nncore.network.spec import NetworkSpec
from nncore.training.health import NetworkHealth

State = Literal["queued", "running", "paused", "stopped", "done", "diverged", "failed"]
ACTIVE_STATES = ("queued", "running", "paused")
OVER_STATES = ("stopped", "done", "diverged", "failed")


@dataclass(frozen=True)
class EpochRecord:
    """What one epoch did: train metrics (averaged over its batches, as ``fit`` reports them),
    test metrics after it, the learning rate it used and its wall time."""

    epoch: int
    loss: float
    accuracy: float
    val_loss: float
    val_accuracy: float
    lr: float
    seconds: float

    @property
    def finite(self) -> bool:
        return math.isfinite(self.loss) and math.isfinite(self.val_loss)


@dataclass(frozen=True)
class Evaluation:
    """How the trained network did on the test rows, as the worker measured it.

    It carries what the confusion matrix and the mistakes grid need, so the page never splits
    the data again to find the test rows: ``mistakes`` are rows of the test set answered
    wrongly (a variety of classes first), ``mistake_images`` their inputs.
    """

    probabilities: np.ndarray
    labels: np.ndarray
    mistakes: np.ndarray
    mistake_images: np.ndarray

    @property
    def predicted(self) -> np.ndarray:
        return self.probabilities.argmax(axis=1)


@dataclass
class TrainingRun:
    """One training of one spec: history, state and result, kept in the visitor's session.

    ``state`` moves queued → running ⇄ paused → stopped/done/diverged (or failed, when the
    worker died). A run that is over stays over: a Pause or Stop click that arrives after the
    last epoch has nothing left to change.
    """

    spec: NetworkSpec
    run_id: str
    history: list[EpochRecord] = field(default_factory=list)
    state: State = "queued"
    message: str = ""
    weights: list[np.ndarray] | None = None
    test: Evaluation | None = None
    wall_seconds: float = 0.0  # from the first epoch's start to the last one's record
    health: NetworkHealth | None = None  # the latest gradient measurement (not kept on disk)

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def over(self) -> bool:
        return self.state in OVER_STATES

    @property
    def diverged(self) -> bool:
        return self.state == "diverged"

    @property
    def epochs_done(self) -> int:
        return len(self.history)

    @property
    def has_model(self) -> bool:
        """Whether the trained weights came back (a finished, stopped or diverged run)."""
        return self.weights is not None

    @property
    def lr_changes(self) -> list[tuple[int, float]]:
        """(epoch, new η) wherever the learning rate changed during training."""
        return [
            (now.epoch, now.lr)
            for before, now in zip(self.history, self.history[1:], strict=False)
            if now.lr != before.lr
        ]

    def settle(self, state: State) -> bool:
        """Move to ``state`` unless the run is already over; say whether it moved."""
        if self.over or state == self.state:
            return False
        self.state = state
        return True

    def finish(
        self, state: State, weights: list[np.ndarray], test: Evaluation | None = None
    ) -> bool:
        """The worker's last word: the run ends in ``state`` with what it left behind.

        Whatever was clicked meanwhile (a Pause, a Stop still on its way), an active run ends
        here; a run that is already over (failed, or stopped while queued) stays as it is.
        """
        if self.over or state not in OVER_STATES:
            return False
        self.weights, self.test, self.state = weights, test, state
        return True

    def seconds(self) -> float:
        return sum(record.seconds for record in self.history)

    def test_accuracy(self) -> float:
        finite = [r.val_accuracy for r in self.history if r.finite]
        return finite[-1] if finite else float("nan")
