"""nncore.activations: each function is Keras's own, each slope is what TensorFlow's
automatic differentiation gets, and the table is what the pages offer."""

from __future__ import annotations

import numpy as np
import pytest

from nncore.activations import ACTIVATIONS, NEURON_ACTIVATIONS, activation_choices

# Both sides of zero, zero itself, large values where naive formulas overflow.
GRID = np.concatenate([np.linspace(-8.0, 8.0, 161), [-60.0, -30.0, -1e-3, 1e-3, 30.0, 60.0]])
ELEMENTWISE = [key for key, a in ACTIVATIONS.items() if a.derivative is not None]


# Keras computes gelu with erfc, which keeps its relative precision in the far negative tail
# (gelu(−5) ≈ −1.4e-6); 1 + erf loses a few digits there, about 1e-9 in absolute terms.
RTOL = {"gelu": 1e-6}


def grid_for(key: str) -> np.ndarray:
    """The grid as the activation takes it: softmax works on rows (here of ten values)."""
    return GRID[:160].reshape(16, 10) if key == "softmax" else GRID


@pytest.mark.parametrize("key", ACTIVATIONS)
def test_each_activation_is_keras_own_on_a_grid(key):
    from nncore.keras_runtime import keras, tf

    activation = ACTIVATIONS[key]
    z = grid_for(key)
    ours = activation(z)
    theirs = keras.activations.get(activation.keras_name)(tf.constant(z, tf.float64))
    np.testing.assert_allclose(ours, np.asarray(theirs), rtol=RTOL.get(key, 1e-7), atol=1e-12)
    assert ours.shape == z.shape and np.all(np.isfinite(ours))


def test_softmax_is_keras_own_on_rows_and_each_row_sums_to_one():
    from nncore.keras_runtime import keras, tf

    rows = np.random.default_rng(0).normal(scale=20.0, size=(50, 10))
    rows[0] = 800.0  # exp(800) overflows unless the largest value is taken off first
    rows[1, 3] = -800.0
    ours = ACTIVATIONS["softmax"](rows)
    theirs = keras.ops.convert_to_numpy(keras.activations.softmax(tf.constant(rows)))
    np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(ours.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(ours[0], 0.1)
    assert np.all(ours >= 0)
    # Adding a constant to every input changes nothing: only differences matter.
    np.testing.assert_allclose(ACTIVATIONS["softmax"](rows[2:] + 5.0), ours[2:], rtol=1e-9)


@pytest.mark.parametrize("key", ELEMENTWISE)
def test_each_slope_is_what_gradient_tape_computes(key):
    from nncore.keras_runtime import keras, tf

    activation = ACTIVATIONS[key]
    z = tf.Variable(GRID, dtype=tf.float64)
    with tf.GradientTape() as tape:
        out = keras.activations.get(activation.keras_name)(z)
    slope = tape.gradient(out, z).numpy()
    np.testing.assert_allclose(activation.slope(GRID), slope, rtol=RTOL.get(key, 1e-7), atol=1e-12)


@pytest.mark.parametrize("key", ELEMENTWISE)
def test_each_slope_is_the_functions_finite_difference(key):
    """Independent of TensorFlow: a′(z) ≈ (a(z + h) − a(z − h)) / 2h away from kinks."""
    activation = ACTIVATIONS[key]
    z = GRID[np.abs(GRID) > 1e-2]
    h = 1e-6
    central = (activation(z + h) - activation(z - h)) / (2 * h)
    np.testing.assert_allclose(activation.slope(z), central, rtol=1e-5, atol=1e-7)


def test_softmax_has_no_elementwise_slope_and_says_so():
    with pytest.raises(ValueError, match="softmax has no element-wise derivative"):
        ACTIVATIONS["softmax"].slope(np.zeros(3))


def test_a_number_in_gives_a_python_float_out():
    for key in ELEMENTWISE:
        value = ACTIVATIONS[key](0.5)
        assert isinstance(value, float), key
        assert isinstance(ACTIVATIONS[key].slope(0.5), float), key
    assert ACTIVATIONS["sigmoid"](0.0) == 0.5 and ACTIVATIONS["tanh"](0.0) == 0.0
    assert ACTIVATIONS["sigmoid"].slope(0.0) == 0.25 and ACTIVATIONS["relu"].slope(-1.0) == 0.0


def test_the_table_offers_what_keras_accepts_with_formulas_to_show():
    from nncore.keras_runtime import keras

    assert list(activation_choices()) == list(ACTIVATIONS)
    assert activation_choices(NEURON_ACTIVATIONS) == {
        "sigmoid": "sigmoid",
        "tanh": "tanh",
        "relu": "relu",
    }
    for key, activation in ACTIVATIONS.items():
        assert activation.key == activation.keras_name == key
        assert keras.activations.get(key).__name__ == key
        assert activation.latex and activation.output_range
        assert bool(activation.derivative_latex) == (activation.derivative is not None)
