"""Home: what the playground is, where to go, and the notebook's single neuron to play with."""

import streamlit as st

from nncore.activations import ACTIVATIONS
from nncore.neuron import NEURON_SETTINGS, activate, weighted_sum
from nncore.neuron.figures import neuron_curve
from nncore.numbers import fixed
from pages._ui.site import HOME, SITE
from pages._ui.widgets import (
    PageWidgets,
    presenter_mode,
    publish_settings,
    restore_settings,
    setting_widget,
    show_url_notices,
)

PAGE = "home"


def render() -> None:
    """What the playground is, and the notebook's single neuron to explore."""
    st.title("Sequential Playground")
    st.markdown(
        "Build and train **real Keras `Sequential` networks** on real handwritten digits, right in "
        "your browser. Every page shows the code it runs, and every setup is a link you can share."
    )
    # Filled column by column, so a phone, which stacks the columns, lists them in the
    # sidebar's order.
    others = [page for page in SITE if page is not HOME]
    links, half = st.columns(2), (len(others) + 1) // 2
    for number, site in enumerate(others):
        links[number // half].page_link(
            f"pages/{site.script}", label=site.invitation, icon=site.icon
        )

    st.header("One neuron")
    st.markdown(
        "Every network on this site is made of neurons like this one. It multiplies each input by "
        "a weight, adds a bias, and passes the sum through an *activation function*."
    )
    restore_settings(PAGE, NEURON_SETTINGS)
    show_url_notices(PAGE)
    controls, picture = st.columns([1, 2], gap="large")
    with controls:
        columns = st.columns(2)
        for index in range(3):
            setting_widget(NEURON_SETTINGS[index], columns[0])
            setting_widget(NEURON_SETTINGS[index + 3], columns[1])
        setting_widget(NEURON_SETTINGS[6])
        setting_widget(NEURON_SETTINGS[7])
    values = {s.key: PageWidgets(PAGE)[s.key] for s in NEURON_SETTINGS}
    publish_settings(PAGE, values, NEURON_SETTINGS)

    inputs = [values[f"x{i}"] for i in (1, 2, 3)]
    weights = [values[f"w{i}"] for i in (1, 2, 3)]
    z = weighted_sum(inputs, weights, values["b"])
    output = activate(values["act"], z)
    with picture:
        st.plotly_chart(neuron_curve(values["act"], z, present=presenter_mode()), key="neuron")
        # One short line each, so the formula fits a phone and a projector without cutting off.
        terms = [f"({w:g})({x:g})" for w, x in zip(weights, inputs, strict=True)]
        st.latex(r"z = w_1 x_1 + w_2 x_2 + w_3 x_3 + b")
        st.latex(
            rf"\begin{{aligned}} z &= {terms[0]} + {terms[1]} \\ "
            rf"&\quad + {terms[2]} + ({values['b']:g}) \\ &= {z:.3f} \end{{aligned}}"
        )
        st.latex(ACTIVATIONS[values["act"]].latex)
        st.latex(rf"a = {values['act']}({z:.3f}) = {output:.3f}")
        st.metric("Neuron output", fixed(float(output)))
    st.markdown(
        "**Sigmoid** squeezes any sum into (0, 1), **tanh** into (−1, 1), **relu** lets positive "
        "sums through and silences negative ones. Training a network means finding the weights "
        "and biases of thousands of such neurons, by gradient descent."
    )
