"""The playground's backward pass, worked out in its training worker (TensorFlow: worker only).

The page's backward view needs ∂loss/∂w for every weight and every neuron's δ. They are
computed with ``tf.GradientTape`` on a fixed batch (the first ``batch`` training points) at
the weights the snapshot carries, so what the page draws is exactly what Keras computes, and
the chain rule the page writes for one point adds up to it.

Computing them costs the worker a few milliseconds, and sending them costs the server a
pickle of a few small arrays, so they go only where someone looks: with every snapshot sent
while the network waits (a Step, a Pause, the end of a job), and with every snapshot while
it plays only once the page asked for them with ("backward", True).
"""

from __future__ import annotations

import math
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from nncore.workers.messages import Gradients, Snapshot

if TYPE_CHECKING:
    from nncore.playground.engine import PlaygroundEngine

SNAPSHOT_KINDS = ("snapshot", "released", "stopped")


def batch_gradients(engine: PlaygroundEngine, epoch: int) -> Gradients:
    """∂loss/∂w for every weight and each point's δ = ∂loss/∂net, on the first batch.

    The layers are applied by hand (net = h·W + b, then the activation) so the tape can also
    be asked about each layer's ``net``: the same arithmetic as ``model(x)``, which a test
    checks against a plain ``tape.gradient(loss, model.trainable_variables)``.
    """
    from nncore.keras_runtime import tf

    rows = engine.batch
    x, y = engine.x[:rows], engine.y[:rows]
    variables = engine.model.trainable_variables
    with tf.GradientTape() as tape:
        nets, h = [], x
        for layer in engine.model.layers:
            net = tf.matmul(h, layer.kernel) + layer.bias
            nets.append(net)
            h = layer.activation(net)
        loss = engine.loss_fn(y, h)
        total = loss + tf.add_n(engine.model.losses) if engine.model.losses else loss
    gradients = tape.gradient(total, [*variables, *nets])
    weight_grads = [g.numpy() for g in gradients[: len(variables)]]
    # The loss is the batch's mean: each row's gradient is 1/rows of that point's own δ.
    deltas = tuple(g.numpy() * rows for g in gradients[len(variables) :])
    return Gradients(epoch, rows, float(total), engine.model.get_weights(), weight_grads, deltas)


class _WithGradients:
    """The worker's end of the pipe, sending the backward pass just before each snapshot
    that should carry it, and noting ("backward", on) as it passes (the job's own loop then
    ignores it: it changes nothing about the training)."""

    def __init__(self, conn: Connection, engine: PlaygroundEngine):
        self.conn, self.engine = conn, engine
        self.wanted = False  # the page shows the backward pass: send it while playing too

    def poll(self, timeout: float | None = 0.0) -> bool:
        return self.conn.poll(timeout)

    def recv(self) -> Any:
        message = self.conn.recv()
        if message[0] == "backward":
            self.wanted = bool(message[1])
        return message

    def send(self, message: tuple) -> None:
        if message[0] in SNAPSHOT_KINDS:
            snapshot: Snapshot = message[1]
            if self.wanted or not snapshot.playing:
                gradients = batch_gradients(self.engine, snapshot.epoch)
                # A diverged network has no backward pass worth drawing.
                if math.isfinite(gradients.loss) and all(
                    np.isfinite(g).all() for g in gradients.gradients
                ):
                    self.conn.send(("gradients", gradients))
        self.conn.send(message)


def with_gradients(conn: Connection, engine: PlaygroundEngine) -> Connection:
    """``conn``, sending the backward pass beside the snapshots (see ``_WithGradients``)."""
    return cast(Connection, _WithGradients(conn, engine))
