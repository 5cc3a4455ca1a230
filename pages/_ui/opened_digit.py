"""A test digit taken from Build & Train to Draw a Digit with one click.

Build's confusion matrix opens a cell into its test digits; "Draw it" puts one of them on Draw
a Digit, where it stands in for the empty canvas: the 28 × 28 picture the network sees, its
answer, what happens inside, and a lesson in teaching it. The picture travels in the visitor's
session, not in the link: an uploaded file's digits must not end up in an address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from nncore.digits.preprocess import Prepared

OPENED_KEY = "_draw_opened_digit"


@dataclass(frozen=True)
class OpenedDigit:
    """A 28 × 28 picture in [0, 1], as the network was tested on it, and where it came from
    (a sentence, Markdown)."""

    x: np.ndarray
    origin: str


def open_on_draw(digit: OpenedDigit) -> None:
    """Hand ``digit`` to Draw a Digit (the caller then switches to that page)."""
    st.session_state[OPENED_KEY] = digit


def forget() -> None:
    """Callback: back to the empty canvas."""
    st.session_state.pop(OPENED_KEY, None)


def instead_of_empty(prepared: Prepared, place: Any) -> Prepared:
    """The opened digit while the canvas is empty; once the visitor draws, the drawing wins
    and the digit is forgotten (a stroke that is only a dot counts as drawing: its own hint is
    clearer than an old digit coming back). ``place`` is where the page says what is shown."""
    opened = st.session_state.get(OPENED_KEY)
    if not isinstance(opened, OpenedDigit):
        return prepared
    if prepared.box is not None:
        forget()
        return prepared
    place.info(f"{opened.origin} Draw on the canvas to replace it.", icon=":material/move_item:")
    place.button("Back to an empty canvas", key="forget_opened_digit", on_click=forget)
    return Prepared(np.array(opened.x, dtype=np.float32))
