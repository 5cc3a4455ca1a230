"""nncore.network.layers: every hidden-layer type against the Keras layer it stands for.

Each type says, without TensorFlow, what shape and how many parameters a layer makes of its
input, and with which options Keras builds it; here Keras's own layers, called on a real input,
check those claims.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from nncore.network.layers import FLATTEN, INITIALIZERS, LAYER_TYPES, PlanProblem
from nncore.network.settings import LAYER_FIELDS, slot_default, type_defaults
from nncore.network.spec import LayerSpec

# (layer, input shape, the Keras layer a person would write for it, given ``keras.layers``)
CASES = {
    "dense on 784": (
        LayerSpec("dense", units=5, act="tanh", init="he_normal"),
        (784,),
        lambda layers: layers.Dense(5, activation="tanh", kernel_initializer="he_normal"),
    ),
    "dense on 7": (
        LayerSpec("dense", units=1, act="linear", init="zeros"),
        (7,),
        lambda layers: layers.Dense(1, activation="linear", kernel_initializer="zeros"),
    ),
    "conv 3x3 on the picture": (
        LayerSpec("conv", filters=3, kernel="3", act="relu", init="he_normal"),
        (28, 28, 1),
        lambda layers: layers.Conv2D(3, 3, activation="relu", kernel_initializer="he_normal"),
    ),
    "conv 5x5 on 16 maps": (
        LayerSpec("conv", filters=8, kernel="5", act="elu", init="random_normal"),
        (13, 13, 16),
        lambda layers: layers.Conv2D(8, 5, activation="elu", kernel_initializer="random_normal"),
    ),
    "conv 5x5 that just fits": (
        LayerSpec("conv", filters=2, kernel="5", act="sigmoid", init="glorot_uniform"),
        (5, 5, 2),
        lambda layers: layers.Conv2D(2, (5, 5), activation="sigmoid"),
    ),
    "pool on the picture": (LayerSpec("pool"), (28, 28, 1), lambda layers: layers.MaxPooling2D()),
    "pool on an odd side": (LayerSpec("pool"), (13, 13, 16), lambda layers: layers.MaxPooling2D()),
    "pool down to one pixel": (LayerSpec("pool"), (2, 3, 3), lambda layers: layers.MaxPooling2D()),
    "dropout on a vector": (
        LayerSpec("dropout", rate=0.3),
        (784,),
        lambda layers: layers.Dropout(0.3),
    ),
    "dropout on maps": (
        LayerSpec("dropout", rate=0.0),
        (12, 12, 4),
        lambda layers: layers.Dropout(0.0),
    ),
}


def config(layer) -> dict:
    """A layer's configuration without its name (names are numbered per process)."""
    return {k: v for k, v in layer.get_config().items() if k != "name"}


@pytest.mark.parametrize("case", CASES)
def test_a_layer_type_makes_what_keras_makes_of_a_real_input(case):
    from nncore.keras_runtime import keras

    layer, shape, by_hand = CASES[case]
    kind = LAYER_TYPES[layer.type]
    built = kind.build(layer, shape, 1)
    keras_layer = getattr(keras.layers, kind.keras_class)(**built.options)
    x = np.random.default_rng(0).random((2, *shape)).astype(np.float32)
    output = keras_layer(x)
    assert tuple(output.shape[1:]) == built.output_shape
    assert keras_layer.count_params() == built.params
    # The options are those of the layer a person writes: same config, same computation.
    reference = by_hand(keras.layers)
    assert config(keras_layer) == config(reference)
    reference(x)
    reference.set_weights(keras_layer.get_weights())
    np.testing.assert_allclose(np.asarray(reference(x)), np.asarray(output), rtol=1e-6)


def test_every_layer_type_names_real_settings_and_a_real_keras_class():
    from nncore.keras_runtime import keras

    field_names = {f.key for f in LAYER_FIELDS}
    for key, kind in LAYER_TYPES.items():
        assert kind.key == key
        assert set(kind.fields) <= field_names - {"type"}, key
        assert set(kind.defaults) <= set(kind.fields), key
        assert issubclass(getattr(keras.layers, kind.keras_class), keras.layers.Layer)
        assert kind.weighted == (key in ("dense", "conv"))
    assert issubclass(getattr(keras.layers, FLATTEN), keras.layers.Layer)
    # Only Dropout draws random numbers while training, so only it gets a seed of its own.
    assert [key for key, kind in LAYER_TYPES.items() if kind.random] == ["dropout"]
    assert "seed" in keras.layers.Dropout(0.5, seed=3).get_config()
    assert {k: t.image for k, t in LAYER_TYPES.items()} == {
        "dense": False,
        "conv": True,
        "pool": True,
        "dropout": None,
    }


@pytest.mark.parametrize("name", INITIALIZERS)
def test_every_initializer_is_one_keras_knows(name):
    from nncore.keras_runtime import keras

    initializer = keras.initializers.get(name)
    weights = np.asarray(initializer((50, 40)))
    assert weights.shape == (50, 40)
    assert (np.count_nonzero(weights) == 0) == (name == "zeros")


def test_a_conv_layer_brings_relu_and_he_normal_and_nothing_else_brings_anything():
    assert LAYER_TYPES["conv"].defaults == {"act": "relu", "init": "he_normal"}
    assert all(not LAYER_TYPES[k].defaults for k in ("dense", "pool", "dropout"))
    # A link that names a conv layer gets them, for the fields the link leaves out...
    assert type_defaults({"l2_type": "conv"}) == {"l2_act": "relu", "l2_init": "he_normal"}
    assert type_defaults({"l2_type": "conv", "l2_init": "zeros"}) == {"l2_act": "relu"}
    # ...and a layer that becomes a conv layer on the page too; its other fields are kept.
    dense = LayerSpec("dense", units=77, filters=9, act="sigmoid", init="zeros")
    assert dense.as_type("conv") == LayerSpec(
        "conv", units=77, filters=9, act="relu", init="he_normal"
    )
    assert dense.as_type("pool") == LayerSpec(
        "pool", units=77, filters=9, act="sigmoid", init="zeros"
    )
    # The first position is the notebook's sigmoid Dense layer; naming it dense brings nothing.
    assert slot_default(0) == LayerSpec("dense", units=128, act="sigmoid")
    assert type_defaults({"l1_type": "dense"}) == {}


@pytest.mark.parametrize(
    ("layer", "shape", "words"),
    [
        (LayerSpec("conv", kernel="5"), (4, 4, 8), "Layer 3 (Conv2D 5×5) gets a 4×4 map"),
        (LayerSpec("conv", kernel="3"), (2, 2, 1), "smaller than its kernel"),
        (LayerSpec("pool"), (1, 1, 16), "Layer 3 (MaxPooling2D) gets a 1×1 map"),
    ],
)
def test_a_layer_that_cannot_follow_its_input_says_why_where_keras_would_raise(layer, shape, words):
    from nncore.keras_runtime import keras

    kind = LAYER_TYPES[layer.type]
    with pytest.raises(PlanProblem, match=re.escape(words)):
        kind.build(layer, shape, 3)
    built_by_hand = getattr(keras.layers, kind.keras_class)(
        **kind.build(layer, (28, 28, shape[2]), 3).options
    )
    with pytest.raises(Exception):  # noqa: B017  (Keras raises ValueError or a TF error)
        built_by_hand(np.zeros((1, *shape), np.float32))
