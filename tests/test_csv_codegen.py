"""The Keras code tab for an uploaded CSV reads the same file the same way the app did."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from nncore.data.csv_files import read_csv_bytes
from nncore.data.csv_split import prepare_csv_split, sample_csv, spec_for_data
from nncore.network.codegen import keras_script
from nncore.network.spec import LayerSpec, NetworkSpec


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


@pytest.mark.parametrize("name", FILES)
def test_untrained_script_scores_the_apps_model_on_the_apps_rows(tmp_path, name):
    """Zero epochs: equal test losses mean the same rows, the same preprocessing, the same
    initial weights."""
    from nncore.network.model import build_model

    make, base = FILES[name]
    content = make()
    (tmp_path / name).write_bytes(content)
    data = read_csv_bytes(content, name)
    spec = spec_for_data(base, data)
    script = keras_script(spec, plots=False, data=data)
    assert f"pd.read_csv({name!r}" in script
    (tmp_path / "run.py").write_text(script)
    done = subprocess.run([sys.executable, "run.py", "0"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    script_loss = float(re.search(r"Test loss: ([\d.]+)", done.stdout).group(1))
    split = prepare_csv_split(data, spec)
    app_loss, _ = build_model(spec).evaluate(split.x_test, split.y_test, verbose=0)
    assert script_loss == pytest.approx(app_loss, abs=2e-4)
    assert f"Classes: {list(data.class_names)}" in done.stdout  # the same class numbering
