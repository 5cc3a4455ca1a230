"""The epoch engine: ``model.fit``'s semantics without its per-epoch overhead (TensorFlow).

On the notebook's small data, ``fit`` spends most of an epoch on callbacks, iterator set-up
and a separate evaluation pass. Here one epoch is one compiled ``tf.function`` call over
tensors already in memory: shuffle, every batch (the last one partial, as in ``fit``), the
running train loss and accuracy weighted by batch size, and the test metrics, all inside the
graph. The same model, optimizer, loss and metric definitions as ``fit`` are used.

Imported only in worker processes and by the command line: never by the web server.
"""

from __future__ import annotations

import time

import numpy as np

from nncore.data.mnist import Split, prepare_split
from nncore.keras_runtime import keras, tf
from nncore.network.model import build_model
from nncore.network.spec import NetworkSpec
from nncore.training.run import EpochRecord


class EpochEngine:
    """Runs epochs of a compiled Keras model on in-memory data, one graph call per epoch."""

    @classmethod
    def for_spec(cls, spec: NetworkSpec, split: Split | None = None) -> EpochEngine:
        """A fresh model for ``spec`` on its data split (the bundled digits' unless ``split``
        is given: an uploaded file's rows), ready for epoch 1."""
        split = prepare_split(spec) if split is None else split
        return cls(build_model(spec), split, spec.batch, seed=spec.seed)

    def __init__(self, model: keras.Model, split: Split, batch_size: int, seed: int = 0):
        self.model = model
        self.optimizer = model.optimizer
        self.loss_fn = keras.losses.get(model.loss)
        self.batch_size = int(batch_size)
        self._split: Split | None = split  # numpy too, for the gradient measurements
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
    def split(self) -> Split:
        """The data as numpy, for the gradient measurements between epochs (until ``release``)."""
        if self._split is None:
            raise RuntimeError("the engine was released: its data is gone")
        return self._split

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

    def save_state(self) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
        """Everything the next epoch depends on, as numpy: the weights, the optimizer's
        variables (its step count, learning rate, moments) and the shuffler's state. A training
        that gives its worker to someone else resumes from this on any worker."""
        optimizer = [keras.ops.convert_to_numpy(v) for v in self.optimizer.variables]
        return self.model.get_weights(), optimizer, self.shuffler.state.numpy()

    def restore_state(
        self, weights: list[np.ndarray], optimizer: list[np.ndarray], shuffler: np.ndarray
    ) -> None:
        """Continue from ``save_state``'s arrays, as if the epochs had run here."""
        self.model.set_weights(weights)
        for variable, value in zip(self.optimizer.variables, optimizer, strict=True):
            variable.assign(value)
        self.shuffler.reset(shuffler)

    def release(self) -> None:
        """Drop the compiled graph and the training tensors once no epoch will follow.

        A worker runs many trainings in turn; without this, each would keep a traced graph
        alive until the worker is recycled.
        """
        self._epoch = None
        self.x = self.y = self._split = None

    def predict_test(self) -> np.ndarray:
        """Class probabilities for the test rows (calling the model directly: no predict loop)."""
        return keras.ops.convert_to_numpy(self.model(self.x_test, training=False))
