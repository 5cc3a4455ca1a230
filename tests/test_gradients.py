"""Step one batch and the gradient panel's numbers: exactly Keras's own step, and honest sizes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nncore.data.mnist import prepare_split
from nncore.keras_runtime import keras
from nncore.network.model import build_model
from nncore.network.spec import LayerSpec, NetworkSpec
from nncore.training.gradients import (
    batch_rows,
    kernels,
    relu_dead_counts,
    step_one_batch,
    training_health,
)
from nncore.training.health import histogram, what_to_look_for

SMALL = NetworkSpec(
    layers=(LayerSpec("dense", units=24, act="relu"), LayerSpec("dense", units=12, act="tanh")),
    rows=400,
    batch=32,
    seed=3,
)


@pytest.mark.parametrize("optimizer, lr", [("sgd", 0.1), ("momentum", 0.05), ("adam", 0.01)])
def test_three_steps_equal_three_train_on_batch_calls_on_a_copy(optimizer: str, lr: float):
    """The weights after each step are Keras's own ``train_on_batch`` result on the same batch,
    including the optimizer's memory (momentum, Adam's moments) carried between clicks."""
    spec = NetworkSpec(**{**SMALL.__dict__, "opt": optimizer, "lr": lr})
    copy = build_model(spec)  # same seeded initial weights as the stepped network
    split = prepare_split(spec)
    state = None
    for step in range(3):
        result = step_one_batch(spec, state)
        state = result.state
        rows = batch_rows(spec, step, len(split.x_train))
        copy.train_on_batch(split.x_train[rows], split.y_train[rows])
        for ours, theirs in zip(state.weights, copy.get_weights(), strict=True):
            np.testing.assert_allclose(ours, theirs, atol=1e-6, rtol=1e-5)
        assert result.health.batch_loss > 0
    assert state is not None and state.steps == 3


def test_batches_follow_an_epoch_then_a_fresh_shuffle():
    rows = 100
    spec = NetworkSpec(layers=SMALL.layers, batch=30)
    first_epoch = np.concatenate([batch_rows(spec, step, rows) for step in range(4)])
    assert sorted(first_epoch) == list(range(rows))  # every row once, the last batch partial
    assert len(batch_rows(spec, 3, rows)) == 10
    assert not np.array_equal(batch_rows(spec, 4, rows), batch_rows(spec, 0, rows))


def test_the_panel_reports_each_weighted_layer_with_its_update_and_histograms():
    result = step_one_batch(SMALL, None)
    health = result.health
    assert [layer.name for layer in health.layers] == ["dense_1", "dense_2", "output"]
    fresh = build_model(SMALL)
    for layer, before, after in zip(
        health.layers, kernels(fresh), result.state.weights[::2], strict=True
    ):
        assert layer.weight_norm == pytest.approx(np.linalg.norm(after), rel=1e-5)
        assert layer.update_norm == pytest.approx(np.linalg.norm(after - before), rel=1e-4)
        assert layer.weights.counts.sum() == after.size  # every weight in some bin
        counts, _ = np.histogram(after, bins=len(layer.weights.counts))
        np.testing.assert_array_equal(layer.weights.counts, counts)
        assert layer.gradients.counts.sum() == after.size
    assert health.layers[0].units == 24 and health.layers[1].units is None  # relu only


def test_a_histogram_counts_what_a_diverged_network_left_apart():
    values = np.array([1.0, 2.0, np.nan, np.inf, -np.inf, 3.0])
    shown = histogram(values, bins=4)
    assert shown.counts.sum() == 3 and shown.not_finite == 3
    assert histogram(np.zeros(10)).counts.sum() == 10  # the zeros initializer: one tall bin


def test_relu_units_pushed_below_zero_for_every_digit_are_counted_dead():
    model = build_model(SMALL)
    x = prepare_split(SMALL).x_test
    kernel, bias = model.layers[0].get_weights()
    bias[:5] = -1000.0  # five units that no digit can switch on
    model.layers[0].set_weights([kernel, bias])
    assert relu_dead_counts(model, x)["dense_1"] == (5, 24)


def test_dead_units_are_named_with_what_the_test_examples_are():
    """A network trained on the visitor's table has test rows, not test digits."""
    model = build_model(SMALL)
    split = prepare_split(SMALL)
    kernel, bias = model.layers[0].get_weights()
    bias[:20] = -1000.0  # most of the layer can never switch on
    model.layers[0].set_weights([kernel, bias])
    health = training_health(model, split, kernels(model))
    assert what_to_look_for(health).startswith("Dead relu units: 20 of 24 in dense_1")
    assert "output 0 for every test digit," in what_to_look_for(health)
    assert "output 0 for every test row," in what_to_look_for(health, "row")


def test_sigmoid_in_depth_is_called_vanishing():
    deep = NetworkSpec(layers=(LayerSpec("dense", units=32, act="sigmoid"),) * 5, rows=400)
    model = build_model(deep)
    split = prepare_split(deep)
    health = training_health(model, split, kernels(model))
    assert health.layers[0].gradient_ratio < health.layers[-1].gradient_ratio / 100
    assert what_to_look_for(health).startswith("Vanishing gradients")


def test_a_huge_learning_rate_is_called_exploding_before_the_loss_is_nan():
    wild = NetworkSpec(layers=SMALL.layers, opt="sgd", lr=10.0, rows=400, batch=32)
    result = step_one_batch(wild, None)
    assert max(layer.update_ratio for layer in result.health.layers) > 0.5
    sentence = what_to_look_for(result.health)
    assert sentence.startswith(("Exploding", "The numbers have left"))


def test_a_healthy_network_says_so():
    result = step_one_batch(NetworkSpec(**{**SMALL.__dict__, "lr": 0.001}), None)
    assert what_to_look_for(result.health).startswith("Healthy")
    assert all(math.isfinite(layer.update_ratio) for layer in result.health.layers)


def test_the_step_uses_keras_loss_for_the_batch():
    spec = SMALL
    split = prepare_split(spec)
    model = build_model(spec)
    rows = batch_rows(spec, 0, len(split.x_train))
    expected = float(
        keras.ops.mean(
            keras.losses.categorical_crossentropy(split.y_train[rows], model(split.x_train[rows]))
        )
    )
    assert step_one_batch(spec, None).health.batch_loss == pytest.approx(expected, rel=1e-5)


def test_a_step_on_an_uploaded_table_uses_the_files_rows():
    import io

    from nncore.data.csv_files import read_csv_upload
    from nncore.data.csv_split import prepare_csv_split, spec_for_data

    rng = np.random.default_rng(0)
    lines = ["a,b,c,label"] + [
        f"{x:.3f},{y:.3f},{x * y:.3f},{name}"
        for x, y, name in zip(
            rng.normal(size=90), rng.normal(size=90), ["cat", "dog", "fox"] * 30, strict=True
        )
    ]
    data = read_csv_upload(io.BytesIO("\n".join(lines).encode()), "animals.csv")
    spec = spec_for_data(NetworkSpec(layers=(LayerSpec("dense", units=5),), batch=16), data)
    split = prepare_csv_split(data, spec)
    result = step_one_batch(spec, None, split)
    output = result.health.layers[-1]
    assert output.weights.counts.sum() == 5 * 3  # 5 hidden neurons → the file's 3 classes
    assert result.state.weights[0].shape == (3, 5)  # the file's 3 feature columns in
