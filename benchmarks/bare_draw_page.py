"""The baseline page of ``draw_latency.py``: drawing a digit the way a competent engineer would
write it in one Streamlit script, with no worker processes.

The canvas (``st_canvas(return_image_data=True)``) → the same MNIST preprocessing as /draw
(``prepare_drawing``) → the bundled CNN loaded once in the web server with Keras
(``st.cache_resource``) and called directly (not ``model.predict``) → ``st.metric``.
Keras in the server means Streamlit resets Keras and collects garbage after every script run:
exactly the cost the app's worker processes are there to avoid.

Served by ``benchmarks/draw_latency.py`` (``streamlit run benchmarks/bare_draw_page.py``).
Run as a plain script it only says so.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

if not st.runtime.exists():
    print("bare_draw_page: a Streamlit page, served and measured by benchmarks/draw_latency.py")
    sys.exit(0)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from streamlit_drawable_canvas import st_canvas  # noqa: E402

from nncore.digits.bundled import ASSET  # noqa: E402
from nncore.digits.preprocess import prepare_drawing  # noqa: E402

PEN = 22  # the Draw page's default pen width, on the same 280 px canvas


@st.cache_resource
def digit_model():
    import keras

    return keras.models.load_model(ASSET, compile=False)


st.title("Draw a digit")
canvas = st_canvas(
    stroke_width=PEN,
    stroke_color="#FFFFFF",
    background_color="#000000",
    width=280,
    height=280,
    drawing_mode="freedraw",
    return_image_data=True,
    key="digit_canvas",
)
prepared = prepare_drawing(canvas.image_data if canvas is not None else None, pen_width=PEN)
if prepared.x is not None:
    probabilities = np.asarray(digit_model()(prepared.x.reshape(1, 28, 28, 1), training=False))[0]
    digit = int(np.argmax(probabilities))
    st.metric("Prediction", digit)
    st.metric("Confidence", f"{probabilities[digit]:.0%}")
else:
    st.info(prepared.notes[0])
