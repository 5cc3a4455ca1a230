"""The generated script is real: it runs, trains and builds the app's own network."""

import re
import subprocess
import sys

import pytest

from nncore.codegen import keras_script
from nncore.spec import SEED_NOTEBOOK, LayerSpec, NetworkSpec, layer_plan

CNN = NetworkSpec(
    layers=(LayerSpec("conv", filters=4, kernel="5"), LayerSpec("pool"), LayerSpec("dropout")),
    rows=500,
    opt="momentum",
    lr=0.01,
)


def run_script(folder, spec: NetworkSpec, epochs: int) -> str:
    """Write the generated script for ``spec``, run it for ``epochs``, return what it printed."""
    script = folder / "experiment.py"
    script.write_text(keras_script(spec, plots=False))
    result = subprocess.run(
        [sys.executable, str(script), str(epochs)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.mark.parametrize("spec", [SEED_NOTEBOOK, CNN], ids=["seed", "cnn"])
def test_generated_script_trains_the_same_network(tmp_path, spec):
    output = run_script(tmp_path, spec, epochs=2)
    params = int(re.search(r"Parameters: (\d+)", output).group(1))
    accuracy = float(re.search(r"Test accuracy: ([\d.]+)", output).group(1))
    assert params == layer_plan(spec).total_params
    assert "Epoch 2/2" in output
    assert 0.0 <= accuracy <= 1.0


def test_script_contains_the_notebook_steps():
    script = keras_script(SEED_NOTEBOOK)
    for step in ("pd.DataFrame", "train_test_split", "to_categorical", "keras.Sequential",
                 "model.summary()", "batch_size=256", "validation_data", "plt.show()"):  # fmt: skip
        assert step in script
    compile(script, "experiment.py", "exec")


def test_impossible_network_has_no_script():
    with pytest.raises(ValueError):
        keras_script(NetworkSpec(layers=(LayerSpec("dense"), LayerSpec("conv"))))


@pytest.mark.parametrize("spec", [SEED_NOTEBOOK, CNN], ids=["seed", "cnn"])
def test_untrained_script_model_is_the_apps_model_on_the_apps_rows(tmp_path, spec):
    """Zero epochs: the script's test loss is that of its starting weights on its test rows,
    which equals the app's only if both drew the same rows and the same initial weights."""
    from nncore.data import prepare_split
    from nncore.model import build_model

    output = run_script(tmp_path, spec, epochs=0)
    script_loss = float(re.search(r"Test loss: ([\d.]+)", output).group(1))
    split = prepare_split(spec)
    app_loss, _ = build_model(spec).evaluate(split.x_test, split.y_test, verbose=0)
    assert script_loss == pytest.approx(app_loss, abs=2e-4)
