"""The look every figure shares: font sizes (normal and presenter mode) and the fixed colours.

One place, so a chart on the Build page and one on the Descent page read the same from the
back of a classroom. Presenter mode (``present=1``) scales every figure's text up.
"""

from __future__ import annotations

FONT_SIZE = 16
PRESENTER_FONT_SIZE = 22
TRAIN_COLOUR = "#0072B2"  # Okabe–Ito blue
TEST_COLOUR = "#D55E00"  # Okabe–Ito vermillion: apart from blue for every kind of colour vision
INK_COLOUR = "#0072B2"
WINNER_COLOUR = "#D55E00"


def font(present: bool = False, scale: float = 1.0) -> dict[str, float]:
    """Plotly's ``font`` for a figure: bigger in presenter mode."""
    return {"size": round((PRESENTER_FONT_SIZE if present else FONT_SIZE) * scale)}


def panel_titles(figure, present: bool = False):
    """A figure's panel titles at its text's size: plotly writes a subplot's title 16 px
    whatever the figure's font, small beside presenter mode's text. Call it right after
    ``make_subplots``, while the titles are the figure's only annotations."""
    figure.update_annotations(font_size=font(present)["size"])
    return figure
