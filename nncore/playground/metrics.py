"""How well a playground network answers: accuracy and a confusion matrix for classes, R² and
RMSE for values. Plain numpy, so the worker (which has the predictions) and the tests use the
same arithmetic, and the page only shows numbers it is sent.

Regression has no accuracy; R² plays its part ("share of the spread explained": 1 is perfect,
0 is no better than always answering the mean, below 0 is worse), beside RMSE in the units of
the values themselves, which a student can read off the colour scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def accuracy(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Share of rows whose most probable class is the true one (nan for no rows)."""
    labels = np.asarray(labels).reshape(-1)
    if labels.size == 0:
        return math.nan
    return float(np.mean(np.asarray(probabilities).argmax(axis=-1) == labels))


def confusion_counts(labels: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    """classes × classes counts: row = true class, column = the network's answer.

    Counts, not shares: with a few dozen test points a student can check them against the
    points on the plane."""
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(labels, int), np.asarray(predicted, int)), 1)
    return counts


def r_squared(values: np.ndarray, predictions: np.ndarray) -> float:
    """1 − (squared error) / (spread around the mean). nan when the values do not vary (there is
    nothing to explain) or there are none."""
    values = np.asarray(values, float).reshape(-1)
    predictions = np.asarray(predictions, float).reshape(-1)
    spread = float(np.sum((values - values.mean()) ** 2)) if values.size else 0.0
    if spread == 0.0:
        return math.nan
    return 1.0 - float(np.sum((values - predictions) ** 2)) / spread


def rmse(values: np.ndarray, predictions: np.ndarray) -> float:
    """Root of the mean squared error: the typical miss, in the values' own units."""
    values = np.asarray(values, float).reshape(-1)
    if values.size == 0:
        return math.nan
    return float(np.sqrt(np.mean((values - np.asarray(predictions, float).reshape(-1)) ** 2)))


def score(labels: np.ndarray, outputs: np.ndarray, classes: int) -> float:
    """The one number a run is judged by: accuracy for classes, R² for values (``classes`` 0)."""
    return accuracy(labels, outputs) if classes else r_squared(labels, outputs)


@dataclass(frozen=True)
class PlayMetrics:
    """A playground network's measures after an epoch, on the training and the test points.

    ``classes`` 0 means regression: ``train``/``test`` are R² and the RMSEs are set; otherwise
    they are accuracies and ``confusion`` counts the test points (row true, column answered).
    """

    classes: int
    train: float
    test: float
    train_rmse: float = math.nan
    test_rmse: float = math.nan
    confusion: np.ndarray | None = None


def play_metrics(
    classes: int,
    y_train: np.ndarray,
    out_train: np.ndarray,
    y_test: np.ndarray,
    out_test: np.ndarray,
) -> PlayMetrics:
    """Every measure the page shows, from the labels and the network's outputs."""
    if not classes:
        return PlayMetrics(
            0,
            r_squared(y_train, out_train),
            r_squared(y_test, out_test),
            rmse(y_train, out_train),
            rmse(y_test, out_test),
        )
    predicted = np.asarray(out_test).argmax(axis=-1)
    return PlayMetrics(
        classes,
        accuracy(y_train, out_train),
        accuracy(y_test, out_test),
        confusion=confusion_counts(y_test, predicted, classes),
    )
