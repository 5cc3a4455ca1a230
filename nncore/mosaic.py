"""Many small pictures laid out as one: what the Draw page's feature maps and Build's
misclassified digits are drawn from.

One heat map of a mosaic instead of one plotly subplot per picture: plotly builds and checks a
Python object for every subplot, ~20-30 ms each in the web server, holding the GIL, paid on
every stroke or finished training of every student.
"""

from __future__ import annotations

import math

import numpy as np


def tile_mosaic(
    tiles: np.ndarray, columns: int, gap: int = 1, band: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Pictures (n, H, W) laid out ``columns`` to a row, ``gap`` blank cells between them and
    a blank ``band`` above each row (room for titles).

    Returns the mosaic (NaN where blank, so it stays transparent) and, for every cell, the
    number (from 1) of the picture it belongs to, 0 where blank: the hover text reads it.
    """
    count, height, width = tiles.shape
    rows = max(1, math.ceil(count / columns))
    row_height, column_width = band + height + gap, width + gap
    mosaic = np.full((rows * row_height - gap, columns * column_width - gap), np.nan)
    which = np.zeros(mosaic.shape, dtype=int)
    for i in range(count):
        top = (i // columns) * row_height + band
        left = (i % columns) * column_width
        mosaic[top : top + height, left : left + width] = tiles[i]
        which[top : top + height, left : left + width] = i + 1
    return mosaic, which


def tile_origin(
    index: int, columns: int, height: int, width: int, gap: int = 1, band: int = 0
) -> tuple[int, int]:
    """(row, column) of picture ``index``'s top-left cell in ``tile_mosaic``'s layout."""
    return (index // columns) * (band + height + gap) + band, (index % columns) * (width + gap)
