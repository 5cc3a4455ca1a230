"""The 2D Playground's backward pass: the gradients the page receives from the training worker
are tf.GradientTape's on the same batch and weights, the chain rule the page writes for one
point adds up to them, and the worker sends them only when the network waits or the page
shows them."""

from __future__ import annotations

import time

import numpy as np
import pytest

from nncore.backprop.explain import tex
from nncore.playground.backward import (
    all_weights,
    batch_latex,
    chain_rule,
    delta_tiles,
    line_levels,
    neuron_deltas,
    point_pass,
    weight_name,
)
from nncore.playground.network_figure import SELECTED_TRACE, WEIGHT_TRACE, backward_figure
from nncore.playground.settings import PlaygroundSpec
from nncore.workers.messages import PlayRequest
from nncore.workers.playground_client import PlaygroundJob
from nncore.workers.pool import Owner, TrainerPool
from tests.helpers import play_request, wait_until


def request(data: str, spec: PlaygroundSpec, mode: str = "step") -> PlayRequest:
    return play_request(data, spec, points=200, noise=0.1, seed=3, mode=mode)


def random_weights(sizes: list[int], seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    weights = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        weights += [rng.normal(size=(n_in, n_out)), rng.normal(size=n_out) * 0.3]
    return weights


def point_loss(weights, act, classes, x, label) -> float:
    passed = point_pass(weights, act, classes, x, label)
    out = passed.outs[-1]
    return float(-np.log(out[int(label)])) if classes else float((out[0] - label) ** 2)


@pytest.mark.parametrize(("act", "classes"), [("tanh", 2), ("sigmoid", 3), ("relu", 0)])
def test_a_points_gradients_are_the_slope_of_its_loss(act, classes):
    """Every ∂E/∂w of the numpy pass matches a finite difference of the point's loss."""
    weights = random_weights([3, 4, 2, max(classes, 1)])
    x, label = np.array([0.7, -1.2, 0.4]), (1 if classes else 0.3)
    passed = point_pass(weights, act, classes, x, label)
    for weight in all_weights([w.shape for w in weights[0::2]]):
        layer, i, j = weight
        nudged = [w.copy() for w in weights]
        nudged[2 * layer][i, j] += 1e-6
        slope = (
            point_loss(nudged, act, classes, x, label) - point_loss(weights, act, classes, x, label)
        ) / 1e-6
        assert passed.gradient(weight) == pytest.approx(slope, rel=1e-3, abs=1e-5), weight


def test_the_chain_rule_is_written_with_the_points_numbers():
    weights = random_weights([2, 3, 2])
    x = np.array([1.5, -0.5])
    passed = point_pass(weights, "tanh", 2, x, 1)
    hidden = chain_rule(weights, passed, (0, 1, 2), "tanh", 2, ["x₁", "x₂"])
    text = " ".join([*hidden.factors, hidden.result])
    # the factors: ∂E/∂out sums over the two outputs, the slope of tanh, the input x₂
    assert r"\delta_{o0}\, w_{1.3 \to o0}" in text and r"\tanh'" in text
    assert tex(float(passed.errors[0][2]), False) in text
    assert tex(-0.5, False) in hidden.factors[-1] and r"\text{x₂}" in hidden.factors[-1]
    assert hidden.result.endswith(tex(hidden.value, False) + r"\end{aligned}")
    assert hidden.value == pytest.approx(passed.deltas[0][2] * -0.5)
    output = chain_rule(weights, passed, (1, 0, 1), "tanh", 2, ["x₁", "x₂"])
    assert r"\mathrm{out}_{o1} - t_{o1}" in output.factors[0]
    assert output.value == pytest.approx((passed.outs[1][1] - 1) * passed.outs[0][0])
    assert weight_name((1, 0, 1), ["x₁", "x₂"], 1, 2) == "neuron 1.1 → the output for class 1"
    regression = point_pass(random_weights([2, 1]), "tanh", 0, x, 0.25)
    text = chain_rule(random_weights([2, 1]), regression, (0, 0, 0), "tanh", 0, ["x₁", "x₂"])
    assert r"2\,(\mathrm{out}_{o} - t)" in text.factors[0]


def test_the_batch_line_adds_the_penalty_slope():
    plain = batch_latex(0.25, 10, "none", 0.0, 1.0)
    assert r"\frac{1}{10} \sum_{n=1}^{10}" in plain and "0.25" in plain
    l2 = batch_latex(0.25, 10, "l2", 0.01, -2.0)
    assert r"2 \lambda w" in l2 and "0.29" in l2  # the mean: 0.25 − 2·0.01·(−2)


def test_the_figure_draws_gradients_and_deltas_and_marks_the_chosen_weight():
    grads = [np.array([[0.5, -0.01], [0.0, 0.2]]), np.array([[1.0, -1.0], [0.3, -0.3]])]
    levels = line_levels(grads, 5)
    assert levels[1][0, 0] == 4 and levels[0][0, 1] == 0  # one scale for the whole network
    deltas = neuron_deltas([np.array([[1.0, -2.0], [3.0, 0.0]]), np.array([[0.5, -0.5]] * 2)])
    np.testing.assert_allclose(deltas[0], [2.0, -1.0])
    tiles = delta_tiles(deltas, 5)
    assert tiles[0][0][0, 0, 2] > tiles[0][0][0, 0, 0]  # positive: blue
    tile = np.zeros((25, 25, 3))
    figure = backward_figure([("x₁", tile), ("x₂", tile)], grads, deltas, 2, (1, 1, 0))
    dots = next(t for t in figure.data if t.name == WEIGHT_TRACE)
    assert [list(c) for c in dots.customdata] == [
        [0, 0, 0],
        [0, 0, 1],
        [0, 1, 0],
        [0, 1, 1],
        [1, 0, 0],
        [1, 0, 1],
        [1, 1, 0],
        [1, 1, 1],
    ]
    assert len({(x, y) for x, y in zip(dots.x, dots.y, strict=True)}) == 8  # no dot hides another
    assert dots.marker.color[6] == "black" and "−1" in dots.text[5]
    assert any(t.name == SELECTED_TRACE for t in figure.data)
    assert {a.text for a in figure.layout.annotations} >= {"o0", "o1", "x₁", "layer 1", "output"}


# --- with a training worker ------------------------------------------------------------------


@pytest.fixture(scope="module")
def pool() -> TrainerPool:
    pool = TrainerPool(workers=1)
    assert pool.ready.wait(180), "the training worker did not start"
    return pool


def tape_gradients(spec: PlaygroundSpec, sent, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """tf.GradientTape of Keras's model on the batch, written as plainly as a student would."""
    from nncore.keras_runtime import keras, tf
    from nncore.playground.engine import build_model

    model = build_model(spec)
    model.set_weights(sent.weights)
    loss_fn = (
        keras.losses.SparseCategoricalCrossentropy()
        if spec.classes
        else keras.losses.MeanSquaredError()
    )
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(tf.constant(x, tf.float32)))
        if model.losses:
            loss += tf.add_n(model.losses)
    return [g.numpy() for g in tape.gradient(loss, model.trainable_variables)]


@pytest.mark.parametrize(
    ("data", "spec"),
    [
        ("xor", PlaygroundSpec(units=(4, 2), batch=10)),
        ("blobs3", PlaygroundSpec(units=(3,), act="relu", reg="l2", rate=0.01, classes=3)),
        ("plane", PlaygroundSpec(units=(2,), act="sigmoid", reg="l1", rate=0.01, classes=0)),
    ],
)
def test_the_pages_gradients_are_gradient_tapes_on_the_same_batch(pool, data, spec):
    job_request = request(data, spec)
    owner = Owner()  # held: a job whose owner is gone is stopped
    job = pool.submit(PlaygroundJob(job_request, owner, pool))
    wait_until(lambda: job.gradients is not None and job.gradients.epoch == 1, 180)
    job.stop()
    sent = job.gradients
    assert sent.rows == spec.batch
    x, y = job_request.x_train[: sent.rows], job_request.y_train[: sent.rows]
    for ours, tape in zip(sent.gradients, tape_gradients(spec, sent, x, y), strict=True):
        np.testing.assert_allclose(ours, tape, atol=1e-6, rtol=0)
    # A neuron's δ for the batch is its bias's gradient, and each point's δ is the numpy
    # chain rule's: what the page writes out adds up to what the line shows.
    for layer, rows in enumerate(sent.deltas):
        np.testing.assert_allclose(rows.mean(axis=0), sent.gradients[2 * layer + 1], atol=1e-6)
    passes = [point_pass(sent.weights, spec.act, spec.classes, x[n], y[n]) for n in range(len(x))]
    for layer, rows in enumerate(sent.deltas):
        ours = np.array([p.deltas[layer] for p in passes])
        np.testing.assert_allclose(rows, ours, atol=1e-5)
    penalty = 0.0
    for weight in all_weights([k.shape for k in sent.weights[0::2]]):
        layer, i, j = weight
        w = float(sent.weights[2 * layer][i, j])
        if spec.reg == "l2":
            penalty = 2 * spec.rate * w
        elif spec.reg == "l1":
            penalty = spec.rate * np.sign(w)
        mean = np.mean([p.gradient(weight) for p in passes]) + penalty
        assert float(sent.gradients[2 * layer][i, j]) == pytest.approx(mean, abs=1e-5)


def test_playing_sends_gradients_only_while_the_page_shows_them(pool):
    owner = Owner()  # held: a job whose owner is gone is stopped
    job = pool.submit(PlaygroundJob(request("circle", PlaygroundSpec(), "play"), owner, pool))
    wait_until(lambda: job.latest is not None and job.latest.epoch >= 20, 180)
    assert job.gradients is None  # playing, nobody looking: no backward pass
    job.pause()
    wait_until(lambda: job.gradients is not None and not job.latest.playing)
    assert job.gradients.epoch == job.latest.epoch  # the paused network's own
    job.show_backward(True)
    job.play()
    paused_at = job.gradients.epoch
    wait_until(lambda: job.gradients.epoch > paused_at + 5 and job.latest.playing)
    seen = job.gradients.epoch
    time.sleep(0.5)
    assert job.gradients.epoch > seen  # sent along while it plays
    job.stop()
    wait_until(lambda: job.state == "released")
    assert job.gradients.epoch == job.latest.epoch
