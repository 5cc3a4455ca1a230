"""Colours of the plane: class colours blended by the network's confidence, values on a diverging
scale, all encoded as small PNG images (a few kB a redraw instead of 2,500 numbers as JSON).

Class colours are Okabe–Ito (distinct for every kind of colour vision); values run from
vermillion (negative) through white to blue (positive), as in TensorFlow Playground.
"""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

CLASS_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
CLASS_NAMES = ("blue", "orange", "green", "pink")  # what a student calls those colours
NEGATIVE, POSITIVE = "#D55E00", "#0072B2"
BACKGROUND_STRENGTH = 0.65  # the surest answer is this far from white: the points stay visible


def rgb(colour: str) -> np.ndarray:
    """'#RRGGBB' as three floats 0–255."""
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def class_image(probabilities: np.ndarray, discrete: bool = False) -> np.ndarray:
    """H × W × 3 colours for H × W × C class probabilities: the likely class's colour, paler
    where the network is unsure (exactly white where every class is equally likely)."""
    classes = probabilities.shape[-1]
    palette = np.stack([rgb(c) for c in CLASS_COLOURS[:classes]])
    if discrete:
        chosen = probabilities.argmax(axis=-1)
        mixed, strength = palette[chosen], np.full(chosen.shape, BACKGROUND_STRENGTH)
    else:
        mixed = probabilities @ palette
        sure = (probabilities.max(axis=-1) - 1 / classes) / (1 - 1 / classes)
        strength = BACKGROUND_STRENGTH * np.clip(sure, 0, 1)
    return 255 - (255 - mixed) * strength[..., None]


def value_image(
    values: np.ndarray,
    scale: float = 1.0,
    discrete: bool = False,
    strength: float = BACKGROUND_STRENGTH,
) -> np.ndarray:
    """H × W × 3 colours for values: white at 0, the colour at ±``scale`` and beyond (paled to
    ``strength`` for a background; a point on it is drawn at full strength, 1)."""
    v = np.clip(np.asarray(values, float) / max(scale, 1e-9), -1, 1)
    if discrete:
        v = np.sign(v)
    colour = np.where(v[..., None] >= 0, rgb(POSITIVE), rgb(NEGATIVE))
    return 255 - (255 - colour) * (strength * np.abs(v))[..., None]


def png_uri(image: np.ndarray, upscale: int = 1) -> str:
    """An H × W × 3 (or × 4, with transparency) image (row 0 at the bottom of the plane) as a PNG data URI for plotly.

    Rows are flipped, because an image's first row is its top. ``upscale`` smooths a coarse
    grid with bilinear interpolation, so the boundary does not look like a staircase.
    """
    picture = to_picture(image)
    if upscale > 1:
        picture = picture.resize(
            (picture.width * upscale, picture.height * upscale), Image.Resampling.BILINEAR
        )
    return picture_uri(picture)


def to_picture(image: np.ndarray) -> Image.Image:
    """An H × W × 3 (or × 4) array of colours, row 0 at the bottom of the plane, as a PIL
    image (whose first row is its top: the rows are flipped)."""
    mode = "RGBA" if image.shape[-1] == 4 else "RGB"
    return Image.fromarray(np.clip(image[::-1], 0, 255).astype(np.uint8), mode)


def picture_uri(picture: Image.Image) -> str:
    """A PIL image as a PNG data URI (fast compression)."""
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=False, compress_level=3)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def live_picture_uri(picture: Image.Image) -> str:
    """The live plane as a JPEG data URI: it is encoded for every playing student up to eight
    times a second, where a PNG of the same picture cost the server over ten times the CPU and
    three times the bytes (``benchmarks/README.md``). At quality 90 without colour subsampling
    the points' edges look as sharp as in the PNG."""
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=90, subsampling=0)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
