"""The 2D Playground's core: datasets, features, the CSV reader, the settings and the presets."""

from __future__ import annotations

import numpy as np
import pytest

from nncore.playground.datasets import DATASETS, MAX_POINTS, generate, split
from nncore.playground.features import FEATURES, feature_matrix, grid_points
from nncore.playground.points_csv import PointsError, points_csv, read_points
from nncore.playground.settings import (
    ALL_SETTINGS,
    PRESETS,
    SETTINGS_BY_KEY,
    active_settings,
    preset_values,
    spec_from_values,
)
from nncore.settings import defaults


@pytest.mark.parametrize("key", list(DATASETS))
def test_every_dataset_has_the_asked_shape_balanced_classes_and_stays_on_the_plane(key):
    kind = DATASETS[key]
    points = generate(key, 300, 0.0, seed=1)
    assert points.x.shape == (300, 2) and points.y.shape == (300,)
    assert np.abs(points.x).max() <= 6.5
    assert points.classes == kind.classes
    if kind.regression:
        assert points.y.dtype == float and -1 <= points.y.min() < points.y.max() <= 1
    else:
        counts = np.bincount(points.y, minlength=kind.classes)
        assert len(counts) == kind.classes and counts.max() - counts.min() <= 1


@pytest.mark.parametrize("key", list(DATASETS))
def test_a_seed_repeats_a_dataset_and_noise_moves_the_points(key):
    clean = generate(key, 200, 0.0, seed=3)
    assert np.array_equal(clean.x, generate(key, 200, 0.0, seed=3).x)
    noisy = generate(key, 200, 0.5, seed=3)
    assert not np.allclose(clean.x, noisy.x) or not np.allclose(clean.y, noisy.y)


def test_circle_separates_by_radius_until_noise_mixes_the_classes():
    def overlap(noise):
        points = generate("circle", 1000, noise, seed=0)
        radius = np.hypot(*points.x.T)
        inner, outer = radius[points.y == 0], radius[points.y == 1]
        return (inner > outer.min()).mean()

    assert overlap(0.0) == 0.0
    assert overlap(0.5) > 0.2


def test_xor_labels_are_the_sign_of_x1_times_x2():
    points = generate("xor", 400, 0.0, seed=0)
    assert np.array_equal(points.y, (points.x[:, 0] * points.x[:, 1] < 0).astype(int))


def test_split_keeps_the_fraction_and_never_shares_a_point():
    points = generate("gauss", 200, 0.1, seed=0)
    parts = split(points, 0.3, seed=0)
    assert len(parts.train) == 60 and len(parts.test) == 140
    together = np.vstack([parts.train.x, parts.test.x])
    assert len(np.unique(together, axis=0)) == 200


def test_a_click_adds_a_point_and_the_oldest_go_past_the_limit():
    points = generate("circle", 10, 0.0, seed=0).added(1.5, -2.0, 1)
    assert len(points) == 11 and points.x[-1].tolist() == [1.5, -2.0] and points.y[-1] == 1
    full = generate("circle", MAX_POINTS, 0.0, seed=0).added(0.0, 0.0, 0)
    assert len(full) == MAX_POINTS and full.x[-1].tolist() == [0.0, 0.0]


def test_features_are_computed_from_the_coordinates_in_the_chosen_order():
    x = np.array([[2.0, -3.0], [0.5, 1.0]])
    m = feature_matrix(x, ["x1x2", "x1sq", "sin2", "x2"])
    assert m.dtype == np.float32 and m.shape == (2, 4)
    np.testing.assert_allclose(m[0], [-6.0, 4.0, np.sin(-3.0), -3.0], rtol=1e-6)
    assert set(FEATURES) == {"x1", "x2", "x1sq", "x2sq", "x1x2", "sin1", "sin2"}


def test_the_grid_covers_the_plane_with_x1_fastest():
    grid = grid_points(5, 6.0)
    assert grid.shape == (25, 2)
    assert grid[0].tolist() == [-6.0, -6.0] and grid[4].tolist() == [6.0, -6.0]
    assert grid[-1].tolist() == [6.0, 6.0]


# --- the CSV reader ---------------------------------------------------------------------------
def test_a_downloaded_csv_reads_back_as_the_same_points():
    points = generate("blobs3", 60, 0.2, seed=2)
    again = read_points(points_csv(points).encode(), regression=False)
    assert again.classes == 3 and np.array_equal(again.y, points.y)
    np.testing.assert_allclose(again.x, points.x, rtol=1e-5)
    values = generate("plane", 30, 0.1, seed=2)
    back = read_points(points_csv(values).encode(), regression=True)
    assert back.classes == 0
    np.testing.assert_allclose(back.y, values.y, rtol=1e-5)


BAD_FILES = {
    "empty": (b"", "empty"),
    "only spaces": (b"  \n\n", "empty"),
    "header only": (b"x1,x2,label\n", "no rows"),
    "wrong columns": (b"a,b,c\n1,2,0\n", "columns must be exactly x1,x2,label"),
    "two columns": (b"x1,x2\n1,2\n", "columns must be exactly"),
    "text in numbers": (b"x1,x2,label\n1,2,0\n1,hello,1\n", "Row 3, column x2"),
    "NaN": (b"x1,x2,label\n1,nan,0\n", "not a finite number"),
    "empty cell": (b"x1,x2,label\n1,,0\n", "not a finite number"),
    "infinity": (b"x1,x2,label\ninf,1,0\n", "not a finite number"),
    "fractional label": (b"x1,x2,label\n1,1,0.5\n", "whole numbers from 0 to 3"),
    "label 7": (b"x1,x2,label\n1,1,7\n", "whole numbers from 0 to 3"),
    "a million rows": (b"x1,x2,label\n" + b"1,2,0\n" * 1_000_000, "too big"),
    "binary garbage": (bytes(range(256)) * 4, "not a text file"),
    "latin-1": ("x1,x2,label\n1,2,0\n# café\n".encode("latin-1"), "not a UTF-8"),
    "ragged": (b"x1,x2,label\n1,2,0,4,5\n", "not a readable CSV"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_bad_file_is_refused_with_one_sentence(name):
    data, expected = BAD_FILES[name]
    with pytest.raises(PointsError) as refused:
        read_points(data, regression=False)
    message = str(refused.value)
    assert expected in message and "\n" not in message and len(message) < 300


def test_too_many_short_rows_are_refused_before_parsing():
    data = b"x1,x2,label\n" + b"1,2,0\n" * (MAX_POINTS + 5)
    with pytest.raises(PointsError, match="more than 2,000 rows"):
        read_points(data, regression=False)


def test_a_regression_file_needs_a_y_column():
    with pytest.raises(PointsError, match="x1,x2,y"):
        read_points(b"x1,x2,label\n1,2,0\n", regression=True)
    assert read_points(b"x1,x2,y\n1,2,0.25\n", regression=True).y.tolist() == [0.25]


# --- settings and presets ---------------------------------------------------------------------
def test_defaults_describe_tensorflow_playgrounds_opening_network():
    spec = spec_from_values(defaults(ALL_SETTINGS), classes=2)
    assert spec.features == ("x1", "x2") and spec.units == (4, 2)
    assert spec.act == "tanh" and spec.opt == "sgd" and spec.classes == 2


def test_options_come_from_the_shared_tables():
    assert set(SETTINGS_BY_KEY["act"].choices) == {"tanh", "relu", "sigmoid", "linear"}
    assert "adam" in SETTINGS_BY_KEY["opt"].choices and "sgd" in SETTINGS_BY_KEY["opt"].choices


def test_unused_layers_stay_out_of_the_link():
    keys = {s.key for s in active_settings({"layers": 1})}
    assert "l1" in keys and "l2" not in keys and "data" in keys


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_is_made_of_valid_settings(name):
    values = preset_values(name)
    for key, value in PRESETS[name].items():
        setting = SETTINGS_BY_KEY[key]
        assert setting.parse(setting.format(value)) == value
    assert spec_from_values(values, classes=2).units == tuple(
        values[f"l{i + 1}"] for i in range(values["layers"])
    )
