"""A ``NetworkSpec`` as settings: the Build page's controls, its link and the CLI's options.

Each global setting is declared once; each per-layer field is declared once and copied for
every hidden-layer position, keyed ``l<N>_<field>`` (``l1_units``). Choices come from the
option tables (activations, optimizers, layer types, initializers, losses).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from nncore.activations import activation_choices
from nncore.network.layers import INITIALIZERS, LAYER_TYPES
from nncore.network.spec import DEFAULT_SPEC, LOSSES, MAX_LAYERS, LayerSpec, NetworkSpec
from nncore.optimizers import optimizer_choices
from nncore.settings import Setting

_NEW_LAYER = LayerSpec()  # what a new hidden layer starts as
LAYER_FIELDS = (
    Setting(
        "type",
        "Layer type",
        "choice",
        _NEW_LAYER.type,
        choices={k: t.label for k, t in LAYER_TYPES.items()},
    ),
    Setting("units", "Neurons", "int", _NEW_LAYER.units, low=1, high=512),
    Setting("filters", "Filters", "int", _NEW_LAYER.filters, low=1, high=64),
    Setting("kernel", "Kernel", "choice", _NEW_LAYER.kernel, choices={"3": "3×3", "5": "5×5"}),
    Setting("rate", "Dropout rate", "float", _NEW_LAYER.rate, low=0.0, high=0.9, step=0.05),
    Setting("act", "Activation", "choice", _NEW_LAYER.act, choices=activation_choices()),
    Setting(
        "init",
        "Initial weights",
        "choice",
        _NEW_LAYER.init,
        choices=INITIALIZERS,
        help="All zeros makes every neuron in a layer identical, so they can never learn "
        "different things.",
    ),
)

SETTINGS = (
    Setting(
        "rows",
        "MNIST rows",
        "int",
        DEFAULT_SPEC.rows,
        low=500,
        high=5000,
        step=500,
        help="A class-balanced sample of the 5,000 bundled digits.",
    ),
    Setting(
        "test",
        "Test fraction",
        "float",
        DEFAULT_SPEC.test,
        low=0.1,
        high=0.5,
        step=0.05,
        help="Held out for testing, never trained on (the notebook uses 20%).",
    ),
    Setting("layers", "Hidden layers", "int", len(DEFAULT_SPEC.layers), low=0, high=MAX_LAYERS),
    Setting(
        "opt",
        "Optimizer",
        "choice",
        DEFAULT_SPEC.opt,
        choices=optimizer_choices(),
        help="SGD is plain gradient descent; the others adapt its steps as training goes.",
    ),
    Setting(
        "lr",
        "Learning rate η",
        "float",
        DEFAULT_SPEC.lr,
        low=1e-5,
        high=10.0,
        log=True,
        help="θ ← θ − η·∂loss/∂θ: how far each step moves the weights.",
    ),
    Setting("loss", "Loss", "choice", DEFAULT_SPEC.loss, choices=LOSSES),
    Setting("batch", "Batch size", "int", DEFAULT_SPEC.batch, low=1, high=1000),
    Setting("epochs", "Epochs", "int", DEFAULT_SPEC.epochs, low=1, high=300),
    Setting(
        "seed",
        "Random seed",
        "int",
        DEFAULT_SPEC.seed,
        low=0,
        high=9999,
        help="Same seed, same starting weights and the same split.",
    ),
)
# What can still change while a training runs: the learning rate, applied from the next epoch.
CHANGEABLE_WHILE_TRAINING = frozenset({"lr"})


def field_key(slot: int, field: str) -> str:
    """The setting key of hidden layer ``slot``'s (0-based) ``field``: ``l1_units``."""
    return f"l{slot + 1}_{field}"


def slot_default(slot: int) -> LayerSpec:
    """What a hidden-layer position holds before anyone touches it: the notebook's layers first."""
    return DEFAULT_SPEC.layers[slot] if slot < len(DEFAULT_SPEC.layers) else LayerSpec()


def slot_settings(slot: int) -> tuple[Setting, ...]:
    """The per-layer settings of hidden layer ``slot`` (0-based), keyed ``l<slot+1>_<field>``."""
    default = slot_default(slot)
    return tuple(
        replace(field, key=field_key(slot, field.key), default=getattr(default, field.key))
        for field in LAYER_FIELDS
    )


ALL_SETTINGS = SETTINGS + tuple(s for slot in range(MAX_LAYERS) for s in slot_settings(slot))
SETTINGS_BY_KEY = {s.key: s for s in ALL_SETTINGS}


def active_settings(spec: NetworkSpec) -> tuple[Setting, ...]:
    """The settings that describe ``spec``: the globals and each used layer's own fields.

    A layer whose type differs from its position's default has that type's defaults (a Conv2D
    is relu), which is what a link without the field brings back (``type_defaults``); so a
    link leaves out exactly the values it would restore, and no others.
    """
    used = []
    for slot, layer in enumerate(spec.layers):
        kind = LAYER_TYPES[layer.type]
        brought = kind.defaults if layer.type != slot_default(slot).type else {}
        for setting in slot_settings(slot):
            field = setting.key.split("_", 1)[1]
            if field in {"type", *kind.fields}:
                used.append(replace(setting, default=brought.get(field, setting.default)))
    return SETTINGS + tuple(used)


def spec_values(spec: NetworkSpec) -> dict[str, Any]:
    """Flatten a spec into setting values (the widgets' state and the URL's parameters)."""
    values: dict[str, Any] = {s.key: getattr(spec, s.key) for s in SETTINGS if s.key != "layers"}
    values["layers"] = len(spec.layers)
    for slot in range(MAX_LAYERS):
        layer = spec.layers[slot] if slot < len(spec.layers) else slot_default(slot)
        for field in LAYER_FIELDS:
            values[field_key(slot, field.key)] = getattr(layer, field.key)
    return values


def spec_from_values(values: Mapping[str, Any]) -> NetworkSpec:
    """Build a spec from setting values; anything missing takes its default."""
    merged = {**spec_values(DEFAULT_SPEC), **values}
    layers = tuple(
        LayerSpec(**{f.key: merged[field_key(slot, f.key)] for f in LAYER_FIELDS})
        for slot in range(int(merged["layers"]))
    )
    scalars = {s.key: merged[s.key] for s in SETTINGS if s.key != "layers"}
    return NetworkSpec(layers=layers, **scalars)


def type_defaults(values: Mapping[str, Any]) -> dict[str, Any]:
    """The settings a link's layer types bring, for the fields the link does not give.

    ``l1_type=conv`` alone must give a relu Conv2D, not the sigmoid the notebook's first
    (Dense) layer has: a sigmoid convolution trains to chance.
    """
    brought: dict[str, Any] = {}
    for slot in range(MAX_LAYERS):
        type_key = values.get(field_key(slot, "type"))
        if type_key is None or type_key == slot_default(slot).type:
            continue
        for name, value in LAYER_TYPES[type_key].defaults.items():
            if field_key(slot, name) not in values:
                brought[field_key(slot, name)] = value
    return brought
