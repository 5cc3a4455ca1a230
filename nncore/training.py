"""The training engine: ``model.fit``'s semantics without its per-epoch overhead.

On the notebook's small data, ``fit`` spends most of an epoch on callbacks, iterator set-up
and a separate evaluation pass. Here one epoch is one compiled ``tf.function`` call over
tensors already in memory: shuffle, every batch (the last one partial, as in ``fit``), the
running train loss and accuracy weighted by batch size, and the test metrics, all inside the
graph. The same model, optimizer, loss and metric definitions as ``fit`` are used.

A ``TrainingRun`` keeps everything a page must not lose when Streamlit interrupts its script
(Stop, Pause, a slider moved): the model, the history so far and what to do next.
"""

from __future__ import annotations

import math
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np

from nncore.data import Split, prepare_split
from nncore.keras_runtime import keras, tf
from nncore.model import build_model
from nncore.spec import NetworkSpec


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


class EpochEngine:
    """Runs epochs of a compiled Keras model on in-memory data, one graph call per epoch."""

    def __init__(self, model: keras.Model, split: Split, batch_size: int, seed: int = 0):
        self.model = model
        self.optimizer = model.optimizer
        self.loss_fn = keras.losses.get(model.loss)
        self.batch_size = int(batch_size)
        self.x = tf.constant(split.x_train)
        self.y = tf.constant(split.y_train)
        self.x_test = tf.constant(split.x_test)
        self.y_test = tf.constant(split.y_test)
        self.rows = int(split.x_train.shape[0])
        self.shuffler = tf.random.Generator.from_seed(seed)
        self.optimizer.build(model.trainable_variables)
        if not tf.distribute.has_strategy():
            # With one replica, summing gradients over replicas changes nothing, and
            # TensorFlow's all-reduce registers a gradient function at every trace that is
            # never freed: about 5 MB a training, which a classroom's server would pile up.
            self.optimizer._all_reduce_sum_gradients = list
        self._epoch = tf.function(self._one_epoch)

    @property
    def learning_rate(self) -> float:
        return float(keras.ops.convert_to_numpy(self.optimizer.learning_rate))

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        # A variable in the graph, so the next epoch uses it without retracing.
        self.optimizer.learning_rate = value

    def _metrics(self, y_true: tf.Tensor, y_pred: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """Summed per-sample loss and count of correct answers (argmax match)."""
        losses = self.loss_fn(y_true, y_pred)
        correct = tf.cast(tf.argmax(y_pred, axis=-1) == tf.argmax(y_true, axis=-1), tf.float32)
        return tf.reduce_sum(losses), tf.reduce_sum(correct)

    def _one_epoch(self) -> tf.Tensor:
        order = tf.argsort(self.shuffler.uniform([self.rows]))
        loss_sum = tf.constant(0.0)
        correct = tf.constant(0.0)
        variables = self.model.trainable_variables
        for start in tf.range(0, self.rows, self.batch_size):
            batch = order[start : start + self.batch_size]
            x = tf.gather(self.x, batch)
            y = tf.gather(self.y, batch)
            with tf.GradientTape() as tape:
                pred = self.model(x, training=True)
                loss = tf.reduce_mean(self.loss_fn(y, pred))
            grads = tape.gradient(loss, variables)
            self.optimizer.apply_gradients(zip(grads, variables, strict=True))
            batch_loss, batch_correct = self._metrics(y, pred)
            loss_sum += batch_loss
            correct += batch_correct
        test_loss, test_correct = self._metrics(
            self.y_test, self.model(self.x_test, training=False)
        )
        rows = float(self.rows)
        tests = tf.cast(tf.shape(self.y_test)[0], tf.float32)
        return tf.stack([loss_sum / rows, correct / rows, test_loss / tests, test_correct / tests])

    def run_epoch(self, epoch: int) -> EpochRecord:
        """Train one epoch and measure it."""
        lr = self.learning_rate
        started = time.perf_counter()
        loss, accuracy, val_loss, val_accuracy = (float(v) for v in self._epoch().numpy())
        seconds = time.perf_counter() - started
        return EpochRecord(epoch, loss, accuracy, val_loss, val_accuracy, lr, seconds)

    def release(self) -> None:
        """Drop the compiled graph and the training tensors once no epoch will follow.

        A finished run stays in its visitor's session (for the charts and the Draw page);
        without this, every finished run would keep a traced graph alive until the session ends.
        """
        self._epoch = None
        self.x = self.y = None

    def predict_test(self) -> np.ndarray:
        """Class probabilities for the test rows (calling the model directly: no predict loop)."""
        return keras.ops.convert_to_numpy(self.model(self.x_test, training=False))


def divergence_message(record: EpochRecord, spec: NetworkSpec) -> str:
    """Why training stopped on a non-finite loss, in words a student can act on."""
    return (
        f"Training stopped at epoch {record.epoch}: the loss became {record.loss:g}. The steps "
        f"were too big for this network: with learning rate η = {record.lr:g} the weights grew "
        "without bound instead of settling. Try a learning rate 10× smaller, or Adam."
        if spec.lr >= 0.05 or record.lr >= 0.05
        else f"Training stopped at epoch {record.epoch}: the loss became {record.loss:g} "
        "(numbers overflowed). Try a smaller learning rate or a different activation."
    )


def training_diagnosis(history: list[EpochRecord], spec: NetworkSpec) -> str | None:
    """A plain explanation when a finished training did not learn, or None when it did.

    Cross-entropy is computed from the softmax's inputs, so a learning rate far too high does
    not always reach NaN: the loss can stay finite but huge while accuracy sits at chance.
    """
    if len(history) < 2 or not history[-1].finite:
        return None
    first, last = history[0], history[-1]
    if last.loss > 2 * first.loss and last.loss > 1:
        return (
            f"The loss grew from {first.loss:.3g} to {last.loss:.3g} instead of falling: with "
            f"η = {last.lr:g} each step jumps past the valley of the loss and lands higher up. "
            "Try a learning rate 10× smaller."
        )
    hardly_moved = last.loss > 0.9 * first.loss
    too_big = last.lr >= 0.5
    if last.accuracy < 0.2:
        reasons = []
        if any(layer.init == "zeros" for layer in spec.layers if layer.type in ("dense", "conv")):
            reasons.append("all-zero initial weights keep every neuron of a layer identical")
        if any(layer.type == "dense" and layer.units == 1 for layer in spec.layers):
            reasons.append("a one-neuron layer squeezes each digit into one number")
        if hardly_moved and last.lr < 1e-3:
            reasons.append(f"η = {last.lr:g} moves the weights too little to get anywhere")
        if too_big:
            reasons.append(f"η = {last.lr:g} makes every step overshoot, so nothing settles")
        because = "; ".join(reasons) or "the settings keep the network from learning"
        return (
            f"Training accuracy is {last.accuracy:.0%}, about what guessing gives (10%): {because}."
        )
    if hardly_moved and len(history) >= 5:
        if too_big:
            return (
                f"The loss bounced around ({first.loss:.3g} → {last.loss:.3g}) instead of "
                f"falling: η = {last.lr:g} is so large that steps overshoot. Try 10× smaller."
            )
        return (
            f"The loss hardly moved ({first.loss:.3g} → {last.loss:.3g}): η = {last.lr:g} is "
            "too small for this many epochs. Try a larger learning rate or more epochs."
        )
    return None


@dataclass
class TrainingRun:
    """One training of one spec, kept in a visitor's session between reruns.

    ``state`` is "running", "paused", "stopped", "done" or "diverged"; everything shown after
    training (curves, marks where η changed, the final model) is derived from ``history``.
    """

    spec: NetworkSpec
    split: Split
    engine: EpochEngine
    history: list[EpochRecord] = field(default_factory=list)
    state: str = "running"
    message: str = ""
    wall_seconds: float = 0.0  # training as the visitor saw it, chart updates included
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    _test_probabilities: np.ndarray | None = None

    def test_probabilities(self) -> np.ndarray:
        """Class probabilities for the test rows, computed once the run is over."""
        if self._test_probabilities is None or self.active:
            self._test_probabilities = self.engine.predict_test()
        return self._test_probabilities

    @classmethod
    def start(cls, spec: NetworkSpec) -> TrainingRun:
        split = prepare_split(spec)
        model = build_model(spec)
        return cls(spec, split, EpochEngine(model, split, spec.batch, seed=spec.seed))

    @property
    def model(self) -> keras.Model:
        return self.engine.model

    @property
    def input_shape(self) -> tuple[int, ...]:
        return self.spec.input_shape

    @property
    def diverged(self) -> bool:
        return self.state == "diverged"

    @property
    def epochs_done(self) -> int:
        return len(self.history)

    @property
    def active(self) -> bool:
        return self.state == "running"

    @property
    def lr_changes(self) -> list[tuple[int, float]]:
        """(epoch, new η) wherever the learning rate changed during training."""
        return [
            (now.epoch, now.lr)
            for before, now in zip(self.history, self.history[1:], strict=False)
            if now.lr != before.lr
        ]

    def step(self) -> EpochRecord:
        """Train the next epoch, record it, and settle the state if that was the last one."""
        record = self.engine.run_epoch(self.epochs_done + 1)
        self.history.append(record)
        if not record.finite:
            self.message = divergence_message(record, self.spec)
            self.settle("diverged")
        elif self.epochs_done >= self.spec.epochs:
            self.settle("done")
        return record

    def settle(self, state: str) -> None:
        """Move to ``state``; a run that is over lets go of what only training needed.

        A run that is over stays over: a Pause or Stop click that arrives after the last epoch
        has nothing left to pause.
        """
        if self.state not in ("running", "paused"):
            return
        self.state = state
        if state in ("done", "stopped", "diverged"):
            self.engine.release()

    def seconds(self) -> float:
        return sum(record.seconds for record in self.history)

    def test_accuracy(self) -> float:
        finite = [r.val_accuracy for r in self.history if r.finite]
        return finite[-1] if finite else float("nan")


def trainer_slots() -> int:
    """How many trainings may run at once: ``PLAYGROUND_TRAINERS`` or one per core.

    More than the cores makes every training slower without finishing any sooner, and leaves
    no core for the visitors who are only drawing or exploring.
    """
    from nncore.keras_runtime import CORES

    try:
        return max(1, int(os.environ.get("PLAYGROUND_TRAINERS", CORES)))
    except ValueError:
        return CORES


class TrainerQueue:
    """At most ``slots`` trainings at once for the whole process; the rest wait in arrival order.

    Shared by every visitor (it holds no user data, only opaque tickets). A waiting ticket
    that has not asked for a while belongs to a visitor who left, and gives up its place.
    """

    def __init__(self, slots: int, patience: float = 10.0):
        self.slots = max(1, slots)
        self.patience = patience
        self._lock = threading.Lock()
        self._waiting: OrderedDict[Hashable, float] = OrderedDict()
        self._active: set[Hashable] = set()

    def try_start(self, ticket: Hashable) -> bool:
        """Take a training slot if ``ticket`` is at the front and one is free; else keep its place."""
        with self._lock:
            if ticket in self._active:
                return True
            now = time.monotonic()
            for other, seen in list(self._waiting.items()):
                if now - seen > self.patience and other != ticket:
                    del self._waiting[other]
            self._waiting[ticket] = now
            free = self.slots - len(self._active)
            if free > 0 and ticket in list(self._waiting)[:free]:
                del self._waiting[ticket]
                self._active.add(ticket)
                return True
            return False

    def ahead_of(self, ticket: Hashable) -> int:
        """How many visitors wait in front of ``ticket``."""
        with self._lock:
            order = list(self._waiting)
            return order.index(ticket) if ticket in order else 0

    def finish(self, ticket: Hashable) -> None:
        """Give the slot (or the place in the queue) back."""
        with self._lock:
            self._active.discard(ticket)
            self._waiting.pop(ticket, None)

    @property
    def busy(self) -> int:
        with self._lock:
            return len(self._active)


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
