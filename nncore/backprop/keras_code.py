"""The page's network written as Keras code that computes the same gradients with
``tf.GradientTape``, so a student sees the hand-worked chain rule is what TensorFlow does.

The text is only shown (the page never imports TensorFlow); the tests run it and compare its
gradients with ``passes.backward``. It uses float64 so all nine digits agree with the page,
writes the loss as explicit TensorFlow ops (the page's ½Σ is not Keras's mean squared error),
and holds every number as Python writes it, so pasting it reproduces the page exactly.
"""

from __future__ import annotations

import numpy as np

from nncore.backprop.losses import loss_for
from nncore.backprop.network import Network, Parameter


def literal(array: np.ndarray) -> str:
    """A numpy array as the shortest code that recreates it exactly."""
    if array.ndim == 1:
        return "[" + ", ".join(repr(float(x)) for x in array) + "]"
    return "[" + ", ".join(literal(row) for row in array) + "]"


def gradient_index(p: Parameter) -> str:
    """Where ``p``'s gradient sits in ``grads``: kernels are [from, to], biases [to]."""
    position = (0 if p.layer == "hidden" else 2) + (1 if p.is_bias else 0)
    index = f"{p.neuron}" if p.is_bias else f"{p.source}, {p.neuron}"
    return f"grads[{position}][{index}]"


def keras_snippet(network: Network, selected: Parameter | None = None) -> str:
    """Keras code for this network, its loss, its gradients and one gradient-descent step."""
    n_in, n_hidden, n_out = network.shape
    loss = loss_for(network.loss, network.output)
    hidden_names = ", ".join(f"h{j + 1}" for j in range(n_hidden))
    output_names = ", ".join(f"o{k + 1}" for k in range(n_out))
    p = selected or network.parameters[0]
    if network.update_biases:
        chosen, step_grads, step_comment = (
            "model.trainable_variables",
            "grads",
            "every weight and bias",
        )
    else:
        chosen = "model.trainable_variables[::2]"
        step_grads, step_comment = "grads[::2]", "the kernels only: the biases stay"
    return f"""\
import numpy as np
import tensorflow as tf
import keras

# The page's network; float64 so every digit agrees with the page
model = keras.Sequential([
    keras.Input(shape=({n_in},), dtype="float64"),
    keras.layers.Dense({n_hidden}, activation="{network.hidden_activation}", dtype="float64"),  # {hidden_names}
    keras.layers.Dense({n_out}, activation="{network.output}", dtype="float64"),  # {output_names}
])
# Keras keeps a Dense kernel as [from, to]: the page's weights, transposed
model.layers[0].set_weights([np.array({literal(network.hidden_weights.T)}),
                             np.array({literal(network.hidden_biases)})])
model.layers[1].set_weights([np.array({literal(network.output_weights.T)}),
                             np.array({literal(network.output_biases)})])
x = np.array([{literal(network.inputs)}])
target = np.array([{literal(network.targets)}])

# Forward pass under the tape; TensorFlow then applies the chain rule backwards
with tf.GradientTape() as tape:
    out = model(x)
    {loss.keras_line}
grads = tape.gradient(loss, model.trainable_variables)
print(float(loss), float({gradient_index(p)}))  # E_total, ∂E/∂{p.plain}

# One gradient-descent step, w ← w − η·∂E/∂w, on {step_comment}
learning = {chosen}
keras.optimizers.SGD(learning_rate={network.eta!r}).apply_gradients(zip({step_grads}, learning))
"""
