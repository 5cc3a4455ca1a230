"""The classic worked example, and starting values for the neurons it does not have.

Matt Mazur's "A Step by Step Backpropagation Example" is the 2-2-2 sigmoid network many
teachers work on the board: inputs 0.05 and 0.10, targets 0.01 and 0.99, w1…w8 = 0.15 … 0.55,
one bias 0.35 shared by the hidden layer and 0.60 by the output layer, squared error ½Σ,
η = 0.5, biases kept fixed. Its published numbers (E_total = 0.298371109, new w5 =
0.35891648, …) let a student check every step of the page, and the tests check the code.
The extra values (a third input, hidden neuron or output) are small, distinct and of both
signs, so growing the network shows new numbers rather than copies.
"""

from __future__ import annotations

from typing import Any

from nncore.backprop.network import (
    MAX_UNITS,
    hidden_bias_key,
    hidden_weight_key,
    input_key,
    output_bias_key,
    output_weight_key,
    target_key,
)

INPUTS = (0.05, 0.10, 0.20)
TARGETS = (0.01, 0.99, 0.50)
# Row j: the weights into hidden neuron j from inputs 1, 2, 3 (w1, w2 | w3, w4 in the textbook).
HIDDEN_WEIGHTS = ((0.15, 0.20, 0.10), (0.25, 0.30, -0.10), (-0.20, 0.35, 0.40))
# Row k: the weights into output k from hidden neurons 1, 2, 3 (w5, w6 | w7, w8).
OUTPUT_WEIGHTS = ((0.40, 0.45, -0.30), (0.50, 0.55, 0.20), (-0.35, 0.25, 0.60))
HIDDEN_BIAS = 0.35
OUTPUT_BIAS = 0.60


def textbook_values() -> dict[str, Any]:
    """Every setting of the page at the textbook example (2-2-2, sigmoid, ½Σ, η = 0.5)."""
    values: dict[str, Any] = {
        "n_in": 2,
        "n_hidden": 2,
        "n_out": 2,
        "hidden_act": "sigmoid",
        "out_act": "sigmoid",
        "error": "squared",
        "learning_rate": 0.5,
        "update_biases": False,
        "train_steps": 10000,
        "explain": output_weight_key(0, 0),  # w5, the textbook's first worked gradient
    }
    for n in range(MAX_UNITS):
        values[input_key(n)] = INPUTS[n]
        values[target_key(n)] = TARGETS[n]
        values[hidden_bias_key(n)] = HIDDEN_BIAS
        values[output_bias_key(n)] = OUTPUT_BIAS
        for m in range(MAX_UNITS):
            values[hidden_weight_key(m, n)] = HIDDEN_WEIGHTS[n][m]
            values[output_weight_key(m, n)] = OUTPUT_WEIGHTS[n][m]
    return values
