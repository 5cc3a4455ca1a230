"""Train a playground network from the command line, e.g. to prepare models before class.

    python -m nncore.training --preset seed --epochs 20 --out seed.keras
    python -m nncore.training --query "layers=3&l3_type=dropout&lr=0.01" --json
    python -m nncore.training --csv my_class.csv --epochs 30

Takes the same settings as the Build page (every ``--<key>`` is the URL parameter of the same
name), or a query string copied from a shared link; later options override earlier ones in
the order: preset, query, single options. It trains in its own process, with the same engine
as the app's workers.

Exit codes: 0 trained, 1 the training diverged, 2 an option or a file cannot be used (one
sentence on stderr says which and why).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from nncore.data.csv_files import CsvProblem, read_csv_upload, split_problem
from nncore.data.csv_split import prepare_csv_split, spec_for_data
from nncore.data.mnist import Split
from nncore.network.plan import layer_plan
from nncore.network.settings import (
    ALL_SETTINGS,
    active_settings,
    spec_from_values,
    spec_values,
    type_defaults,
)
from nncore.network.spec import PRESETS, NetworkSpec
from nncore.settings import parse_query, to_query
from nncore.training.diagnosis import divergence_message, training_diagnosis
from nncore.training.run import TrainingRun

# "--preset seed" for "Seed notebook", "--preset small" for "Small CNN": the first word.
PRESET_NAMES = {name.split()[0].lower(): name for name in PRESETS}


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m nncore.training", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--preset", choices=sorted(PRESET_NAMES), help="start from a preset")
    parser.add_argument("--query", help="a shared link or its query string")
    parser.add_argument("--out", type=Path, help="save the trained model to this .keras file")
    parser.add_argument("--csv", type=Path, help="train on this CSV file instead of the digits")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    for setting in ALL_SETTINGS:
        parser.add_argument(f"--{setting.key}", metavar=setting.kind.upper(), help=setting.label)
    arguments = parser.parse_args(argv)
    if arguments.out and arguments.out.suffix != ".keras":
        parser.error(f"--out {arguments.out}: Keras saves models to files ending in .keras")
    if arguments.out and not arguments.out.parent.is_dir():
        # Said before training, not after it: the folder must already exist.
        parser.error(f"--out {arguments.out}: the folder {arguments.out.parent} does not exist")
    return arguments


def spec_from_arguments(arguments: argparse.Namespace) -> tuple[NetworkSpec, list[str]]:
    """The spec the options describe, and the notices for options that were ignored."""
    values = spec_values(PRESETS[PRESET_NAMES[arguments.preset]]) if arguments.preset else {}
    chosen: dict[str, Any] = {}
    notices: list[str] = []
    if arguments.query:
        query = urlsplit(arguments.query).query or arguments.query.lstrip("?")
        from_query, ignored = parse_query(parse_qs(query), ALL_SETTINGS)
        chosen.update(from_query)
        notices += ignored
    given = {s.key: getattr(arguments, s.key) for s in ALL_SETTINGS if getattr(arguments, s.key)}
    from_options, ignored = parse_query(given, ALL_SETTINGS)
    chosen.update(from_options)
    notices += ignored
    # A layer type named without its activation brings its own (a Conv2D is relu).
    values.update({**type_defaults(chosen), **chosen})
    return spec_from_values(values), notices


def read_csv_argument(path: Path, spec: NetworkSpec) -> tuple[NetworkSpec, Split]:
    """``--csv``: the spec trained on the file and the file's split, or ``CsvProblem`` with the
    same sentence the Build page shows (or one saying why the file cannot be read at all)."""
    try:
        with path.open("rb") as file:
            data = read_csv_upload(file, path.name)
    except OSError as problem:  # missing, a folder, not readable, or failing while read
        why = problem.strerror or type(problem).__name__
        raise CsvProblem(f"The file cannot be opened ({why}).") from None
    spec = spec_for_data(spec, data)
    reason = split_problem(data, spec.test)
    if reason:
        raise CsvProblem(reason)
    return spec, prepare_csv_split(data, spec)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    spec, notices = spec_from_arguments(arguments)
    log = sys.stderr if arguments.json else sys.stdout
    for notice in notices:
        print(notice, file=sys.stderr)
    split = None
    if arguments.csv:
        try:
            spec, split = read_csv_argument(arguments.csv, spec)
        except CsvProblem as problem:
            print(f"{arguments.csv}: {problem}", file=sys.stderr)
            return 2
    plan = layer_plan(spec)
    if plan.problems:
        print("Cannot build this network: " + " ".join(plan.problems), file=sys.stderr)
        return 2

    from nncore.training.engine import EpochEngine

    print(f"Training {plan.total_params:,} parameters for {spec.epochs} epochs…", file=log)
    engine = EpochEngine.for_spec(spec, split)
    run = TrainingRun(spec, run_id="cli", state="running")
    for epoch in range(1, spec.epochs + 1):
        record = engine.run_epoch(epoch)
        run.history.append(record)
        print(
            f"epoch {record.epoch}/{spec.epochs}  loss {record.loss:.4f}  acc {record.accuracy:.3f}"
            f"  test loss {record.val_loss:.4f}  test acc {record.val_accuracy:.3f}",
            file=log,
        )
        if not record.finite:
            run.message = divergence_message(record, spec)
            run.settle("diverged")
            break
    run.settle("done")
    message = run.message or training_diagnosis(run.history, spec)
    if message:
        print(message, file=log)
    if arguments.out:
        try:
            engine.model.save(arguments.out)
        except OSError as problem:
            reason = problem.strerror or type(problem).__name__
            print(f"{arguments.out}: the model cannot be saved ({reason}).", file=sys.stderr)
            return 2
        print(f"Saved {arguments.out}", file=log)
    if arguments.json:
        result: dict[str, Any] = {
            "settings": {s.key: spec_values(spec)[s.key] for s in active_settings(spec)},
            "query": to_query(spec_values(spec), active_settings(spec)),
            "history": [asdict(record) for record in run.history],
            "test_accuracy": run.test_accuracy(),
            "seconds": run.seconds(),
            "state": run.state,
            "message": message,
            "params": plan.total_params,
        }
        print(json.dumps(_finite(result), allow_nan=False))
    return 1 if run.diverged else 0


def _finite(value: Any) -> Any:
    """JSON has no NaN: a diverged epoch's loss becomes null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


if __name__ == "__main__":
    sys.exit(main())
