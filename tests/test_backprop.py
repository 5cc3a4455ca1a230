"""nncore.backprop: the textbook's published numbers, numpy against TensorFlow's own gradients
(by running the page's "Same in Keras" code), the update rule, training, extreme values, the
settings and the figures."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from nncore.backprop import explain, figures, notes, tables
from nncore.backprop.keras_code import keras_snippet
from nncore.backprop.network import Network, network_from_values, parameters_of
from nncore.backprop.passes import backward, forward, train, update
from nncore.backprop.preset import textbook_values
from nncore.backprop.settings import BACKPROP_SETTINGS, DEFAULTS, SETTINGS_BY_KEY
from nncore.links import read_link
from nncore.settings import parse_query, to_query

ROOT = Path(__file__).resolve().parents[1]


def published(text: str):
    """A number from Matt Mazur's "A Step by Step Backpropagation Example", equal to within
    half its last published digit."""
    decimals = len(text.split(".")[1])
    return pytest.approx(float(text), abs=0.5 * 10**-decimals, rel=0)


@pytest.fixture(scope="module")
def textbook() -> Network:
    return network_from_values(textbook_values())


def by_symbol(network: Network, grads_or_network, symbol: str) -> float:
    """The value of textbook weight ``symbol`` (``w5``) in a Backward record or a Network."""
    p = next(p for p in network.parameters if p.plain == symbol)
    if isinstance(grads_or_network, Network):
        return grads_or_network.value(p)
    return grads_or_network.gradient(p)


def test_the_textbook_forward_pass(textbook):
    fwd = forward(textbook)
    assert fwd.hidden_net[0] == pytest.approx(0.3775, abs=1e-15)
    assert fwd.hidden_out[0] == published("0.593269992")
    assert fwd.hidden_out[1] == published("0.596884378")
    assert fwd.output_out[0] == published("0.75136507")
    assert fwd.output_out[1] == published("0.772928465")
    assert fwd.total == published("0.298371109")


def test_the_textbook_backward_pass_and_update(textbook):
    back = backward(textbook)
    after = update(textbook, back)
    assert by_symbol(textbook, back, "w5") == published("0.082167041")
    assert by_symbol(textbook, back, "w1") == published("0.000438568")
    new_weights = {
        "w1": "0.149780716",
        "w2": "0.19956143",
        "w3": "0.24975114",
        "w4": "0.29950229",
        "w5": "0.35891648",
        "w6": "0.408666186",
        "w7": "0.511301270",
        "w8": "0.561370121",
    }
    for symbol, value in new_weights.items():
        assert by_symbol(textbook, after, symbol) == published(value), symbol
    assert after.hidden_biases.tolist() == [0.35, 0.35]  # the textbook keeps its biases
    assert after.output_biases.tolist() == [0.6, 0.6]


def test_ten_thousand_textbook_updates(textbook):
    training = train(textbook, 10_000)
    assert training.errors[0] == published("0.298371109")
    assert training.errors[-1] == pytest.approx(0.0000351085, rel=1e-3)  # "about", as published
    assert np.all(np.diff(training.errors) < 0)
    assert training.blew_up_at is None


def test_the_page_writes_the_textbook_numbers(textbook):
    fwd, back = forward(textbook), backward(textbook)
    table = tables.forward_table(textbook, fwd).set_index("neuron")
    assert table.loc["h1", "out"] == "0.593269992"
    assert table.loc["o2", "out"] == "0.772928465"
    assert table.loc["E_total", "error"] == "0.298371109"
    gradients = tables.gradient_table(textbook, back).set_index("weight")
    assert gradients.loc["w5", "∂E/∂w"] == "0.0821670406"
    w5 = textbook.parameter("w_h1o1")
    chain = explain.chain_latex(textbook, fwd, back, w5)
    assert "0.74136507" in chain.result and "0.186815602" in chain.result
    assert chain.result.endswith(r"&= 0.0821670406\end{aligned}")
    assert r"&= 0.35891648\end{aligned}" in explain.update_latex(textbook, back, w5)
    hidden = explain.chain_latex(textbook, fwd, back, textbook.parameter("w_i1h1"))
    assert any("0.0363503064" in block for block in hidden.factors)  # Σ over both outputs
    assert len(hidden.outputs) == 2


def random_network(shape, hidden_activation, output, loss, seed=0, update_biases=False):
    rng = np.random.default_rng(seed)
    n_in, n_hidden, n_out = shape
    targets = rng.uniform(0.05, 0.95, n_out)
    if output == "softmax":
        targets = targets / targets.sum()
    return Network(
        inputs=rng.uniform(-1, 1, n_in),
        targets=targets,
        hidden_weights=rng.uniform(-1, 1, (n_hidden, n_in)),
        hidden_biases=rng.uniform(-0.5, 0.5, n_hidden),
        output_weights=rng.uniform(-1, 1, (n_out, n_hidden)),
        output_biases=rng.uniform(-0.5, 0.5, n_out),
        hidden_activation=hidden_activation,
        output=output,
        loss=loss,
        eta=0.5,
        update_biases=update_biases,
    )


CONFIGURATIONS = [
    ((2, 2, 2), "sigmoid", "sigmoid", "squared", False),
    ((2, 2, 2), "tanh", "sigmoid", "squared", True),
    ((2, 3, 2), "relu", "sigmoid", "squared", False),
    ((1, 3, 2), "sigmoid", "softmax", "crossentropy", True),
    ((1, 3, 2), "tanh", "sigmoid", "crossentropy", False),
    ((3, 2, 3), "relu", "softmax", "crossentropy", False),
    ((3, 2, 3), "tanh", "softmax", "squared", True),
    ((3, 3, 1), "sigmoid", "sigmoid", "squared", True),
]


@pytest.mark.parametrize(("shape", "hidden", "output", "loss", "biases"), CONFIGURATIONS)
def test_numpy_gradients_match_tensorflow(
    shape: tuple[int, int, int],
    hidden: str,
    output: str,
    loss: str,
    biases: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The page's Keras snippet, run: its tape's gradients and its SGD step against numpy."""
    pytest.importorskip("tensorflow")
    from nncore.keras_runtime import keras  # noqa: F401  (thread pools set up once)

    network = random_network(shape, hidden, output, loss, seed=sum(shape), update_biases=biases)
    back = backward(network)
    namespace: dict = {}
    exec(keras_snippet(network), namespace)  # noqa: S102  (our own generated code)
    grads = [g.numpy() for g in namespace["grads"]]
    expected = [
        back.hidden_weight_grads.T,
        back.hidden_bias_grads,
        back.output_weight_grads.T,
        back.output_bias_grads,
    ]
    for got, want in zip(grads, expected, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-6, rtol=0)
    assert float(namespace["loss"]) == pytest.approx(forward(network).total, abs=1e-6)
    after = update(network, back)
    kernel_h, bias_h, kernel_o, bias_o = (v.numpy() for v in namespace["model"].trainable_variables)
    np.testing.assert_allclose(kernel_h, after.hidden_weights.T, atol=1e-6)
    np.testing.assert_allclose(kernel_o, after.output_weights.T, atol=1e-6)
    np.testing.assert_allclose(bias_h, after.hidden_biases, atol=1e-6)
    np.testing.assert_allclose(bias_o, after.output_biases, atol=1e-6)


def test_every_weight_moves_against_its_gradient():
    network = random_network((3, 2, 3), "tanh", "sigmoid", "squared", update_biases=False)
    back = backward(network)
    after = update(network, back)
    for p in network.parameters:
        step = 0.0 if p.is_bias else -network.eta * back.gradient(p)
        assert after.value(p) == pytest.approx(network.value(p) + step, abs=1e-15), p.key
    with_biases = update(network.__class__(**{**_fields(network), "update_biases": True}))
    assert with_biases.hidden_biases == pytest.approx(
        network.hidden_biases - network.eta * back.hidden_bias_grads
    )


def _fields(network: Network) -> dict:
    names = (
        "inputs",
        "targets",
        "hidden_weights",
        "hidden_biases",
        "output_weights",
        "output_biases",
        "hidden_activation",
        "output",
        "loss",
        "eta",
        "update_biases",
    )
    return {name: getattr(network, name) for name in names}


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_training_lowers_the_error(hidden):
    network = random_network((2, 3, 2), hidden, "sigmoid", "squared", seed=3, update_biases=True)
    training = train(network, 300)
    assert len(training.errors) == 301 and training.blew_up_at is None
    assert training.errors[-1] < 0.01 * training.errors[0]


def extreme_networks():
    huge = dict(textbook_values(), **{k: 1000.0 for k in textbook_values() if k.startswith("w_")})
    yield network_from_values(dict(huge, learning_rate=10.0))
    yield network_from_values(
        dict(huge, hidden_act="relu", out_act="softmax", error="crossentropy")
    )
    yield network_from_values(dict(huge, i1=-1000.0, i2=-1000.0, hidden_act="relu"))  # all dead
    yield network_from_values(dict(textbook_values(), learning_rate=10.0, t1=1.0, t2=0.0))


@pytest.mark.parametrize("network", list(extreme_networks()))
def test_extreme_values_never_raise(network):
    fwd, back = forward(network), backward(network)
    after = update(network, back)
    training = train(network, 50)
    tables.forward_table(network, fwd)
    tables.delta_table(network, back)
    tables.update_table(network, after)
    for p in network.parameters:
        chain = explain.chain_latex(network, fwd, back, p)
        assert chain.result.startswith(r"\begin{aligned}")
        explain.update_latex(network, back, p)
    figures.network_figure(network, fwd, back, network.parameters[0].key)
    figures.error_curve(training.errors)
    said = notes.problems(network, fwd, back) + notes.remarks(network, fwd, back)
    if not np.isfinite(fwd.total) or training.blew_up_at is not None:
        assert said or notes.training_problem(training, network.eta)


def test_what_goes_wrong_is_said_in_words():
    values = dict(textbook_values(), hidden_act="relu", out_act="softmax", error="crossentropy")
    values.update(w_h1o1=1000.0, w_h2o1=1000.0, i1=-1.0, i2=-1.0, w_i1h2=1.0, w_i2h2=-1.0)
    values.update(t1=0.0, t2=1.0)
    network = network_from_values(values)
    fwd, back = forward(network), backward(network)
    assert any("h1 is a dead relu unit" in s for s in notes.remarks(network, fwd, back))
    saturated = network_from_values(dict(textbook_values(), w_i1h1=1000.0, i1=1.0))
    fwd, back = forward(saturated), backward(saturated)
    assert any("h1 is saturated" in s for s in notes.remarks(saturated, fwd, back))
    stuck = network_from_values(
        dict(values, w_h1o1=-1000.0, w_h2o1=-1000.0, w_i1h2=-1.0, t1=1.0, t2=0.0)
    )
    fwd, back = forward(stuck), backward(stuck)
    assert not np.isfinite(fwd.total) or notes.problems(stuck, fwd, back) == []
    assert tables.number(float("nan")) == "NaN" and tables.number(float("inf")) == "∞"


def test_settings_round_trip_through_a_link():
    assert to_query(DEFAULTS, BACKPROP_SETTINGS) == {}  # the textbook needs no parameters
    assert len({s.key for s in BACKPROP_SETTINGS}) == len(BACKPROP_SETTINGS)
    values = dict(DEFAULTS, w_h1o1=0.35891647971775653, n_hidden=3, hidden_act="tanh")
    query = to_query(values, BACKPROP_SETTINGS)
    assert query == {"w_h1o1": "0.3589164797", "n_hidden": "3", "hidden_act": "tanh"}
    parsed, notices = parse_query({**query, "learning_rate": "fast"}, BACKPROP_SETTINGS)
    assert (
        parsed["w_h1o1"] == pytest.approx(0.35891647971775653, abs=1e-10)
        and parsed["n_hidden"] == 3
    )
    assert notices == ["Ignored learning_rate='fast' is not a number; using 0.5."]
    every_key = {p.key for p in parameters_of((3, 3, 3))}
    assert every_key <= set(SETTINGS_BY_KEY) and every_key == set(
        SETTINGS_BY_KEY["explain"].choices
    )


def test_the_diagram_names_every_weight_and_keeps_labels_apart():
    network = network_from_values(dict(DEFAULTS, n_in=3, n_hidden=3, n_out=3))
    figure = figures.network_figure(network, forward(network), None, "w_i2h3")
    chips = next(trace for trace in figure.data if trace.name == "weights")
    assert set(chips.customdata) == {p.key for p in network.parameters if not p.is_bias}
    selected = list(chips.customdata).index("w_i2h3")
    assert chips.marker.color[selected] == figures.SELECTED_COLOUR
    texts = [a.text for a in figure.layout.annotations]
    assert "<b>w8 0.35</b>" in texts  # i2 → h3 is w8 in a 3-3-3 network
    for a, b in itertools.product(range(1, 4), repeat=2):  # labels of one gap never collide
        starts, ends = figures.positions(a, 0.0), figures.positions(b, 1.0)
        ys = sorted(s[1] + figures.LABEL_AT * (e[1] - s[1]) for s in starts for e in ends)
        assert all(later - earlier >= 0.15 for earlier, later in itertools.pairwise(ys))


def test_the_error_curve_is_thinned_and_logarithmic(textbook):
    errors = train(textbook, 5000).errors
    figure = figures.error_curve(errors, max_points=500)
    assert len(figure.data[0].x) <= 501 and figure.data[0].x[-1] == 5000
    assert figure.layout.yaxis.type == "log"
    assert figures.error_curve(np.array([0.2, 0.0, 0.1])).layout.yaxis.type == "linear"


def readme_links() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return sorted(set(re.findall(r"/backprop\?[^\s`\"'()<>|]*", text)))


def test_every_readme_link_opens_cleanly_and_does_what_it_says():
    links = readme_links()
    assert len(links) >= 4, links
    for link in links:
        query = parse_qs(urlsplit(link).query)
        read = read_link(query, BACKPROP_SETTINGS)  # as the page reads it
        assert read.notices == [] and set(query) <= set(SETTINGS_BY_KEY), link
        network = network_from_values({**DEFAULTS, **read.values})
        assert np.isfinite(forward(network).total), link
    dying = network_from_values(
        {**DEFAULTS, "hidden_act": "relu", "i1": 1.0, "i2": 2.0, "learning_rate": 10.0}
    )
    errors = train(dying, 100).errors
    assert errors[-1] == pytest.approx(0.261, abs=5e-4) and errors[2] == errors[-1]


def test_the_walkthrough_says_each_press_s_result_in_one_line(textbook):
    fwd = forward(textbook)
    back = backward(textbook, fwd)
    after = update(textbook, back)
    w5 = textbook.parameter("w_h1o1")  # the textbook's w5
    assert w5 is not None
    lines = [notes.walkthrough_summary(textbook, fwd, back, after, w5, s) for s in range(4)]
    assert "Press **Forward**" in lines[0]
    assert "E_total = **0.298371109**" in lines[1]
    assert "∂E/∂w5 = **0.0821670" in lines[2]
    assert "w5 goes from 0.4 to **0.35891648" in lines[3]
