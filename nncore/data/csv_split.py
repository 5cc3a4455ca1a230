"""An uploaded CSV prepared like the bundled digits: the same stratified split, one-hot, shapes.

The result is a ``mnist.Split`` of plain numpy arrays, which travels to a training worker with
the spec. Also the other direction: the bundled sample written in the notebook's CSV format,
so a student can run the generated script on exactly the rows the app trains on.
"""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
from sklearn.model_selection import train_test_split

from nncore.data.csv_files import PIXELS, CsvData
from nncore.data.mnist import Split, balanced_subset, mnist_digits, one_hot
from nncore.network.spec import NetworkSpec

STD_FLOOR = 1e-7  # a constant column stays 0 instead of dividing by zero


def spec_for_data(spec: NetworkSpec, data: CsvData) -> NetworkSpec:
    """``spec`` trained on ``data``: every row of the file, its width (a table) and its classes."""
    features = 0 if data.source.pictures else data.features
    return replace(spec, rows=data.rows, features=features, classes=len(data.class_names))


def split_rows(data: CsvData, spec: NetworkSpec) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (train, test): stratified by class, seeded like the bundled digits' split."""
    rows = np.arange(data.rows)
    train, test = train_test_split(
        rows, test_size=spec.test, stratify=data.labels, random_state=spec.seed
    )
    return train, test


def prepare_csv_split(data: CsvData, spec: NetworkSpec) -> Split:
    """The file's rows ready for the model, as ``prepare_split`` prepares the bundled digits.

    A table's columns are standardised with the training rows' mean and spread: features in
    wildly different units (grams and kilometres) otherwise train badly, and the test rows must
    not leak into the statistics. Digits are already in [0, 1].
    """
    train, test = split_rows(data, spec)
    x_train, x_test = data.x[train], data.x[test]
    if not data.source.pictures:
        mean = x_train.mean(axis=0)
        spread = np.maximum(x_train.std(axis=0), STD_FLOOR)
        x_train, x_test = (x_train - mean) / spread, (x_test - mean) / spread
    shape = (-1, *spec.input_shape)
    classes = len(data.class_names)
    return Split(
        x_train.astype(np.float32).reshape(shape),
        one_hot(data.labels[train], classes),
        x_test.astype(np.float32).reshape(shape),
        one_hot(data.labels[test], classes),
    )


def sample_csv(spec: NetworkSpec) -> bytes:
    """The bundled sample of ``spec.rows`` digits in the notebook's format: label, pixel0…783."""
    pixels, labels = mnist_digits()
    rows = np.sort(balanced_subset(labels, spec.rows, spec.seed))
    buffer = io.StringIO()
    buffer.write("label," + ",".join(f"pixel{i}" for i in range(PIXELS)) + "\n")
    table = np.column_stack([labels[rows], pixels[rows]]).astype(np.int64)
    np.savetxt(buffer, table, fmt="%d", delimiter=",")
    return buffer.getvalue().encode()
