"""The training engine: the same learning as model.fit, and the controls a page relies on."""

import numpy as np
import pytest

from nncore.data import prepare_split
from nncore.keras_runtime import keras
from nncore.model import build_model
from nncore.spec import SEED_NOTEBOOK, LayerSpec, NetworkSpec
from nncore.training import (
    EpochEngine,
    TrainerQueue,
    TrainingRun,
    confusion_matrix,
    misclassified,
    training_diagnosis,
)

EPOCHS = 20


def test_engine_learns_like_model_fit():
    spec = NetworkSpec(layers=SEED_NOTEBOOK.layers, epochs=EPOCHS)
    split = prepare_split(spec)
    fitted = build_model(spec)
    keras.utils.set_random_seed(spec.seed)  # fit shuffles with the global generator
    history = fitted.fit(
        split.x_train, split.y_train, batch_size=spec.batch, epochs=EPOCHS,
        validation_data=(split.x_test, split.y_test), verbose=0, shuffle=True,
    ).history  # fmt: skip
    run = TrainingRun.start(spec)
    while run.active:
        run.step()
    engine_loss = np.array([r.loss for r in run.history])
    fit_loss = np.array(history["loss"])
    assert abs(run.test_accuracy() - history["val_accuracy"][-1]) <= 0.02
    # Same course: both fall the same way, epoch by epoch, within 15 % of each other.
    assert np.all(np.abs(engine_loss - fit_loss) <= 0.15 * fit_loss + 0.02)
    assert np.corrcoef(engine_loss, fit_loss)[0, 1] > 0.99
    engine_val = np.array([r.val_loss for r in run.history])
    assert np.all(np.abs(engine_val - np.array(history["val_loss"])) <= 0.15 * engine_val + 0.02)


def test_engine_counts_a_last_partial_batch():
    spec = NetworkSpec(layers=(LayerSpec("dense", units=8),), rows=500, batch=300, epochs=1)
    split = prepare_split(spec)
    model = build_model(spec)
    before = [w.copy() for w in model.get_weights()]
    engine = EpochEngine(model, split, batch_size=spec.batch)
    engine.run_epoch(1)
    # 400 rows in batches of 300: two optimizer steps, as fit would take.
    assert int(model.optimizer.iterations.numpy()) == 2
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))


def test_stop_keeps_the_model_and_history_so_far():
    run = TrainingRun.start(NetworkSpec(layers=SEED_NOTEBOOK.layers, epochs=50))
    for _ in range(3):
        run.step()
    run.settle("stopped")
    assert not run.active and run.epochs_done == 3
    assert run.engine.predict_test().shape == (200, 10)


def test_pause_and_resume_continue_the_same_run():
    run = TrainingRun.start(NetworkSpec(layers=SEED_NOTEBOOK.layers, epochs=4))
    run.step()
    run.state = "paused"
    weights = [w.copy() for w in run.model.get_weights()]
    assert not run.active
    run.state = "running"
    while run.active:
        run.step()
    assert run.state == "done" and [r.epoch for r in run.history] == [1, 2, 3, 4]
    assert any(
        not np.array_equal(a, b) for a, b in zip(weights, run.model.get_weights(), strict=True)
    )


def test_learning_rate_change_applies_from_the_next_epoch():
    run = TrainingRun.start(NetworkSpec(layers=SEED_NOTEBOOK.layers, epochs=5, opt="sgd", lr=0.01))
    run.step()
    run.step()
    run.engine.learning_rate = 0.5
    run.step()
    assert [round(r.lr, 6) for r in run.history] == [0.01, 0.01, 0.5]
    assert [(epoch, round(lr, 6)) for epoch, lr in run.lr_changes] == [(3, 0.5)]
    assert float(run.model.optimizer.learning_rate.numpy()) == pytest.approx(0.5)


def test_divergence_stops_with_an_explanation():
    layers = (LayerSpec("dense", units=512, act="linear"),) * 2
    run = TrainingRun.start(NetworkSpec(layers=layers, opt="sgd", lr=10.0, batch=32, epochs=20))
    while run.active:
        run.step()
    assert run.diverged and run.epochs_done < 20
    assert "η = 10" in run.message and "smaller" in run.message


def test_a_network_that_cannot_learn_is_explained():
    spec = NetworkSpec(layers=(LayerSpec("dense", units=32, init="zeros"),), epochs=5)
    run = TrainingRun.start(spec)
    while run.active:
        run.step()
    assert "all-zero initial weights" in training_diagnosis(run.history, spec)
    good = TrainingRun.start(NetworkSpec(layers=SEED_NOTEBOOK.layers, epochs=10))
    while good.active:
        good.step()
    assert training_diagnosis(good.history, good.spec) is None


def test_queue_serves_in_arrival_order_and_forgets_visitors_who_left():
    queue = TrainerQueue(slots=1, patience=60)
    assert queue.try_start("a")
    assert not queue.try_start("b") and not queue.try_start("c")
    assert queue.ahead_of("b") == 0 and queue.ahead_of("c") == 1
    queue.finish("a")
    assert not queue.try_start("c")  # b came first
    assert queue.try_start("b")
    queue.finish("b")
    assert queue.try_start("c")
    impatient = TrainerQueue(slots=1, patience=-1.0)  # every other waiting ticket is stale
    impatient.try_start("x")
    impatient.try_start("gone")
    impatient.finish("x")
    assert impatient.try_start("y")  # "gone" stopped asking, so "y" does not wait for it


def test_confusion_and_misclassified():
    true = np.array([0, 0, 1, 1, 2, 2, 2])
    said = np.array([0, 1, 1, 0, 2, 1, 1])
    counts = confusion_matrix(true, said, classes=3)
    assert counts.tolist() == [[1, 1, 0], [1, 1, 0], [0, 2, 1]]
    # One mistake per digit first, then the second ones.
    assert misclassified(true, said).tolist() == [1, 3, 5, 6]
