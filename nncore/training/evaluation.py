"""What a trained network got right and wrong on the test rows."""

from __future__ import annotations

import numpy as np

from nncore.data.mnist import Split, prepare_split
from nncore.network.spec import NetworkSpec
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


def answer_confidence(probabilities: np.ndarray) -> np.ndarray:
    """How sure the network was of each answer: the probability of the class it answered."""
    return np.asarray(probabilities).max(axis=1)


def cell_rows(
    true: np.ndarray, probabilities: np.ndarray, cell: tuple[int, int], limit: int | None = None
) -> np.ndarray:
    """Test rows of one confusion-matrix cell (true class, answered class), most confident first.

    The most confident come first because a confident mistake is the surprising one, and a
    right answer given with doubt stands out at the end; ``limit`` keeps the first so many.
    """
    answered = np.asarray(probabilities).argmax(axis=1)
    rows = np.flatnonzero((np.asarray(true) == cell[0]) & (answered == cell[1]))
    order = np.argsort(-answer_confidence(probabilities)[rows], kind="stable")
    return rows[order][:limit]


def pictures_of_test_rows(spec: NetworkSpec) -> tuple[np.ndarray, np.ndarray]:
    """The bundled digits' test rows of ``spec`` as 28×28 uint8 pictures, with their labels.

    The worker splits the digits itself and sends back only answers and the few mistakes it
    shows; a page that opens any test digit splits them again, the same way (the split is
    seeded), and compares the labels with the worker's before trusting the pictures. Bytes,
    not floats: a quarter of the memory, for a copy a server may keep for many visitors.
    """
    split = prepare_split(spec)
    pictures = np.rint(split.x_test.reshape(-1, 28, 28) * 255).astype(np.uint8)
    return pictures, split.labels_test
