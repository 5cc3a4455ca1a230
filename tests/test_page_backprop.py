"""The /backprop page without a browser (AppTest): the textbook walkthrough, shared links,
the teacher's options and the buttons in their order."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from nncore.backprop import tables
from nncore.backprop.network import network_from_values
from nncore.backprop.passes import backward, train
from nncore.backprop.preset import textbook_values
from nncore.backprop.settings import BACKPROP_SETTINGS
from nncore.numbers import significant
from nncore.settings import parse_query
from tests.helpers import open_with, page_app, texts


@pytest.fixture
def app() -> AppTest:
    return page_app("backprop.py")


def press(app: AppTest, key: str) -> AppTest:
    app.button(key=key).click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def table(app: AppTest, column: str):
    """The page's one table with a column named ``column``, indexed by its first column."""
    found = [t.value for t in app.table if column in t.value.columns]
    assert len(found) == 1, [list(t.value.columns) for t in app.table]
    return found[0].set_index(found[0].columns[0])


def test_the_textbook_walkthrough_step_by_step(app):
    open_with(app)
    assert dict(app.query_params) == {}  # the textbook is the default: a short link
    assert len(app.table) == 0 and any("Press **Forward**" in i for i in texts(app.info))
    press(app, "forward")
    forward_table = table(app, "error")
    assert forward_table.loc["h1", "net (weighted sum)"] == "0.3775"
    assert forward_table.loc["o1", "out"] == "0.75136507"
    assert forward_table.loc["E_total", "error"] == "0.298371109"
    assert len(app.table) == 1  # the backward pass is not revealed yet
    press(app, "backward")
    assert table(app, "∂E/∂w").loc["w5", "∂E/∂w"] == "0.0821670406"
    assert any(r"&= 0.0821670406\end{aligned}" in latex for latex in texts(app.latex))
    press(app, "update")
    updated = table(app, "new value")
    assert updated.loc["w5", "new value"] == "0.35891648"
    assert updated.loc["w1", "new value"] == "0.149780716"
    assert updated.loc["b_h1", "new value"] == "0.35"  # the textbook keeps its biases
    assert any("**0.298371109** to **0.291027774**" in md for md in texts(app.markdown))
    press(app, "keep")
    assert app.number_input(key="backprop-w_h1o1").value == pytest.approx(0.35891648, abs=1e-8)
    assert app.query_params["w_h1o1"] == "0.3589164797"
    assert len(app.table) == 1  # back to the forward pass, with the new weights
    assert table(app, "error").loc["E_total", "error"] == "0.291027774"


def test_a_link_sets_up_any_network_and_the_weight_to_explain(app):
    query = {
        "n_hidden": "3",
        "hidden_act": "tanh",
        "w_i1h3": "0.7",
        "explain": "w_i2h3",
        "learning_rate": "0.1",
        "out_act": "softmax",
        "error": "crossentropy",
    }
    open_with(app, **query)
    assert app.selectbox(key="backprop-hidden_act").value == "tanh"
    assert app.slider(key="backprop-n_hidden").value == 3
    assert app.number_input(key="backprop-w_i1h3").value == 0.7
    assert app.selectbox(key="backprop-explain").value == "w_i2h3"
    press(app, "backward")
    parsed, _ = parse_query(query, BACKPROP_SETTINGS)
    network = network_from_values({**textbook_values(), **parsed})
    gradient = backward(network).gradient(network.parameter("w_i2h3"))
    assert table(app, "∂E/∂w").loc["w6", "∂E/∂w"] == tables.number(gradient)  # i2 → h3 is w6
    assert any("Backward pass: ∂E/∂w6" in h for h in texts(app.header))
    assert dict(app.query_params) == query


def test_a_garbage_link_names_what_it_ignored(app):
    open_with(
        app, learning_rate="fast", n_in="7", w_i1h1="heavy", hidden_act="softplus", explain="w_i3h1"
    )
    warnings = " ".join(texts(app.warning)).replace("\\", "")  # shown escaped, as plain text
    assert "learning_rate='fast' is not a number" in warnings
    assert "n_in=7 is outside 1–3" in warnings
    assert "w_i1h1='heavy' is not a number" in warnings
    assert "hidden_act='softplus' is not one of" in warnings
    assert app.number_input(key="backprop-w_i1h1").value == 0.15
    assert app.selectbox(key="backprop-explain").value == "w_h1o1"  # no third input: back to w5
    assert dict(app.query_params) == {}


def test_train_runs_the_updates_and_plots_them(app):
    open_with(app, train_steps="100")
    assert app.button(key="train").label == "Train 100 steps"
    press(app, "train")
    expected = train(network_from_values(textbook_values()), 100).errors[-1]
    assert app.metric[0].label == "E_total after 100 updates"
    assert app.metric[0].value == significant(expected)
    assert len(app.get("plotly_chart")) == 2  # the network and the error curve


def test_a_class_training_the_same_example_costs_the_server_one_training(monkeypatch):
    from pages._ui import backprop

    backprop.shared_training.clear()
    trainings = []
    monkeypatch.setattr(backprop, "train", lambda *a: trainings.append(a) or train(*a))
    for _ in range(3):  # three students, the same example and steps
        student = open_with(page_app("backprop.py"), train_steps="300")
        press(student, "train")
        assert student.metric[0].label == "E_total after 300 updates"
    assert len(trainings) == 1
    other = press(
        open_with(page_app("backprop.py"), train_steps="300", learning_rate="0.1"), "train"
    )
    assert len(trainings) == 2 and other.metric[0].value != student.metric[0].value


def test_the_preset_restores_the_textbook_and_clears_the_notices(app):
    open_with(app, w_i1h1="0.9", learning_rate="0.1", n_out="3", bogus="1")
    assert any("bogus" in w for w in texts(app.warning))
    press(app, "preset")
    assert app.number_input(key="backprop-w_i1h1").value == 0.15
    assert app.select_slider(key="backprop-learning_rate").value == 0.5
    assert app.slider(key="backprop-n_out").value == 2
    assert dict(app.query_params) == {} and texts(app.warning) == []


def test_a_teachers_link_hides_and_locks_controls(app):
    open_with(app, hide="learning_rate,w_i1h1,explain", lock="1")
    assert not [s for s in app.select_slider if s.key == "backprop-learning_rate"]
    assert not [n for n in app.number_input if n.key == "backprop-w_i1h1"]
    assert not [s for s in app.selectbox if s.key == "backprop-explain"]
    assert (
        app.number_input(key="backprop-w_i2h1").disabled
        and app.selectbox(key="backprop-hidden_act").disabled
    )
    press(app, "backward")  # the walkthrough itself still works
    assert table(app, "∂E/∂w").loc["w5", "∂E/∂w"] == "0.0821670406"


def test_extreme_values_are_explained_not_raised(app):
    open_with(app, learning_rate="10", hidden_act="relu", i1="-5", i2="-5", w_h1o1="1000")
    press(app, "update")
    assert any("dead relu unit" in i for i in texts(app.info))
    press(app, "train")
    assert not app.exception
