"""The network description: shapes and parameter counts as Keras has them, the URL round trip,
and impossible networks explained instead of raised."""

import pytest

from nncore.settings import parse_query, to_query
from nncore.spec import (
    ALL_SETTINGS,
    SEED_NOTEBOOK,
    SMALL_CNN,
    LayerSpec,
    NetworkSpec,
    active_settings,
    layer_plan,
    spec_from_values,
    spec_values,
)

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
}


@pytest.mark.parametrize("name", SPECS)
def test_plan_matches_keras_parameter_counts_and_shapes(name):
    from nncore.model import build_model

    spec = SPECS[name]
    plan = layer_plan(spec)
    model = build_model(spec)
    assert plan.problems == ()
    assert plan.total_params == model.count_params()
    assert [layer.count_params() for layer in model.layers] == [row.params for row in plan.layers]
    assert [tuple(layer.output.shape[1:]) for layer in model.layers] == [
        row.output_shape for row in plan.layers
    ]


def test_seed_notebook_is_the_notebooks_network():
    plan = layer_plan(SEED_NOTEBOOK)
    assert plan.input_shape == (784,)
    assert [(r.keras_class, r.output_shape, r.options.get("activation")) for r in plan.layers] == [
        ("Dense", (128,), "sigmoid"),
        ("Dense", (64,), "tanh"),
        ("Dense", (10,), "softmax"),
    ]
    assert (SEED_NOTEBOOK.epochs, SEED_NOTEBOOK.batch, SEED_NOTEBOOK.test) == (100, 256, 0.2)


def test_flatten_is_inserted_where_image_layers_meet_dense_layers():
    plan = layer_plan(SMALL_CNN)
    assert plan.input_shape == (28, 28, 1)
    classes = [row.keras_class for row in plan.layers]
    assert classes.index("Flatten") == classes.index("Dense") - 1


@pytest.mark.parametrize(
    ("layers", "words"),
    [
        ((LayerSpec("dense"), LayerSpec("conv")), "after a Dense layer"),
        ((LayerSpec("dense"), LayerSpec("pool")), "after a Dense layer"),
        (tuple(LayerSpec("pool") for _ in range(6)), "nothing left to halve"),
        ((LayerSpec("pool"),) * 3 + (LayerSpec("conv", kernel="5"),), "smaller than its kernel"),
    ],
)
def test_impossible_networks_are_explained(layers, words):
    plan = layer_plan(NetworkSpec(layers=layers))
    assert any(words in problem for problem in plan.problems)
    from nncore.model import build_model

    with pytest.raises(ValueError, match=words):
        build_model(NetworkSpec(layers=layers))


@pytest.mark.parametrize("name", SPECS)
def test_url_round_trip_restores_the_same_spec(name):
    spec = SPECS[name]
    query = to_query(spec_values(spec), active_settings(spec))
    values, notices = parse_query(query, ALL_SETTINGS)
    assert notices == []
    restored = spec_from_values(values)
    # Fields a layer type does not use (a Dense layer's kernel size) need not travel.
    assert layer_plan(restored) == layer_plan(spec)
    assert [restored.__dict__[k] for k in vars(spec) if k != "layers"] == [
        spec.__dict__[k] for k in vars(spec) if k != "layers"
    ]


def test_default_spec_has_an_empty_url():
    assert to_query(spec_values(SEED_NOTEBOOK), active_settings(SEED_NOTEBOOK)) == {}


def test_garbage_url_parameters_are_ignored_with_a_notice():
    values, notices = parse_query(
        {"lr": "banana", "epochs": "1e9", "opt": "magic", "l1_units": "12.5", "batch": "64"},
        ALL_SETTINGS,
    )
    assert values == {"batch": 64}
    assert len(notices) == 4
    assert any("lr='banana' is not a number" in n for n in notices)
    assert any("outside 1–300" in n for n in notices)
    spec = spec_from_values(values)
    assert spec.batch == 64 and spec.lr == SEED_NOTEBOOK.lr


def test_learning_rate_grid_covers_the_whole_log_range():
    lr = next(s for s in ALL_SETTINGS if s.key == "lr")
    grid = lr.grid()
    assert grid[0] == 1e-5 and grid[-1] == 10.0
    assert 0.001 in grid and grid == sorted(grid)
