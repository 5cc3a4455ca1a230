"""The description of a network and how it is trained: one ``NetworkSpec``.

Everything else is derived from it: the page's sliders and the URL (through the ``Setting``
declarations below), the Keras model (``nncore.model``), the summary table and the diagram
(``layer_plan``) and the generated script (``nncore.codegen``). Shapes and parameter counts are
worked out here without TensorFlow, so the page can explain an impossible network before Keras
would raise on it; a test checks the counts against Keras's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from nncore.settings import Setting

MAX_LAYERS = 6
IMAGE_SHAPE = (28, 28, 1)
FLAT_SHAPE = (784,)
CLASSES = 10

ACTIVATIONS = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "elu": "elu",
    "gelu": "gelu",
    "linear": "linear (none)",
    "softmax": "softmax",
}
INITIALIZERS = {
    "glorot_uniform": "Glorot uniform",
    "he_normal": "He normal",
    "random_normal": "random normal",
    "zeros": "all zeros",
}


@dataclass(frozen=True)
class OptimizerChoice:
    """An optimizer as a person picks it, and the Keras class (with options) that implements it."""

    label: str
    keras_class: str
    options: Mapping[str, Any]


MOMENTUM = 0.9
OPTIMIZERS = {
    "sgd": OptimizerChoice("SGD", "SGD", {}),
    "momentum": OptimizerChoice(f"SGD with momentum {MOMENTUM}", "SGD", {"momentum": MOMENTUM}),
    "rmsprop": OptimizerChoice("RMSprop", "RMSprop", {}),
    "adam": OptimizerChoice("Adam", "Adam", {}),
}
LOSSES = {
    "categorical_crossentropy": "categorical cross-entropy",
    "mean_squared_error": "mean squared error",
}


@dataclass(frozen=True)
class LayerType:
    """A kind of hidden layer: its Keras class, which per-layer fields it uses, and its input.

    ``image`` is True for layers that need a 28×28-like map, False for layers that need a flat
    vector, None for layers that take either (Dropout).
    """

    label: str
    keras_class: str
    fields: tuple[str, ...]
    image: bool | None


LAYER_TYPES = {
    "dense": LayerType("Dense", "Dense", ("units", "act", "init"), image=False),
    "conv": LayerType("Conv2D", "Conv2D", ("filters", "kernel", "act", "init"), image=True),
    "pool": LayerType("MaxPooling2D", "MaxPooling2D", (), image=True),
    "dropout": LayerType("Dropout", "Dropout", ("rate",), image=None),
}


@dataclass(frozen=True)
class LayerSpec:
    """One hidden layer. Fields a type does not use are kept, so switching back restores them."""

    type: str = "dense"
    units: int = 32
    filters: int = 16
    kernel: str = "3"
    rate: float = 0.25
    act: str = "relu"
    init: str = "glorot_uniform"


@dataclass(frozen=True)
class NetworkSpec:
    """A whole experiment: the data, the hidden layers, and the compile and fit settings."""

    layers: tuple[LayerSpec, ...]
    rows: int = 1000
    test: float = 0.2
    opt: str = "adam"
    lr: float = 0.001
    loss: str = "categorical_crossentropy"
    batch: int = 256
    epochs: int = 100
    seed: int = 0

    @property
    def input_shape(self) -> tuple[int, ...]:
        """28×28×1 when the first layer that cares is an image layer, 784 otherwise."""
        for layer in self.layers:
            wants_image = LAYER_TYPES[layer.type].image
            if wants_image is not None:
                return IMAGE_SHAPE if wants_image else FLAT_SHAPE
        return FLAT_SHAPE


# The notebook's network: 784 → 128 sigmoid → 64 tanh → 10 softmax, Adam, 100 epochs of 256.
SEED_NOTEBOOK = NetworkSpec(
    layers=(LayerSpec("dense", units=128, act="sigmoid"), LayerSpec("dense", units=64, act="tanh"))
)
SMALL_CNN = NetworkSpec(
    layers=(
        LayerSpec("conv", filters=16, kernel="3", act="relu", init="he_normal"),
        LayerSpec("pool"),
        LayerSpec("conv", filters=32, kernel="3", act="relu", init="he_normal"),
        LayerSpec("pool"),
        LayerSpec("dropout", rate=0.25),
        LayerSpec("dense", units=64, act="relu", init="he_normal"),
    ),
    rows=5000,
    batch=64,
    epochs=15,
)
PRESETS = {"Seed notebook": SEED_NOTEBOOK, "Small CNN": SMALL_CNN}
DEFAULT_SPEC = SEED_NOTEBOOK

_LAYER = LayerSpec()  # what a new hidden layer starts as
# Per-layer fields, declared once; each hidden-layer slot gets a copy keyed "l<slot>_<field>".
LAYER_FIELDS = (
    Setting(
        "type",
        "Layer type",
        "choice",
        _LAYER.type,
        choices={k: t.label for k, t in LAYER_TYPES.items()},
    ),
    Setting("units", "Neurons", "int", _LAYER.units, low=1, high=512),
    Setting("filters", "Filters", "int", _LAYER.filters, low=1, high=64),
    Setting("kernel", "Kernel", "choice", _LAYER.kernel, choices={"3": "3×3", "5": "5×5"}),
    Setting("rate", "Dropout rate", "float", _LAYER.rate, low=0.0, high=0.9, step=0.05),
    Setting("act", "Activation", "choice", _LAYER.act, choices=ACTIVATIONS),
    Setting(
        "init",
        "Initial weights",
        "choice",
        _LAYER.init,
        choices=INITIALIZERS,
        help="All zeros makes every neuron in a layer identical, so they can never learn different things.",
    ),
)

SETTINGS = (
    Setting("rows", "MNIST rows", "int", DEFAULT_SPEC.rows, low=500, high=5000, step=500,
            help="A class-balanced sample of the 5,000 bundled digits."),
    Setting("test", "Test fraction", "float", DEFAULT_SPEC.test, low=0.1, high=0.5, step=0.05,
            help="Held out for testing, never trained on (the notebook uses 20%)."),
    Setting("layers", "Hidden layers", "int", len(DEFAULT_SPEC.layers), low=0, high=MAX_LAYERS),
    Setting("opt", "Optimizer", "choice", DEFAULT_SPEC.opt, choices={k: o.label for k, o in OPTIMIZERS.items()}),
    Setting("lr", "Learning rate η", "float", DEFAULT_SPEC.lr, low=1e-5, high=10.0, log=True,
            help="θ ← θ − η·∂loss/∂θ: how far each step moves the weights."),
    Setting("loss", "Loss", "choice", DEFAULT_SPEC.loss, choices=LOSSES),
    Setting("batch", "Batch size", "int", DEFAULT_SPEC.batch, low=1, high=1000),
    Setting("epochs", "Epochs", "int", DEFAULT_SPEC.epochs, low=1, high=300),
    Setting("seed", "Random seed", "int", DEFAULT_SPEC.seed, low=0, high=9999,
            help="Same seed, same starting weights and the same split."),
)  # fmt: skip


def _slot_default(slot: int) -> LayerSpec:
    """What a hidden-layer slot holds before anyone touches it: the notebook's layers first."""
    return DEFAULT_SPEC.layers[slot] if slot < len(DEFAULT_SPEC.layers) else LayerSpec()


def slot_settings(slot: int) -> tuple[Setting, ...]:
    """The per-layer settings of hidden layer ``slot`` (0-based), keyed ``l<slot+1>_<field>``."""
    default = _slot_default(slot)
    return tuple(
        replace(field, key=f"l{slot + 1}_{field.key}", default=getattr(default, field.key))
        for field in LAYER_FIELDS
    )


ALL_SETTINGS = SETTINGS + tuple(s for slot in range(MAX_LAYERS) for s in slot_settings(slot))


def active_settings(spec: NetworkSpec) -> tuple[Setting, ...]:
    """The settings that describe ``spec``: the globals and each used layer's own fields."""
    used = []
    for slot, layer in enumerate(spec.layers):
        fields = {"type", *LAYER_TYPES[layer.type].fields}
        used += [s for s in slot_settings(slot) if s.key.split("_", 1)[1] in fields]
    return SETTINGS + tuple(used)


def spec_values(spec: NetworkSpec) -> dict[str, Any]:
    """Flatten a spec into setting values (the widgets' state and the URL's parameters)."""
    values: dict[str, Any] = {s.key: getattr(spec, s.key) for s in SETTINGS if s.key != "layers"}
    values["layers"] = len(spec.layers)
    for slot in range(MAX_LAYERS):
        layer = spec.layers[slot] if slot < len(spec.layers) else _slot_default(slot)
        for field in LAYER_FIELDS:
            values[f"l{slot + 1}_{field.key}"] = getattr(layer, field.key)
    return values


def spec_from_values(values: Mapping[str, Any]) -> NetworkSpec:
    """Build a spec from setting values; anything missing takes its default."""
    merged = {**spec_values(DEFAULT_SPEC), **values}
    layers = tuple(
        LayerSpec(**{f.key: merged[f"l{slot + 1}_{f.key}"] for f in LAYER_FIELDS})
        for slot in range(int(merged["layers"]))
    )
    scalars = {s.key: merged[s.key] for s in SETTINGS if s.key != "layers"}
    return NetworkSpec(layers=layers, **scalars)


@dataclass(frozen=True)
class PlannedLayer:
    """One row of the model as Keras will build it, with its shape and parameter count.

    ``keras_class`` and ``options`` are what both the model builder and the generated code use,
    so the Flatten that joins image layers to Dense layers is decided in one place.
    """

    name: str
    keras_class: str
    options: Mapping[str, Any]
    output_shape: tuple[int, ...]
    params: int
    hidden: bool = True


@dataclass(frozen=True)
class LayerPlan:
    """The planned model, or the reasons it cannot be built."""

    input_shape: tuple[int, ...]
    layers: tuple[PlannedLayer, ...]
    problems: tuple[str, ...]

    @property
    def total_params(self) -> int:
        return sum(layer.params for layer in self.layers)


def _flatten_row(shape: tuple[int, ...]) -> PlannedLayer:
    size = 1
    for dim in shape:
        size *= dim
    return PlannedLayer("flatten", "Flatten", {}, (size,), 0, hidden=False)


def layer_plan(spec: NetworkSpec) -> LayerPlan:
    """Walk the layers as Keras would: shapes, parameter counts, and the impossible steps.

    Convolutions use Keras's default 'valid' padding (each 3×3 kernel trims 2 pixels), pooling
    halves the map, rounding down; both can run out of pixels, which is reported, not raised.
    """
    shape = spec.input_shape
    rows: list[PlannedLayer] = []
    problems: list[str] = []
    counts: dict[str, int] = {}
    for number, layer in enumerate(spec.layers, start=1):
        kind = LAYER_TYPES[layer.type]
        counts[layer.type] = counts.get(layer.type, 0) + 1
        name = f"{kind.keras_class.lower()}_{counts[layer.type]}"
        if kind.image and len(shape) == 1:
            problems.append(
                f"Layer {number} is {kind.label}, but it comes after a Dense layer: image layers "
                "need a 2-D picture and a Dense layer's output is a flat list of numbers. "
                "Put Conv2D and MaxPooling2D layers before the Dense layers."
            )
            break
        if kind.image is False and len(shape) == 3:
            rows.append(_flatten_row(shape))
            shape = rows[-1].output_shape
        if layer.type == "dense":
            options = {
                "units": layer.units,
                "activation": layer.act,
                "kernel_initializer": layer.init,
            }
            params = shape[0] * layer.units + layer.units
            shape = (layer.units,)
        elif layer.type == "conv":
            k = int(layer.kernel)
            side = shape[0] - k + 1
            if side < 1:
                problems.append(
                    f"Layer {number} (Conv2D {k}×{k}) gets a {shape[0]}×{shape[1]} map, smaller "
                    "than its kernel. Remove a pooling or convolution layer before it."
                )
                break
            options = {
                "filters": layer.filters,
                "kernel_size": (k, k),
                "activation": layer.act,
                "kernel_initializer": layer.init,
            }
            params = k * k * shape[2] * layer.filters + layer.filters
            shape = (side, side, layer.filters)
        elif layer.type == "pool":
            if shape[0] < 2:
                problems.append(
                    f"Layer {number} (MaxPooling2D) gets a {shape[0]}×{shape[1]} map: nothing "
                    "left to halve. Remove a pooling or convolution layer."
                )
                break
            options = {"pool_size": (2, 2)}
            params = 0
            shape = (shape[0] // 2, shape[1] // 2, shape[2])
        else:
            options = {"rate": layer.rate}
            params = 0
        rows.append(PlannedLayer(name, kind.keras_class, options, shape, params))
    if not problems:
        if len(shape) == 3:
            rows.append(_flatten_row(shape))
            shape = rows[-1].output_shape
        rows.append(
            PlannedLayer(
                "output",
                "Dense",
                {"units": CLASSES, "activation": "softmax", "kernel_initializer": "glorot_uniform"},
                (CLASSES,),
                shape[0] * CLASSES + CLASSES,
                hidden=False,
            )
        )
    return LayerPlan(spec.input_shape, tuple(rows), tuple(problems))


def layer_seed(spec: NetworkSpec, index: int) -> int:
    """The seed of the ``index``-th planned layer's random numbers (initial weights, dropout).

    Each layer has its own seed derived from the spec's, so the app and the generated script
    start from the same weights without touching Keras's global random state.
    """
    return spec.seed * 100 + index


def training_warnings(spec: NetworkSpec) -> list[str]:
    """Settings that will train, but badly; said before training so the outcome is expected."""
    notes = []
    if any(layer.init == "zeros" for layer in spec.layers if layer.type in ("dense", "conv")):
        notes.append(
            "All-zero initial weights: every neuron in that layer starts identical and gets the "
            "same gradient, so they stay identical (and a zero layer passes no gradient back)."
        )
    if spec.lr >= 1 and spec.opt != "sgd":
        notes.append(
            f"η = {spec.lr:g} is very large for {OPTIMIZERS[spec.opt].label}; expect divergence."
        )
    if any(layer.type == "dense" and layer.units == 1 for layer in spec.layers):
        notes.append(
            "A one-neuron layer squeezes each picture into a single number: expect low accuracy."
        )
    if spec.loss == "mean_squared_error":
        notes.append(
            "Mean squared error on softmax outputs learns slowly; cross-entropy is the usual choice."
        )
    train_rows = round(spec.rows * (1 - spec.test))
    if spec.batch > train_rows:
        notes.append(
            f"Batch size {spec.batch} is more than the {train_rows} training rows: one step per epoch."
        )
    if spec.batch <= 4:
        notes.append(
            f"Batch size {spec.batch} means {train_rows // spec.batch} small, noisy steps per epoch: slow."
        )
    return notes
