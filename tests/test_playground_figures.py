"""The playground's pictures and numbers: colours of the answer, the network figure's weights
and neurons, the thinned loss curve, and a neuron written out with its numbers."""

from __future__ import annotations

import re

import numpy as np

from nncore.playground.colours import (
    BACKGROUND_STRENGTH,
    CLASS_COLOURS,
    class_image,
    rgb,
    value_image,
)
from nncore.playground.datasets import Points
from nncore.playground.explain import LINE_CHARACTERS, neuron_numbers, what_to_look_at
from nncore.playground.figures import (
    MAX_CURVE_POINTS,
    answer_colours,
    loss_figure,
    plane_height,
    plane_html,
    plane_max_height,
    plane_picture,
    plane_side,
)
from nncore.playground.network_figure import network_figure

WEIGHTS = [
    np.array([[1.0, 2.0], [3.0, 4.0]]),
    np.array([0.5, -1.0]),  # features → layer 1
    np.array([[0.5], [-2.0]]),
    np.array([0.25]),  # layer 1 → layer 2
    np.array([[1.0, -1.0]]),
    np.array([0.0, 0.0]),  # layer 2 → two classes
]


def flat(latex: str) -> str:
    """A formula's lines joined into one, as a reader reads it across the line breaks."""
    for mark in (r"\begin{aligned}", r"\end{aligned}", r"\\", "&", r"\qquad {}"):
        latex = latex.replace(mark, " ")
    return re.sub(r" +", " ", latex).strip()


def shown(line: str) -> str:
    """What a line of a formula shows, without LaTeX's commands and spaces."""
    line = re.sub(r"\\(?:begin|end)\{aligned\}", "", line)
    line = re.sub(r"\\(?:text|mathrm)\{([^}]*)\}", r"\1", line)
    for command, text in ((r"\cdot", "·"), (r"\qquad", "····"), (r"\,", ""), ("{}", "")):
        line = line.replace(command, text)
    return line.replace("&", "").replace(" ", "")


def test_a_neuron_of_the_first_layer_is_written_out_with_its_numbers():
    numbers = neuron_numbers(
        WEIGHTS, 0, 1, ["x₁", "x₂"], "tanh", np.array([1.0, 2.0]), np.array([1.0, 2.0])
    )
    assert numbers.name == "neuron 1.2" and numbers.weights == (2.0, 4.0) and numbers.bias == -1
    assert r"\text{neuron 1.2} = \mathrm{tanh}(z)" in numbers.formula
    assert r"z = 2.000\,\text{x₁} + 4.000\,\text{x₂} - 1.000" in flat(numbers.formula)
    assert numbers.point == "At the training point (x₁, x₂) = (1.00, 2.00):"
    # 2·1 + 4·2 − 1 = 9
    assert r"z = 2.000 \cdot 1.000 + 4.000 \cdot 2.000 - 1.000 = 9.000" in flat(numbers.example)
    assert r"\mathrm{tanh}(9.000) = 1.000" in numbers.example


def test_a_deeper_neuron_is_evaluated_on_the_layer_before():
    numbers = neuron_numbers(
        WEIGHTS,
        1,
        0,
        ["neuron 1.1", "neuron 1.2"],
        "relu",
        np.array([1.0, 0.0]),
        np.array([1.0, 0.0]),
    )
    # layer 1 at (1, 0): relu(1 + 0.5) = 1.5, relu(2 − 1) = 1; then 0.5·1.5 − 2·1 + 0.25 = −1
    assert r"0.500 \cdot 1.500 - 2.000 \cdot 1.000 + 0.250" in flat(numbers.example)
    assert r"\mathrm{relu}(-1.000) = 0.000" in numbers.example


def test_a_negative_number_multiplied_is_in_brackets():
    """0.606·(−0.029), never 0.606⋅−0.029; the point's negative coordinate reads as text."""
    numbers = neuron_numbers(
        WEIGHTS, 0, 0, ["x₁", "x₂"], "tanh", np.array([-1.0, 2.0]), np.array([-1.0, 2.0])
    )
    assert r"z = 1.000 \cdot (-1.000) + 3.000 \cdot 2.000 + 0.500" in flat(numbers.example)
    assert numbers.point == "At the training point (x₁, x₂) = (−1.00, 2.00):"


def test_a_long_sum_is_written_a_few_terms_a_line_that_fit_a_phone():
    """Eight inputs from a layer of eight, every weight and value negative: the longest
    terms there are. No line may be longer than a phone's column holds."""
    rng = np.random.default_rng(0)
    weights = [
        -rng.uniform(1, 9, (2, 8)),
        -rng.uniform(1, 9, 8),
        -rng.uniform(1, 9, (8, 1)),
        -np.ones(1),
        np.ones((1, 2)),
        np.zeros(2),
    ]
    names = [f"neuron 1.{u + 1}" for u in range(8)]
    point = np.array([-5.5, -5.5])
    numbers = neuron_numbers(weights, 1, 0, names, "linear", point, -point)
    for latex in (numbers.formula, numbers.example):
        lines = latex.split(r"\\")
        assert len(lines) > 3
        for line in lines:
            assert len(shown(line)) <= LINE_CHARACTERS, shown(line)
    # Nothing is lost in the wrapping: every input and weight is there.
    for name, w in zip(names, weights[2][:, 0], strict=True):
        assert rf"{abs(w):.3f}\,\text{{{name}}}" in numbers.formula


def test_unsure_places_are_white_and_sure_ones_take_their_class_colour():
    probabilities = np.array([[[0.5, 0.5], [1.0, 0.0]]])
    image = class_image(probabilities)
    assert np.allclose(image[0, 0], 255)
    assert np.allclose(image[0, 1], 255 - (255 - rgb("#0072B2")) * BACKGROUND_STRENGTH)
    discrete = class_image(np.array([[[0.6, 0.4]]]), discrete=True)
    assert np.allclose(discrete[0, 0], image[0, 1])
    assert np.allclose(value_image(np.zeros((2, 2))), 255)


def test_the_network_figure_shows_every_weight_and_a_clickable_neuron_each():
    blank = np.full((25, 25, 3), 255.0)
    figure = network_figure(
        [("x₁", blank), ("x₂", blank)], [[blank, blank], [blank]], blank, WEIGHTS[0::2]
    )
    hover = next(t for t in figure.data if t.name == "weights")
    assert len(hover.text) == 4 + 2 + 1  # the output tile shows one line per neuron
    assert "w = 3.000<br>x₂ → neuron 1.1" in hover.text
    neurons = next(t for t in figure.data if t.name == "neurons")
    assert [list(c) for c in neurons.customdata] == [[0, 0], [0, 1], [1, 0]]
    assert len(figure.layout.images) == 1  # every tile in one picture


def test_a_long_loss_curve_is_thinned_but_ends_at_the_last_epoch():
    losses = [(epoch, 1.0 / epoch, 2.0 / epoch) for epoch in range(1, 5001)]
    figure = loss_figure(losses)
    assert len(figure.data[0].x) <= MAX_CURVE_POINTS and figure.data[0].x[-1] == 5000
    assert figure.data[0].name == "training 0.000" and figure.data[1].name == "test 0.000"


def test_the_sentence_under_the_picture_points_at_the_next_thing_to_try():
    assert "Press ▶ Play" in what_to_look_at(2, 0, None)
    assert "memorising" in what_to_look_at(2, 100, (0.05, 0.5))
    assert "still high" in what_to_look_at(3, 100, (0.6, 0.6))
    assert "blue high" in what_to_look_at(0, 100, (0.01, 0.01))


def test_the_live_plane_picture_puts_each_point_where_the_figure_would():
    # The network sure of class 1 (orange) everywhere; one blue training point at (3, 3), a
    # test point of class 1 at (-3, -3): 345 px for 12 units, so (3, 3) is pixel (258.75, 86.25).
    background = answer_colours(np.tile([0.0, 1.0], (50, 50, 1)), 2, False)
    train = Points(np.array([[3.0, 3.0]]), np.array([0]), 2)
    test = Points(np.array([[-3.0, -3.0]]), np.array([1]), 2)
    picture = np.asarray(plane_picture(background, train, test, 345))
    assert picture.shape == (345, 345, 3)
    assert tuple(picture[86, 258]) == tuple(rgb(CLASS_COLOURS[0]))  # the point, class-coloured
    assert tuple(picture[258, 86]) == tuple(rgb(CLASS_COLOURS[1]))  # the test point's middle
    assert tuple(picture[258, 86 + 5]) == (0, 0, 0)  # ringed in black
    pale_orange = np.rint(background[0, 0])
    for row, column in ((10, 10), (172, 172), (86, 300)):  # away from the points: the answer
        assert np.abs(picture[row, column] - pale_orange).max() <= 1


def test_the_live_plane_is_sent_as_a_jpeg_a_student_cannot_tell_from_the_picture():
    import base64
    import io

    from PIL import Image

    from nncore.playground.colours import live_picture_uri
    from nncore.playground.datasets import generate, split

    parts = split(generate("spiral", 400, 0.1, seed=1), 0.5, seed=1)
    answer = np.linspace(0, 1, 2500).reshape(50, 50)
    colours = answer_colours(np.stack([1 - answer, answer], -1), 2, False)
    picture = plane_picture(colours, parts.train, parts.test, 435)
    uri = live_picture_uri(picture)
    assert uri.startswith("data:image/jpeg;base64,")
    sent = np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))), float)
    error = np.abs(sent - np.asarray(picture, float))
    # Off by a few levels on average; the points' colours and rings stay what they were.
    assert error.mean() < 2 and np.percentile(error, 99) < 40


def test_the_live_plane_before_the_first_epoch_is_white_with_its_points():
    train = Points(np.array([[0.0, 0.0]]), np.array([0.5]), 0)  # regression: a value of 0.5
    picture = np.asarray(plane_picture(None, train, None, 100))
    assert tuple(picture[5, 5]) == (255, 255, 255)
    assert np.abs(picture[50, 50] - value_image(np.array(0.5), strength=1.0)).max() <= 1


def test_the_live_plane_html_shows_the_picture_with_the_figures_height_and_ticks():
    html = plane_html("data:image/png;base64,AAAA")
    assert 'src="data:image/png;base64,AAAA"' in html and f"height:{plane_height(False)}px" in html
    assert html.count(">−6<") == 2 and html.count(">6<") == 2 and "x₁" in html
    present = plane_html("data:image/png;base64,AAAA", present=True)
    assert f"height:{plane_height(True)}px" in present


def test_the_plane_is_the_page_laptop_sized_and_bigger_on_a_projector():
    """At least 420 px square where the column allows (1280 px with the sidebar open does)."""
    assert plane_side(False) >= 420 and plane_side(True) > plane_side(False)


def test_on_a_phone_the_plane_is_no_taller_than_its_square_and_margins():
    """A 358 px column draws a 288 px square (less 55 + 15 px of side margins): the figure
    needs 288 + 20 + 70 = 378 px, 20 px more than the column is wide, not 525."""
    assert plane_max_height(False) == f"min({plane_height(False)}px, calc(100vw + 20px))"
    assert plane_max_height(True).startswith(f"min({plane_height(True)}px, ")
