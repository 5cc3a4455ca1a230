"""The playground's network really learns (Keras, in this process) and its worker job obeys
Play, Pause, Step and Stop between epochs, streaming snapshots no faster than 8 a second."""

from __future__ import annotations

import time

import numpy as np
import pytest

from nncore.playground.settings import GRID, PlaygroundSpec
from nncore.workers.messages import PlayRequest
from nncore.workers.playground_client import PlaygroundJob
from nncore.workers.pool import Owner, TrainerPool
from tests.helpers import play_request, wait_until

ALL_FEATURES = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sin1", "sin2")


def request(data: str, spec: PlaygroundSpec, noise: float = 0.0, mode: str = "play") -> PlayRequest:
    return play_request(data, spec, noise=noise, mode=mode)


@pytest.mark.parametrize(
    ("data", "spec", "epochs", "wanted"),
    [
        ("circle", PlaygroundSpec(units=(4, 2)), 150, 0.95),
        ("xor", PlaygroundSpec(units=(8,), lr=0.1), 100, 0.95),
        (
            "spiral",
            PlaygroundSpec(features=ALL_FEATURES, units=(8, 8, 6), opt="adam", lr=0.01),
            200,
            0.9,
        ),
        ("blobs4", PlaygroundSpec(units=(4,), classes=4), 50, 0.95),
    ],
)
def test_a_sensible_network_reaches_a_stated_test_accuracy(data, spec, epochs, wanted):
    from nncore.playground.engine import PlaygroundEngine

    engine = PlaygroundEngine(request(data, spec))
    for _ in range(epochs):
        train_loss, test_loss, train_acc, test_acc = engine.epoch()
    assert test_acc >= wanted, (data, test_acc)
    output, hidden = engine.grids()
    assert output.shape == (GRID, GRID, max(spec.classes, 2))
    np.testing.assert_allclose(output.sum(axis=-1), 1.0, atol=1e-4)
    assert [h.shape for h in hidden] == [(u, GRID, GRID) for u in spec.units]


def test_without_a_hidden_layer_xor_stays_near_chance():
    from nncore.playground.engine import PlaygroundEngine

    engine = PlaygroundEngine(request("xor", PlaygroundSpec(units=())))
    for _ in range(100):
        *_, test_acc = engine.epoch()
    assert test_acc < 0.75


def test_regression_learns_the_plane_with_squared_error():
    from nncore.playground.engine import PlaygroundEngine

    engine = PlaygroundEngine(request("plane", PlaygroundSpec(units=(2,), classes=0)))
    first = engine.epoch()[1]
    for _ in range(30):
        test_loss = engine.epoch()[1]
    assert test_loss < 0.01 < first or test_loss < first / 10
    assert engine.grids()[0].shape == (GRID, GRID, 1)


@pytest.fixture(scope="module")
def pool() -> TrainerPool:
    pool = TrainerPool(workers=1)
    assert pool.ready.wait(180), "the training worker did not start"
    return pool


def test_the_worker_plays_pauses_steps_and_gives_the_network_back(pool):
    owner = Owner()
    job = pool.submit(PlaygroundJob(request("circle", PlaygroundSpec()), owner, pool))
    wait_until(lambda: job.latest is not None and job.latest.epoch >= 30)
    started, first = time.monotonic(), job.version
    time.sleep(1.0)
    # Snapshots at most 8 a second (plus the occasional state change), many epochs each.
    assert job.version - first <= 10
    job.pause()
    wait_until(lambda: job.latest is not None and not job.latest.playing)
    paused_at = job.latest.epoch
    time.sleep(0.3)
    assert job.latest.epoch == paused_at
    job.step()
    wait_until(lambda: job.latest.epoch == paused_at + 1)
    assert [row[0] for row in job.losses] == list(range(1, paused_at + 2))
    job.stop()
    wait_until(lambda: job.state == "released")
    assert len(job.latest.weights) == 6 and job.latest.epoch == paused_at + 1
    assert time.monotonic() - started < 30


def test_a_new_job_continues_from_the_weights_it_is_given(pool):
    owner = Owner()
    job = pool.submit(PlaygroundJob(request("xor", PlaygroundSpec(), mode="step"), owner, pool))
    wait_until(lambda: job.latest is not None and job.latest.epoch == 1)
    job.stop()
    wait_until(lambda: job.state == "released")
    weights = job.latest.weights
    again = request("xor", PlaygroundSpec(), mode="step")
    again = PlayRequest(**{**again.__dict__, "weights": weights, "epoch": 1})
    follow = pool.submit(PlaygroundJob(again, owner, pool))
    wait_until(lambda: follow.latest is not None and follow.latest.epoch == 2)
    follow.stop()
    wait_until(lambda: follow.state == "released")
    assert follow.losses[0][0] == 2


def test_a_playing_network_yields_its_worker_to_someone_waiting(pool, monkeypatch):
    from nncore.workers import playground_client
    from nncore.workers.playground import YIELD_NOTE

    monkeypatch.setattr(playground_client, "SHARE_SECONDS", 1.0)
    owner = Owner()
    playing = pool.submit(PlaygroundJob(request("circle", PlaygroundSpec()), owner, pool))
    wait_until(lambda: playing.latest is not None and playing.latest.epoch > 0)
    waiting = pool.submit(PlaygroundJob(request("xor", PlaygroundSpec(), mode="step"), owner, pool))
    wait_until(lambda: playing.state == "released", 30)
    assert playing.latest.note == YIELD_NOTE and playing.latest.weights
    wait_until(lambda: waiting.latest is not None and waiting.latest.epoch == 1, 60)
    waiting.stop()
    wait_until(lambda: waiting.state == "released")


def test_the_stop_rule_pauses_the_worker_at_its_epoch_once_and_play_goes_on(pool):
    from dataclasses import replace

    from nncore.workers.messages import StopRule

    owner = Owner()
    asked = replace(request("circle", PlaygroundSpec()), stop=StopRule("epochs", epochs=5))
    job = pool.submit(PlaygroundJob(asked, owner, pool))
    wait_until(lambda: job.state == "paused" and job.stopped_by_rule, 120)
    assert job.latest.epoch == 5 and "Stopped at epoch 5" in job.latest.note
    assert [row[0] for row in job.scores] == [row[0] for row in job.losses] == [1, 2, 3, 4, 5]
    metrics = job.latest.metrics
    assert metrics is not None and metrics.confusion.sum() == 250  # every test point
    assert metrics.test == job.scores[-1][2] and 0 <= metrics.test <= 1
    assert job.latest.seconds > 0
    # The rule is spent: Play goes on past it; a new rule stops at its own epoch.
    job.play()
    wait_until(lambda: job.latest.epoch > 8)
    job.pause()
    wait_until(lambda: not job.live)
    target = job.latest.epoch + 3
    job.set_rule(StopRule("epochs", epochs=target))
    job.play()
    wait_until(lambda: job.state == "paused" and job.stopped_by_rule, 60)
    assert job.latest.epoch == target
    job.stop()
    wait_until(lambda: job.state == "released")


def test_a_regression_job_measures_r2_and_rmse(pool):
    owner = Owner()  # held: a job whose owner is gone is dropped before it starts
    job = pool.submit(
        PlaygroundJob(request("plane", PlaygroundSpec(classes=0), mode="step"), owner, pool)
    )
    wait_until(lambda: job.latest is not None and job.latest.epoch == 1 and not job.live, 120)
    metrics = job.latest.metrics
    assert metrics.classes == 0 and metrics.confusion is None
    assert metrics.test_rmse > 0 and metrics.test <= 1 and job.scores[0][2] == metrics.test
    job.stop()
    wait_until(lambda: job.state == "released")
