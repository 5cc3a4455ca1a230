"""A finished training written out for the visitor to take home: its history as CSV.

The trained model's ``.keras`` file is made by the inference worker (it needs Keras); this
module is plain pandas, so the web server can call it.
"""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd

from nncore.training.run import TrainingRun


def history_csv(run: TrainingRun) -> bytes:
    """One row per epoch with Keras's own column names (``loss``, ``val_accuracy``, …), so
    ``pd.read_csv`` gives what ``history.history`` holds in the generated script."""
    table = pd.DataFrame([asdict(record) for record in run.history])
    if table.empty:
        table = pd.DataFrame(columns=["epoch", "loss", "accuracy", "val_loss", "val_accuracy"])
    return table.to_csv(index=False).encode()
