"""nncore.network: the description of a network, its plan (shapes and parameter counts as Keras
has them), its settings (the URL round trip) and the Keras model built from it."""

from __future__ import annotations

import re

import pytest

from nncore.links import read_link
from nncore.network.plan import layer_plan, layer_seed
from nncore.network.settings import (
    ALL_SETTINGS,
    SETTINGS_BY_KEY,
    active_settings,
    field_key,
    slot_settings,
    spec_from_values,
    spec_values,
    type_defaults,
)
from nncore.network.spec import (
    DEFAULT_SPEC,
    FLAT_SHAPE,
    IMAGE_SHAPE,
    MAX_LAYERS,
    PRESETS,
    SEED_NOTEBOOK,
    SMALL_CNN,
    LayerSpec,
    NetworkSpec,
)
from nncore.settings import parse_query, to_query

SPECS = {
    "seed notebook": SEED_NOTEBOOK,
    "small cnn": SMALL_CNN,
    "no hidden layer": NetworkSpec(layers=()),
    "dropout first, one neuron": NetworkSpec(
        layers=(LayerSpec("dropout", rate=0.5), LayerSpec("dense", units=1, act="tanh"))
    ),
    "conv 5x5 then dense": NetworkSpec(
        layers=(
            LayerSpec("conv", filters=8, kernel="5", act="elu", init="random_normal"),
            LayerSpec("dropout", rate=0.1),
            LayerSpec("dense", units=20, act="gelu", init="zeros"),
            LayerSpec("dense", units=512, act="softmax"),
        ),
        opt="momentum",
        lr=0.05,
        loss="mean_squared_error",
    ),
    "pooling only": NetworkSpec(layers=(LayerSpec("pool"), LayerSpec("pool"))),
    "six layers, every setting changed": NetworkSpec(
        layers=(
            LayerSpec("conv", filters=4, kernel="5", act="tanh", init="random_normal"),
            LayerSpec("pool"),
            LayerSpec("dropout", rate=0.4),
            LayerSpec("dense", units=7, act="linear", init="he_normal"),
            LayerSpec("dense", units=3, act="sigmoid", init="random_normal"),
            LayerSpec("dropout", rate=0.0),
        ),
        rows=3500,
        test=0.35,
        opt="nesterov",
        lr=0.2,
        batch=17,
        epochs=299,
        seed=9999,
    ),
}


def page_spec(query: dict[str, str]) -> NetworkSpec:
    """The spec the Build page opens for a link: the link's valid values, what its layer types
    bring (read as the page reads it), and the defaults for the rest."""
    link = read_link(query, ALL_SETTINGS, brought=type_defaults)
    assert link.notices == []
    return spec_from_values(link.values)


# --- the plan and the Keras model ----------------------------------------------------------


@pytest.mark.parametrize("name", SPECS)
def test_plan_matches_keras_parameter_counts_shapes_and_names(name):
    from nncore.network.model import build_model

    spec = SPECS[name]
    plan = layer_plan(spec)
    model = build_model(spec)
    assert plan.problems == ()
    assert tuple(model.inputs[0].shape[1:]) == plan.input_shape == spec.input_shape
    assert plan.total_params == model.count_params()
    assert [type(layer).__name__ for layer in model.layers] == [r.keras_class for r in plan.layers]
    assert [layer.count_params() for layer in model.layers] == [row.params for row in plan.layers]
    assert [tuple(layer.output.shape[1:]) for layer in model.layers] == [
        row.output_shape for row in plan.layers
    ]


def test_the_model_is_compiled_with_the_specs_optimizer_loss_and_learning_rate():
    from nncore.network.model import build_model

    spec = SPECS["conv 5x5 then dense"]
    model = build_model(spec)
    config = model.optimizer.get_config()
    assert type(model.optimizer).__name__ == "SGD"
    assert config["momentum"] == pytest.approx(0.9) and not config["nesterov"]
    assert config["learning_rate"] == pytest.approx(0.05)
    assert model.loss == "mean_squared_error"
    conv, dropout = model.layers[0], model.layers[1]
    assert conv.get_config()["activation"] == "elu"
    assert type(conv.kernel_initializer).__name__ == "RandomNormal"
    assert dropout.rate == pytest.approx(0.1)


def test_each_layer_has_its_own_seed_so_the_same_spec_starts_from_the_same_weights():
    import numpy as np

    from nncore.network.model import build_model

    spec = NetworkSpec(layers=(LayerSpec("dense", units=8), LayerSpec("dense", units=8)))
    first, again = build_model(spec).get_weights(), build_model(spec).get_weights()
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    other = build_model(NetworkSpec(layers=spec.layers, seed=1)).get_weights()
    assert not np.allclose(first[0], other[0])
    assert len({layer_seed(spec, i) for i in range(len(layer_plan(spec).layers))}) == 3


def test_seed_notebook_is_the_notebooks_network():
    plan = layer_plan(SEED_NOTEBOOK)
    assert plan.input_shape == FLAT_SHAPE == (784,)
    assert [(r.keras_class, r.output_shape, r.options.get("activation")) for r in plan.layers] == [
        ("Dense", (128,), "sigmoid"),
        ("Dense", (64,), "tanh"),
        ("Dense", (10,), "softmax"),
    ]
    assert plan.total_params == 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10 == 109_386
    assert (SEED_NOTEBOOK.epochs, SEED_NOTEBOOK.batch, SEED_NOTEBOOK.test) == (100, 256, 0.2)
    assert (SEED_NOTEBOOK.opt, SEED_NOTEBOOK.lr) == ("adam", 0.001)
    assert DEFAULT_SPEC is SEED_NOTEBOOK and PRESETS["Seed notebook"] is SEED_NOTEBOOK


def test_flatten_is_inserted_where_image_layers_meet_dense_layers():
    plan = layer_plan(SMALL_CNN)
    assert plan.input_shape == IMAGE_SHAPE
    classes = [row.keras_class for row in plan.layers]
    assert classes.count("Flatten") == 1
    # After the Dropout (which takes either shape), right before the first Dense layer.
    assert classes.index("Flatten") == classes.index("Dense") - 1
    assert classes[classes.index("Flatten") - 1] == "Dropout"
    flatten = plan.layers[classes.index("Flatten")]
    assert flatten.output_shape == (5 * 5 * 32,) and flatten.params == 0 and not flatten.hidden
    # Image layers at the end are flattened before the output layer.
    pooled = layer_plan(SPECS["pooling only"])
    assert [r.keras_class for r in pooled.layers][-2:] == ["Flatten", "Dense"]
    assert pooled.layers[-2].output_shape == (7 * 7,)


def test_input_shape_follows_the_first_layer_that_cares():
    assert NetworkSpec(layers=(LayerSpec("dropout"), LayerSpec("conv"))).input_shape == IMAGE_SHAPE
    assert NetworkSpec(layers=(LayerSpec("dropout"), LayerSpec("dense"))).input_shape == FLAT_SHAPE
    assert NetworkSpec(layers=(LayerSpec("dropout"),)).input_shape == FLAT_SHAPE
    assert NetworkSpec(layers=()).input_shape == FLAT_SHAPE


@pytest.mark.parametrize(
    ("layers", "words"),
    [
        ((LayerSpec("dense"), LayerSpec("conv")), "Layer 2 is Conv2D, but it comes after a Dense"),
        ((LayerSpec("dense"), LayerSpec("pool")), "Layer 2 is MaxPooling2D, but it comes after"),
        (tuple(LayerSpec("pool") for _ in range(6)), "Layer 5 (MaxPooling2D) gets a 1×1 map"),
        (
            (LayerSpec("pool"),) * 3 + (LayerSpec("conv", kernel="5"),),
            "Layer 4 (Conv2D 5×5) gets a 3×3 map, smaller than its kernel",
        ),
    ],
)
def test_impossible_networks_are_explained(layers, words):
    from nncore.network.model import build_model

    plan = layer_plan(NetworkSpec(layers=layers))
    assert len(plan.problems) == 1 and words in plan.problems[0]
    with pytest.raises(ValueError, match=re.escape(words)):
        build_model(NetworkSpec(layers=layers))


# --- settings: the URL round trip ----------------------------------------------------------


@pytest.mark.parametrize("name", SPECS)
def test_url_round_trip_restores_the_same_spec(name):
    spec = SPECS[name]
    query = to_query(spec_values(spec), active_settings(spec))
    restored = page_spec(query)
    # Fields a layer type does not use (a Dense layer's kernel size) need not travel.
    assert layer_plan(restored) == layer_plan(spec)
    assert [getattr(restored, k) for k in vars(spec) if k != "layers"] == [
        getattr(spec, k) for k in vars(spec) if k != "layers"
    ]


@pytest.mark.parametrize(
    "layers",
    [
        (LayerSpec("conv", act="sigmoid", init="he_normal"),),
        (LayerSpec("conv", act="relu", init="glorot_uniform"),),
        (LayerSpec("pool"), LayerSpec("pool"), LayerSpec("conv", act="relu")),
    ],
    ids=["sigmoid conv first", "glorot conv first", "default-looking conv third"],
)
def test_url_round_trip_keeps_a_conv_layer_that_looks_like_the_default(layers):
    spec = NetworkSpec(layers=layers)
    restored = page_spec(to_query(spec_values(spec), active_settings(spec)))
    assert layer_plan(restored) == layer_plan(spec)


def test_default_spec_has_an_empty_url():
    assert to_query(spec_values(SEED_NOTEBOOK), active_settings(SEED_NOTEBOOK)) == {}
    assert page_spec({}) == SEED_NOTEBOOK


def test_a_link_names_only_the_fields_its_layer_types_use():
    spec = NetworkSpec(layers=(LayerSpec("pool"), LayerSpec("dropout", rate=0.5)))
    assert to_query(spec_values(spec), active_settings(spec)) == {
        "l1_type": "pool",
        "l2_type": "dropout",
        "l2_rate": "0.5",
    }


def test_a_conv_layer_named_without_activation_brings_relu_and_he_normal():
    spec = page_spec({"layers": "1", "l1_type": "conv"})
    assert spec.layers[0] == LayerSpec("conv", units=128, act="relu", init="he_normal")
    # What the link says wins over what the type brings; other layer types bring nothing.
    chosen = page_spec({"layers": "2", "l1_type": "conv", "l1_act": "tanh", "l2_type": "pool"})
    assert (chosen.layers[0].act, chosen.layers[0].init) == ("tanh", "he_normal")
    assert chosen.layers[1] == LayerSpec("pool", units=64, act="tanh")
    assert type_defaults({"l1_type": "dense", "l2_type": "dropout"}) == {}
    assert LayerSpec(act="sigmoid").as_type("conv") == LayerSpec("conv", init="he_normal")


def test_garbage_url_parameters_are_ignored_with_a_notice():
    values, notices = parse_query(
        {
            "lr": "banana",
            "epochs": "1e9",
            "opt": "magic",
            "l1_units": "12.5",
            "batch": "64",
            "rows": "750",
            "l2_act": "swish",
        },
        ALL_SETTINGS,
    )
    assert values == {"batch": 64}
    assert len(notices) == 6
    for words in (
        "lr='banana' is not a number",
        "epochs=1000000000 is outside 1–300",
        "opt='magic' is not one of sgd, momentum",
        "l1_units='12.5' is not a whole",
        "rows=750 is not a multiple of 500",
        "l2_act='swish' is not one of",
    ):
        assert any(words in n for n in notices), words
    assert all(n.startswith("Ignored ") for n in notices)
    spec = spec_from_values(values)
    assert spec.batch == 64 and spec.lr == SEED_NOTEBOOK.lr and spec.epochs == 100


def test_every_layer_position_has_its_own_settings_with_the_notebooks_defaults():
    assert len(ALL_SETTINGS) == len({s.key for s in ALL_SETTINGS})
    assert [s.key for s in slot_settings(0)][:2] == ["l1_type", "l1_units"]
    assert (
        SETTINGS_BY_KEY["l1_units"].default == 128 and SETTINGS_BY_KEY["l2_act"].default == "tanh"
    )
    assert SETTINGS_BY_KEY[field_key(MAX_LAYERS - 1, "act")].default == LayerSpec().act
    assert field_key(MAX_LAYERS - 1, "units") == "l6_units" and "l7_units" not in SETTINGS_BY_KEY
    assert set(SETTINGS_BY_KEY["opt"].choices) == {
        "sgd",
        "momentum",
        "nesterov",
        "adagrad",
        "rmsprop",
        "adam",
    }
    assert spec_from_values({"layers": 4}).layers[2:] == (LayerSpec(), LayerSpec())


def test_learning_rate_grid_covers_the_whole_log_range():
    grid = SETTINGS_BY_KEY["lr"].grid()
    assert grid[0] == 1e-5 and grid[-1] == 10.0
    assert 0.001 in grid and grid == sorted(grid)
    assert [v for v in grid if 0.01 <= v <= 0.1] == [0.01, 0.02, 0.05, 0.1]


def test_train_rows_are_what_the_split_trains_on():
    from nncore.data.mnist import prepare_split

    spec = NetworkSpec(layers=(), rows=1500, test=0.35)
    assert spec.train_rows == len(prepare_split(spec).x_train) == 975
