"""Where a training's rows come from, declared once: the page, the code tab and the CLI read this.

Three kinds: the bundled MNIST digits (what a link reopens), a CSV in the notebook's own
format (a label column and 784 pixel columns) and a plain table (numeric feature columns and
one label column). An uploaded file cannot travel in a link, so a source says whether it does.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataSource:
    """One kind of data: its name on the page, whether it is pictures, which layers it allows."""

    key: str
    label: str
    description: str
    pictures: bool  # 28×28 digits: Conv2D and MaxPooling2D make sense, Draw a Digit can use it
    in_link: bool  # a shared link reproduces it (only the bundled digits); the layers a
    # table allows are the layer types' own rule (``nncore.network.layers``), not the source's


BUNDLED_DIGITS = DataSource(
    "mnist",
    "Bundled MNIST digits",
    "The notebook's 5,000 handwritten digits (500 of each), sampled class by class.",
    pictures=True,
    in_link=True,
)
DIGITS_CSV = DataSource(
    "digits_csv",
    "Your digits (CSV, notebook format)",
    "A label column and 784 pixel columns (28×28), 0–255 or 0–1, with or without a header.",
    pictures=True,
    in_link=False,
)
TABLE_CSV = DataSource(
    "table_csv",
    "Your table (CSV)",
    "Numeric feature columns and one label column of class names or integers.",
    pictures=False,
    in_link=False,
)
DATA_SOURCES = {source.key: source for source in (BUNDLED_DIGITS, DIGITS_CSV, TABLE_CSV)}
