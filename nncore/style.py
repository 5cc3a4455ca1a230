"""The look every figure shares: font sizes (normal and presenter mode) and the fixed colours.

One place, so a chart on the Build page and one on the Descent page read the same from the
back of a classroom. Presenter mode (``present=1``) scales every figure's text up.
"""

from __future__ import annotations

import textwrap

FONT_SIZE = 16
PRESENTER_FONT_SIZE = 22
# The least any figure text may be on a projector: the page's own text there is 26 px, and a
# tick label or a note shrunk below this is lost from the back row.
PRESENTER_MIN_FONT_SIZE = 22
TRAIN_COLOUR = "#0072B2"  # Okabe–Ito blue
TEST_COLOUR = "#D55E00"  # Okabe–Ito vermillion: apart from blue for every kind of colour vision
# Characters of a figure's title a line: what the narrowest column shows whole (a laptop's
# two-fifths, a phone), at the title's size. Plotly never wraps a title; it cuts it.
TITLE_LINE = 26
INK_COLOUR = "#0072B2"
WINNER_COLOUR = "#D55E00"


def text_size(present: bool = False, scale: float = 1.0) -> int:
    """A figure's text size in pixels, ``scale`` times the figure's own (a tick label or a
    note is written smaller than a title). In presenter mode never under
    ``PRESENTER_MIN_FONT_SIZE``: there the smaller text must still be read from the back."""
    size = round((PRESENTER_FONT_SIZE if present else FONT_SIZE) * scale)
    return max(size, PRESENTER_MIN_FONT_SIZE) if present else size


def font(present: bool = False, scale: float = 1.0) -> dict[str, float]:
    """Plotly's ``font`` for a figure: bigger in presenter mode (see ``text_size``)."""
    return {"size": text_size(present, scale)}


def panel_titles(figure, present: bool = False):
    """A figure's panel titles at its text's size: plotly writes a subplot's title 16 px
    whatever the figure's font, small beside presenter mode's text. Call it right after
    ``make_subplots``, while the titles are the figure's only annotations."""
    figure.update_annotations(font_size=font(present)["size"])
    return figure


# Which axes a trace of the left or right panel of ``two_panels`` is drawn on.
PANEL_AXES = ({"xaxis": "x", "yaxis": "y"}, {"xaxis": "x2", "yaxis": "y2"})


def two_panels(titles: tuple[str, str], present: bool = False) -> dict:
    """The layout of two plots side by side, titled above, spaced as ``make_subplots(rows=1,
    cols=2)`` spaces them: the axes (``xaxis``…``yaxis2``) and the titles (``annotations``),
    for a figure built in one step (``make_subplots`` and ``add_trace(row=, col=)`` re-validate
    the figure at every call). A trace goes on a panel with ``PANEL_AXES``."""
    domains = ([0.0, 0.45], [0.55, 1.0])
    layout: dict = {
        "annotations": [
            {
                "text": text,
                "x": sum(domain) / 2,
                "y": 1.0,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": font(present)["size"]},
            }
            for text, domain in zip(titles, domains, strict=True)
        ]
    }
    for axes, domain in zip(PANEL_AXES, domains, strict=True):
        x, y = axes["xaxis"], axes["yaxis"]
        layout[f"xaxis{x[1:]}"] = {"domain": domain, "anchor": y}
        layout[f"yaxis{y[1:]}"] = {"domain": [0.0, 1.0], "anchor": x}
    return layout


def title(text: str, present: bool = False, characters: int = TITLE_LINE) -> dict:
    """Plotly's ``title`` for a figure: the text broken at spaces into lines of at most
    ``characters``, just above the plot, the top margin grown to hold its lines (plotly lays a
    title of several lines over the plot otherwise). ``title_margin`` is the room it takes."""
    lines = textwrap.wrap(text, characters, break_long_words=False) or [""]
    return {
        "text": "<br>".join(lines),
        "yref": "paper",
        "y": 1,
        "yanchor": "bottom",
        "pad": {"b": round(font(present)["size"] * 0.5)},
        "automargin": True,
    }


def title_margin(text: str, present: bool = False, characters: int = TITLE_LINE) -> int:
    """About the height, in pixels, a figure's ``title`` takes above its plot (lines of about
    1.2 times the figure's text, 1.3 apart): add it to the figure's height so the plot keeps
    its own."""
    lines = len(textwrap.wrap(text, characters, break_long_words=False)) or 1
    return round(font(present)["size"] * (0.8 + 1.6 * lines))


def presenter_axes(figure, present: bool = False):
    """In presenter mode, every axis's numbers and title at the figure's text size.

    Streamlit's chart theme writes tick numbers at three quarters of the page's text and axis
    titles at seven eighths, and those win over the figure's own font: on a projector, where
    the page's text is 26 px, numbers came out at 19.5 px. Elsewhere the theme's sizes stay.
    Call it once the figure's axes exist (after ``make_subplots`` and the traces)."""
    if present:
        size = text_size(present)
        figure.update_xaxes(tickfont_size=size, title_font_size=size)
        figure.update_yaxes(tickfont_size=size, title_font_size=size)
    return figure


def outline_shape(
    left: float, right: float, bottom: float, top: float, colour: str, width: int
) -> dict:
    """A rectangle's outline in data coordinates, as a layout's ``shapes`` entry: how a figure
    marks the cell, pixel or picture a student chose (a confusion-matrix cell, a digit, a
    feature-map pixel)."""
    return {
        "type": "rect",
        "x0": left,
        "x1": right,
        "y0": bottom,
        "y1": top,
        "line": {"color": colour, "width": width},
    }
