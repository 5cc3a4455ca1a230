"""The Build and Home figures, checked on the data they carry."""

import numpy as np
import pytest

from nncore.figures import (
    confusion_heatmap,
    digit_grid,
    network_diagram,
    neuron_curve,
    training_curves,
    update_curves,
)
from nncore.neuron import activate
from nncore.spec import SEED_NOTEBOOK, SMALL_CNN, layer_plan


def test_network_diagram_has_a_column_per_layer_with_its_size():
    fig = network_diagram(layer_plan(SEED_NOTEBOOK))
    labels = [note.text for note in fig.layout.annotations]
    assert len(labels) == 4  # input, two hidden layers, output
    assert "Dense 128" in labels[1] and "sigmoid" in labels[1] and "of 128" in labels[1]
    assert labels[-1].startswith("Output 10")
    cnn = [note.text for note in network_diagram(layer_plan(SMALL_CNN)).layout.annotations]
    assert cnn[0] == "Input 28×28" and "16 maps 26×26" in cnn[1]


def test_training_curves_span_the_whole_run_and_mark_learning_rate_changes():
    epochs, values = [1, 2, 3], [0.9, 0.5, 0.3]
    fig = training_curves(epochs, values, values, values, values, 10, [(3, 0.01)])
    assert [trace.name for trace in fig.data] == ["train", "test", "train", "test"]
    assert list(fig.layout.xaxis.range) == [0.5, 10.5]
    assert "η → 0.01" in [note.text for note in fig.layout.annotations]
    assert len(fig.layout.shapes) == 2  # the dashed line in both panels


def test_update_curves_gives_the_same_data_as_a_new_figure():
    fig = training_curves([1], [2.0], [2.1], [0.1], [0.2], 5)
    series = ([1, 2], [2.0, 1.0], [2.1, 1.5], [0.1, 0.6], [0.2, 0.5])
    updated = update_curves(fig, *series)
    fresh = training_curves(*series, 5)
    assert updated.to_plotly_json()["data"] == fresh.to_plotly_json()["data"]


def test_confusion_heatmap_and_digit_grid_show_what_they_are_given():
    counts = np.arange(100).reshape(10, 10)
    assert np.array_equal(np.asarray(confusion_heatmap(counts).data[0].z), counts)
    images = np.random.default_rng(0).random((5, 784))
    grid = digit_grid(images, [1, 2, 3, 4, 5], [7, 7, 7, 7, 7], columns=4)
    assert len(grid.data) == 5
    assert [n.text for n in grid.layout.annotations] == [
        "1 → 7",
        "2 → 7",
        "3 → 7",
        "4 → 7",
        "5 → 7",
    ]
    assert np.asarray(grid.data[2].z).shape == (28, 28)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_neuron_curve_marks_the_neurons_output(activation):
    fig = neuron_curve(activation, 1.5)
    marker = fig.data[1]
    assert marker.x[0] == 1.5 and marker.y[0] == pytest.approx(activate(activation, 1.5))
