"""The 2D Playground's settings, declared once, and the ``PlaygroundSpec`` they describe.

Widgets, the page's link, its teacher options (``hide=``/``lock=``) and the generated script
all come from these declarations. Choices come from the shared tables (datasets, features,
activations, optimizers); hidden layers are ``layers`` and one ``l<N>`` neuron count each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nncore.activations import activation_choices
from nncore.optimizers import optimizer_choices
from nncore.playground.datasets import DATASETS
from nncore.playground.features import DEFAULT_FEATURES, FEATURES
from nncore.playground.stopping import StopRule
from nncore.settings import Setting, defaults

GRID = 50  # the plane is computed on GRID × GRID points: the boundary and every neuron
MAX_LAYERS = 6
MAX_UNITS = 8
DEFAULT_UNITS = (4, 2, 2, 2, 2, 2)  # TensorFlow Playground opens on 4 then 2 neurons
PLAYGROUND_ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
REGULARIZERS = {"none": "None", "l1": "L1", "l2": "L2"}

DATA_SETTINGS = (
    Setting(
        "data", "Dataset", "choice", "circle", choices={k: d.label for k, d in DATASETS.items()}
    ),
    Setting("noise", "Noise (%)", "int", 0, low=0, high=50, step=5),
    Setting(
        "train",
        "Training data (%)",
        "int",
        50,
        low=10,
        high=90,
        step=10,
        help="The rest is test data, never trained on.",
    ),
    Setting("points", "Number of points", "int", 500, low=50, high=1000, step=50),
    Setting(
        "seed",
        "Random seed",
        "int",
        0,
        low=0,
        high=9999,
        help="Same seed, same points and the same starting weights.",
    ),
)
FEATURE_SETTINGS = tuple(
    Setting(f"f_{key}", feature.label, "bool", key in DEFAULT_FEATURES)
    for key, feature in FEATURES.items()
)
NETWORK_SETTINGS = (
    Setting("layers", "Hidden layers", "int", 2, low=0, high=MAX_LAYERS),
    *(
        Setting(
            f"l{slot + 1}",
            f"Neurons in layer {slot + 1}",
            "int",
            DEFAULT_UNITS[slot],
            low=1,
            high=MAX_UNITS,
        )
        for slot in range(MAX_LAYERS)
    ),
    Setting(
        "act", "Activation", "choice", "tanh", choices=activation_choices(PLAYGROUND_ACTIVATIONS)
    ),
    Setting(
        "reg",
        "Regularization",
        "choice",
        "none",
        choices=REGULARIZERS,
        help="L1 pushes weights to exactly zero, L2 keeps them all small.",
    ),
    Setting("rate", "Regularization rate", "float", 0.001, low=0.0001, high=1.0, log=True),
    Setting("lr", "Learning rate", "float", 0.03, low=0.0001, high=10.0, log=True),
    Setting("batch", "Batch size", "int", 10, low=1, high=100),
    Setting(
        "opt",
        "Optimizer",
        "choice",
        "sgd",
        choices=optimizer_choices(),
        help="SGD (plain gradient descent) is what TensorFlow Playground uses.",
    ),
)
VIEW_SETTINGS = (
    Setting("show_test", "Show test data", "bool", False),
    Setting(
        "discrete",
        "Discretize output",
        "bool",
        False,
        help="Colour each place by the network's answer only, not by how sure it is.",
    ),
)
# When Play stops by itself. Not part of the network: changing it never starts again from epoch 0.
STOP_RULES = {"none": "Never", "epochs": "After N epochs", "loss": "At a test loss"}
STOP_SETTINGS = (
    Setting(
        "stop",
        "Stop playing",
        "choice",
        "none",
        choices=STOP_RULES,
        help="Stop by itself after a number of epochs, or once the test loss is this low.",
    ),
    Setting("stop_epochs", "Stop at epoch", "int", 100, low=1, high=2000),
    Setting("stop_loss", "Stop at test loss", "float", 0.1, low=0.001, high=1.0, log=True),
)
ALL_SETTINGS = DATA_SETTINGS + FEATURE_SETTINGS + NETWORK_SETTINGS + VIEW_SETTINGS + STOP_SETTINGS
SETTINGS_BY_KEY = {s.key: s for s in ALL_SETTINGS}


@dataclass(frozen=True)
class PlaygroundSpec:
    """The network and how it learns: everything the worker needs besides the points."""

    features: tuple[str, ...] = DEFAULT_FEATURES
    units: tuple[int, ...] = (4, 2)
    act: str = "tanh"
    reg: str = "none"
    rate: float = 0.001
    lr: float = 0.03
    batch: int = 10
    opt: str = "sgd"
    seed: int = 0
    classes: int = 2  # 0: regression (one linear output, squared error)


def spec_from_values(values: Mapping[str, Any], classes: int) -> PlaygroundSpec:
    """The spec the settings describe, for points with ``classes`` classes (0: regression)."""
    merged = {**defaults(ALL_SETTINGS), **values}
    return PlaygroundSpec(
        features=tuple(key for key in FEATURES if merged[f"f_{key}"]),
        units=tuple(int(merged[f"l{slot + 1}"]) for slot in range(int(merged["layers"]))),
        act=merged["act"],
        reg=merged["reg"],
        rate=float(merged["rate"]),
        lr=float(merged["lr"]),
        batch=int(merged["batch"]),
        opt=merged["opt"],
        seed=int(merged["seed"]),
        classes=classes,
    )


def stop_rule(values: Mapping[str, Any]) -> StopRule:
    """The stop rule the settings describe."""
    merged = {**defaults(STOP_SETTINGS), **values}
    return StopRule(merged["stop"], int(merged["stop_epochs"]), float(merged["stop_loss"]))


def active_settings(values: Mapping[str, Any]) -> tuple[Setting, ...]:
    """The settings that matter for these values: unused layers' sizes, and the number of a
    stop rule not chosen, stay out of the link."""
    used = {f"l{slot + 1}" for slot in range(int(values.get("layers", 2)))}
    stop = values.get("stop", "none")
    unused = {"stop_epochs"} if stop != "epochs" else set()
    unused |= {"stop_loss"} if stop != "loss" else set()
    return tuple(
        s
        for s in ALL_SETTINGS
        if (not (s.key[0] == "l" and s.key[1:].isdigit()) or s.key in used) and s.key not in unused
    )


# The lessons teachers give with TensorFlow Playground, as settings on top of the defaults.
PRESETS: dict[str, dict[str, Any]] = {
    "XOR needs a hidden layer": {"data": "xor", "layers": 0},
    "Spiral needs features or depth": {
        "data": "spiral",
        "layers": 4,
        "l1": 8,
        "l2": 8,
        "l3": 6,
        "l4": 4,
        "f_x1sq": True,
        "f_x2sq": True,
        "f_x1x2": True,
        "f_sin1": True,
        "f_sin2": True,
        "lr": 0.01,
        "opt": "adam",
    },
    "Overfitting: few points, much noise, a big network": {
        "data": "circle",
        "points": 100,
        "noise": 50,
        "train": 50,
        "layers": 4,
        "l1": 8,
        "l2": 8,
        "l3": 8,
        "l4": 8,
        "show_test": True,
        "lr": 0.03,
    },
    "…and the same with L2": {
        "data": "circle",
        "points": 100,
        "noise": 50,
        "train": 50,
        "layers": 4,
        "l1": 8,
        "l2": 8,
        "l3": 8,
        "l4": 8,
        "show_test": True,
        "lr": 0.03,
        "reg": "l2",
        "rate": 0.03,
    },
}


def preset_values(name: str) -> dict[str, Any]:
    """Every setting for preset ``name``: its own values over the defaults."""
    return {**defaults(ALL_SETTINGS), **PRESETS[name]}
