"""Teaching the network a visitor's drawings: fine-tuning a private copy without forgetting.

Training on a handful of drawings alone would make the network forget everything else
("catastrophic forgetting"), so the drawings are mixed with real MNIST digits. Runs in a
training worker; TensorFlow is imported inside ``fine_tune`` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from nncore.data.mnist import Split, one_hot
from nncore.digits.preprocess import FIELD

if TYPE_CHECKING:
    import keras


def fine_tune_batch(
    drawings: np.ndarray,
    labels: np.ndarray,
    mnist_x: np.ndarray,
    mnist_y: np.ndarray,
    rng: np.random.Generator,
    mnist_per_drawing: int = 4,
) -> tuple[np.ndarray, np.ndarray]:
    """The user's drawings mixed with random MNIST rows, shuffled.

    Training on a handful of drawings alone would make the network forget everything else
    ("catastrophic forgetting"); mixing in real MNIST digits keeps its old skills.
    """
    count = min(len(mnist_x), max(16, mnist_per_drawing * len(drawings)))
    pick = rng.choice(len(mnist_x), size=count, replace=False)
    x = np.concatenate(
        [drawings.reshape(-1, FIELD, FIELD), mnist_x[pick].reshape(-1, FIELD, FIELD)]
    )
    y = np.concatenate([labels, mnist_y[pick]]).astype(np.int64)
    order = rng.permutation(len(x))
    return x[order].astype(np.float32), y[order]


def fine_tune(
    model: keras.Model,
    drawings: np.ndarray,
    labels: np.ndarray,
    mnist_x: np.ndarray,
    mnist_y: np.ndarray,
    input_shape: Sequence[int] = (28, 28, 1),
    steps: int = 12,
    learning_rate: float = 3e-4,
    seed: int = 0,
) -> list[float]:
    """Train ``model`` in place for a few steps on the drawings mixed with MNIST; return losses.

    Give it a private copy (``inference.private_copy``), never a shared model. A small
    learning rate and a few steps nudge the network towards the corrected drawings without wrecking what it knew.
    It runs on the playground's training engine: each step is one epoch over the same mixed
    batch, reshuffled, so ``steps`` is the number of optimizer updates.
    """
    from nncore.keras_runtime import keras
    from nncore.training.engine import EpochEngine

    rng = np.random.default_rng(seed)
    shape = tuple(input_shape)
    x, y = fine_tune_batch(drawings, labels, mnist_x, mnist_y, rng)
    x = x.reshape((len(x), *shape))
    # The engine reports test metrics every epoch; the drawings themselves are the test here.
    split = Split(x, one_hot(y), x[: len(drawings)], one_hot(np.asarray(labels, dtype=np.int64)))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="categorical_crossentropy")
    engine = EpochEngine(model, split, batch_size=len(x), seed=seed)
    losses = [engine.run_epoch(step).loss for step in range(1, steps + 1)]
    engine.release()
    return losses
