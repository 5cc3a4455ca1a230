"""The generated script is real: it runs, trains and builds the app's own network."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, replace

import pytest

from nncore.network.plan import layer_plan
from nncore.network.spec import SEED_NOTEBOOK, LayerSpec, NetworkSpec
from nncore.training.codegen import keras_script
from nncore.training.run import EpochRecord

CNN = NetworkSpec(
    layers=(LayerSpec("conv", filters=4, kernel="5"), LayerSpec("pool"), LayerSpec("dropout")),
    rows=500,
    opt="momentum",
    lr=0.1,
    batch=32,
)
SPECS = {"seed": SEED_NOTEBOOK, "cnn": CNN}
EPOCHS = 5
# Runs each script as `python script.py <epochs>` would, all in one process, so that
# TensorFlow is imported once instead of once per script. Each script seeds Keras itself.
DRIVER = """
import contextlib, io, json, runpy, sys
outputs = []
for script, epochs in json.loads(sys.argv[1]):
    sys.argv = [script, epochs]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        runpy.run_path(script, run_name="__main__")
    outputs.append(printed.getvalue())
print(json.dumps(outputs))
"""


@dataclass
class Results:
    printed: dict[tuple[str, int], str]  # what each script printed, by (spec, epochs)
    app: dict[str, EpochRecord]  # the app engine's last epoch after EPOCHS epochs


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Results:
    """Each generated script run untrained (0 epochs) and for EPOCHS epochs, in a process of
    its own, while this process trains the same specs on the app's engine."""
    from nncore.training.engine import EpochEngine

    folder = tmp_path_factory.mktemp("scripts")
    runs = []
    for name, spec in SPECS.items():
        script = folder / f"{name}.py"
        script.write_text(keras_script(spec, plots=False))
        runs += [(name, str(script), 0), (name, str(script), EPOCHS)]
    arguments = json.dumps([(script, str(epochs)) for _, script, epochs in runs])
    with subprocess.Popen(
        [sys.executable, "-c", DRIVER, arguments],
        cwd=folder,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as scripts:
        app = {}
        for name, spec in SPECS.items():
            engine = EpochEngine.for_spec(replace(spec, epochs=EPOCHS))
            app[name] = [engine.run_epoch(epoch) for epoch in range(1, EPOCHS + 1)][-1]
        out, err = scripts.communicate(timeout=600)
    assert scripts.returncode == 0, err[-3000:]
    outputs = json.loads(out.strip().splitlines()[-1])
    printed = {(name, epochs): text for (name, _, epochs), text in zip(runs, outputs, strict=True)}
    return Results(printed, app)


def number(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    assert found is not None, f"{pattern!r} not in the output: {text[-500:]}"
    return float(found.group(1))


@pytest.mark.parametrize("name", SPECS)
def test_generated_script_trains_the_same_network_as_the_app(results, name):
    spec = SPECS[name]
    output = results.printed[(name, EPOCHS)]
    assert number(r"Parameters: (\d+)", output) == layer_plan(spec).total_params
    assert f"Epoch {EPOCHS}/{EPOCHS}" in output
    loss = number(r"Test loss: ([\d.]+)", output)
    accuracy = number(r"Test accuracy: ([\d.]+)", output)
    # It learned: its test loss fell well below the untrained network's, on the same rows...
    assert loss < 0.8 * number(r"Test loss: ([\d.]+)", results.printed[(name, 0)])
    assert accuracy >= 0.6
    # ...as far as the app's engine gets in as many epochs (only the shuffling differs).
    app = results.app[name]
    assert accuracy == pytest.approx(app.val_accuracy, abs=0.08)
    assert loss == pytest.approx(app.val_loss, rel=0.3)


@pytest.mark.parametrize("name", SPECS)
def test_untrained_script_model_is_the_apps_model_on_the_apps_rows(results, name):
    """Zero epochs: the script's test loss is that of its starting weights on its test rows,
    which equals the app's only if both drew the same rows and the same initial weights."""
    from nncore.data.mnist import prepare_split
    from nncore.network.model import build_model

    spec = SPECS[name]
    script_loss = number(r"Test loss: ([\d.]+)", results.printed[(name, 0)])
    split = prepare_split(spec)
    app_loss, _ = build_model(spec).evaluate(split.x_test, split.y_test, verbose=0)
    assert script_loss == pytest.approx(app_loss, abs=2e-4)


def test_script_contains_the_notebook_steps():
    script = keras_script(SEED_NOTEBOOK)
    for step in (
        "pd.DataFrame",
        "train_test_split",
        "to_categorical",
        "keras.Sequential",
        "model.summary()",
        "batch_size=256",
        "validation_data",
        "plt.show()",
        "keras.optimizers.Adam(learning_rate=0.001)",
        "EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else 100",
        "keras.Input(shape=(784,))",
    ):
        assert step in script, step
    compile(script, "experiment.py", "exec")
    assert "plt.show()" not in keras_script(SEED_NOTEBOOK, plots=False)


def test_script_writes_each_layer_with_the_apps_options_and_seeds():
    script = keras_script(CNN)
    assert "keras.Input(shape=(28, 28, 1))" in script
    assert "x_train = x_train.reshape(-1, 28, 28, 1)" in script
    assert (
        "layers.Conv2D(filters=4, kernel_size=(5, 5), activation='relu', "
        "kernel_initializer=keras.initializers.GlorotUniform(seed=0))" in script
    )
    assert "layers.Dropout(rate=0.25, seed=2)" in script
    assert "layers.Flatten()" in script
    assert "keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)" in script
    zeros = keras_script(NetworkSpec(layers=(LayerSpec("dense", units=3, init="zeros"),), seed=4))
    assert "layers.Dense(units=3, activation='relu', kernel_initializer='zeros')" in zeros
    assert "kernel_initializer=keras.initializers.GlorotUniform(seed=401)" in zeros


def test_a_sample_size_that_is_not_whole_classes_has_no_script():
    with pytest.raises(ValueError, match="1005 rows"):
        keras_script(replace(SEED_NOTEBOOK, rows=1005))


def test_impossible_network_has_no_script():
    with pytest.raises(ValueError, match="after a Dense layer"):
        keras_script(NetworkSpec(layers=(LayerSpec("dense"), LayerSpec("conv"))))
