"""Canvas pixels -> an MNIST-like 28x28 input, and what a Keras model makes of it.

A network only recognises the kind of picture it was trained on. MNIST digits were scaled so
their longer side fits 20 px (keeping the aspect ratio, with anti-aliased grey edges), placed in
a 28x28 field, and shifted so their centre of mass sits at pixel (14, 14). Shrinking the whole
canvas to 28x28, as most demos do, gives the network a digit of the wrong size in the wrong place.
So the steps below redo exactly what was done to MNIST, one small function per step.

The preprocessing needs only numpy and Pillow. TensorFlow is imported lazily inside the
functions that run a model, so this module stays cheap to import and test.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from nncore.settings import Setting

if TYPE_CHECKING:  # only for type hints; importing Keras costs seconds
    import keras

FIELD = 28  # MNIST images are 28x28 ...
BOX = 20  # ... with the digit scaled to fit 20x20 inside them
CENTRE = (14.0, 14.0)  # where MNIST puts the centre of mass (row, column); measured on the rows
INK_THRESHOLD = 0.1  # intensities below this are anti-aliasing haze, not a stroke
DOT_FRACTION = 0.08  # ink whose box is smaller than 8% of the canvas side is a dot, not a digit
DOT_PENS = 1.6  # ... or than 1.6 pen widths: one click of a wide pen
SCRIBBLE_COVERAGE = 0.55  # ink covering over half of a box spanning most of the canvas: a scribble
SCRIBBLE_SPAN = 0.8
EMPTY_HINT = "Draw a digit from 0 to 9 on the black canvas, with the mouse or a finger."
DOT_HINT = "That is a dot, too small to be a digit: draw one that fills a good part of the canvas."
MNIST_SHAPES = ((784,), (28, 28), (28, 28, 1))  # the input shapes a drawing can be fed as

PEN = Setting(
    key="pen",
    label="Pen width",
    kind="int",
    default=22,
    low=6,
    high=40,
    step=2,
    help="Stroke width in canvas pixels. MNIST strokes are about a tenth of the digit's height.",
)
NETWORK = Setting(
    key="net",
    label="Network",
    kind="choice",
    default="cnn",
    choices={"cnn": "Bundled CNN (trained on MNIST)", "build": "Your network from Build & Train"},
    help="The bundled CNN ships with the app; your own works once trained on the Build page.",
)
SETTINGS = (PEN, NETWORK)


@dataclass
class Prepared:
    """The network's input for one drawing, or the reason there is none.

    ``x`` is a 28x28 float array in [0, 1] (as in training) or ``None`` when the drawing cannot
    sensibly be classified (blank canvas, a single dot). ``notes`` are sentences for the person
    drawing: why there is no answer, or what to keep in mind about the answer.
    """

    x: np.ndarray | None
    notes: list[str] = field(default_factory=list)
    box: tuple[int, int, int, int] | None = None  # (top, bottom, left, right) on the canvas

    @property
    def usable(self) -> bool:
        return self.x is not None


# --- preprocessing: pure numpy / Pillow -----------------------------------------------------


def canvas_ink(image: np.ndarray) -> np.ndarray:
    """Ink intensity in [0, 1] per canvas pixel, from RGBA (or grey) pixels of white ink on black.

    Brightness times opacity, so a transparent canvas and a black one both read as "no ink".
    """
    pixels = np.asarray(image)
    if pixels.ndim == 2:
        return np.clip(pixels.astype(np.float32) / 255.0, 0.0, 1.0)
    if pixels.ndim != 3 or pixels.shape[2] not in (3, 4):
        raise ValueError(f"expected an HxW, HxWx3 or HxWx4 image, got shape {pixels.shape}")
    rgb = np.ascontiguousarray(pixels[..., :3], dtype=np.uint8)
    # Pillow's luma conversion runs in C, ten times faster than a numpy mean over channels.
    ink = np.asarray(Image.fromarray(rgb, "RGB").convert("L"), dtype=np.float32) / 255.0
    if pixels.shape[2] == 4:
        ink *= pixels[..., 3].astype(np.float32) / 255.0
    return ink


def ink_bounding_box(
    ink: np.ndarray, threshold: float = INK_THRESHOLD
) -> tuple[int, int, int, int] | None:
    """Smallest box (top, bottom, left, right; bottom/right exclusive) holding all the ink.

    ``None`` for a blank canvas. Faint haze below ``threshold`` is ignored so that a stray
    anti-aliased pixel does not stretch the box.
    """
    rows = np.flatnonzero((ink > threshold).any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero((ink > threshold).any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def scale_to_box(crop: np.ndarray, box: int = BOX) -> np.ndarray:
    """Resize so the longer side is ``box`` px, keeping the aspect ratio, with anti-aliasing.

    Lanczos on float pixels averages many canvas pixels into each output pixel, which gives the
    grey stroke edges MNIST digits have (a nearest-neighbour shrink would give jagged,
    broken strokes). The short side is at least 1 px so a thin line does not vanish.
    """
    height, width = crop.shape
    scale = box / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resized = Image.fromarray(crop.astype(np.float32), mode="F").resize(
        size, Image.Resampling.LANCZOS
    )
    return np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)


def center_of_mass(image: np.ndarray) -> tuple[float, float]:
    """Intensity-weighted mean (row, column) of an image; the field centre if it is empty."""
    total = float(image.sum())
    if total <= 0:
        return (image.shape[0] - 1) / 2, (image.shape[1] - 1) / 2
    rows = np.arange(image.shape[0], dtype=np.float64)
    cols = np.arange(image.shape[1], dtype=np.float64)
    return (
        float(image.sum(axis=1) @ rows) / total,
        float(image.sum(axis=0) @ cols) / total,
    )


def center_of_mass_shift(
    digit: np.ndarray, field_size: int = FIELD, centre: tuple[float, float] = CENTRE
) -> tuple[int, int]:
    """Top-left corner at which to paste ``digit`` so its centre of mass lands on ``centre``.

    Whole pixels, so strokes are not blurred again by a sub-pixel shift (the centre of mass is
    then within half a pixel). Clamped so that no ink leaves the field: for a lopsided shape it
    is better to be slightly off-centre than to cut part of the digit off.
    """
    com_row, com_col = center_of_mass(digit)
    top = round(centre[0] - com_row)
    left = round(centre[1] - com_col)
    top = min(max(top, 0), field_size - digit.shape[0])
    left = min(max(left, 0), field_size - digit.shape[1])
    return top, left


def paste_into_field(
    digit: np.ndarray, corner: tuple[int, int], field_size: int = FIELD
) -> np.ndarray:
    """A black ``field_size`` square with ``digit`` pasted at ``corner`` (top, left)."""
    canvas = np.zeros((field_size, field_size), dtype=np.float32)
    top, left = corner
    canvas[top : top + digit.shape[0], left : left + digit.shape[1]] = digit
    return canvas


def drawing_notes(ink: np.ndarray, box: tuple[int, int, int, int]) -> list[str]:
    """Warnings about a drawing that will still be classified: cut off at the edge, a scribble."""
    notes = []
    top, bottom, left, right = box
    height, width = ink.shape
    if top == 0 or left == 0 or bottom == height or right == width:
        notes.append(
            "Your drawing touches the edge of the canvas, so part of it may be cut off. "
            "Leave a margin for the best answer."
        )
    box_area = (bottom - top) * (right - left)
    coverage = float((ink[top:bottom, left:right] > INK_THRESHOLD).sum()) / box_area
    spans_canvas = (bottom - top) >= SCRIBBLE_SPAN * height and (
        right - left
    ) >= SCRIBBLE_SPAN * width
    if spans_canvas and coverage >= SCRIBBLE_COVERAGE:
        notes.append(
            "This looks like a scribble over the whole canvas. The network still has to pick one "
            "of ten digits — it cannot say 'none of these' — so take its answer with a smile."
        )
    return notes


def prepare_drawing(image: np.ndarray | None, pen_width: float = 0) -> Prepared:
    """The whole MNIST recipe: ink -> crop -> fit 20x20 -> paste in 28x28 -> centre of mass.

    Never raises on a drawing: a blank canvas or a single dot comes back with ``x=None`` and a
    sentence saying what to do. ``pen_width`` (canvas pixels) tells a dot made by one click of
    a wide pen from a small digit: a digit is clearly longer than the pen is wide.
    """
    if image is None:
        return Prepared(None, [EMPTY_HINT])
    ink = canvas_ink(image)
    box = ink_bounding_box(ink)
    if box is None:
        return Prepared(None, [EMPTY_HINT])
    top, bottom, left, right = box
    if max(bottom - top, right - left) < max(DOT_FRACTION * max(ink.shape), DOT_PENS * pen_width):
        return Prepared(None, [DOT_HINT], box)
    digit = scale_to_box(ink[top:bottom, left:right])
    x = paste_into_field(digit, center_of_mass_shift(digit))
    return Prepared(x, drawing_notes(ink, box), box)


# --- inference: a Keras model called directly ----------------------------------------------


def model_input(x: np.ndarray, input_shape: Sequence[int]) -> np.ndarray:
    """A batch of one, shaped for the model: (1, 784) for dense nets, (1, 28, 28, 1) for CNNs."""
    return np.asarray(x, dtype=np.float32).reshape((1, *input_shape))


def input_shape_of(model: keras.Model) -> tuple[int, ...]:
    """The per-sample input shape a built model expects, e.g. (784,) or (28, 28, 1)."""
    return tuple(int(d) for d in model.inputs[0].shape[1:])


def takes_mnist(model: keras.Model, input_shape: Sequence[int]) -> bool:
    """Whether a model reads a 28x28 MNIST image (flat or as an image) and answers ten classes.

    The Build page can make networks for other inputs; feeding those a drawing would fail
    deep inside Keras, so the page asks first.
    """
    layers = getattr(model, "layers", None)
    if not layers:
        return False
    return tuple(input_shape) in MNIST_SHAPES and getattr(layers[-1], "units", None) == 10


_GRAPHS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_GRAPHS_LOCK = threading.Lock()


def graph_call(model: keras.Model, input_shape: Sequence[int]) -> Callable[[Any], Any]:
    """``model(x, training=False)`` traced once into a TensorFlow graph, cached per model.

    Calling a Keras model eagerly dispatches every layer from Python, about 10 ms for our CNN on
    a busy 2-core server; the traced graph runs the same call in about 1 ms. The graph reads the
    model's variables, so a fine-tuned copy answers with its new weights without retracing.
    It holds the model only weakly, so a discarded model (a retrained Build network) is freed.
    """
    from nncore.keras_runtime import tf

    shape = tuple(int(d) for d in input_shape)
    with _GRAPHS_LOCK:
        per_shape = _GRAPHS.setdefault(model, {})
        if shape not in per_shape:
            owner = weakref.ref(model)
            per_shape[shape] = tf.function(
                lambda batch: owner()(batch, training=False),
                input_signature=[tf.TensorSpec((None, *shape), tf.float32)],
                autograph=False,
            )
        return per_shape[shape]


def classify(
    model: keras.Model, x: np.ndarray, input_shape: Sequence[int] | None = None
) -> np.ndarray:
    """The ten class probabilities for one 28x28 input.

    Calls the model directly (in a cached graph, see ``graph_call``), never ``model.predict``:
    ``predict`` builds a data pipeline per call, about 60 ms for one sample. Raises
    FloatingPointError when the answer is not a number (a network whose training diverged), so
    the page can say so.
    """
    shape = tuple(input_shape or input_shape_of(model))
    batch = model_input(x, shape)
    probabilities = np.asarray(graph_call(model, shape)(batch), dtype=np.float64)[0]
    if not np.all(np.isfinite(probabilities)):
        raise FloatingPointError("the network answered NaN: its training diverged")
    return probabilities


def accuracy(
    model: keras.Model, x: np.ndarray, y: np.ndarray, input_shape: Sequence[int] | None = None
) -> float:
    """Share of 28x28 rows ``x`` the model labels as ``y``: a quick check that teaching a few
    drawings did not make the network forget the digits it knew."""
    shape = tuple(input_shape or input_shape_of(model))
    call = graph_call(model, shape)
    batch = np.asarray(x, dtype=np.float32).reshape((len(x), *shape))
    guesses = np.concatenate(
        [np.argmax(np.asarray(call(batch[i : i + 500])), axis=1) for i in range(0, len(x), 500)]
    )
    return float(np.mean(guesses == np.asarray(y)))


def top_k(probabilities: np.ndarray, k: int = 3) -> list[tuple[int, float]]:
    """The ``k`` most likely digits with their probabilities, most likely first."""
    order = np.argsort(-probabilities, kind="stable")[:k]  # ties: the smaller digit first
    return [(int(digit), float(probabilities[digit])) for digit in order]


def layer_activations(
    model: keras.Model, x: np.ndarray, input_shape: Sequence[int] | None = None
) -> list[tuple[str, np.ndarray]]:
    """What every layer with weights (convolutions, dense layers) outputs for one input.

    Runs the layers one after another on the same input, which works for any Sequential model
    without building a second functional model. Returns (layer name, activation of the single
    sample) pairs, e.g. (28, 28, 32) feature maps for a convolution, (64,) for a dense layer.
    """
    h = model_input(x, input_shape or input_shape_of(model))
    shown = []
    for layer in model.layers:
        h = layer(h, training=False)
        if layer.weights and np.ndim(h) in (2, 4):
            shown.append((layer.name, np.asarray(h)[0]))
    return shown


# --- teaching: fine-tuning a private copy -------------------------------------------------


def private_copy(model: keras.Model) -> keras.Model:
    """A copy with its own weights, so training it can never change the original model.

    The bundled model is shared by every visitor (``st.cache_resource``); each session that
    teaches the network gets its own copy.
    """
    from nncore.keras_runtime import keras

    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


def fine_tune_batch(
    drawings: np.ndarray,
    labels: np.ndarray,
    mnist_x: np.ndarray,
    mnist_y: np.ndarray,
    rng: np.random.Generator,
    mnist_per_drawing: int = 4,
) -> tuple[np.ndarray, np.ndarray]:
    """The user's drawings mixed with random MNIST rows, shuffled.

    Training on a handful of drawings alone would make the network forget everything else
    ("catastrophic forgetting"); mixing in real MNIST digits keeps its old skills.
    """
    count = min(len(mnist_x), max(16, mnist_per_drawing * len(drawings)))
    pick = rng.choice(len(mnist_x), size=count, replace=False)
    x = np.concatenate(
        [drawings.reshape(-1, FIELD, FIELD), mnist_x[pick].reshape(-1, FIELD, FIELD)]
    )
    y = np.concatenate([labels, mnist_y[pick]]).astype(np.int64)
    order = rng.permutation(len(x))
    return x[order].astype(np.float32), y[order]


def fine_tune(
    model: keras.Model,
    drawings: np.ndarray,
    labels: np.ndarray,
    mnist_x: np.ndarray,
    mnist_y: np.ndarray,
    input_shape: Sequence[int] | None = None,
    steps: int = 12,
    learning_rate: float = 3e-4,
    seed: int = 0,
) -> list[float]:
    """Train ``model`` in place for a few steps on the drawings mixed with MNIST; return losses.

    Give it a private copy (``private_copy``), never a shared model. A small learning rate and a
    few steps nudge the network towards the corrected drawings without wrecking what it knew.
    It runs on the playground's training engine: each step is one epoch over the same mixed
    batch, reshuffled, so ``steps`` is the number of optimizer updates.
    """
    from nncore.data import Split, one_hot
    from nncore.keras_runtime import keras
    from nncore.training import EpochEngine

    rng = np.random.default_rng(seed)
    shape = tuple(input_shape or input_shape_of(model))
    x, y = fine_tune_batch(drawings, labels, mnist_x, mnist_y, rng)
    x = x.reshape((len(x), *shape))
    # The engine reports test metrics every epoch; the drawings themselves are the test here.
    split = Split(x, one_hot(y), x[: len(drawings)], one_hot(np.asarray(labels, dtype=np.int64)))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="categorical_crossentropy")
    engine = EpochEngine(model, split, batch_size=len(x), seed=seed)
    losses = [engine.run_epoch(step).loss for step in range(1, steps + 1)]
    engine.release()
    return losses


def load_model(path: str) -> Any:
    """Load a saved Keras model for inference only (no optimizer state)."""
    from nncore.keras_runtime import keras

    return keras.models.load_model(path, compile=False)
