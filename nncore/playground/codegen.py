"""The Keras script that reproduces the page: the same points, features and network.

Shaped like a keras-io example: one short top-down script, each part under a one-line comment
saying why. Generated points carry the generator's own source (so the data are the page's,
seed for seed); clicked or uploaded points are written out as numbers.
"""

from __future__ import annotations

import inspect
from typing import Any

from nncore.optimizers import OPTIMIZERS, Hyper
from nncore.playground.datasets import DATASETS, RADIUS, Points
from nncore.playground.features import FEATURES
from nncore.playground.settings import PlaygroundSpec

EPOCHS = 200  # the page trains until paused; the script needs a number


def _data_code(values: dict[str, Any], points: Points | None) -> str:
    """The lines that make ``x`` and ``y``: the generator's source, or the points themselves."""
    if points is not None:
        rows = ",\n    ".join(
            f"[{x1:.4g}, {x2:.4g}, {label:.4g}]"
            for (x1, x2), label in zip(points.x, points.y, strict=True)
        )
        return f"points = np.array([\n    {rows},\n])\nx, y = points[:, :2], points[:, 2]\n"
    generate = DATASETS[values["data"]].generate
    helpers = [name for name in generate.__code__.co_names if name.startswith("_")]
    from nncore.playground import datasets

    sources = [inspect.getsource(getattr(datasets, name)) for name in helpers]
    sources.append(inspect.getsource(generate))
    noise = int(values["noise"]) / 100
    return (
        f"RADIUS = {RADIUS}\n\n\n" + "\n\n".join(sources) + "\n\n"
        f"x, y = {generate.__name__}({int(values['points'])}, {noise}, "
        f"np.random.default_rng({int(values['seed'])}))\n"
    )


def _layer_code(units: int, activation: str, spec: PlaygroundSpec) -> str:
    penalty = ""
    if spec.reg != "none":
        penalty = f", kernel_regularizer=keras.regularizers.{spec.reg.upper()}({spec.rate:g})"
    return f'    keras.layers.Dense({units}, activation="{activation}"{penalty}),'


def playground_script(
    spec: PlaygroundSpec, values: dict[str, Any], points: Points | None = None
) -> str:
    """A runnable script: data, train/test split, features, model, training, test result."""
    feature_lines = ", ".join(FEATURES[key].code for key in spec.features)
    classes = spec.classes
    out_units, out_act = (classes, "softmax") if classes else (1, "linear")
    loss = '"sparse_categorical_crossentropy"' if classes else '"mean_squared_error"'
    metrics = '["accuracy"]' if classes else "[]"
    optimizer = OPTIMIZERS[spec.opt].keras_call(Hyper(eta=spec.lr))
    layers = "\n".join(_layer_code(units, spec.act, spec) for units in spec.units)
    label_type = "int" if classes else "float32"
    result = (
        'print(f"test accuracy: {model.evaluate(features(x_test), y_test, verbose=0)[1]:.3f}")'
        if classes
        else 'print(f"test loss: {model.evaluate(features(x_test), y_test, verbose=0):.4f}")'
    )
    return f'''"""2D Playground as a Keras script: {len(spec.units)} hidden layers on the page's points."""

import numpy as np
import keras

keras.utils.set_random_seed({spec.seed})

# The data: the same points as on the page.
{_data_code(values, points)}y = y.astype("{label_type}")

# Training and test points: {int(values["train"])}% are trained on, the rest only tested.
order = np.argsort(np.random.default_rng({spec.seed} + 1).random(len(x)), kind="stable")
cut = min(max(round(len(x) * {int(values["train"]) / 100}), 1), max(len(x) - 1, 1))
train, test = np.sort(order[:cut]), np.sort(order[cut:])
x_train, y_train, x_test, y_test = x[train], y[train], x[test], y[test]


# The features the network is fed, computed from each point (x1, x2).
def features(points):
    x1, x2 = points[:, 0], points[:, 1]
    return np.column_stack([{feature_lines}]).astype("float32")


# The network: Dense hidden layers, then {out_act} output.
model = keras.Sequential([
    keras.Input(shape=({len(spec.features)},)),
{layers}
    keras.layers.Dense({out_units}, activation="{out_act}"),
])
model.compile(optimizer=keras.optimizers.{optimizer}, loss={loss}, metrics={metrics})

# Training: the page trains until you pause; here a fixed number of epochs.
EPOCHS = {EPOCHS}
history = model.fit(features(x_train), y_train, batch_size={spec.batch}, epochs=EPOCHS,
                    validation_data=(features(x_test), y_test), verbose=0)
print(f"training loss: {{history.history['loss'][-1]:.4f}}")
{result}
'''
