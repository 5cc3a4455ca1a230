"""A feature-map pixel opened up: the page's arithmetic (window × kernel, sums, bias,
activation; the largest of a pooling window) gives exactly the number the network's own layer
computed, for the bundled CNN, a network as Build & Train makes it, and a visitor's uploaded
model with 'same' padding, strides of 2 and odd activations."""

from __future__ import annotations

import numpy as np
import pytest

from nncore.data.mnist import mnist_images
from nncore.digits.convolution import (
    convolution_arithmetic,
    grid_markdown,
    number,
    padding_before,
    pooling_arithmetic,
    positions,
    take_window,
    window_start,
)
from nncore.network.spec import SMALL_CNN
from nncore.workers.messages import BUNDLED, ModelSource, OpenedPixel, new_key

TOLERANCE = 1e-5


def redone(pixel: OpenedPixel) -> float | None:
    """The pixel's value as the page works it out from what the worker sent."""
    if pixel.kind == "pool":
        return pooling_arithmetic(pixel.window).value
    assert pixel.kernel is not None
    return convolution_arithmetic(
        pixel.window, pixel.kernel, pixel.bias, pixel.activation, pixel.all_z, pixel.channel
    ).value


def pixels_to_check(shape: tuple[int, ...], rng: np.random.Generator) -> list[tuple[int, int, int]]:
    """Corners and edges (where padding matters) and a few random inner pixels, each with
    some map."""
    rows, columns, channels = shape
    corners = [(0, 0), (0, columns - 1), (rows - 1, 0), (rows - 1, columns - 1), (rows // 2, 0)]
    inner = [(int(rng.integers(rows)), int(rng.integers(columns))) for _ in range(5)]
    return [(r, c, int(rng.integers(channels))) for r, c in corners + inner]


def check_every_openable_layer(source: ModelSource, x: np.ndarray) -> set[str]:
    """Open pixels of every conv and pool layer; each redone value equals the layer's own
    output (as ``answer`` reports it too). Returns the kinds seen."""
    from nncore.workers import inference

    reply = inference.answer(source, x)
    outputs = dict(reply.layers)
    rng = np.random.default_rng(0)
    kinds = set()
    assert reply.openable
    for name, kind in reply.openable:
        kinds.add(kind)
        maps = outputs[name]
        for row, column, channel in pixels_to_check(maps.shape, rng):
            pixel = inference.open_pixel(source, x, name, row, column, channel)
            assert pixel.kind == kind
            assert pixel.output == pytest.approx(float(maps[row, column, channel]), abs=1e-6)
            value = redone(pixel)
            assert value is not None, (name, pixel.activation)
            assert value == pytest.approx(pixel.output, abs=TOLERANCE), (name, row, column)
    return kinds


@pytest.fixture(scope="module")
def digit() -> np.ndarray:
    x, y = mnist_images()
    return x[int(np.flatnonzero(y == 4)[0])].reshape(28, 28)


def test_the_bundled_cnns_pixels_are_their_arithmetic(digit):
    assert check_every_openable_layer(BUNDLED, digit) == {"conv", "pool"}


def test_a_build_page_networks_pixels_are_their_arithmetic(digit):
    """SMALL_CNN as Build & Train builds it: 'valid' convolutions, 2 × 2 pooling."""
    from nncore.network.model import build_model

    model = build_model(SMALL_CNN)
    source = ModelSource(
        new_key(), "build", SMALL_CNN.input_shape, SMALL_CNN, tuple(model.get_weights())
    )
    assert check_every_openable_layer(source, digit) == {"conv", "pool"}


def test_an_uploaded_models_pixels_with_same_padding_and_strides(digit):
    """'same' padding with a stride of 2 (odd padding), a 5 × 5 'valid' kernel with uneven
    strides, 'same' 3 × 3 pooling with stride 2, no bias, and softmax across filters."""
    from nncore.digits.model_files import save_keras_file
    from nncore.keras_runtime import keras

    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(4, 3, strides=2, padding="same", activation="tanh", name="c1"),
            layers.Conv2D(3, 4, strides=(1, 2), padding="same", activation="gelu", name="c2"),
            layers.MaxPooling2D(3, strides=2, padding="same", name="p1"),
            layers.Conv2D(5, 2, activation="softmax", use_bias=False, name="c3"),
            layers.Conv2D(2, 1, activation="sigmoid", name="c4"),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ]
    )
    rng = np.random.default_rng(1)
    model.set_weights([rng.normal(0, 0.5, w.shape).astype(np.float32) for w in model.weights])
    source = ModelSource(new_key(), "upload", (28, 28, 1), keras_file=save_keras_file(model))
    assert check_every_openable_layer(source, digit) == {"conv", "pool"}


def test_the_window_sits_where_keras_pads():
    # 'same', stride 1, k = 3: one row of padding before; k = 4: one before, two after.
    assert padding_before(28, 3, 1, "same") == 1
    assert padding_before(28, 4, 1, "same") == 1
    # stride 2 on 28 rows, k = 3: 14 outputs need 27 + 3 - 28 = 1 row, all of it after.
    assert padding_before(28, 3, 2, "same") == 0
    assert padding_before(7, 3, 2, "same") == 1
    assert padding_before(28, 5, 1, "valid") == 0
    assert window_start(13, 28, 3, 2, "same") == 26
    assert window_start(0, 28, 3, 1, "same") == -1
    with pytest.raises(ValueError):
        padding_before(28, 3, 1, "causal")


def test_a_window_outside_the_map_is_padding():
    inputs = np.arange(9.0).reshape(3, 3, 1)
    window = take_window(inputs, -1, 1, 3, 3, 0.0)[..., 0]
    np.testing.assert_array_equal(window, [[0, 0, 0], [1, 2, 0], [4, 5, 0]])
    pooled = take_window(inputs, 2, 2, 2, 2, np.nan)[..., 0]
    assert pooled[0, 0] == 8 and np.isnan(pooled[1, 1])
    assert positions(-1, 3, 3) == ["pad", "0", "1"]
    assert positions(2, 2, 3) == ["2", "pad"]


def test_the_arithmetic_keeps_every_step():
    window = np.ones((2, 2, 2))
    kernel = np.stack([np.full((2, 2), 0.5), np.full((2, 2), -0.25)], axis=-1)
    steps = convolution_arithmetic(window, kernel, 0.1, "relu")
    np.testing.assert_allclose(steps.channel_sums, [2.0, -1.0])
    assert (steps.total, steps.z, steps.value) == pytest.approx((1.0, 1.1, 1.1))
    assert steps.strongest_channel == 0
    assert convolution_arithmetic(window, -kernel, 0.1, "relu").value == 0.0
    assert convolution_arithmetic(window, kernel, 0.0, "selu").value is None  # not in the table
    pool = pooling_arithmetic(np.array([[0.1, np.nan], [0.7, 0.3]]))
    assert (pool.winner, pool.value) == ((1, 0), 0.7)


def test_numbers_and_tables_read_as_the_page_shows_them():
    assert number(-0.0001) == "0.000" and number(-1.5) == "−1.500" and number(np.nan) == "·"
    table = grid_markdown(np.array([[1.0, 2.0]]), ["4"], ["7", "8"], mark=(0, 1))
    assert table.splitlines()[-1] == "| **4** | 1.000 | **2.000** |"
