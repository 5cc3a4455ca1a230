"""Comparing finished runs: what changed between two runs, the summary row, the CSV, figures."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import replace

from nncore.network.spec import DEFAULT_SPEC, PRESETS, LayerSpec
from nncore.training.compare import (
    RunRecord,
    clean_name,
    keep_bounded,
    record_of,
    settings_diff,
    settings_of,
    settings_text,
    summary_row,
    table_csv,
)
from nncore.training.compare_figures import (
    log_bounds,
    log_ticks,
    overlay_curves,
    run_label,
    settings_scatter,
    short_number,
)
from nncore.training.run import EpochRecord, TrainingRun


def finished_run(spec=DEFAULT_SPEC, run_id="r" * 16, epochs=3, accuracy=0.8) -> TrainingRun:
    history = [
        EpochRecord(e, 1.0 / e, accuracy - 0.1 / e, 1.2 / e, accuracy - 0.05 / e, spec.lr, 0.1)
        for e in range(1, epochs + 1)
    ]
    return TrainingRun(spec, run_id, history, state="done", wall_seconds=0.5)


def test_a_first_run_has_no_changes():
    assert settings_diff(None, settings_of(DEFAULT_SPEC)) == []


def test_the_diff_names_each_changed_setting_with_both_values():
    before = settings_of(DEFAULT_SPEC)
    after = settings_of(replace(DEFAULT_SPEC, lr=0.1, batch=32))
    changes = settings_diff(before, after)
    assert [c.key for c in changes] == ["lr", "batch"]
    assert str(changes[0]) == "Learning rate η 0.001 → 0.1"


def test_the_diff_of_layers_names_the_layer_and_counts_added_ones():
    one = replace(DEFAULT_SPEC, layers=(LayerSpec(units=64),))
    two = replace(DEFAULT_SPEC, layers=(LayerSpec(units=32), LayerSpec(units=16)))
    changes = {c.key: c for c in settings_diff(settings_of(one), settings_of(two))}
    assert str(changes["layers"]) == "Hidden layers 1 → 2"
    assert str(changes["l1_units"]) == "Layer 1 neurons 64 → 32"
    assert changes["l2_units"].before == "–" and changes["l2_units"].after == "16"


def test_the_same_settings_differ_in_nothing():
    cnn = PRESETS["Small CNN"]
    assert settings_diff(settings_of(cnn), settings_of(cnn)) == []


def test_a_record_summarises_a_run_without_its_weights():
    first = record_of(finished_run(), None, "baseline", finished=0)
    second = record_of(
        finished_run(replace(DEFAULT_SPEC, lr=0.01), "s" * 16, accuracy=0.9), first, ""
    )
    assert first.changes == "" and second.changes == "Learning rate η 0.001 → 0.01"
    assert second.name == "s" * 8  # a run without a name is called by its id
    assert first.params > 0 and first.epochs_done == 3
    assert math.isclose(second.test_accuracy, 0.9 - 0.05 / 3)
    row = summary_row(first)
    assert row["Name"] == "baseline" and row["Changed"] == "first run"
    assert row["When"] == "00:00:00 UTC" and row["Epochs"] == 3
    assert not hasattr(first, "weights")


def test_a_diverged_curve_reports_its_last_finite_values():
    run = finished_run()
    run.history.append(EpochRecord(4, math.nan, 0.1, math.nan, 0.1, 0.001, 0.1))
    record = record_of(run, None)
    assert math.isfinite(record.train_loss) and math.isfinite(record.test_loss)
    assert summary_row(record)["Test loss"] is not None


def test_names_are_one_line_and_length_limited():
    assert clean_name("  a\nb\tc\x00d  " + "x" * 100, 10) == "a b c d xx"


def test_the_csv_has_a_row_per_run_and_defuses_formulas():
    first = record_of(finished_run(), None, "=HYPERLINK(1)")
    second = record_of(finished_run(replace(DEFAULT_SPEC, batch=32), "s" * 16), first, "b")
    rows = list(csv.DictReader(io.StringIO(table_csv([first, second]))))
    assert [r["Name"] for r in rows] == ["'=HYPERLINK(1)", "b"]
    assert rows[1]["batch"] == "32" and rows[1]["Changed"] == "Batch size 256 → 32"
    assert table_csv([]) == "\n"


def test_the_list_is_bounded_and_a_run_is_listed_once() -> None:
    records: list[RunRecord] = []
    for index in range(25):
        records = keep_bounded(records, record_of(finished_run(run_id=f"{index:016d}"), None), 20)
    assert len(records) == 20 and records[0].run_id == f"{5:016d}"
    again = record_of(finished_run(run_id=f"{10:016d}"), None, "renamed")
    records = keep_bounded(records, again, 20)
    assert len(records) == 20 and records[-1].name == "renamed"


def test_the_overlay_has_a_colour_per_run_and_a_legend_with_the_change():
    first = record_of(finished_run(), None, "one")
    second = record_of(finished_run(replace(DEFAULT_SPEC, lr=0.01), "s" * 16), first, "two")
    fig = overlay_curves([first, second])
    legend = [t for t in fig.data if t.showlegend]
    assert [t.name for t in legend] == ["one", "two (Learning rate η 0.001 → 0.01)"]
    assert len(fig.data) == 8  # 2 runs × (loss, accuracy) × (train, test)
    assert len({t.line.color for t in fig.data}) == 2
    assert list(fig.data[0].y) == list(first.val_loss)


def test_the_scatter_puts_a_setting_against_test_accuracy():
    first = record_of(finished_run(), None, "one")
    second = record_of(finished_run(replace(DEFAULT_SPEC, lr=0.01), "s" * 16), first, "two")
    fig = settings_scatter([first, second], "params")
    assert [t.x[0] for t in fig.data] == [first.params, second.params]
    assert fig.layout.xaxis.type == "log"
    fig = settings_scatter([first, second], "lr")
    assert [t.x[0] for t in fig.data] == [0.001, 0.01]
    assert [t.y[0] for t in fig.data] == [first.test_accuracy, second.test_accuracy]


def test_a_long_label_is_cut():
    record = record_of(finished_run(), None, "n" * 40)
    assert len(run_label(replace(record, changes="x" * 100))) <= 48


def test_settings_in_one_line():
    text = settings_text(settings_of(replace(DEFAULT_SPEC, layers=(LayerSpec(units=64),))))
    assert text.startswith("Dense 64 relu · adam η 0.001 · batch")
    cnn = settings_text(settings_of(PRESETS["Small CNN"]))
    assert cnn.startswith("Conv ") and "Pool" in cnn


def test_a_label_is_plain_text_for_plotly():
    record = record_of(finished_run(), None, '<a href="http://x">me</a>')
    label = run_label(record)
    assert "<" not in label and "&lt;a href" in label
    fig = overlay_curves([record])
    assert all("<a" not in (t.name or "") for t in fig.data)
    assert all(t.hovertemplate.startswith("%{fullData.name}") for t in fig.data)


def test_a_log_axis_has_readable_ticks():
    assert log_ticks(6_000, 80_000) == [5e3, 1e4, 2e4, 5e4, 1e5]
    assert [short_number(t) for t in (5e3, 1.5e6, 0.001, 20)] == ["5k", "1.5M", "0.001", "20"]
    first = record_of(finished_run(), None, "one")
    fig = settings_scatter([first], "params")
    assert fig.layout.xaxis.ticktext and all(len(t) <= 5 for t in fig.layout.xaxis.ticktext)
    # Values between two steps (22 to 34 parameters) still get a labelled tick on each side.
    assert log_bounds(22, 34) == (20, 50) and log_bounds(4.5, 4.5) == (2, 5)
    low, high = (10**end for end in fig.layout.xaxis.range)
    shown = [t for t in fig.layout.xaxis.tickvals if low <= t <= high]
    assert len(shown) >= 2 and low < first.params < high
