"""The tiny network's values, and the names a student reads for each of its numbers.

A teacher works backpropagation by hand on a network small enough to write down: a few
inputs, one hidden layer, a few outputs. Every weight gets two names: a stable link key
(``w_i1h1``: from input 1 to hidden neuron 1) that means the same for every shape, and the
textbook's running number (w1, w2, …) counted destination by destination, so the classic
2-2-2 example reads w1: i1→h1, w2: i2→h1, …, w5: h1→o1 exactly as it does on paper.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

Array = np.ndarray
MAX_UNITS = 3  # per layer: enough to see the sums over neurons, small enough to read


def input_key(i: int) -> str:
    """Link key of input i (0-based): ``i1``."""
    return f"i{i + 1}"


def target_key(k: int) -> str:
    """Link key of the target for output k (0-based): ``t1``."""
    return f"t{k + 1}"


def hidden_weight_key(i: int, j: int) -> str:
    """Link key of the weight from input i to hidden neuron j: ``w_i1h1``."""
    return f"w_i{i + 1}h{j + 1}"


def output_weight_key(j: int, k: int) -> str:
    """Link key of the weight from hidden neuron j to output k: ``w_h1o1``."""
    return f"w_h{j + 1}o{k + 1}"


def hidden_bias_key(j: int) -> str:
    """Link key of hidden neuron j's bias: ``b_h1``."""
    return f"b_h{j + 1}"


def output_bias_key(k: int) -> str:
    """Link key of output k's bias: ``b_o1``."""
    return f"b_o{k + 1}"


@dataclass(frozen=True)
class Parameter:
    """One weight or bias: where it sits and how it is written.

    ``layer`` is ``"hidden"`` or ``"output"`` (the layer whose neuron it feeds), ``neuron`` that
    neuron's index, ``source`` the index of the input or hidden neuron it multiplies (None for a
    bias). ``symbol`` is the textbook's name (``w5``, ``b_{h1}``) as LaTeX.
    """

    key: str
    symbol: str
    layer: str
    neuron: int
    source: int | None

    @property
    def is_bias(self) -> bool:
        return self.source is None

    @property
    def to_name(self) -> str:
        """The neuron it feeds: ``h1`` or ``o2``."""
        return f"{self.layer[0]}{self.neuron + 1}"

    @property
    def from_name(self) -> str:
        """What it multiplies: ``i1``, ``h2``, or ``1`` for a bias."""
        if self.source is None:
            return "1"
        return f"{'i' if self.layer == 'hidden' else 'h'}{self.source + 1}"

    @property
    def plain(self) -> str:
        """The name as plain text: ``w5``, ``b_h1``."""
        return f"b_{self.to_name}" if self.is_bias else self.symbol.replace("_{", "").rstrip("}")

    @property
    def label(self) -> str:
        """Name for menus: ``w5 (h1 → o1)``, ``b_h1 (bias of h1)``."""
        if self.is_bias:
            return f"{self.plain} (bias of {self.to_name})"
        return f"{self.plain} ({self.from_name} → {self.to_name})"


@dataclass(frozen=True)
class Network:
    """Every number of the tiny network, and how it computes and learns.

    Weight matrices are stored the way the sums are written, one row per receiving neuron:
    ``hidden_weights[j, i]`` multiplies input i in hidden neuron j's sum, and
    ``output_weights[k, j]`` multiplies hidden neuron j's output in output k's sum (Keras
    keeps the transpose, ``kernel[from, to]``). ``output`` is ``sigmoid`` or ``softmax``,
    ``loss`` is ``squared`` (½Σ) or ``crossentropy``; ``eta`` is the learning rate η.
    """

    inputs: Array
    targets: Array
    hidden_weights: Array
    hidden_biases: Array
    output_weights: Array
    output_biases: Array
    hidden_activation: str = "sigmoid"
    output: str = "sigmoid"
    loss: str = "squared"
    eta: float = 0.5
    update_biases: bool = False
    parameters: tuple[Parameter, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("inputs", "targets", "hidden_biases", "output_biases"):
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=float))
        for name in ("hidden_weights", "output_weights"):  # one row per receiving neuron
            rows = np.asarray(getattr(self, name), dtype=float)
            object.__setattr__(self, name, rows if rows.ndim == 2 else rows.reshape(1, -1))
        object.__setattr__(self, "parameters", parameters_of(self.shape))

    @property
    def shape(self) -> tuple[int, int, int]:
        """(inputs, hidden neurons, outputs)."""
        return len(self.inputs), len(self.hidden_biases), len(self.targets)

    def value(self, parameter: Parameter) -> float:
        """The current number held by ``parameter``."""
        return float(self.array(parameter)[index_of(parameter)])

    def array(self, parameter: Parameter) -> Array:
        """The array of this network that holds ``parameter``."""
        return {
            ("hidden", False): self.hidden_weights,
            ("hidden", True): self.hidden_biases,
            ("output", False): self.output_weights,
            ("output", True): self.output_biases,
        }[parameter.layer, parameter.is_bias]

    def parameter(self, key: str) -> Parameter | None:
        """The parameter with link key ``key``, or None if this shape has none."""
        return next((p for p in self.parameters if p.key == key), None)


def index_of(parameter: Parameter) -> tuple[int, ...]:
    """Where ``parameter`` sits in its array (row = receiving neuron, column = source)."""
    if parameter.source is None:
        return (parameter.neuron,)
    return parameter.neuron, parameter.source


@lru_cache(maxsize=64)
def parameters_of(shape: tuple[int, int, int]) -> tuple[Parameter, ...]:
    """Every weight and bias of a network of this shape, in the textbook's order.

    Weights are numbered destination by destination (all of h1's incoming weights, then h2's,
    then the output layer's), which for 2-2-2 gives the classic w1…w8.
    """
    n_in, n_hidden, n_out = shape
    result = []
    number = 0
    for layer, count, sources, key in (
        ("hidden", n_hidden, n_in, hidden_weight_key),
        ("output", n_out, n_hidden, output_weight_key),
    ):
        for neuron in range(count):
            for source in range(sources):
                number += 1
                result.append(
                    Parameter(key(source, neuron), f"w_{{{number}}}", layer, neuron, source)
                )
    for layer, count, bias_key in (
        ("hidden", n_hidden, hidden_bias_key),
        ("output", n_out, output_bias_key),
    ):
        for neuron in range(count):
            result.append(
                Parameter(bias_key(neuron), f"b_{{{layer[0]}{neuron + 1}}}", layer, neuron, None)
            )
    return tuple(result)


def all_parameter_keys() -> list[str]:
    """Link keys of every weight and bias the largest network has (for the settings)."""
    return [p.key for p in parameters_of((MAX_UNITS, MAX_UNITS, MAX_UNITS))]


def network_from_values(values: Mapping[str, Any]) -> Network:
    """The network a page's settings describe (keys as declared in ``backprop.settings``).

    Only the first ``n_in``/``n_hidden``/``n_out`` of each kind are used: shrinking a layer
    keeps the other values, so growing it back restores them.
    """
    n_in, n_hidden, n_out = (int(values[k]) for k in ("n_in", "n_hidden", "n_out"))

    def floats(numbers: list[Any]) -> Array:
        return np.asarray(numbers, dtype=float)

    return Network(
        inputs=floats([values[input_key(i)] for i in range(n_in)]),
        targets=floats([values[target_key(k)] for k in range(n_out)]),
        hidden_weights=floats(
            [[values[hidden_weight_key(i, j)] for i in range(n_in)] for j in range(n_hidden)]
        ),
        hidden_biases=floats([values[hidden_bias_key(j)] for j in range(n_hidden)]),
        output_weights=floats(
            [[values[output_weight_key(j, k)] for j in range(n_hidden)] for k in range(n_out)]
        ),
        output_biases=floats([values[output_bias_key(k)] for k in range(n_out)]),
        hidden_activation=values["hidden_act"],
        output=values["out_act"],
        loss=values["error"],
        eta=float(values["learning_rate"]),
        update_biases=bool(values["update_biases"]),
    )


def parameter_values(network: Network) -> dict[str, float]:
    """Link key → number for every weight and bias (what "keep the new weights" writes back)."""
    return {p.key: network.value(p) for p in network.parameters}
