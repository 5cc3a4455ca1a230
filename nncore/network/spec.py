"""What a network is: ``NetworkSpec``, one plain description of an experiment.

The page's controls and link, the Keras model, the summary, the diagram and the generated
script are all derived from it (see ``plan``, ``settings``, ``model``, ``codegen``), so they
cannot disagree. A spec is plain data: it crosses into the worker processes as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from nncore.network.layers import LAYER_TYPES

MAX_LAYERS = 6
IMAGE_SHAPE = (28, 28, 1)
FLAT_SHAPE = (784,)
CLASSES = 10

LOSSES = {
    "categorical_crossentropy": "categorical cross-entropy",
    "mean_squared_error": "mean squared error",
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

    def as_type(self, type_key: str) -> LayerSpec:
        """This layer turned into ``type_key``, with the settings that type brings."""
        return replace(self, type=type_key, **LAYER_TYPES[type_key].defaults)


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
    # The data's shape when it is not the bundled digits (an uploaded CSV): not settings, so
    # they never reach a link. ``features`` > 0 is a table of that many numeric columns.
    features: int = 0
    classes: int = CLASSES

    @property
    def input_shape(self) -> tuple[int, ...]:
        """28×28×1 when the first layer that cares is an image layer, 784 otherwise; a table's
        own width for a table."""
        if self.features:
            return (self.features,)
        for layer in self.layers:
            wants_image = LAYER_TYPES[layer.type].image
            if wants_image is not None:
                return IMAGE_SHAPE if wants_image else FLAT_SHAPE
        return FLAT_SHAPE

    @property
    def train_rows(self) -> int:
        """How many rows the network trains on (the rest are held out for testing)."""
        return self.rows - round(self.rows * self.test)


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
