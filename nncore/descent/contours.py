"""Level lines and shading for the 2D view, drawn without plotly's contour trace.

plotly.js moves scatter traces between animation frames without redrawing the figure, but in
doing so drops every other kind of trace from the picture: the contour lines vanished on Play
(the user test). Redrawing each frame keeps them, at the cost of redrawing every path too: a
Rosenbrock race of 6 × 500 steps then played at over a second a frame. So the level lines are
a scatter trace (marching squares, done here) and the shading is an image under the plot:
both stay put while the frames move the optimizers' points.
"""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from nncore.descent.functions import Array

LIGHT, DARK = 247, 189  # grey levels of the lowest and the highest shading


def levels(values: Array, count: int) -> Array:
    """``count`` evenly spaced values strictly between the lowest and highest of ``values``."""
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    return np.linspace(low, high, count + 2)[1:-1]


def level_segments(x: Array, y: Array, z: Array, values: Array) -> Array:
    """The straight pieces, one per crossed grid cell (two in a saddle cell), of the curves
    where ``z`` (sampled at ``y[i], x[j]`` as ``z[i, j]``) equals each of ``values``:
    (n, 2, 2). Only the few cells a level crosses are interpolated."""
    level = np.asarray(values, dtype=float)
    above = z[None] >= level[:, None, None]
    corners = above[:, :-1, :-1], above[:, :-1, 1:], above[:, 1:, :-1], above[:, 1:, 1:]
    some = np.logical_or.reduce(corners) & ~np.logical_and.reduce(corners)
    n, i, j = np.nonzero(some)
    c = level[n]
    v00, v01, v10, v11 = z[i, j], z[i, j + 1], z[i + 1, j], z[i + 1, j + 1]
    x0, x1, y0, y1 = x[j], x[j + 1], y[i], y[i + 1]

    def cut(a: Array, b: Array) -> tuple[Array, Array]:
        """Whether the edge from value a to b crosses the level, and where (0..1 along it)."""
        crosses = (a >= c) != (b >= c)
        with np.errstate(invalid="ignore", divide="ignore"):
            return crosses, np.where(crosses, (c - a) / (b - a), np.nan)

    # the four edges in order round the cell: bottom, right, top, left
    (kb, tb), (kr, tr), (kt, tt), (kl, tl) = (
        cut(v00, v01),
        cut(v01, v11),
        cut(v10, v11),
        cut(v00, v10),
    )
    edges = np.stack(
        [
            np.stack([x0 + tb * (x1 - x0), y0], -1),
            np.stack([x1, y0 + tr * (y1 - y0)], -1),
            np.stack([x0 + tt * (x1 - x0), y1], -1),
            np.stack([x0, y0 + tl * (y1 - y0)], -1),
        ],
        axis=1,
    )
    crossed = np.stack([kb, kr, kt, kl], axis=1)
    count = crossed.sum(axis=1)
    two = count == 2
    order = np.argsort(~crossed[two], axis=1, kind="stable")[:, :2]
    pieces = [np.take_along_axis(edges[two], order[:, :, None], axis=1)]
    saddle = count == 4
    if saddle.any():
        e, level_here = edges[saddle], c[saddle]
        centre = (v00 + v01 + v10 + v11)[saddle] / 4
        with_00 = (centre >= level_here) == (v00[saddle] >= level_here)
        # the centre on v00's side: the line cuts off the corners v01 and v10, else v00 and v11
        pieces.append(np.where(with_00[:, None, None], e[:, [0, 1]], e[:, [0, 3]]))
        pieces.append(np.where(with_00[:, None, None], e[:, [3, 2]], e[:, [1, 2]]))
    return np.concatenate(pieces)


def level_lines(x: Array, y: Array, z: Array, count: int = 24) -> tuple[Array, Array]:
    """All level lines as one scatter trace's x and y, pieces separated by NaN gaps."""
    segments = level_segments(x, y, z, levels(z, count))
    gap = np.full((len(segments), 1), np.nan)
    xs = np.hstack([segments[:, :, 0], gap]).ravel()
    ys = np.hstack([segments[:, :, 1], gap]).ravel()
    return np.round(xs, 5), np.round(ys, 5)


def shading(z: Array) -> str:
    """``z`` as a grey PNG data URL (light where low, darker where high), top row first."""
    low, high = float(np.nanmin(z)), float(np.nanmax(z))
    scaled = (z - low) / ((high - low) or 1.0)
    grey = np.round(LIGHT - (LIGHT - DARK) * scaled).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(grey[::-1], mode="L").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
