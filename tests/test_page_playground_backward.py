"""The 2D Playground's backward view without a browser (AppTest): under a teacher's lock the
toggle still works, turns the network into ∂loss/∂w and δ after a Step, and a chosen weight's
chain rule is written with the numbers that add up to the worker's gradient."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from nncore.backprop.explain import tex
from tests.helpers import open_with, page_app, wait_until


@pytest.fixture
def app() -> AppTest:
    return page_app("playground.py")


def backward_chart(app: AppTest) -> dict | None:
    charts = [c for c in app.get("plotly_chart") if c.proto.id.endswith("pg_network_back")]
    return json.loads(charts[0].proto.spec) if charts else None


def latex(app: AppTest) -> str:
    return " ".join(element.value for element in app.latex)


def test_under_a_lock_the_backward_pass_shows_gradients_and_a_weights_chain_rule(app):
    open_with(app, lock="1")
    switch = app.toggle(key="pg_backward")
    assert not switch.disabled  # it changes nothing about the setup
    switch.set_value(True).run()
    assert any("Press Step" in info.value for info in app.info)
    app.button(key="pg_step").click().run()

    def drawn() -> bool:
        app.run()
        assert not app.exception, [e.value for e in app.exception]
        captions = " ".join(c.value for c in app.caption)
        return backward_chart(app) is not None and "after epoch 1:" in captions

    # A fresh worker imports TensorFlow first (the step's epoch 0 comes first, then 1).
    wait_until(drawn, 300, "the backward figure after epoch 1", interval=0.5)
    figure = backward_chart(app)
    dots = next(t for t in figure["data"] if t.get("name") == "weight dots")
    assert len(dots["customdata"]) == 2 * 4 + 4 * 2 + 2 * 2  # every weight of 2-4-2-2
    captions = " ".join(c.value for c in app.caption)
    assert "first 10 training points" in captions and "after epoch 1" in captions
    assert app.selectbox(key="pg_weight").value == (0, 0, 0)
    assert any("x₁ → neuron 1.1" in m.value for m in app.markdown)
    # A hidden weight: ∂E/∂out sums over the layer after it, then tanh's slope, then the input.
    app.selectbox(key="pg_weight").set_value((1, 2, 1)).run()
    assert any("neuron 1.3 → neuron 2.2" in m.value for m in app.markdown)
    written = latex(app)
    assert r"\tanh'" in written and r"\delta_{o0}\, w_{2.2 \to o0}" in written
    gradients = app.session_state["pg_training"].job.gradients
    assert tex(float(gradients.gradients[2][2, 1]), False) in written  # the line's number
    app.selectbox(key="pg_weight").set_value((2, 0, 1)).run()
    assert r"\mathrm{out}_{o1} - t_{o1}" in latex(app)
    app.toggle(key="pg_backward").set_value(False).run()
    assert backward_chart(app) is None and not app.exception
