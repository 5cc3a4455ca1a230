"""nncore.data.csv_files: a visitor's CSV understood, or refused with one clear sentence."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from nncore.data.csv_files import (
    MAX_BYTES,
    MAX_CLASSES,
    MAX_ROWS,
    CsvProblem,
    read_csv_bytes,
    read_csv_upload,
    split_problem,
)
from nncore.data.mnist import mnist_digits
from nncore.data.sources import DIGITS_CSV, TABLE_CSV


def digits_csv(rows: int = 40, header: bool = True, scale: float = 1.0) -> bytes:
    """Real MNIST rows in the notebook's format: label, then 784 pixels."""
    pixels, labels = mnist_digits()
    pick = np.concatenate([np.flatnonzero(labels == d)[: rows // 10] for d in range(10)])
    lines = ["label," + ",".join(f"pixel{i}" for i in range(784))] if header else []
    for row in pick:
        values = pixels[row] / scale
        text = ",".join(f"{v:g}" for v in values)
        lines.append(f"{labels[row]},{text}")
    return ("\n".join(lines) + "\n").encode()


def table_csv(rows: int = 30, extra: str = "") -> bytes:
    rng = np.random.default_rng(0)
    names = ["setosa", "versicolor", "virginica"]
    lines = ["sepal_length,sepal_width,species"]
    for i in range(rows):
        lines.append(f"{rng.normal():.3f},{rng.normal():.3f},{names[i % 3]}")
    return ("\n".join(lines) + "\n" + extra).encode()


# --- files that are understood -------------------------------------------------------------


def test_notebook_format_with_header_is_digits_scaled_to_one():
    data = read_csv_bytes(digits_csv(), "mine.csv")
    assert data.source is DIGITS_CSV
    assert (data.rows, data.features) == (40, 784)
    assert data.class_names == tuple(str(d) for d in range(10))
    assert data.class_counts() == {str(d): 4 for d in range(10)}
    assert data.pixel_scale == 255 and data.x.max() == pytest.approx(1.0)
    assert data.label_column == "label" and data.header


def test_notebook_format_without_header_and_in_zero_one_range():
    data = read_csv_bytes(digits_csv(header=False, scale=255.0), "mine.csv")
    assert data.source is DIGITS_CSV and not data.header
    assert data.pixel_scale == 1 and data.x.max() == pytest.approx(1.0)
    assert data.label_column == "column 1"


def test_label_column_found_by_name_anywhere():
    text = "a,label,b\n1,cat,2\n3,dog,4\n5,cat,6\n7,dog,8\n"
    data = read_csv_bytes(text.encode(), "t.csv")
    assert data.label_column == "label" and data.feature_names == ("a", "b")
    assert data.class_names == ("cat", "dog")
    np.testing.assert_array_equal(data.labels, [0, 1, 0, 1])


def test_table_with_class_names_last_column():
    data = read_csv_bytes(table_csv(), "iris.csv")
    assert data.source is TABLE_CSV
    assert data.label_column == "species" and data.feature_names == ("sepal_length", "sepal_width")
    assert data.class_counts() == {"setosa": 10, "versicolor": 10, "virginica": 10}
    assert len(data.preview) == 8


def test_table_without_header_and_text_labels_is_not_taken_for_a_header():
    text = "1.0,2.0,yes\n3.0,4.0,no\n5.0,6.0,yes\n7.0,8.0,no\n"
    data = read_csv_bytes(text.encode(), "t.csv")
    assert not data.header and data.rows == 4


def test_integer_labels_sort_as_numbers_and_a_utf8_bom_is_fine():
    text = "\ufefflabel,x\n10,1\n2,2\n10,3\n2,4\n"
    data = read_csv_bytes(text.encode(), "t.csv")
    assert data.class_names == ("2", "10") and data.label_column == "label"


def test_pandas_row_numbers_column_is_skipped_and_a_semicolon_inside_a_label_is_fine():
    text = ',x,label\n0,1.5,"red; dark"\n1,2.5,blue\n2,3.5,"red; dark"\n3,4.5,blue\n'
    data = read_csv_bytes(text.encode(), "t.csv")
    assert data.index_column and data.feature_names == ("x",)
    assert data.class_names == ("blue", "red; dark")
    np.testing.assert_allclose(data.x[:, 0], [1.5, 2.5, 3.5, 4.5])


def test_split_problem_when_too_few_test_rows_for_the_classes():
    data = read_csv_bytes(table_csv(rows=12), "t.csv")
    assert "test fraction of 0.1 leaves 2 test" in split_problem(data, 0.1)
    assert split_problem(data, 0.3) is None


# --- the corpus of bad files: one sentence each --------------------------------------------


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data.csv", "a,b\n1,2\n")
    return buffer.getvalue()


def pixels_over_255() -> bytes:
    lines = digits_csv(20).decode().splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ",300"
    return "\n".join(lines).encode()


BAD_FILES = {
    "empty": (b"", "The file is empty."),
    "blank lines only": (b"\n\n  \n", "The file is empty."),
    "header only": (b"label,x,y\n", "header row but no data rows"),
    "binary": (bytes(range(256)) * 4, "binary data"),
    "png image": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "This is a PNG image, not a CSV file"),
    "zip": (zip_bytes(), "This is a zip archive"),
    "semicolons": (b"a;b;label\n1;2;x\n3;4;y\n", "separates its values with semicolons"),
    "mixed delimiters": (b"a,b,label\n1,2,x\n3;4;y\n", "Line 3 separates its values with"),
    "commas and tabs": (b"a,b,label\n1,2,x\n3\t4,y\n", "Line 3 mixes commas and tabs"),
    "ragged rows": (b"a,b,label\n1,2,x\n3,4,y,9,9\n", "same number of values"),
    "text in a feature": (
        table_csv(extra="oops,1.0,setosa\n"),
        "Column “sepal_length” holds text (“oops” on line 32)",
    ),
    "nan": (
        b"a,b,label\n1,2,x\n3,nan,y\n1,2,x\n3,4,y\n",
        "Line 3, column “b” is empty or not a number",
    ),
    "inf": (
        b"a,b,label\n1,2,x\n3,4,y\ninf,2,x\n3,4,y\n",
        "Line 4, column “a” is empty or not a number",
    ),
    "empty cell": (b"a,b,label\n1,,x\n3,4,y\n1,2,x\n3,4,y\n", "Line 2, column “b”"),
    "missing label": (b"label,a\nx,1\n,2\nx,3\ny,4\ny,5\n", "Line 3 has no label."),
    "one class only": (b"a,label\n1,x\n2,x\n3,x\n", "Every row has the label “x”"),
    "a class with a single row": (b"a,label\n1,x\n2,x\n3,y\n4,x\n", "Class “y” has a single row"),
    "fractional labels": (b"label,a\n1.5,1\n2,2\n1.5,3\n2,4\n", "has the label 1.5"),
    "pixels over 255": (pixels_over_255(), "pixels go from 0 to 300"),
    "too many columns": (
        (",".join(["1"] * 900) + "\n").encode() * 3,
        "900 columns; the limit is 785",
    ),
    "too many rows": (
        b"a,label\n" + b"1,x\n2,y\n" * (MAX_ROWS // 2 + 1),
        f"rows; the limit is {MAX_ROWS:,}",
    ),
    "too many classes": (
        ("a,label\n" + "".join(f"{i},c{i % 60}\n" for i in range(240))).encode(),
        f"60 different values; the limit is {MAX_CLASSES}",
    ),
    "single column": (b"label\n1\n2\n", "single column"),
    "latin-1 text": ("name,label\n1,café\n2,thé\n".encode("latin-1"), "not UTF-8 text (byte 0xe9"),
    "too large": (b"a,label\n" + b"1,x\n" * (MAX_BYTES // 4), "larger than 20 MB"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_every_bad_file_gets_one_clear_sentence(name):
    content, expected = BAD_FILES[name]
    with pytest.raises(CsvProblem) as caught:
        read_csv_bytes(content, "bad.csv")
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message and "Traceback" not in message and len(message) < 300


def test_latin1_beyond_the_first_lines_is_refused_too():
    content = table_csv(rows=3000).replace(b"setosa", "sétosa".encode("latin-1"), 1)
    content = content[: len(content) // 2] + "é".encode("latin-1") + content[len(content) // 2 :]
    with pytest.raises(CsvProblem, match="not UTF-8 text"):
        read_csv_bytes(content, "bad.csv")


class CountingStream(io.RawIOBase):
    """A 200 MB file that counts how much of it is read (never held in memory)."""

    def __init__(self, size: int):
        self.size, self.served = size, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self.size - self.served if n < 0 else min(n, self.size - self.served)
        self.served += n
        return b"1,x\n" * (n // 4) + b"1" * (n % 4)


def test_a_200_mb_upload_is_refused_after_reading_only_the_limit():
    stream = CountingStream(200 * 1024 * 1024)
    with pytest.raises(CsvProblem, match="larger than 20 MB, the limit"):
        read_csv_upload(stream, "huge.csv")
    assert stream.served == MAX_BYTES + 1


def test_an_upload_within_the_limit_is_read():
    data = read_csv_upload(io.BytesIO(table_csv()), "iris.csv")
    assert data.rows == 30 and data.file_name == "iris.csv"


def test_the_servers_upload_limit_is_the_readers_limit():
    """Streamlit holds an upload in memory before any page code runs: the server itself must
    refuse what the reader would refuse (the uploader's own limit is checked in the browser)."""
    import tomllib
    from pathlib import Path

    from deploy.cluster import UPLOAD_LIMIT_MB
    from nncore.data.csv_files import MAX_MB

    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_MB == UPLOAD_LIMIT_MB
