"""nncore.digits: the MNIST recipe for canvas drawings, the shipped model, and teaching it."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from PIL import Image, ImageDraw

from nncore import digit_figures, digits
from nncore.train_digits import ASSET, held_out_split, mnist_rows

CANVAS = 280


@pytest.fixture(scope="module")
def rows() -> tuple[np.ndarray, np.ndarray]:
    return mnist_rows()


def rgba(ink: np.ndarray) -> np.ndarray:
    """A canvas as the component returns it: opaque black, white ink, uint8 RGBA."""
    grey = np.clip(ink * 255, 0, 255).astype(np.uint8)
    return np.dstack([grey, grey, grey, np.full_like(grey, 255)])


def drawn(digit: np.ndarray, size: int, top: int, left: int) -> np.ndarray:
    """An MNIST digit redrawn on the canvas: its ink box enlarged to ``size`` px at (top, left)."""
    box = digits.ink_bounding_box(digit, threshold=0)
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
        prepared = digits.prepare_drawing(drawn(x[index], 200, 40, 40))
        row, col = digits.center_of_mass(prepared.x)
        assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5, (index, row, col)


def test_ink_fits_a_20_pixel_box_and_fills_it(rows):
    x, _ = rows
    for index in (3, 1200, 2600, 4999):
        prepared = digits.prepare_drawing(drawn(x[index], 230, 10, 30))
        top, bottom, left, right = digits.ink_bounding_box(prepared.x, threshold=0)
        assert max(bottom - top, right - left) == 20
        assert prepared.x.shape == (28, 28)
        assert prepared.x.min() >= 0 and prepared.x.max() <= 1


def test_aspect_ratio_is_kept():
    tall = np.zeros((200, 50), np.float32)
    tall[:, :] = 1
    scaled = digits.scale_to_box(tall)
    assert scaled.shape == (20, 5)


def test_small_in_a_corner_gives_the_same_input_as_large_in_the_centre(rows):
    x, _ = rows
    for index in (10, 700, 1700, 3333, 4800):
        large = digits.prepare_drawing(drawn(x[index], 220, 30, 30)).x
        small = digits.prepare_drawing(drawn(x[index], 70, 200, 5)).x
        assert np.abs(large - small).mean() < 0.04
        assert correlation(large, small) > 0.95


def test_a_redrawn_mnist_digit_comes_back_as_the_original(rows):
    """The strongest check of faithfulness: the recipe undoes an enlargement of a real digit."""
    x, _ = rows
    scores = [
        correlation(digits.prepare_drawing(drawn(x[i], 180, 60, 20)).x, x[i])
        for i in range(0, 5000, 100)
    ]
    assert np.median(scores) > 0.9


def test_whole_canvas_shrink_is_what_we_avoid(rows):
    """A naive 280 -> 28 shrink of a small corner digit looks nothing like MNIST; ours does."""
    x, _ = rows
    canvas = drawn(x[42], 70, 200, 5)
    naive = np.asarray(
        Image.fromarray(digits.canvas_ink(canvas), mode="F").resize((28, 28), Image.Resampling.BOX)
    )
    ours = digits.prepare_drawing(canvas).x
    assert correlation(ours, x[42]) > 0.85 > correlation(naive, x[42])


@pytest.mark.parametrize("image", [None, np.zeros((CANVAS, CANVAS, 4), np.uint8)])
def test_blank_canvas_gives_a_hint_not_an_input(image):
    prepared = digits.prepare_drawing(image)
    assert prepared.x is None and not prepared.usable
    assert prepared.notes == [digits.EMPTY_HINT]


def test_transparent_white_pixels_are_not_ink():
    image = np.zeros((CANVAS, CANVAS, 4), np.uint8)
    image[..., :3] = 255  # white but fully transparent
    assert digits.prepare_drawing(image).x is None


def test_a_single_dot_gives_a_hint():
    prepared = digits.prepare_drawing(stroke([(140, 140), (141, 141)], width=12))
    assert prepared.x is None
    assert prepared.notes == [digits.DOT_HINT]


def test_one_click_of_a_wide_pen_is_a_dot_but_a_short_stroke_is_not():
    click = stroke([(140, 140), (141, 141)], width=36)
    assert digits.prepare_drawing(click).usable  # without the pen width it looks like a digit
    assert digits.prepare_drawing(click, pen_width=36).notes == [digits.DOT_HINT]
    assert digits.prepare_drawing(stroke([(140, 80), (140, 200)], width=36), pen_width=36).usable


def test_ink_touching_the_border_is_classified_with_a_warning():
    prepared = digits.prepare_drawing(stroke([(140, 0), (140, 200)]))
    assert prepared.usable
    assert any("edge" in note for note in prepared.notes)


def test_a_centred_digit_has_no_warnings():
    assert digits.prepare_drawing(stroke([(140, 40), (140, 240)])).notes == []


def test_a_scribble_over_the_whole_canvas_is_classified_with_a_warning():
    rng = np.random.default_rng(0)
    points = [tuple(int(v) for v in p) for p in rng.integers(0, CANVAS, size=(60, 2))]
    prepared = digits.prepare_drawing(stroke(points, width=40))
    assert prepared.usable and np.isfinite(prepared.x).all()
    assert any("scribble" in note for note in prepared.notes)


@pytest.mark.parametrize(
    "points",
    [[(140, 40), (140, 240)], [(40, 140), (240, 140)], [(30, 30), (250, 250)]],
    ids=["vertical line", "horizontal line", "diagonal"],
)
def test_thin_lines_survive(points):
    prepared = digits.prepare_drawing(stroke(points, width=2))
    assert prepared.usable and prepared.x.max() > 0.05


def test_canvas_ink_rejects_a_non_image():
    with pytest.raises(ValueError):
        digits.canvas_ink(np.zeros((3, 3, 7)))


def test_top_k_orders_by_probability():
    probabilities = np.array([0.05, 0.6, 0.0, 0.3, 0.05, 0, 0, 0, 0, 0])
    assert digits.top_k(probabilities) == [(1, 0.6), (3, 0.3), (0, 0.05)]


# --- figures ---------------------------------------------------------------------------------


def test_probability_bars_highlight_the_winner():
    probabilities = np.eye(10)[7] * 0.9 + 0.01
    bars = digit_figures.probability_bars(probabilities).data[0]
    colours = list(bars.marker.color)
    assert colours[7] == digit_figures.WINNER and colours.count(digit_figures.WINNER) == 1
    assert bars.y[7] == pytest.approx(91.0)


def test_input_figure_shows_every_pixel():
    x = np.random.default_rng(1).random((28, 28))
    heatmap = digit_figures.input_pixels(x).data[0]
    np.testing.assert_array_equal(np.asarray(heatmap.z), x)


def test_activation_figures_pick_maps_or_bars():
    maps = digit_figures.activation_figure("conv1", np.ones((28, 28, 32)))
    assert len(maps.data) == digit_figures.MAX_FEATURE_MAPS
    bars = digit_figures.activation_figure("dense", np.arange(64.0))
    assert len(bars.data) == 1 and len(bars.data[0].y) == 64
    assert digit_figures.activation_figure("odd", np.ones((2, 2))) is None


# --- the shipped model -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def model():
    return digits.load_model(str(ASSET))


def test_shipped_model_is_small():
    assert ASSET.stat().st_size < 2_000_000


def test_held_out_accuracy_is_at_least_97_percent(model, rows):
    x, y = rows
    _, held = held_out_split(y)
    assert len(held) == 1000 and np.bincount(y[held]).tolist() == [100] * 10
    probabilities = np.asarray(model(x[held][..., None], training=False))
    accuracy = float(np.mean(probabilities.argmax(axis=1) == y[held]))
    assert accuracy >= 0.97, accuracy


def test_held_out_rows_are_never_trained_on(rows):
    _, y = rows
    train, held = held_out_split(y)
    assert not set(train) & set(held) and len(train) + len(held) == len(y)


def test_a_drawn_vertical_stroke_is_a_one(model):
    prepared = digits.prepare_drawing(stroke([(140, 40), (138, 240)]))
    probabilities = digits.classify(model, prepared.x)
    assert int(np.argmax(probabilities)) == 1
    assert probabilities.sum() == pytest.approx(1, abs=1e-4)


def test_small_corner_digit_gets_the_same_answer_as_large_centred_one(model, rows):
    x, y = rows
    _, held = held_out_split(y)
    agree = [
        np.argmax(digits.classify(model, digits.prepare_drawing(drawn(x[i], 220, 30, 30)).x))
        == np.argmax(digits.classify(model, digits.prepare_drawing(drawn(x[i], 60, 210, 210)).x))
        for i in held[::20]
    ]
    assert np.mean(agree) >= 0.9


def test_activations_of_every_layer_with_weights(model, rows):
    x, _ = rows
    layers = digits.layer_activations(model, x[0])
    shapes = [activation.shape for _, activation in layers]
    assert shapes[0] == (28, 28, 32)
    assert shapes[-1] == (10,)
    assert all(len(shape) in (1, 3) for shape in shapes)


def test_fine_tuning_teaches_a_copy_and_leaves_the_original_alone(model, rows):
    x, y = rows
    train, _ = held_out_split(y)
    file_hash = hashlib.sha256(ASSET.read_bytes()).hexdigest()
    original = [w.copy() for w in model.get_weights()]
    drawing = digits.prepare_drawing(stroke([(140, 40), (138, 240)])).x
    before = digits.classify(model, drawing)[7]

    copy = digits.private_copy(model)
    assert digits.classify(copy, drawing)[7] == pytest.approx(before)  # traces the copy's graph
    losses = digits.fine_tune(
        copy, np.stack([drawing] * 4), np.array([7] * 4), x[train], y[train], steps=15
    )

    assert digits.classify(copy, drawing)[7] > before  # the copy learned "this is a 7"
    assert all(np.isfinite(losses))
    for kept, now in zip(original, model.get_weights(), strict=True):
        np.testing.assert_array_equal(kept, now)
    assert digits.classify(model, drawing)[7] == pytest.approx(before)
    assert hashlib.sha256(ASSET.read_bytes()).hexdigest() == file_hash


def test_takes_mnist_checks_shape_and_classes(model):
    assert digits.takes_mnist(model, (28, 28, 1))
    assert digits.takes_mnist(model, (784,))
    assert not digits.takes_mnist(model, (32, 32, 3))
    assert not digits.takes_mnist(object(), (784,))


def test_a_dense_build_page_network_takes_the_flat_input(rows):
    """The Build page's networks read 784 numbers; the same drawing is fed to them flat."""
    from nncore.keras_runtime import keras

    x, y = rows
    dense = keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    assert digits.takes_mnist(dense, (784,))
    probabilities = digits.classify(dense, x[0], (784,))
    assert probabilities.shape == (10,) and probabilities.sum() == pytest.approx(1, abs=1e-4)
    assert [a.shape for _, a in digits.layer_activations(dense, x[0], (784,))] == [(16,), (10,)]
    copy = digits.private_copy(dense)
    losses = digits.fine_tune(copy, x[:4], y[:4], x, y, (784,), steps=3)
    assert len(losses) == 3 and all(np.isfinite(losses))
    assert 0 <= digits.accuracy(copy, x[::50], y[::50], (784,)) <= 1
