"""A spec walked as Keras will build it: every row's shape and parameter count, no TensorFlow.

The page can then explain an impossible network (a Conv2D after a Dense layer, a kernel larger
than what is left of the picture) before Keras would raise on it; a test checks the counts
against Keras's own ``summary``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nncore.network.layers import FLATTEN, LAYER_TYPES, PlanProblem, table_layer_problem
from nncore.network.spec import LayerSpec, NetworkSpec


@dataclass(frozen=True)
class PlannedLayer:
    """One row of the model as Keras will build it, with its shape and parameter count.

    ``keras_class`` and ``options`` are what both the model builder and the generated code use,
    so the Flatten that joins image layers to Dense layers is decided in one place. ``random``
    rows get a seed of their own; ``diagram`` says how the network diagram shows the row.
    """

    name: str
    keras_class: str
    options: Mapping[str, Any]
    output_shape: tuple[int, ...]
    params: int
    hidden: bool = True
    random: bool = False
    diagram: str = "neurons"


@dataclass(frozen=True)
class LayerPlan:
    """The planned model, or the reasons it cannot be built."""

    input_shape: tuple[int, ...]
    layers: tuple[PlannedLayer, ...]
    problems: tuple[str, ...]

    @property
    def total_params(self) -> int:
        return sum(layer.params for layer in self.layers)


def _flatten(shape: tuple[int, ...]) -> PlannedLayer:
    return PlannedLayer("flatten", FLATTEN, {}, (math.prod(shape),), 0, False, diagram="none")


def _output(shape: tuple[int, ...], classes: int) -> PlannedLayer:
    built = LAYER_TYPES["dense"].build(
        LayerSpec(units=classes, act="softmax", init="glorot_uniform"), shape, 0
    )
    return PlannedLayer("output", "Dense", built.options, built.output_shape, built.params, False)


def layer_plan(spec: NetworkSpec) -> LayerPlan:
    """Walk the layers as Keras would: shapes, parameter counts, and the impossible steps."""
    shape = spec.input_shape
    rows: list[PlannedLayer] = []
    counts: dict[str, int] = {}
    try:
        for number, layer in enumerate(spec.layers, start=1):
            kind = LAYER_TYPES[layer.type]
            on_table = table_layer_problem(kind, number)
            if spec.features and on_table:
                raise PlanProblem(on_table)
            if kind.image and len(shape) == 1:
                raise PlanProblem(
                    f"Layer {number} is {kind.label}, but it comes after a Dense layer: image "
                    "layers need a 2-D picture and a Dense layer's output is a flat list of "
                    "numbers. Put Conv2D and MaxPooling2D layers before the Dense layers."
                )
            if kind.image is False and len(shape) == 3:
                rows.append(_flatten(shape))
                shape = rows[-1].output_shape
            built = kind.build(layer, shape, number)
            counts[layer.type] = counts.get(layer.type, 0) + 1
            name = f"{kind.keras_class.lower()}_{counts[layer.type]}"
            rows.append(
                PlannedLayer(
                    name,
                    kind.keras_class,
                    built.options,
                    built.output_shape,
                    built.params,
                    random=kind.random,
                    diagram=kind.diagram,
                )
            )
            shape = built.output_shape
    except PlanProblem as problem:
        return LayerPlan(spec.input_shape, tuple(rows), (str(problem),))
    if len(shape) == 3:
        rows.append(_flatten(shape))
        shape = rows[-1].output_shape
    rows.append(_output(shape, spec.classes))
    return LayerPlan(spec.input_shape, tuple(rows), ())


def layer_seed(spec: NetworkSpec, index: int) -> int:
    """The seed of the ``index``-th planned layer's random numbers (initial weights, dropout).

    Each layer has its own seed derived from the spec's, so the app and the generated script
    start from the same weights without touching Keras's global random state.
    """
    return spec.seed * 100 + index
