"""Softmax opened up: the numbers the Draw page shows are the network's own."""

from __future__ import annotations

import numpy as np
import pytest

from nncore.digits.softmax import softmax_steps, steps_table


def test_softmax_at_temperature_one_is_the_bundled_networks_answer():
    """Logits from the bundled CNN, through softmax by hand, equal Keras's probabilities."""
    from nncore.digits.bundled import ASSET
    from nncore.digits.inference import classify, load_model, logits

    model = load_model(str(ASSET))
    stroke = np.zeros((28, 28), np.float32)
    stroke[4:24, 13:15] = 1.0
    z = logits(model, stroke)
    assert z is not None and z.shape == (10,)
    steps = softmax_steps(z, 1.0)
    np.testing.assert_allclose(steps.probabilities, classify(model, stroke), atol=1e-6)
    assert steps.total == pytest.approx(steps.exponentials.sum())
    assert steps.exponentials.max() == pytest.approx(1.0)  # e^(z − max z) for the winner


def test_a_network_without_softmax_at_the_end_has_nothing_to_open():
    from nncore.digits.inference import logits
    from nncore.keras_runtime import keras

    linear = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10)])
    assert logits(linear, np.zeros((28, 28), np.float32), (784,)) is None


def test_temperature_sharpens_below_one_and_flattens_above_without_changing_the_winner():
    z = np.array([2.0, 1.0, 0.5, -1.0, 0.0, 0.3, -0.2, 1.5, 0.1, -2.0])
    sharp, real, flat = (softmax_steps(z, t).probabilities for t in (0.2, 1.0, 10.0))
    assert sharp.max() > real.max() > flat.max() > 0.1
    assert np.argmax(sharp) == np.argmax(real) == np.argmax(flat) == 0
    assert np.allclose([sharp.sum(), real.sum(), flat.sum()], 1.0)
    with pytest.raises(ValueError):
        softmax_steps(z, 0.0)


def test_the_table_shows_every_step_for_every_digit():
    rows = steps_table(softmax_steps(np.arange(10.0), 1.0))
    assert [row["digit"] for row in rows] == [str(d) for d in range(10)]
    assert rows[9]["(z − max z) / T"] == "0.000" and rows[9]["e^(…)"] == "1"
