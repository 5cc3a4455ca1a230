"""Every hidden-layer type, declared once with its behaviour.

A ``LayerType`` knows which per-layer settings it reads, which input it needs (a picture or a
flat vector), the output shape and parameter count it produces, the Keras options it is built
with, the defaults it brings (a Conv2D layer is relu and He-initialised: sigmoid would leave it
stuck at chance) and how the diagram draws it. ``plan``, ``model``, ``codegen`` and the diagram
read this table and have no per-type branches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from nncore.network.spec import LayerSpec

Shape = tuple[int, ...]

INITIALIZERS = {
    "glorot_uniform": "Glorot uniform",
    "he_normal": "He normal",
    "random_normal": "random normal",
    "zeros": "all zeros",
}


class PlanProblem(ValueError):
    """A layer that cannot follow the shape it is given; the message tells the student why."""


@dataclass(frozen=True)
class Built:
    """What one layer makes of its input: Keras options, output shape, parameter count."""

    options: Mapping[str, Any]
    output_shape: Shape
    params: int


def _dense(layer: LayerSpec, shape: Shape, number: int) -> Built:
    options = {"units": layer.units, "activation": layer.act, "kernel_initializer": layer.init}
    return Built(options, (layer.units,), shape[0] * layer.units + layer.units)


def _conv(layer: LayerSpec, shape: Shape, number: int) -> Built:
    # Keras's default 'valid' padding: a k×k kernel trims k − 1 pixels off each side length.
    k = int(layer.kernel)
    side = shape[0] - k + 1
    if side < 1:
        raise PlanProblem(
            f"Layer {number} (Conv2D {k}×{k}) gets a {shape[0]}×{shape[1]} map, smaller than "
            "its kernel. Remove a pooling or convolution layer before it."
        )
    options = {
        "filters": layer.filters,
        "kernel_size": (k, k),
        "activation": layer.act,
        "kernel_initializer": layer.init,
    }
    return Built(
        options, (side, side, layer.filters), k * k * shape[2] * layer.filters + layer.filters
    )


def _pool(layer: LayerSpec, shape: Shape, number: int) -> Built:
    if shape[0] < 2:
        raise PlanProblem(
            f"Layer {number} (MaxPooling2D) gets a {shape[0]}×{shape[1]} map: nothing left to "
            "halve. Remove a pooling or convolution layer."
        )
    return Built({"pool_size": (2, 2)}, (shape[0] // 2, shape[1] // 2, shape[2]), 0)


def _dropout(layer: LayerSpec, shape: Shape, number: int) -> Built:
    return Built({"rate": layer.rate}, shape, 0)


@dataclass(frozen=True)
class LayerType:
    """A kind of hidden layer.

    ``image`` is True for layers that need a 2-D map, False for layers that need a flat vector,
    None for layers that take either (Dropout). ``random`` says the layer draws random numbers
    while training (Dropout), so it gets a seed of its own. ``diagram`` is how the network
    diagram shows it: a column of neurons, a column of feature maps, or nothing (it changes
    no neuron count). ``defaults`` are the per-layer settings the type brings when a layer
    becomes this type.
    """

    key: str
    label: str
    keras_class: str
    fields: tuple[str, ...]
    image: bool | None
    build: Callable[[LayerSpec, Shape, int], Built]
    diagram: Literal["neurons", "maps", "none"]
    random: bool = False
    defaults: Mapping[str, Any] = field(default_factory=dict)

    @property
    def weighted(self) -> bool:
        """Whether the layer has weights (and so an initializer and an activation)."""
        return "init" in self.fields


LAYER_TYPES: dict[str, LayerType] = {
    t.key: t
    for t in (
        LayerType("dense", "Dense", "Dense", ("units", "act", "init"), False, _dense, "neurons"),
        LayerType(
            "conv",
            "Conv2D",
            "Conv2D",
            ("filters", "kernel", "act", "init"),
            True,
            _conv,
            "maps",
            defaults={"act": "relu", "init": "he_normal"},
        ),
        LayerType("pool", "MaxPooling2D", "MaxPooling2D", (), True, _pool, "maps"),
        LayerType("dropout", "Dropout", "Dropout", ("rate",), None, _dropout, "none", random=True),
    )
}

FLATTEN = "Flatten"  # added by the plan where image layers meet Dense layers
# What a table of numbers allows: every layer that does not need a picture.
TABLE_LAYER_LABELS = " and ".join(kind.label for kind in LAYER_TYPES.values() if not kind.image)


def table_layer_problem(kind: LayerType, number: int) -> str | None:
    """Why layer ``number`` cannot read a table (a Conv2D needs a picture), or None."""
    if not kind.image:
        return None
    return (
        f"Layer {number} is {kind.label}, but a table has no pictures: tabular data allow "
        f"{TABLE_LAYER_LABELS} layers only."
    )
