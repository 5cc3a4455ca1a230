"""nncore.digits: the MNIST recipe for canvas drawings, the shipped model, and teaching it.

``preprocess`` runs in the web server (numpy and Pillow); ``inference`` and ``teaching`` run in
the workers (TensorFlow), and are called directly here.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from PIL import Image, ImageDraw

from nncore.data.mnist import held_out_split, mnist_images
from nncore.digits import figures, preprocess
from nncore.digits.answers import reads_drawings, top_k
from nncore.digits.bundled import ASSET, distort
from nncore.digits.settings import NETWORK, PEN, SETTINGS

CANVAS = 280


@pytest.fixture(scope="module")
def rows() -> tuple[np.ndarray, np.ndarray]:
    return mnist_images()


def rgba(ink: np.ndarray) -> np.ndarray:
    """A canvas as the component returns it: opaque black, white ink, uint8 RGBA."""
    grey = np.clip(ink * 255, 0, 255).astype(np.uint8)
    return np.dstack([grey, grey, grey, np.full_like(grey, 255)])


def drawn(digit: np.ndarray, size: int, top: int, left: int) -> np.ndarray:
    """An MNIST digit redrawn on the canvas: its ink box enlarged to ``size`` px at (top, left)."""
    box = preprocess.ink_bounding_box(digit, threshold=0)
    assert box is not None, "an MNIST digit has ink"
    crop = digit[box[0] : box[1], box[2] : box[3]]
    scale = size / max(crop.shape)
    width, height = round(crop.shape[1] * scale), round(crop.shape[0] * scale)
    big = np.asarray(
        Image.fromarray(crop.astype(np.float32), mode="F").resize(
            (width, height), Image.Resampling.BICUBIC
        )
    )
    ink = np.zeros((CANVAS, CANVAS), np.float32)
    ink[top : top + height, left : left + width] = np.clip(big, 0, 1)
    return rgba(ink)


def stroke(points: list[tuple[int, int]], width: int = 22) -> np.ndarray:
    """A pen stroke through ``points`` (x, y) on a black canvas, as a person would draw it."""
    image = Image.new("L", (CANVAS, CANVAS), 0)
    ImageDraw.Draw(image).line(points, fill=255, width=width, joint="curve")
    return rgba(np.asarray(image) / 255.0)


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


# --- the MNIST recipe ------------------------------------------------------------------------


def test_centre_of_mass_is_at_14_14(rows):
    x, _ = rows
    for index in range(0, 5000, 250):
        prepared = preprocess.prepare_drawing(drawn(x[index], 200, 40, 40))
        row, col = preprocess.center_of_mass(prepared.x)
        assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5, (index, row, col)


def test_ink_fits_a_20_pixel_box_and_fills_it(rows):
    x, _ = rows
    for index in (3, 1200, 2600, 4999):
        prepared = preprocess.prepare_drawing(drawn(x[index], 230, 10, 30))
        top, bottom, left, right = preprocess.ink_bounding_box(prepared.x, threshold=0)
        assert max(bottom - top, right - left) == 20
        assert prepared.x.shape == (28, 28)
        assert prepared.x.min() >= 0 and prepared.x.max() <= 1


def test_aspect_ratio_is_kept():
    tall = np.zeros((200, 50), np.float32)
    tall[:, :] = 1
    scaled = preprocess.scale_to_box(tall)
    assert scaled.shape == (20, 5)


def test_small_in_a_corner_gives_the_same_input_as_large_in_the_centre(rows):
    x, _ = rows
    for index in (10, 700, 1700, 3333, 4800):
        large = preprocess.prepare_drawing(drawn(x[index], 220, 30, 30)).x
        small = preprocess.prepare_drawing(drawn(x[index], 70, 200, 5)).x
        assert np.abs(large - small).mean() < 0.04
        assert correlation(large, small) > 0.95


def test_a_redrawn_mnist_digit_comes_back_as_the_original(rows):
    """The strongest check of faithfulness: the recipe undoes an enlargement of a real digit."""
    x, _ = rows
    scores = [
        correlation(preprocess.prepare_drawing(drawn(x[i], 180, 60, 20)).x, x[i])
        for i in range(0, 5000, 100)
    ]
    assert np.median(scores) > 0.9


def test_whole_canvas_shrink_is_what_we_avoid(rows):
    """A naive 280 -> 28 shrink of a small corner digit looks nothing like MNIST; ours does."""
    x, _ = rows
    canvas = drawn(x[42], 70, 200, 5)
    naive = np.asarray(
        Image.fromarray(preprocess.canvas_ink(canvas), mode="F").resize(
            (28, 28), Image.Resampling.BOX
        )
    )
    ours = preprocess.prepare_drawing(canvas).x
    assert correlation(ours, x[42]) > 0.85 > correlation(naive, x[42])


@pytest.mark.parametrize("image", [None, np.zeros((CANVAS, CANVAS, 4), np.uint8)])
def test_blank_canvas_gives_a_hint_not_an_input(image):
    prepared = preprocess.prepare_drawing(image)
    assert prepared.x is None and not prepared.usable
    assert prepared.notes == [preprocess.EMPTY_HINT]


def test_transparent_white_pixels_are_not_ink():
    image = np.zeros((CANVAS, CANVAS, 4), np.uint8)
    image[..., :3] = 255  # white but fully transparent
    assert preprocess.prepare_drawing(image).x is None


def test_a_single_dot_gives_a_hint():
    prepared = preprocess.prepare_drawing(stroke([(140, 140), (141, 141)], width=12))
    assert prepared.x is None
    assert prepared.notes == [preprocess.DOT_HINT]


def test_one_click_of_a_wide_pen_is_a_dot_but_a_short_stroke_is_not():
    click = stroke([(140, 140), (141, 141)], width=36)
    assert preprocess.prepare_drawing(click).usable  # without the pen width it looks like a digit
    assert preprocess.prepare_drawing(click, pen_width=36).notes == [preprocess.DOT_HINT]
    assert preprocess.prepare_drawing(
        stroke([(140, 80), (140, 200)], width=36), pen_width=36
    ).usable


def test_ink_touching_the_border_is_classified_with_a_warning():
    prepared = preprocess.prepare_drawing(stroke([(140, 0), (140, 200)]))
    assert prepared.usable
    assert any("edge" in note for note in prepared.notes)


def test_a_centred_digit_has_no_warnings():
    assert preprocess.prepare_drawing(stroke([(140, 40), (140, 240)])).notes == []


def test_a_scribble_over_the_whole_canvas_is_classified_with_a_warning():
    rng = np.random.default_rng(0)
    points = [tuple(int(v) for v in p) for p in rng.integers(0, CANVAS, size=(60, 2))]
    prepared = preprocess.prepare_drawing(stroke(points, width=40))
    assert prepared.usable and np.isfinite(prepared.x).all()
    assert any("scribble" in note for note in prepared.notes)


@pytest.mark.parametrize(
    "points",
    [[(140, 40), (140, 240)], [(40, 140), (240, 140)], [(30, 30), (250, 250)]],
    ids=["vertical line", "horizontal line", "diagonal"],
)
def test_thin_lines_survive(points):
    prepared = preprocess.prepare_drawing(stroke(points, width=2))
    assert prepared.usable and prepared.x.max() > 0.05


def test_canvas_ink_rejects_a_non_image():
    with pytest.raises(ValueError):
        preprocess.canvas_ink(np.zeros((3, 3, 7)))


def test_top_k_orders_by_probability_and_breaks_ties_by_the_smaller_digit():
    probabilities = np.array([0.05, 0.6, 0.0, 0.3, 0.05, 0, 0, 0, 0, 0])
    assert top_k(probabilities) == [(1, 0.6), (3, 0.3), (0, 0.05)]
    assert top_k(probabilities, 5)[3] == (4, 0.05)
    assert [digit for digit, _ in top_k(np.full(10, 0.1), 10)] == list(range(10))


def test_only_networks_that_read_28_by_28_and_answer_ten_digits_read_drawings():
    for shape in [(28, 28, 1), (784,), (28, 28), [784]]:
        assert reads_drawings(shape, 10), shape
    assert not reads_drawings((32, 32, 3), 10)
    assert not reads_drawings((2,), 10)
    assert not reads_drawings((784,), 3)


def test_the_draw_page_settings():
    assert SETTINGS == (PEN, NETWORK)
    assert PEN.parse("30") == 30 and PEN.default == 22
    with pytest.raises(ValueError, match="pen=500 is outside 6–40"):
        PEN.parse("500")
    assert set(NETWORK.choices) == {"cnn", "build"} and NETWORK.default == "cnn"


# --- figures ---------------------------------------------------------------------------------


def test_probability_bars_highlight_the_winner():
    probabilities = np.eye(10)[7] * 0.9 + 0.01
    bars = figures.probability_bars(probabilities).data[0]
    colours = list(bars.marker.color)
    assert colours[7] == figures.WINNER and colours.count(figures.WINNER) == 1
    assert bars.y[7] == pytest.approx(91.0)


def test_input_figure_shows_every_pixel():
    x = np.random.default_rng(1).random((28, 28))
    heatmap = figures.input_pixels(x).data[0]
    np.testing.assert_array_equal(np.asarray(heatmap.z), x)


def test_activation_figures_pick_maps_or_bars():
    activation = np.random.default_rng(3).random((26, 26, 32))
    maps = figures.activation_figure("conv1", activation)
    mosaic = np.asarray(maps.data[0].z, dtype=float)
    which = np.asarray(maps.data[0].customdata)
    assert mosaic.shape == (2 * 27 - 1, 8 * 27 - 1)  # 16 maps, 8 to a row, a gap between
    # Map 11 (index 10) is the second row's third tile, with its own number for the hover.
    np.testing.assert_array_equal(mosaic[27:53, 54:80], activation[..., 10])
    assert (which[27:53, 54:80] == 11).all()
    assert np.isnan(mosaic[26]).all() and (which[26] == 0).all()  # the gap stays blank
    assert maps.data[0].zmax == activation[..., :16].max()  # one colour range for the layer
    assert "16 of 32 feature maps" in maps.layout.title.text.replace("<br>", " ")
    bars = figures.activation_figure("dense", np.arange(64.0))
    assert len(bars.data) == 1 and len(bars.data[0].y) == 64
    assert figures.activation_figure("odd", np.ones((2, 2))) is None


# --- the shipped model -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def model():
    from nncore.digits.inference import load_model

    return load_model(str(ASSET))


def test_shipped_model_is_small_and_reads_28_by_28_pictures(model):
    from nncore.digits.inference import input_shape_of, model_input

    assert ASSET.stat().st_size < 2_000_000
    assert input_shape_of(model) == (28, 28, 1)
    assert reads_drawings(input_shape_of(model), model.outputs[0].shape[-1])
    assert model_input(np.zeros((28, 28)), (784,)).shape == (1, 784)
    assert getattr(model, "optimizer", None) is None  # loaded for inference only


def test_held_out_accuracy_is_at_least_97_percent(model, rows):
    from nncore.digits.inference import accuracy

    x, y = rows
    _, held = held_out_split(y)
    assert len(held) == 1000 and np.bincount(y[held]).tolist() == [100] * 10
    probabilities = np.asarray(model(x[held][..., None], training=False))
    measured = float(np.mean(probabilities.argmax(axis=1) == y[held]))
    assert measured >= 0.97, measured
    # The workers' quick check (a cached graph, in batches) counts the same answers.
    assert accuracy(model, x[held], y[held]) == pytest.approx(measured)


def test_a_drawn_vertical_stroke_is_a_one(model):
    from nncore.digits.inference import classify, graph_call

    prepared = preprocess.prepare_drawing(stroke([(140, 40), (138, 240)]))
    probabilities = classify(model, prepared.x)
    assert int(np.argmax(probabilities)) == 1 and probabilities[1] > 0.5
    assert probabilities.sum() == pytest.approx(1, abs=1e-4)
    direct = np.asarray(model(prepared.x.reshape(1, 28, 28, 1), training=False))[0]
    np.testing.assert_allclose(probabilities, direct, atol=1e-6)
    assert graph_call(model, (28, 28, 1)) is graph_call(model, (28, 28, 1))  # traced once


def test_a_network_that_answers_nan_says_so():
    from nncore.digits.inference import classify
    from nncore.keras_runtime import keras

    broken = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
    broken.set_weights([np.full((784, 10), np.nan, np.float32), np.zeros(10, np.float32)])
    with pytest.raises(FloatingPointError, match="diverged"):
        classify(broken, np.ones((28, 28), np.float32), (784,))


def test_small_corner_digit_gets_the_same_answer_as_large_centred_one(model, rows):
    from nncore.digits.inference import classify

    x, y = rows
    _, held = held_out_split(y)
    answers = [
        (
            np.argmax(classify(model, preprocess.prepare_drawing(drawn(x[i], 220, 30, 30)).x)),
            np.argmax(classify(model, preprocess.prepare_drawing(drawn(x[i], 60, 210, 210)).x)),
        )
        for i in held[::20]
    ]
    assert np.mean([large == small for large, small in answers]) >= 0.9
    # And both are mostly right: redrawn digits are still read as what they are.
    assert (
        np.mean([large == y[i] for (large, _), i in zip(answers, held[::20], strict=True)]) >= 0.9
    )


def test_activations_of_every_layer_with_weights(model, rows):
    from nncore.digits.inference import classify, layer_activations

    x, _ = rows
    layers = layer_activations(model, x[0])
    assert [name for name, _ in layers] == ["conv1", "conv2", "conv3", "dense", "digit"]
    assert [activation.shape for _, activation in layers] == [
        (28, 28, 32),
        (14, 14, 64),
        (7, 7, 64),
        (64,),
        (10,),
    ]
    np.testing.assert_allclose(layers[-1][1], classify(model, x[0]), atol=1e-5)
    assert all(np.all(activation >= 0) for _, activation in layers[:-1])  # relu layers


def test_fine_tuning_teaches_a_copy_and_leaves_the_original_alone(model, rows):
    from nncore.digits.inference import classify, private_copy
    from nncore.digits.teaching import fine_tune

    x, y = rows
    train, _ = held_out_split(y)
    file_hash = hashlib.sha256(ASSET.read_bytes()).hexdigest()
    original = [w.copy() for w in model.get_weights()]
    drawing = preprocess.prepare_drawing(stroke([(140, 40), (138, 240)])).x
    before = classify(model, drawing)[7]

    copy = private_copy(model)
    assert classify(copy, drawing)[7] == pytest.approx(before)  # traces the copy's graph
    losses = fine_tune(
        copy, np.stack([drawing] * 4), np.array([7] * 4), x[train], y[train], steps=15
    )

    assert len(losses) == 15 and all(np.isfinite(losses))
    assert losses[-1] < losses[0]
    assert classify(copy, drawing)[7] > before + 0.1  # the copy learned "this is a 7"
    for kept, now in zip(original, model.get_weights(), strict=True):
        np.testing.assert_array_equal(kept, now)
    assert classify(model, drawing)[7] == pytest.approx(before)
    assert hashlib.sha256(ASSET.read_bytes()).hexdigest() == file_hash


def test_fine_tune_batch_mixes_the_drawings_with_mnist():
    from nncore.digits.teaching import fine_tune_batch

    drawings = np.ones((3, 28, 28), np.float32)
    mnist_x = np.zeros((100, 784), np.float32)
    mnist_y = np.full(100, 5)
    x, y = fine_tune_batch(
        drawings, np.array([7, 7, 7]), mnist_x, mnist_y, np.random.default_rng(0)
    )
    assert x.shape == (3 + 16, 28, 28) and x.dtype == np.float32  # at least 16 MNIST rows
    assert sorted(y.tolist()) == [5] * 16 + [7] * 3
    assert np.array_equal(x.sum(axis=(1, 2)) > 0, y == 7)  # each label stays with its picture
    assert y.tolist() != sorted(y.tolist()) and y.tolist() != sorted(y.tolist(), reverse=True)


def test_a_dense_build_page_network_takes_the_flat_input(rows):
    """The Build page's networks read 784 numbers; the same drawing is fed to them flat."""
    from nncore.digits.inference import accuracy, classify, layer_activations, private_copy
    from nncore.digits.teaching import fine_tune
    from nncore.keras_runtime import keras

    x, y = rows
    dense = keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    probabilities = classify(dense, x[0], (784,))
    assert probabilities.shape == (10,) and probabilities.sum() == pytest.approx(1, abs=1e-4)
    assert [a.shape for _, a in layer_activations(dense, x[0], (784,))] == [(16,), (10,)]
    copy = private_copy(dense)
    losses = fine_tune(copy, x[:4], y[:4], x, y, (784,), steps=3)
    assert len(losses) == 3 and all(np.isfinite(losses))
    assert any(
        not np.allclose(a, b) for a, b in zip(copy.get_weights(), dense.get_weights(), strict=True)
    )
    guesses = np.asarray(copy(x[::50].reshape(-1, 784), training=False)).argmax(axis=1)
    assert accuracy(copy, x[::50], y[::50], (784,)) == pytest.approx(np.mean(guesses == y[::50]))


def test_distortion_keeps_a_digit_recognisable(model, rows):
    """The bundled CNN trains on distorted copies: each is still the same digit (the CNN reads
    them), never the same picture twice."""
    x, y = rows
    _, held = held_out_split(y)
    rng = np.random.default_rng(0)
    picked = held[::10]
    copies = np.stack([distort(x[i], rng) for i in picked])
    assert copies.shape == (100, 28, 28) and copies.dtype == np.float32
    assert copies.min() >= 0 and copies.max() <= 1
    assert not np.allclose(distort(x[7], rng), distort(x[7], rng))
    read = np.asarray(model(copies[..., None], training=False)).argmax(axis=1)
    assert np.mean(read == y[picked]) >= 0.9
