"""The playground's Keras model and its compiled epoch (TensorFlow: worker processes only).

Like ``nncore.training.engine``: one epoch is one ``tf.function`` call over tensors already in
memory (shuffle, every batch, the losses), because on 250 points Keras's ``fit`` would spend
its time on callbacks, not on learning. A second compiled function evaluates every layer over
the grid at once, for the boundary and the neuron heatmaps of a snapshot.
"""

from __future__ import annotations

import numpy as np

from nncore.keras_runtime import keras, tf
from nncore.optimizers import OPTIMIZERS, Hyper
from nncore.playground.settings import GRID, PlaygroundSpec
from nncore.playground.snapshot import PlayRequest


def regularizer(spec: PlaygroundSpec) -> keras.regularizers.Regularizer | None:
    """The weight penalty the spec names (L1 or L2 at its rate), or None."""
    if spec.reg == "none":
        return None
    return getattr(keras.regularizers, spec.reg.upper())(spec.rate)


def build_model(spec: PlaygroundSpec) -> keras.Sequential:
    """Dense layers on the chosen features; a softmax output for classes, linear for values."""
    seeds = iter(range(spec.seed * 100, spec.seed * 100 + 100))
    model = keras.Sequential(name="playground")
    model.add(keras.Input(shape=(len(spec.features),)))
    for units in spec.units:
        model.add(
            keras.layers.Dense(
                units,
                activation=spec.act,
                kernel_regularizer=regularizer(spec),
                kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            )
        )
    outputs = max(spec.classes, 1)
    model.add(
        keras.layers.Dense(
            outputs,
            activation="softmax" if spec.classes else "linear",
            kernel_regularizer=regularizer(spec),
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        )
    )
    return model


def make_optimizer(spec: PlaygroundSpec) -> keras.optimizers.Optimizer:
    """The optimizer from the shared table, at the spec's learning rate."""
    optimizer = OPTIMIZERS[spec.opt]
    arguments = optimizer.keras_arguments(Hyper(eta=float(spec.lr)))
    return getattr(keras.optimizers, optimizer.keras_class)(**arguments)


class PlaygroundEngine:
    """A model, its optimizer and data as tensors; ``epoch()`` trains one pass over the points."""

    def __init__(self, request: PlayRequest):
        spec = request.spec
        self.spec = spec
        self.model = build_model(spec)
        if request.weights is not None:
            self.model.set_weights(request.weights)
        self.optimizer = make_optimizer(spec)
        self.loss_fn = (
            keras.losses.SparseCategoricalCrossentropy()
            if spec.classes
            else keras.losses.MeanSquaredError()
        )
        label_type = np.int32 if spec.classes else np.float32
        self.x = tf.constant(request.x_train, tf.float32)
        self.y = tf.constant(np.asarray(request.y_train, label_type))
        self.x_test = tf.constant(request.x_test, tf.float32)
        self.y_test = tf.constant(np.asarray(request.y_test, label_type))
        self.x_grid = tf.constant(request.x_grid, tf.float32)
        self.rows = int(request.x_train.shape[0])
        self.batch = max(1, min(int(spec.batch), self.rows))
        self.shuffler = tf.random.Generator.from_seed(spec.seed + request.epoch)
        self.optimizer.build(self.model.trainable_variables)
        self.optimizer._all_reduce_sum_gradients = list  # one replica: see training.engine
        self.outputs: tuple[np.ndarray, np.ndarray] | None = None  # after the latest epoch
        self._epoch = tf.function(self._one_epoch)
        self._grid = tf.function(self._layers_over_grid)

    def _loss(self, y: tf.Tensor, x: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        """Mean loss of the rows (without the penalty), the count answered right, and the
        answers themselves (the worker measures accuracy, R² and RMSE on them)."""
        pred = self.model(x, training=False)
        loss = self.loss_fn(y, pred)
        if self.spec.classes:
            right = tf.reduce_sum(tf.cast(tf.argmax(pred, -1, tf.int32) == y, tf.float32))
        else:
            right = tf.constant(0.0)
        return loss, right, pred

    def _one_epoch(self) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        order = tf.argsort(self.shuffler.uniform([self.rows]))
        variables = self.model.trainable_variables
        for start in tf.range(0, self.rows, self.batch):
            rows = order[start : start + self.batch]
            x, y = tf.gather(self.x, rows), tf.gather(self.y, rows)
            with tf.GradientTape() as tape:
                loss = self.loss_fn(y, self.model(x, training=True))
                if self.model.losses:
                    loss += tf.add_n(self.model.losses)
            grads = tape.gradient(loss, variables)
            self.optimizer.apply_gradients(zip(grads, variables, strict=True))
        # As TensorFlow Playground plots it: the loss of all points after the epoch.
        train_loss, train_right, train_pred = self._loss(self.y, self.x)
        test_loss, test_right, test_pred = self._loss(self.y_test, self.x_test)
        summary = tf.stack(
            [
                train_loss,
                test_loss,
                train_right / float(self.rows),
                test_right / tf.cast(tf.maximum(tf.shape(self.y_test)[0], 1), tf.float32),
            ]
        )
        return summary, train_pred, test_pred

    def _layers_over_grid(self) -> list[tf.Tensor]:
        """Every layer's output over the grid: the hidden neurons, then the answer."""
        outputs, h = [], self.x_grid
        for layer in self.model.layers:
            h = layer(h)
            outputs.append(h)
        return outputs

    def epoch(self) -> tuple[float, float, float, float]:
        """One epoch; (train loss, test loss, train accuracy, test accuracy) after it."""
        summary, train_pred, test_pred = self._epoch()
        # The answers after the epoch, to measure them with ``nncore.playground.metrics``.
        self.outputs = (train_pred.numpy(), test_pred.numpy())
        train_loss, test_loss, train_accuracy, test_accuracy = summary.numpy()
        return float(train_loss), float(test_loss), float(train_accuracy), float(test_accuracy)

    def grids(self) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """The answer (GRID × GRID × outputs) and each hidden layer's (units × GRID × GRID)."""
        layers = [t.numpy() for t in self._grid()]
        output = layers[-1].reshape(GRID, GRID, -1)
        hidden = tuple(a.T.reshape(-1, GRID, GRID).astype(np.float32) for a in layers[:-1])
        return output.astype(np.float32), hidden

    def weights(self) -> list[np.ndarray]:
        return self.model.get_weights()
