"""Canvas pixels -> an MNIST-like 28x28 input, and what a Keras model makes of it.

A network only recognises the kind of picture it was trained on. MNIST digits were scaled so
their longer side fits 20 px (keeping the aspect ratio, with anti-aliased grey edges), placed in
a 28x28 field, and shifted so their centre of mass sits at pixel (14, 14). Shrinking the whole
canvas to 28x28, as most demos do, gives the network a digit of the wrong size in the wrong place.
So the steps below redo exactly what was done to MNIST, one small function per step.

Needs only numpy and Pillow: it runs in the web server, before the drawing goes to a worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

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
