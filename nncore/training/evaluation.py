"""What a trained network got right and wrong on the test rows."""

from __future__ import annotations

import numpy as np

from nncore.data.mnist import Split
from nncore.training.run import Evaluation


def confusion_matrix(true: np.ndarray, predicted: np.ndarray, classes: int = 10) -> np.ndarray:
    """counts[t, p]: how often digit t was answered as p."""
    counts = np.zeros((classes, classes), dtype=int)
    np.add.at(counts, (true, predicted), 1)
    return counts


def misclassified(true: np.ndarray, predicted: np.ndarray, limit: int = 24) -> np.ndarray:
    """Indices of the first ``limit`` wrong answers, one digit class after another, so the
    grid shows the variety of mistakes rather than twenty confusions of the same pair."""
    wrong = np.flatnonzero(true != predicted)
    rank = np.zeros(len(wrong), dtype=int)
    for digit in np.unique(true[wrong]):
        mask = true[wrong] == digit
        rank[mask] = np.arange(mask.sum())
    return wrong[np.lexsort((true[wrong], rank))][:limit]


def evaluate(probabilities: np.ndarray, split: Split) -> Evaluation:
    """The test rows' answers, their labels and the mistakes to show, from the split trained on."""
    labels = split.labels_test
    mistakes = misclassified(labels, probabilities.argmax(axis=1))
    return Evaluation(probabilities, labels, mistakes, split.x_test[mistakes])
