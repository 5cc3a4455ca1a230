"""The simulated class (``benchmarks/class_load``) on a fresh app: six students, one of each
behaviour, for a few seconds. Every behaviour completes an interaction and nothing fails.

Run as ``make load`` runs it (``python -m benchmarks.class_load``, which starts the app and
Locust in processes of their own), so Locust's gevent never patches this test process.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVERYONE = "descent=1,draw=1,build=1,playground=1,backprop=1,latecomer=1"
# What each behaviour must have done at least once, as Locust names the request: (type, name
# or the start of it). Only latecomers open the home page.
DONE_BY_EACH = {
    "descent": ("rerun", "descent: "),
    "draw": ("rerun", "draw: stroke"),
    "build": ("rerun", "build: Train"),
    "playground": ("rerun", "playground: Play"),
    "playground's timer": ("tick", "playground: fragment rerun every "),
    "backprop": ("rerun", "backprop: "),
    "latecomer": ("page", "open /"),
}


def test_a_small_class_does_everything_without_an_error(tmp_path: Path) -> None:
    out = tmp_path / "class"
    command = [
        sys.executable,
        "-m",
        "benchmarks.class_load",
        *("--students", "6", "--duration", "15", "--mix", EVERYONE),
        *("--think-scale", "0.2", "--solo-seconds", "0", "--out", str(out)),
    ]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=240, check=False
    )
    log = done.stdout[-3000:] + done.stderr[-3000:]
    with open(out / "class_stats.csv") as stats:
        rows = [row for row in csv.DictReader(stats) if row["Name"] != "Aggregated"]
    succeeded = {
        (row["Type"], row["Name"])
        for row in rows
        if int(row["Request Count"]) > int(row["Failure Count"])
    }
    missing = [
        who
        for who, (kind, name) in DONE_BY_EACH.items()
        if not any(k == kind and (n == name or n.startswith(name)) for k, n in succeeded)
    ]
    assert not missing, f"no interaction completed by {missing}\n{log}"
    failed = {row["Name"]: row["Failure Count"] for row in rows if int(row["Failure Count"])}
    assert not failed, f"failed requests: {failed}\n{(out / 'class_failures.csv').read_text()}"
    errors = (out / "class_exceptions.csv").read_text().strip().splitlines()[1:]
    assert not errors, "errors in the simulated students:\n" + "\n".join(errors)
    assert done.returncode == 0, log
