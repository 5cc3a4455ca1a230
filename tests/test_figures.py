"""The Build and Home figures (network, training, neuron), checked on the data they carry."""

from __future__ import annotations

import numpy as np
import pytest

from nncore.mosaic import tile_origin
from nncore.network.figures import diagram_columns, network_diagram
from nncore.network.plan import layer_plan
from nncore.network.spec import SEED_NOTEBOOK, SMALL_CNN, LayerSpec, NetworkSpec
from nncore.neuron import activate, weighted_sum
from nncore.neuron.figures import neuron_curve
from nncore.style import (
    FONT_SIZE,
    PRESENTER_FONT_SIZE,
    TEST_COLOUR,
    TITLE_LINE,
    TRAIN_COLOUR,
    title,
    title_margin,
)
from nncore.training.figures import (
    GRID_GAP,
    TITLE_BAND,
    confusion_heatmap,
    digit_grid,
    training_curves,
    update_curves,
)
from nncore.training.health import LayerHealth, NetworkHealth, histogram
from nncore.training.health_figures import layer_histograms, layer_sizes


def test_network_diagram_has_a_column_per_layer_with_its_size():
    fig = network_diagram(layer_plan(SEED_NOTEBOOK))
    labels = [note.text for note in fig.layout.annotations]
    assert labels == [
        "Input<br>784",
        "Dense 128<br>sigmoid",
        "Dense 64<br>tanh",
        "Output 10<br>softmax",
        # Once, under the diagram: "(10 of 784 drawn)" under each column ran into the next.
        "Wide layers: their first 10 neurons drawn",
    ]
    # Every neuron drawn is joined to every neuron drawn in the next column.
    nodes = [len(trace.x) for trace in fig.data[1:]]
    assert nodes == [10, 10, 10, 10]
    edges = fig.data[0]
    assert len(edges.x) == 3 * (10 * 10 + 10 * 10 + 10 * 10)  # x0, x1, None per edge


def test_image_layers_are_drawn_as_feature_maps_and_flatten_and_dropout_not_at_all():
    plan = layer_plan(SMALL_CNN)
    columns = diagram_columns(plan)
    assert [label for label, _, _ in columns] == [
        "Input<br>28×28",
        "Conv2D<br>16 × 26×26<br>relu",
        "MaxPooling2D<br>16 × 13×13",
        "Conv2D<br>32 × 11×11<br>relu",
        "MaxPooling2D<br>32 × 5×5",
        "Dense 64<br>relu",
        "Output 10<br>softmax",
    ]
    assert [maps for _, _, maps in columns] == [True] * 5 + [False] * 2
    assert len(plan.layers) == len(columns) - 1 + 2  # Dropout and Flatten are not drawn
    fig = network_diagram(plan)
    assert [trace.marker.symbol for trace in fig.data[1:3]] == ["square", "square"]
    assert fig.layout.height == 430  # six columns or more get the taller, alternating layout


def test_network_diagram_of_a_network_without_hidden_layers():
    fig = network_diagram(layer_plan(NetworkSpec(layers=(LayerSpec("dropout"),))))
    assert [note.text for note in fig.layout.annotations][1] == "Output 10<br>softmax"
    assert len(fig.layout.annotations) == 3  # the input, the output, what is drawn of 784


def test_training_curves_span_the_whole_run_and_mark_learning_rate_changes():
    epochs, values = [1, 2, 3], [0.9, 0.5, 0.3]
    fig = training_curves(epochs, values, values, values, values, 10, [(3, 0.01)])
    assert [trace.name for trace in fig.data] == ["train", "test", "train", "test"]
    assert [trace.line.color for trace in fig.data] == [TRAIN_COLOUR, TEST_COLOUR] * 2
    assert list(fig.layout.xaxis.range) == [0.5, 10.5]
    assert list(fig.layout.yaxis2.range) == [0, 1.02]
    assert "η → 0.01" in [note.text.strip() for note in fig.layout.annotations]
    assert len(fig.layout.shapes) == 2  # the dashed line in both panels
    assert {shape.x0 for shape in fig.layout.shapes} == {2.5}  # between epochs 2 and 3


def test_training_curves_carry_each_series_in_its_panel():
    series = ([1, 2], [2.0, 1.0], [2.1, 1.5], [0.1, 0.6], [0.2, 0.5])
    fig = training_curves(*series, 5)
    assert [list(trace.y) for trace in fig.data] == [series[1], series[2], series[3], series[4]]
    assert [trace.xaxis for trace in fig.data] == ["x", "x", "x2", "x2"]
    assert all(list(trace.x) == [1, 2] for trace in fig.data)


def test_update_curves_gives_the_same_data_as_a_new_figure():
    fig = training_curves([1], [2.0], [2.1], [0.1], [0.2], 5)
    series = ([1, 2], [2.0, 1.0], [2.1, 1.5], [0.1, 0.6], [0.2, 0.5])
    updated = update_curves(fig, *series)
    assert updated is fig
    fresh = training_curves(*series, 5)
    assert updated.to_plotly_json()["data"] == fresh.to_plotly_json()["data"]


def test_presenter_mode_makes_the_text_bigger():
    normal = training_curves([1], [1.0], [1.0], [0.5], [0.5], 3)
    present = training_curves([1], [1.0], [1.0], [0.5], [0.5], 3, present=True)
    assert (normal.layout.font.size, present.layout.font.size) == (FONT_SIZE, PRESENTER_FONT_SIZE)
    assert present.layout.height > normal.layout.height


def test_confusion_heatmap_and_digit_grid_show_what_they_are_given():
    counts = np.arange(100).reshape(10, 10)
    heatmap = confusion_heatmap(counts)
    assert np.array_equal(np.asarray(heatmap.data[0].z), counts)
    assert list(heatmap.data[0].x) == [str(d) for d in range(10)]
    assert heatmap.layout.yaxis.autorange == "reversed"  # digit 0 at the top, as in a table
    images = np.random.default_rng(0).random((5, 784))
    grid = digit_grid(images, [1, 2, 3, 4, 5], [7, 7, 7, 7, 7], columns=4)
    assert [n.text for n in grid.layout.annotations] == [
        "1 → 7",
        "2 → 7",
        "3 → 7",
        "4 → 7",
        "5 → 7",
    ]
    mosaic = np.asarray(grid.data[0].z, dtype=float)
    # Each picture sits under its title: the third is the first row's third, the fifth
    # starts the second row of four.
    for index, (column, row) in ((2, (2, 0)), (4, (0, 1))):
        top, left = tile_origin(index, 4, 28, 28, GRID_GAP, TITLE_BAND)
        assert (top, left) == (
            row * (TITLE_BAND + 28 + GRID_GAP) + TITLE_BAND,
            column * (28 + GRID_GAP),
        )
        np.testing.assert_array_equal(
            mosaic[top : top + 28, left : left + 28], images[index].reshape(28, 28)
        )
        title = grid.layout.annotations[index]
        assert left <= title.x <= left + 28 and top - TITLE_BAND <= title.y <= top
    assert np.isnan(mosaic[:TITLE_BAND]).all()  # room for the first row's titles


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_neuron_curve_marks_the_neurons_output(activation):
    fig = neuron_curve(activation, 1.5)
    curve, marker = fig.data[0], fig.data[1]
    assert marker.x[0] == 1.5 and marker.y[0] == pytest.approx(activate(activation, 1.5))
    np.testing.assert_allclose(np.asarray(curve.y), activate(activation, np.asarray(curve.x)))
    assert min(curve.x) <= -6 and max(curve.x) >= 6
    assert marker.text[0] == f"z = 1.50, a = {activate(activation, 1.5):.3f}"


def test_neuron_curve_widens_to_show_a_large_weighted_sum():
    z = weighted_sum([5.0, 5.0, 5.0], [5.0, 5.0, 5.0], 5.0)
    assert z == 80.0
    fig = neuron_curve("relu", z)
    assert max(fig.data[0].x) >= z and fig.data[1].textposition == "middle left"


def test_the_learning_rate_mark_sits_inside_the_plot_away_from_the_titles():
    """It used to sit on top of the accuracy panel, over its "Accuracy" title."""
    figure = training_curves(
        [1, 2, 3],
        [2, 1.5, 1.2],
        [2, 1.6, 1.3],
        [0.3, 0.5, 0.6],
        [0.3, 0.45, 0.55],
        6,
        [(3, 0.01)],
    )
    marks = [a for a in figure.layout.annotations if a.text.startswith("η →")]
    titles = [a for a in figure.layout.annotations if a.text in ("Loss", "Accuracy")]
    assert len(marks) == 1 and len(titles) == 2
    assert marks[0].yref == "y2 domain" and marks[0].y < 0.1 and marks[0].yanchor == "bottom"
    assert all(title.y >= 1 for title in titles)  # the titles sit above the panels


def test_panel_titles_grow_with_the_text_on_a_projector():
    """Plotly writes a subplot's title 16 px whatever the figure's font: beside presenter
    mode's 23-26 px text that is a footnote. They take the figure's size, ≥ 22 px there."""
    gradients = histogram(np.linspace(-1, 1, 50))
    layer = LayerHealth("dense_1", 1.0, 0.1, 0.01, gradients, gradients)
    health = NetworkHealth((layer,), "one batch", 0.5)
    values = [0.5, 0.4]
    for present, size in ((False, FONT_SIZE), (True, PRESENTER_FONT_SIZE)):
        figures = [
            training_curves([1, 2], values, values, values, values, 5, present=present),
            layer_sizes(health, present),
            layer_histograms(layer, present),
        ]
        for figure in figures:
            titles = [a for a in figure.layout.annotations if a.yref == "paper"]
            assert len(titles) == 2 and {t.font.size for t in titles} == {size}
    assert PRESENTER_FONT_SIZE >= 22


def test_the_confusion_matrix_title_sits_above_the_axis_title_with_room_between():
    """It sat in the middle of a 60 px margin, across "predicted" on a phone."""
    for present in (False, True):
        figure = confusion_heatmap(np.eye(10, dtype=int), present=present)
        title, size = figure.layout.title, figure.layout.font.size
        assert title.yref == "container" and title.y == 1 and title.yanchor == "top"
        # title, axis title and the digits above the matrix: about 1.3 lines of text each
        assert figure.layout.margin.t >= 5 * size


def test_a_long_title_is_broken_into_lines_that_fit_a_narrow_column():
    """Plotly cuts a title its figure cannot hold: "28 × 28 numbers from 0 (black) to 1 (w"."""
    text = "28 × 28 numbers from 0 (black) to 1 (white)"
    heading = title(text, present=True)
    lines = heading["text"].split("<br>")
    assert " ".join(lines) == text and all(len(line) <= TITLE_LINE for line in lines)
    assert len(lines) == 2 and heading["yanchor"] == "bottom" and heading["automargin"]
    # The plot starts under the title's lines, further down on a projector.
    assert title_margin(text) > title_margin("Short") >= 1.6 * FONT_SIZE
    assert title_margin(text, present=True) > title_margin(text)
