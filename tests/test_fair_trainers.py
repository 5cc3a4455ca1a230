"""A class shares few trainers: no visitor holds one while others wait.

A long training gives its trainer to whoever waits and goes on later from where it was; a
paused training gives it up at once; a session has one job in the queue at most.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nncore.network.spec import LayerSpec, NetworkSpec
from nncore.workers import client
from nncore.workers.client import RunHandle
from nncore.workers.pool import Owner, TrainerPool
from tests.helpers import wait_until

# About half a second an epoch: long enough to be caught between epochs.
SLOW = NetworkSpec(layers=(LayerSpec("dense", units=32),), rows=2000, batch=2, epochs=200)
QUICK = NetworkSpec(layers=(LayerSpec("dense", units=8),), rows=500, epochs=3)


@pytest.fixture(scope="module")
def pool() -> Iterator[TrainerPool]:
    pool = TrainerPool(workers=1)
    assert pool.ready.wait(180), "the training worker did not start"
    yield pool


def train(pool: TrainerPool, spec: NetworkSpec, owner: Owner) -> RunHandle:
    return pool.submit(RunHandle(pool, spec, owner))


def stop_and_wait(*handles: RunHandle) -> None:
    for handle in handles:
        handle.stop()
    wait_until(lambda: all(h.run.over for h in handles), 120, "the trainings to stop")


def paused_after_an_epoch(pool: TrainerPool, owner: Owner) -> RunHandle:
    """A long training, paused once its first epoch is in and the worker waits."""
    handle = train(pool, SLOW, owner)
    wait_until(lambda: handle.run.epochs_done >= 1, 120, "the first epoch")
    handle.pause()
    wait_until(lambda: handle.settled_pause, 60, "the pause")
    return handle


def epochs(handle: RunHandle) -> list[int]:
    return [record.epoch for record in handle.run.history]


def test_a_long_training_lets_a_waiting_one_through_and_goes_on_where_it_was(
    pool: TrainerPool, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(client, "SHARE_SECONDS", 1.0)
    first, second = Owner(), Owner()
    long = train(pool, SLOW, first)
    wait_until(lambda: long.run.epochs_done >= 2, 120, "two epochs of the long training")
    waiting = train(pool, QUICK, second)
    # The long training gives its trainer up between two epochs, keeping what it learned.
    wait_until(lambda: long.checkpoint is not None, 60, "the long training to give way")
    given_up_after = long.checkpoint.epochs_done if long.checkpoint else 0
    assert epochs(long) == list(range(1, given_up_after + 1))
    wait_until(lambda: waiting.run.over, 120, "the waiting training to finish")
    assert waiting.run.state == "done" and waiting.run.epochs_done == QUICK.epochs
    assert not long.run.over  # it was not stopped: it waits, then goes on
    # It goes on from the epoch after the last it ran, with the network it had.
    wait_until(lambda: long.run.epochs_done >= given_up_after + 2, 120, "the training to go on")
    assert epochs(long) == list(range(1, long.run.epochs_done + 1))
    before, after = long.run.history[given_up_after - 1], long.run.history[given_up_after]
    assert after.loss < long.run.history[0].loss  # not a fresh network starting over
    assert after.loss < 1.5 * before.loss
    stop_and_wait(long)
    assert long.run.state == "stopped" and long.run.has_model and long.run.test is not None


def test_a_paused_training_gives_its_trainer_to_a_waiting_one_at_once(pool: TrainerPool):
    # The share limit stays at its real value: only the pause can let the other one through.
    assert client.SHARE_SECONDS >= 10
    first, second = Owner(), Owner()  # the two sessions, alive for the whole test
    paused = paused_after_an_epoch(pool, first)
    waiting = train(pool, QUICK, second)
    wait_until(lambda: waiting.run.over, client.SHARE_SECONDS, "the waiting training")
    assert waiting.run.state == "done"
    # The paused training kept its history and its place in the lesson: Resume goes on.
    done = paused.run.epochs_done
    assert paused.run.state == "paused" and not paused.running
    paused.resume()
    wait_until(lambda: paused.run.epochs_done > done, 120, "the training to resume")
    assert epochs(paused) == list(range(1, paused.run.epochs_done + 1))
    stop_and_wait(paused)


def test_a_paused_training_that_gave_its_trainer_up_stops_with_what_it_learned(
    pool: TrainerPool,
):
    first, second = Owner(), Owner()  # the two sessions, alive for the whole test
    paused = paused_after_an_epoch(pool, first)
    waiting = train(pool, QUICK, second)
    wait_until(lambda: paused.checkpoint is not None, 60, "the paused training to give way")
    paused.stop()
    assert paused.run.state == "stopped" and paused.run.has_model
    assert paused.run.test is not None and paused.run.test.probabilities.shape[1] == 10
    wait_until(lambda: waiting.run.over, 120, "the waiting training")


def test_a_session_has_one_job_in_the_queue(pool: TrainerPool):
    busy_owner, student = Owner(), Owner()
    busy = train(pool, SLOW, busy_owner)
    wait_until(lambda: busy.running, 60, "the trainer to be taken")
    first = train(pool, QUICK, student)
    second = train(pool, QUICK, student)  # a second Train from the same session
    assert first.run.state == "stopped" and "newer" in first.run.message
    assert second.run.state == "queued" and second.ahead == 0
    stop_and_wait(busy)
    wait_until(lambda: second.run.over, 120, "the newer training")
    assert second.run.state == "done"


# --- the estimate, before a training starts ---------------------------------------------------


def test_a_training_that_would_hold_a_trainer_for_hours_is_refused_with_its_estimate():
    from dataclasses import replace

    from nncore.network.spec import SEED_NOTEBOOK, SMALL_CNN
    from nncore.training.cost import MAX_TRAINING_SECONDS, training_problem, training_seconds

    # The link a hostile visitor sent: wide convolutions, one digit a batch, 300 epochs.
    wide = LayerSpec("conv", filters=64, kernel="3")
    hours = NetworkSpec(
        layers=(wide, wide, wide, *(LayerSpec("dense", units=128),) * 3),
        rows=5000,
        test=0.1,
        batch=1,
        epochs=300,
    )
    problem = training_problem(hours)
    assert problem is not None and "hours" in problem and "batch" in problem
    assert training_seconds(hours) > 10 * MAX_TRAINING_SECONDS
    # What a lesson trains passes: the presets as shipped, and the notebook for 100 epochs.
    for spec in (SEED_NOTEBOOK, SMALL_CNN, replace(SEED_NOTEBOOK, epochs=100)):
        assert training_problem(spec) is None, spec


def test_the_client_refuses_a_training_too_long_for_a_shared_trainer():
    from nncore.workers.client import start_training

    long = NetworkSpec(layers=(LayerSpec("dense", units=1024),) * 4, rows=5000, batch=1, epochs=300)
    with pytest.raises(ValueError, match="at most"):
        start_training(long, Owner())


def test_build_says_so_next_to_a_disabled_train_button():
    from tests.helpers import open_with, page_app, texts

    at = open_with(
        page_app("build.py"),
        layers="2",
        l1_type="conv",
        l1_filters="64",
        l2_type="conv",
        l2_filters="64",
        rows="5000",
        batch="1",
        epochs="300",
    )
    assert at.button(key="train").disabled
    assert any(
        "shared trainer" in text and "at most 10 minutes" in text for text in texts(at.warning)
    )
