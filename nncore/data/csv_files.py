"""A visitor's CSV file read into training rows, or one sentence saying why it cannot be.

Two formats are understood: the notebook's (a label column and 784 pixel columns, 0–255 or
0–1, with or without a header) and a plain table (numeric feature columns and one label column
of class names or integers). Every check answers with a ``CsvProblem`` whose message is one
sentence a student can act on; nothing here raises anything else for a bad file.

Memory stays bounded: at most ``MAX_BYTES`` are ever read from the stream (a 200 MB upload
costs 20 MB), the rows and columns are counted on the raw bytes before pandas parses anything,
and pandas is told to stop after ``MAX_ROWS`` rows. The largest accepted file becomes a
float32 array of ``MAX_ROWS × (MAX_COLUMNS − 1)`` values (about 31 MB); reading it peaks at
about 130 MB more than before (pandas' float64 table, measured on a 17 MB file of 10,000
digits, 1–2 s). Pure pandas and numpy.
"""

from __future__ import annotations

import codecs
import io
import math
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import pandas as pd

from nncore.data.sources import DIGITS_CSV, TABLE_CSV, DataSource

MAX_MB = 20  # the same as the server's upload limit (deploy/cluster.py UPLOAD_LIMIT_MB)
MAX_BYTES = MAX_MB * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 785  # a label and 784 pixels
MAX_CLASSES = 50
PIXELS = 784
PREVIEW_ROWS = 8
MAX_LABEL_NUMBER = 1e15  # float64 holds every whole number below it exactly
# A feature's largest size: its square, summed over every row, stays within float32 when the
# columns are standardised (10,000 × 10³⁰ < 3.4 × 10³⁸). Larger values are ids, not
# measurements.
MAX_FEATURE = 1e15
INT64_MAX = int(np.iinfo(np.int64).max)
SNIFF_BYTES = 64 * 1024  # enough for the first lines of any accepted file

# The first bytes of files people upload by mistake.
SIGNATURES = {
    b"PK\x03\x04": "a zip archive (an Excel .xlsx file is one too)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
}


class CsvProblem(ValueError):
    """A file the app cannot train on; the message is one sentence for the student."""


@dataclass(frozen=True)
class CsvData:
    """What was understood from a file, ready to split: features, labels, class names."""

    source: DataSource
    file_name: str
    x: np.ndarray  # float32 (rows, features); digits already scaled to [0, 1]
    labels: np.ndarray  # int64 class index of every row
    class_names: tuple[str, ...]
    feature_names: tuple[str, ...]
    label_column: str  # its header, or "column 1"
    label_position: int  # 0-based position of the label column in the file
    header: bool
    index_column: bool  # a first, unnamed column of row numbers (pandas' to_csv) was skipped
    pixel_scale: float  # what the file's pixels were divided by (255 or 1; 1 for a table)
    preview: pd.DataFrame  # the first rows, as read

    @property
    def rows(self) -> int:
        return int(self.x.shape[0])

    @property
    def features(self) -> int:
        return int(self.x.shape[1])

    def class_counts(self) -> dict[str, int]:
        """Rows per class, in class order."""
        counts = np.bincount(self.labels, minlength=len(self.class_names))
        return dict(zip(self.class_names, (int(c) for c in counts), strict=True))


def read_csv_upload(stream: BinaryIO, file_name: str) -> CsvData:
    """Read an uploaded file, never more than ``MAX_BYTES`` of it, and understand it."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise CsvProblem(f"The file is larger than {MAX_MB} MB, the limit; keep a sample of it.")
    return read_csv_bytes(data, file_name)


def read_csv_bytes(data: bytes, file_name: str) -> CsvData:
    """The checks in the order a student would fix them: what the file is, its shape, its values."""
    if len(data) > MAX_BYTES:
        raise CsvProblem(f"The file is larger than {MAX_MB} MB, the limit; keep a sample of it.")
    lines = _first_lines(data)
    if not lines:
        raise CsvProblem("The file is empty.")
    first = lines[0].split(",")
    _check_delimiters(lines)
    header = _has_header(first, lines[1].split(",") if len(lines) > 1 else None)
    # pandas' df.to_csv() writes the row numbers as a first, unnamed column: not data.
    index_column = header and first[0].strip().strip('"') in ("", "Unnamed: 0")
    columns = len(first) - int(index_column)
    if columns > MAX_COLUMNS:
        raise CsvProblem(
            f"The file has {columns:,} columns; the limit is {MAX_COLUMNS} (a label and 784 "
            "pixels)."
        )
    if columns < 2:
        raise CsvProblem("The file has a single column: it needs a label column and features.")
    rows = _count_rows(data) - int(header)
    if rows > MAX_ROWS:
        raise CsvProblem(f"The file has {rows:,} rows; the limit is {MAX_ROWS:,}. Keep a sample.")
    if rows < 1:
        raise CsvProblem("The file has a header row but no data rows.")
    table = _parse(data, header, index_column)
    return _understand(table, file_name, header, index_column)


def _first_lines(data: bytes) -> list[str]:
    """The non-blank lines at the start of the file, decoded; refuses binary and non-UTF-8."""
    head = data[:SNIFF_BYTES]
    for signature, what in SIGNATURES.items():
        if head.startswith(signature):
            raise CsvProblem(f"This is {what}, not a CSV file: export your data as CSV.")
    if b"\x00" in head:
        raise CsvProblem("This is not a CSV file: it holds binary data, not lines of text.")
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError as problem:
        raise _not_utf8(problem) from None
    lines = [line.strip() for line in text.splitlines()]
    if len(data) > SNIFF_BYTES and lines:
        lines.pop()  # may be cut in the middle
    return [line for line in lines if line]


def _not_utf8(problem: UnicodeDecodeError) -> CsvProblem:
    return CsvProblem(
        f"The file is not UTF-8 text (byte {problem.object[problem.start]:#04x} cannot be read): "
        "save it as “CSV UTF-8” and upload it again."
    )


def _check_delimiters(lines: list[str]) -> None:
    """Commas only: a semicolon or tab file, or one that mixes them, is named as such."""
    names = {";": "semicolons", "\t": "tabs"}
    width = len(lines[0].split(","))
    for number, line in enumerate(lines[:50], start=1):
        for mark, name in names.items():
            if mark in line and "," not in line:
                raise CsvProblem(
                    f"Line {number} separates its values with {name}; the app reads "
                    "comma-separated files (save as “CSV UTF-8 (comma delimited)”)."
                )
            if mark in line and len(line.split(",")) != width:  # else: inside a value
                raise CsvProblem(
                    f"Line {number} mixes commas and {name} as delimiters; use commas only."
                )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _has_header(first: list[str], second: list[str] | None) -> bool:
    """A first line with text where the next line has numbers is a header row.

    A table without a header can have text in its label column on every line, so text alone
    does not make a header; a lone first line with any text is one.
    """
    if second is None:
        return not all(_is_number(field) for field in first)
    return any(
        not _is_number(a) and _is_number(b) for a, b in zip(first, second, strict=False)
    ) or all(not _is_number(field) for field in first)


def _count_rows(data: bytes) -> int:
    """Lines, counted on the bytes (no parsing, no copy): an upper bound of the data rows."""
    return data.count(b"\n") + int(not data.endswith(b"\n"))


def _parse(data: bytes, header: bool, index_column: bool) -> pd.DataFrame:
    try:
        table = pd.read_csv(
            io.BytesIO(data),
            header=0 if header else None,
            index_col=0 if index_column else None,
            nrows=MAX_ROWS,
            encoding="utf-8-sig",
            skip_blank_lines=True,
            skipinitialspace=True,
        )
    except UnicodeDecodeError as problem:
        raise _not_utf8(problem) from None
    except pd.errors.ParserError as problem:
        detail = str(problem).split("Error tokenizing data. C error: ")[-1].strip()
        raise CsvProblem(
            f"The rows do not all have the same number of values ({detail})."
        ) from None
    except (pd.errors.EmptyDataError, ValueError) as problem:
        raise CsvProblem(f"The file cannot be read as a CSV table ({problem}).") from None
    if table.empty:
        raise CsvProblem("The file has a header row but no data rows.")
    if not header:
        table.columns = [f"column {i + 1}" for i in range(table.shape[1])]
    table.columns = [str(name).strip() for name in table.columns]
    return table.reset_index(drop=True)


def _label_position(table: pd.DataFrame, header: bool) -> int:
    """The column called ``label``; else the only column of text; else the first column.

    A column counts as text when most of its values are not numbers, so a number column with
    one typo in it is reported as such instead of being taken for the label.
    """
    names = [name.lower() for name in table.columns]
    if header and "label" in names:
        return names.index("label")
    text = [
        i
        for i, column in enumerate(table.columns)
        if not _numeric(table[column]) and _to_numbers(table[column]).isna().mean() > 0.5
    ]
    return text[0] if len(text) == 1 else 0


def _to_numbers(values: pd.Series) -> pd.Series:
    """The values as float64 numbers, NaN where they are not numbers.

    ``pd.to_numeric`` raises OverflowError, even told to coerce, on a whole number too long
    for a float (400 digits); such a number becomes ±infinity here.
    """
    try:
        return pd.to_numeric(values, errors="coerce").astype(np.float64)
    except OverflowError:
        return pd.Series([_to_number(value) for value in values], index=values.index)


def _to_number(value: object) -> float:
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    return float(pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0])


def _numeric(values: pd.Series) -> bool:
    """Whether pandas read a column as numbers (pandas 3 reads text as ``str``, not object)."""
    return pd.api.types.is_numeric_dtype(values.dtype)


def _line(row: int, header: bool) -> int:
    """The file's line number of data row ``row`` (0-based), as a text editor counts it."""
    return row + 1 + int(header)


def _features(table: pd.DataFrame, columns: list[str], header: bool) -> np.ndarray:
    """The feature columns as float32; text, empty cells, NaN, infinity and numbers beyond
    ``MAX_FEATURE`` are refused, naming the first such cell's line and column.

    Each column is checked as float64 (one column at a time, so no second copy of the table)
    and copied into the float32 array that is kept.
    """
    x = np.empty((len(table), len(columns)), dtype=np.float32)
    first: tuple[int, str] | None = None  # the first bad cell's row and sentence
    for position, column in enumerate(columns):
        numbers = _column_numbers(table[column], column, header)
        bad = np.flatnonzero(~np.isfinite(numbers) | (np.abs(numbers) > MAX_FEATURE))
        if len(bad) and (first is None or int(bad[0]) < first[0]):
            row = int(bad[0])
            first = (row, _bad_number(numbers[row], row, column, header))
        if first is None:
            x[:, position] = numbers
    if first is not None:
        raise CsvProblem(first[1])
    return x


def _column_numbers(values: pd.Series, column: str, header: bool) -> np.ndarray:
    """One feature column as float64, or ``CsvProblem`` for text and over-long whole numbers.

    pandas keeps whole numbers beyond 64 bits as Python ints (a column of ``object``), and those
    between 2⁶³ and 2⁶⁴ as ``uint64``: such values are ids or codes, not measurements.
    """
    if _numeric(values):
        if values.dtype.kind == "u":
            big = np.flatnonzero(values.to_numpy() > INT64_MAX)
            if len(big):
                raise _too_long(values.iloc[int(big[0])], int(big[0]), column, header)
        return values.to_numpy(dtype=np.float64)
    numbers = _to_numbers(values)
    text = np.flatnonzero((numbers.isna() & values.notna()).to_numpy())
    if len(text):
        row = int(text[0])
        raise CsvProblem(
            f"Column “{column}” holds text (“{str(values.iloc[row])[:30]}” on line "
            f"{_line(row, header)}): features must be numbers."
        )
    for row, value in enumerate(values):
        if isinstance(value, int) and not -INT64_MAX - 1 <= value <= INT64_MAX:
            raise _too_long(value, row, column, header)
    return numbers.to_numpy(dtype=np.float64)


def _too_long(value: object, row: int, column: str, header: bool) -> CsvProblem:
    digits = str(value) if len(str(value)) <= 30 else f"{str(value)[:30]}…"
    return CsvProblem(
        f"Line {_line(row, header)}, column “{column}” holds {digits}, a whole number "
        "too long to be a feature (beyond 64 bits: an id or a code, not a measurement?): "
        "remove the column or fix the value."
    )


def _bad_number(value: float, row: int, column: str, header: bool) -> str:
    """The sentence for a cell that is not a finite number, or too large a one."""
    where = f"Line {_line(row, header)}, column “{column}”"
    if np.isfinite(value):
        return (
            f"{where} holds {value:g}, too large a number to train on (beyond ±10¹⁵: an id "
            "or a code, not a measurement?): fix the value or remove the column."
        )
    return f"{where} is empty or not a number (NaN or infinity): fill it in or remove the row."


def _classes(values: pd.Series, header: bool) -> tuple[np.ndarray, tuple[str, ...]]:
    """Class index of every row and the class names (numbers sorted as numbers)."""
    missing = np.flatnonzero(values.isna().to_numpy())
    if len(missing):
        raise CsvProblem(f"Line {_line(int(missing[0]), header)} has no label.")
    if not _numeric(values):
        values = values.astype(str).str.strip()
    elif values.dtype.kind not in "iu":  # integers are kept exactly, even beyond 2⁵³
        values = pd.Series(_whole_numbers(values, header))
    names, labels = np.unique(values.to_numpy(), return_inverse=True)
    if len(names) > MAX_CLASSES:
        raise CsvProblem(
            f"The label column has {len(names)} different values; the limit is {MAX_CLASSES} "
            "classes (is it really the label?)."
        )
    if len(names) < 2:
        raise CsvProblem(
            f"Every row has the label “{names[0]}”: a network needs at least two classes to "
            "tell apart."
        )
    counts = np.bincount(labels)
    if counts.min() < 2:
        raise CsvProblem(
            f"Class “{names[int(counts.argmin())]}” has a single row: every class needs at "
            "least two, one to train on and one to test on."
        )
    return labels.astype(np.int64), tuple(str(name) for name in names)


def _whole_numbers(values: pd.Series, header: bool) -> np.ndarray:
    """Number labels read as floats, as int64; fractions and numbers too long to be held
    exactly are refused."""
    numbers = values.to_numpy(dtype=np.float64)
    fractional = np.flatnonzero(numbers != np.round(numbers))
    if len(fractional):
        row = int(fractional[0])
        raise CsvProblem(
            f"Line {_line(row, header)} has the label {numbers[row]:g}: labels must be "
            "class names or whole numbers."
        )
    huge = np.flatnonzero(np.abs(numbers) >= MAX_LABEL_NUMBER)
    if len(huge):
        row = int(huge[0])
        raise CsvProblem(
            f"Line {_line(row, header)} has the label {numbers[row]:g}: a number label has at "
            "most 15 digits (or use class names)."
        )
    return numbers.astype(np.int64)


def _understand(
    table: pd.DataFrame, file_name: str, header: bool, index_column: bool = False
) -> CsvData:
    """Which format it is, which column is the label, and whether its values make sense."""
    position = _label_position(table, header)
    label_column = table.columns[position]
    feature_columns = [c for c in table.columns if c != label_column]
    x = _features(table, feature_columns, header)
    labels, class_names = _classes(table[label_column], header)
    source, scale = TABLE_CSV, 1.0
    if len(feature_columns) == PIXELS:
        source = DIGITS_CSV
        low, high = float(x.min()), float(x.max())
        if low < 0 or high > 255:
            raise CsvProblem(
                f"These 785 columns look like 28×28 digits, but the pixels go from {low:g} to "
                f"{high:g}: pixels must be 0–255 (or 0–1)."
            )
        scale = 1.0 if high <= 1 else 255.0
    return CsvData(
        source=source,
        file_name=file_name,
        x=np.divide(x, np.float32(scale), out=x),  # in place: no second copy
        labels=labels,
        class_names=class_names,
        feature_names=tuple(feature_columns),
        label_column=label_column,
        label_position=position,
        header=header,
        index_column=index_column,
        pixel_scale=scale,
        preview=_preview(table),
    )


def _preview(table: pd.DataFrame) -> pd.DataFrame:
    """The first rows, as read (a copy, not a view keeping the whole table).

    A column pandas kept as Python objects (labels too long for 64 bits) is shown as text: a
    table cannot show such numbers.
    """
    preview = table.head(PREVIEW_ROWS).copy()
    for column in preview.columns:
        if preview[column].dtype == object:
            preview[column] = preview[column].map(str)
    return preview


def split_problem(data: CsvData, test: float) -> str | None:
    """Why a stratified split with test fraction ``test`` is impossible here, or None.

    Both parts must hold at least one row of every class (what ``train_test_split`` requires).
    """
    classes = len(data.class_names)
    test_rows = int(np.ceil(data.rows * test))
    train_rows = data.rows - test_rows
    if test_rows < classes or train_rows < classes:
        return (
            f"With {data.rows} rows and {classes} classes, a test fraction of {test:g} leaves "
            f"{test_rows} test and {train_rows} training rows; both need at least one row of "
            "every class. Change the test fraction or add rows."
        )
    return None
