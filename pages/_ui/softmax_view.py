"""Softmax by the numbers, wherever a page shows a network's answer to one picture.

Draw a Digit opens its answer to a drawing this way, Build & Train its answer to a test digit:
the same logits → exponentials → sum → probabilities table (``nncore.digits.softmax``), so a
student who learnt to read it on one page reads it on the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import streamlit as st

from nncore.digits.softmax import softmax_steps, steps_table, temperature_bars
from pages._ui.widgets import presenter_mode


def show_softmax_steps(
    logits: np.ndarray,
    key: str,
    temperature: Callable[[], float] | None = None,
    names: Sequence[str] | None = None,
    expanded: bool = False,
) -> None:
    """The logits, their exponentials, the sum and the probabilities, in an expander.

    ``temperature`` draws the page's temperature control and returns its value (a lesson that
    sharpens or flattens the answer, with its bars); without it the table is the network's own
    answer, T = 1. ``names`` label the rows when the classes are not the ten digits (an uploaded
    file's); ``key`` keeps this page's elements apart from another's.
    """
    with st.expander("Softmax, by the numbers", icon=":material/functions:", expanded=expanded):
        st.markdown(
            "The last layer computes one number per class, the **logits** z. Softmax turns "
            "them into probabilities that add up to 1:"
        )
        st.latex(r"p_k = \frac{e^{z_k / T}}{\sum_j e^{z_j / T}}")
        chosen = 1.0 if temperature is None else float(temperature())
        steps = softmax_steps(logits, chosen)
        rows = steps_table(steps)
        if names is not None:  # a file's classes, by name (a table cell shows text as it is)
            rows = [
                {"class": str(name)[:40], **{k: v for k, v in row.items() if k != "digit"}}
                for name, row in zip(names, rows, strict=True)
            ]
        # A table, not a data grid: on a phone its headers wrap and every number stays in
        # view, where a grid cut the last column off.
        st.table(rows, hide_index=True)
        st.markdown(
            f"Sum of the exponentials: **{steps.total:.4g}**. Each is taken of z − max z, which "
            "leaves every fraction unchanged and keeps the numbers readable."
        )
        if temperature is None:
            st.caption(
                "This is the network's own answer (T = 1); Draw a Digit has a temperature to "
                "sharpen or flatten it."
            )
        else:
            st.plotly_chart(
                temperature_bars(logits, chosen, present=presenter_mode()),
                key=f"{key}_temperature",
            )
