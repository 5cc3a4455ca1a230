"""The Keras code tab for an uploaded CSV reads the same file the same way the app did."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from nncore.data.csv_files import read_csv_bytes
from nncore.data.csv_split import prepare_csv_split, sample_csv, spec_for_data
from nncore.network.spec import LayerSpec, NetworkSpec
from nncore.training.codegen import keras_script


def table_bytes() -> bytes:
    """No header, text labels in the middle column, features in very different units."""
    rng = np.random.default_rng(4)
    lines = []
    for i in range(60):
        kind = ("cat", "dog", "fox")[i % 3]
        lines.append(f"{rng.normal(100 * (i % 3), 5):.2f},{kind},{rng.normal(i % 3, 0.1):.4f}")
    return ("\n".join(lines) + "\n").encode()


def indexed_table_bytes() -> bytes:
    """What ``df.to_csv()`` writes by default: a header and the row numbers as a first column."""
    import pandas as pd

    rng = np.random.default_rng(5)
    table = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    table["label"] = np.arange(40) % 2 * 7  # whole numbers: classes 0 and 7
    return table.to_csv().encode()


FILES = {
    "table.csv": (table_bytes, NetworkSpec(layers=(LayerSpec(units=8, act="relu"),), seed=3)),
    "indexed.csv": (indexed_table_bytes, NetworkSpec(layers=(LayerSpec("dropout"),), test=0.25)),
    "digits.csv": (
        lambda: sample_csv(NetworkSpec(layers=(), rows=500, seed=1)),
        NetworkSpec(layers=(LayerSpec("conv", filters=2, act="relu"), LayerSpec("pool")), seed=2),
    ),
}


# Runs each script as `python script.py 0` would, all in one process (TensorFlow imported once).
DRIVER = """
import contextlib, io, json, runpy, sys
printed = {}
for script in json.loads(sys.argv[1]):
    sys.argv = [script, "0"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(script, run_name="__main__")
    printed[script] = out.getvalue()
print(json.dumps(printed))
"""


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, str]:
    """What each file's generated script printed after 0 epochs, by file name."""
    folder = tmp_path_factory.mktemp("scripts")
    scripts = []
    for name, (make, base) in FILES.items():
        content = make()
        (folder / name).write_bytes(content)
        data = read_csv_bytes(content, name)
        script = keras_script(spec_for_data(base, data), plots=False, data=data)
        assert f"pd.read_csv({name!r}" in script
        (folder / f"{name}.py").write_text(script)
        scripts.append(f"{name}.py")
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(scripts)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    outputs = json.loads(done.stdout.strip().splitlines()[-1])
    return {script.removesuffix(".py"): text for script, text in outputs.items()}


@pytest.mark.parametrize("name", FILES)
def test_untrained_script_scores_the_apps_model_on_the_apps_rows(printed, name):
    """Zero epochs: equal test losses mean the same rows, the same preprocessing, the same
    initial weights."""
    from nncore.network.model import build_model

    make, base = FILES[name]
    data = read_csv_bytes(make(), name)
    spec = spec_for_data(base, data)
    output = printed[name]
    script_loss = float(re.search(r"Test loss: ([\d.]+)", output).group(1))
    split = prepare_csv_split(data, spec)
    app_loss, _ = build_model(spec).evaluate(split.x_test, split.y_test, verbose=0)
    assert script_loss == pytest.approx(app_loss, abs=2e-4)
    assert f"Classes: {list(data.class_names)}" in output  # the same class numbering
