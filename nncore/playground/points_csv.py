"""A visitor's own points as CSV: read with checks that end in one clear sentence, and written.

The file comes from anyone's disk, so nothing in it is trusted: its size and row count are
capped before parsing, the columns must be exactly ``x1,x2,label`` (``x1,x2,y`` for regression),
every cell a finite number, labels whole numbers 0…C−1. A problem raises ``PointsError`` with a
sentence the page shows as plain text; the page then keeps the previous points.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd

from nncore.playground.datasets import MAX_POINTS, Points

MAX_BYTES = 200_000  # 2,000 rows of three numbers fit in well under this
MAX_CLASSES = 4


class PointsError(ValueError):
    """A file that cannot be used; the message is one sentence for the visitor."""


def _text(data: bytes) -> str:
    if not data.strip():
        raise PointsError("The file is empty: it needs a header line x1,x2,label and some rows.")
    if len(data) > MAX_BYTES:
        raise PointsError(
            f"The file is too big ({len(data):,} bytes); at most {MAX_POINTS:,} points "
            f"({MAX_BYTES // 1000} kB) can be uploaded."
        )
    if b"\0" in data:
        raise PointsError("This is not a text file: upload a CSV with columns x1,x2,label.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PointsError(
            "This is not a UTF-8 text file: upload a CSV with columns x1,x2,label."
        ) from None


def read_points(data: bytes, regression: bool) -> Points:
    """The points in a CSV file's bytes, or ``PointsError`` saying what is wrong with it."""
    target = "y" if regression else "label"
    wanted = ["x1", "x2", target]
    text = _text(data)
    if text.count("\n") > MAX_POINTS + 1:
        raise PointsError(f"The file has more than {MAX_POINTS:,} rows; keep at most that many.")
    try:
        with warnings.catch_warnings():  # a row longer than the header is an error, not a warning
            warnings.simplefilter("error", pd.errors.ParserWarning)
            table = pd.read_csv(
                io.StringIO(text), dtype=str, keep_default_na=False, index_col=False
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError) as problem:
        reason = str(problem).replace("\n", " ").strip()[:120]
        raise PointsError(f"The file is not a readable CSV ({reason}).") from None
    columns = [str(c).strip().lower() for c in table.columns]
    if columns != wanted:
        raise PointsError(
            f"The columns must be exactly {','.join(wanted)} (found {','.join(columns)[:80]})."
        )
    if table.empty:
        raise PointsError("The file has a header but no rows of points.")
    numbers = table.apply(lambda column: pd.to_numeric(column.str.strip(), errors="coerce"))
    values = numbers.to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise PointsError(
            f"Row {row + 2}, column {wanted[column]}: {table.iat[row, column][:30]!r} is not a "
            "finite number (empty cells, text and NaN are not allowed)."
        )
    x, y = values[:, :2], values[:, 2]
    if regression:
        return Points(x, y, 0)
    if (y != np.round(y)).any() or y.min() < 0 or y.max() >= MAX_CLASSES:
        raise PointsError(f"Labels must be whole numbers from 0 to {MAX_CLASSES - 1}.")
    labels = y.astype(int)
    classes = max(int(labels.max()) + 1, 2)
    return Points(x, labels, classes)


def points_csv(points: Points) -> str:
    """The points as the CSV ``read_points`` reads back (the page's Download button)."""
    target = "y" if points.classes == 0 else "label"
    table = pd.DataFrame({"x1": points.x[:, 0], "x2": points.x[:, 1], target: points.y})
    return table.to_csv(index=False, float_format="%.6g")
