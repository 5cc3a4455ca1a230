"""The /backprop page's settings, each declared once: its widget and link parameter derive
from here.

Keys never reuse another page's (``learning_rate``, not ``eta``; ``error``, not ``loss``):
Streamlit keeps a page's widget values until the end of the next page's first run, so a
shared key would carry the Descent page's η into this one. Values (inputs, targets, weights,
biases) are written into the link with ten significant digits, so a link made after "keep the
new weights" reopens the very numbers the page showed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nncore.activations import NEURON_ACTIVATIONS, activation_choices
from nncore.backprop.losses import LOSS_CHOICES, OUTPUT_UNITS
from nncore.backprop.network import (
    MAX_UNITS,
    hidden_bias_key,
    hidden_weight_key,
    input_key,
    output_bias_key,
    output_weight_key,
    parameters_of,
    target_key,
)
from nncore.backprop.preset import textbook_values
from nncore.settings import Setting

VALUE_LIMIT = 1000.0  # weights, biases and inputs: large enough to saturate or kill any neuron


@dataclass(frozen=True)
class ValueSetting(Setting):
    """A number a student types (input, target, weight, bias): shown as a number box, and
    written into the link with enough digits to come back as the same number."""

    def format(self, value: Any) -> str:
        return f"{float(value):.10g}"


def _value(key: str, label: str, low: float, high: float, help: str = "") -> ValueSetting:
    return ValueSetting(key, label, "float", DEFAULTS[key], low, high, 0.01, help=help)


DEFAULTS = textbook_values()
_ALL = parameters_of((MAX_UNITS, MAX_UNITS, MAX_UNITS))

N_IN = Setting("n_in", "inputs", "int", 2, 1, MAX_UNITS, 1)
N_HIDDEN = Setting("n_hidden", "hidden", "int", 2, 1, MAX_UNITS, 1, help="Hidden neurons")
N_OUT = Setting("n_out", "outputs", "int", 2, 1, MAX_UNITS, 1)
HIDDEN_ACT = Setting(
    "hidden_act",
    "hidden activation",
    "choice",
    "sigmoid",
    choices=activation_choices(NEURON_ACTIVATIONS),
)
OUT_ACT = Setting(
    "out_act",
    "output activation",
    "choice",
    "sigmoid",
    choices={key: unit.label for key, unit in OUTPUT_UNITS.items()},
    help="Sigmoid: each output on its own, in (0, 1). Softmax: the outputs share 1 between them.",
)
ERROR = Setting(
    "error",
    "loss",
    "choice",
    "squared",
    choices=LOSS_CHOICES,
    help="Cross-entropy is binary cross-entropy for sigmoid outputs, categorical for softmax.",
)
LEARNING_RATE = Setting(
    "learning_rate", "learning rate η", "float", 0.5, low=0.001, high=10.0, log=True
)
UPDATE_BIASES = Setting(
    "update_biases",
    "update the biases too",
    "bool",
    False,
    help="The textbook keeps the biases fixed; Keras would update them.",
)
TRAIN_STEPS = Setting(
    "train_steps",
    "training steps",
    "int",
    10000,
    low=1,
    high=10000,
    log=True,
    help="How many forward-backward-update rounds “Train” runs on this one example.",
)
EXPLAIN = Setting(
    "explain",
    "weight to explain",
    "choice",
    DEFAULTS["explain"],
    choices={p.key: p.key for p in _ALL},
    help="Or click a weight's square on the diagram (a neuron for its bias).",
)

STRUCTURE_SETTINGS = (N_IN, N_HIDDEN, N_OUT, HIDDEN_ACT, OUT_ACT, ERROR)
LEARNING_SETTINGS = (LEARNING_RATE, UPDATE_BIASES)
INPUT_SETTINGS = tuple(
    _value(input_key(i), f"i{i + 1}", -VALUE_LIMIT, VALUE_LIMIT) for i in range(MAX_UNITS)
)
TARGET_SETTINGS = tuple(
    _value(target_key(k), f"target t{k + 1}", 0.0, 1.0, f"What output o{k + 1} should be")
    for k in range(MAX_UNITS)
)
HIDDEN_WEIGHT_SETTINGS = {
    (i, j): _value(hidden_weight_key(i, j), f"i{i + 1} → h{j + 1}", -VALUE_LIMIT, VALUE_LIMIT)
    for j in range(MAX_UNITS)
    for i in range(MAX_UNITS)
}
OUTPUT_WEIGHT_SETTINGS = {
    (j, k): _value(output_weight_key(j, k), f"h{j + 1} → o{k + 1}", -VALUE_LIMIT, VALUE_LIMIT)
    for k in range(MAX_UNITS)
    for j in range(MAX_UNITS)
}
HIDDEN_BIAS_SETTINGS = tuple(
    _value(hidden_bias_key(j), f"bias of h{j + 1}", -VALUE_LIMIT, VALUE_LIMIT)
    for j in range(MAX_UNITS)
)
OUTPUT_BIAS_SETTINGS = tuple(
    _value(output_bias_key(k), f"bias of o{k + 1}", -VALUE_LIMIT, VALUE_LIMIT)
    for k in range(MAX_UNITS)
)
VALUE_SETTINGS = (
    *INPUT_SETTINGS,
    *TARGET_SETTINGS,
    *HIDDEN_WEIGHT_SETTINGS.values(),
    *HIDDEN_BIAS_SETTINGS,
    *OUTPUT_WEIGHT_SETTINGS.values(),
    *OUTPUT_BIAS_SETTINGS,
)
BACKPROP_SETTINGS: tuple[Setting, ...] = (
    *STRUCTURE_SETTINGS,
    *LEARNING_SETTINGS,
    *VALUE_SETTINGS,
    TRAIN_STEPS,
    EXPLAIN,
)
SETTINGS_BY_KEY = {setting.key: setting for setting in BACKPROP_SETTINGS}
