"""Draw a Digit: one pixel of a feature map, opened up.

Click (or tap) a pixel of a convolution's or a max-pooling layer's maps, or pick it with the
selects (a phone's fallback): the page shows the window it reads on the map below, the
kernel's weights, the products and their sum, the bias and the activation, ending on the
network's own number for that pixel. The worker sends the numbers
(``nncore.workers.client.open_pixel``); ``nncore.digits.convolution`` redoes the arithmetic.
Choosing a pixel changes nothing in the setup, so it works under a teacher's lock.
"""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

from nncore.activations import ACTIVATIONS
from nncore.digits import figures
from nncore.digits.convolution import (
    ConvolutionArithmetic,
    convolution_arithmetic,
    grid_markdown,
    number,
    pooling_arithmetic,
    positions,
)
from nncore.workers.client import (
    Answer,
    ModelSource,
    OpenedPixel,
    WorkerUnavailable,
    open_pixel,
)
from pages._ui.widgets import plain_text, presenter_mode

LAYER_KEY = "draw_pixel_layer"
MAP_KEY = "draw_pixel_map"  # from 1, as the maps' hover text counts them
ROW_KEY = "draw_pixel_row"
COLUMN_KEY = "draw_pixel_column"
SINGLE_MAP_KEY = "draw_pixel_single_map"
KIND_NAMES = {"conv": "Conv2D", "pool": "MaxPooling2D"}
# The page's sum and the network's differ only by float32 rounding.
AGREEMENT = 1e-5


def chart_key(layer: str) -> str:
    """The key of ``layer``'s maps in Inside the network (its selection lives under it)."""
    return f"draw_layer_{layer}"


def _custom_values(data: object) -> list[float]:
    """A clicked point's customdata as numbers: a list, or (for an array plotly sent in its
    binary form) a dict keyed by position."""
    if isinstance(data, dict):
        return [float(data[k]) for k in sorted(data, key=int)]
    if isinstance(data, list | tuple):
        return [float(v) for v in data]
    return []


def pick_from_chart(layer: str, key: str) -> None:
    """Callback of a clickable map: the clicked pixel becomes the one opened up."""
    selection = st.session_state.get(key)
    points = selection["selection"]["points"] if selection else []
    picked = [_custom_values(point.get("customdata")) for point in points]
    picked = [values for values in picked if len(values) >= 3]
    if not picked:
        return
    number_from_1, row, column = (int(round(v)) for v in picked[0][:3])
    st.session_state[LAYER_KEY] = layer
    st.session_state[MAP_KEY] = number_from_1
    st.session_state[ROW_KEY] = row
    st.session_state[COLUMN_KEY] = column


def forget_pixel() -> None:
    """Callback of the layer select: the new layer starts at its strongest pixel."""
    for key in (MAP_KEY, ROW_KEY, COLUMN_KEY):
        st.session_state.pop(key, None)


def chosen_mark(layer: str) -> tuple[int, int, int] | None:
    """(map from 0, row, column) of the opened pixel if it is on ``layer``, to ring it."""
    if st.session_state.get(LAYER_KEY) != layer:
        return None
    try:
        return (
            int(st.session_state[MAP_KEY]) - 1,
            int(st.session_state[ROW_KEY]),
            int(st.session_state[COLUMN_KEY]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def map_chart(container, layer: str, maps: np.ndarray) -> None:
    """``layer``'s feature maps in Inside the network: a click on a map opens its strongest
    pixel."""
    key = chart_key(layer)
    container.plotly_chart(
        figures.feature_maps(
            layer, maps, present=presenter_mode(), clickable=True, mark=chosen_mark(layer)
        ),
        key=key,
        on_select=functools.partial(pick_from_chart, layer, key),
        selection_mode=("points",),
    )


def _settle_choice(names: list[str], outputs: dict[str, np.ndarray]) -> str | None:
    """Make the select values fit the current network before the selects are drawn: a layer
    it lacks is forgotten, a pixel outside the layer's maps moves to its strongest pixel."""
    layer = st.session_state.get(LAYER_KEY)
    if layer not in names:
        st.session_state[LAYER_KEY] = None
        return None
    maps = outputs[layer]
    rows, columns, count = maps.shape
    fits = (
        st.session_state.get(MAP_KEY) in range(1, count + 1)
        and st.session_state.get(ROW_KEY) in range(rows)
        and st.session_state.get(COLUMN_KEY) in range(columns)
    )
    if not fits:
        row, column, channel = np.unravel_index(int(np.argmax(maps)), maps.shape)
        st.session_state[MAP_KEY] = int(channel) + 1
        st.session_state[ROW_KEY] = int(row)
        st.session_state[COLUMN_KEY] = int(column)
    return str(layer)


def show(source: ModelSource, x: np.ndarray, reply: Answer) -> None:
    """The section under Inside the network: the selects, then the chosen pixel opened up."""
    outputs = {name: maps for name, maps in reply.layers if np.ndim(maps) == 3}
    kinds = {name: kind for name, kind in reply.openable if name in outputs}
    if not kinds:
        return
    names = list(kinds)
    st.subheader("One pixel, opened up")
    st.markdown(
        "Click any pixel of a convolution or pooling map above (or choose it here) to see the "
        "arithmetic that made it."
    )
    layer = _settle_choice(names, outputs)
    layer_column, map_column, row_column, column_column = st.columns([3, 2, 2, 2])
    layer_column.selectbox(
        "Layer",
        names,
        key=LAYER_KEY,
        on_change=forget_pixel,
        format_func=lambda name: f"{name} ({KIND_NAMES[kinds[name]]})",
        placeholder="Pick a layer",
    )
    if layer is None:
        return
    rows, columns, count = outputs[layer].shape
    map_column.selectbox("Map", range(1, count + 1), key=MAP_KEY)
    row_column.selectbox("Row", range(rows), key=ROW_KEY, help="Row 0 is the top.")
    column_column.selectbox("Column", range(columns), key=COLUMN_KEY, help="Column 0 is the left.")
    where = (
        layer,
        int(st.session_state[ROW_KEY]),
        int(st.session_state[COLUMN_KEY]),
        int(st.session_state[MAP_KEY]) - 1,
    )
    try:
        pixel = open_pixel(source, x, where)
    except WorkerUnavailable:
        st.error("The digit network is restarting. Choose the pixel again in a few seconds.")
        return
    except ValueError:
        st.info("That pixel is not in this network any more: choose another one.")
        return
    explain(pixel, outputs[layer])


def explain(pixel: OpenedPixel, maps: np.ndarray) -> None:
    """The window on the map the layer reads, the layer's map with the pixel, the arithmetic."""
    present = presenter_mode()
    name = plain_text(pixel.layer, 60)
    shown = pixel.channel
    arithmetic = None
    if pixel.kind == "conv":
        assert pixel.kernel is not None
        arithmetic = convolution_arithmetic(
            pixel.window, pixel.kernel, pixel.bias, pixel.activation, pixel.all_z, pixel.channel
        )
        shown = _channel_shown(pixel, arithmetic)
    pool = pooling_arithmetic(pixel.window) if pixel.kind == "pool" else None
    channels = pixel.inputs.shape[-1]
    height, width = pixel.size
    reads = f"{pixel.layer} reads {pixel.source}"
    if channels > 1:
        reads += f", channel {shown + 1} of {channels}"
    reads += f": the {height} × {width} window"
    reading, making = st.columns(2, gap="large")
    reading.plotly_chart(
        figures.window_figure(
            pixel.inputs[..., shown],
            pixel.top,
            pixel.left,
            pixel.size,
            reads,
            picture=pixel.source.startswith("the 28"),
            mark=pool.winner if pool else None,
            present=present,
        ),
        key="draw_pixel_window",
    )
    making.plotly_chart(
        figures.single_map(
            maps[..., pixel.channel],
            pixel.channel,
            f"{pixel.layer}, map {pixel.channel + 1}: row {pixel.row}, column {pixel.column}",
            (pixel.row, pixel.column),
            present=present,
        ),
        key=SINGLE_MAP_KEY,
        on_select=functools.partial(pick_from_chart, pixel.layer, SINGLE_MAP_KEY),
        selection_mode=("points",),
    )
    rows = positions(pixel.top, height, pixel.inputs.shape[0])
    columns = positions(pixel.left, width, pixel.inputs.shape[1])
    if arithmetic is not None:
        value = _convolution_steps(pixel, arithmetic, shown, rows, columns, name)
    else:
        assert pool is not None
        st.markdown(
            f"**Max pooling** keeps the largest of the {height} × {width} numbers under its "
            f"window on map {pixel.channel + 1} (rows down, columns across; · is outside the "
            "map):"
        )
        st.markdown(grid_markdown(pool.window, rows, columns, mark=pool.winner))
        winner_row, winner_column = (rows[pool.winner[0]], columns[pool.winner[1]])
        st.markdown(
            f"The largest, at row {winner_row}, column {winner_column}: "
            f"**{number(pool.value)}**. The other {height * width - 1} are dropped."
        )
        value = pool.value
    _agreement(pixel, value, name)


def _channel_shown(pixel: OpenedPixel, arithmetic: ConvolutionArithmetic) -> int:
    """Which input channel's window and products are shown: the visitor's pick, else the one
    adding the most to the sum (a first layer reads one channel, the drawing)."""
    channels = pixel.inputs.shape[-1]
    if channels == 1:
        return 0
    strongest = arithmetic.strongest_channel
    key = f"draw_pixel_channel_{pixel.layer}_{pixel.channel}_{pixel.row}_{pixel.column}"
    return int(
        st.selectbox(
            f"Input channel shown in detail (of {channels}; channel {strongest + 1} adds the most)",
            range(channels),
            index=strongest,
            format_func=lambda c: (
                f"channel {c + 1}: its products add up to "
                f"{number(float(arithmetic.channel_sums[c]))}"
            ),
            key=key,
        )
    )


def _convolution_steps(
    pixel: OpenedPixel,
    arithmetic: ConvolutionArithmetic,
    shown: int,
    rows: list[str],
    columns: list[str],
    name: str,
) -> float | None:
    """The window, the kernel and their products as tables, then sum, bias and activation;
    returns the activation's value (None when it is not one the page redoes)."""
    channels = pixel.inputs.shape[-1]
    height, width = pixel.size
    on_channel = f" (channel {shown + 1})" if channels > 1 else ""
    cells = [
        (f"Input window{on_channel}", arithmetic.window[..., shown], rows, columns),
        (
            f"× weights of filter {pixel.channel + 1}{on_channel}",
            arithmetic.kernel[..., shown],
            [str(r) for r in range(height)],
            [str(c) for c in range(width)],
        ),
        ("= products", arithmetic.products[..., shown], rows, columns),
    ]
    # Three small tables side by side while they fit, one under another for larger kernels.
    places = st.columns(3) if width <= 3 else [st.container() for _ in cells]
    for place, (heading, values, row_labels, column_labels) in zip(places, cells, strict=True):
        place.markdown(f"**{heading}**")
        place.markdown(grid_markdown(values, row_labels, column_labels))
    if any(label == "pad" for label in rows + columns):
        st.caption("'pad': the window hangs over the map's edge there ('same' padding): zeros.")
    products = height * width
    if channels == 1:
        st.markdown(f"Sum of the {products} products: **{number(arithmetic.total)}**")
    else:
        st.markdown(
            f"Channel {shown + 1}'s {products} products add up to "
            f"**{number(arithmetic.channel_sums[shown])}**. The filter reads all {channels} "
            f"channels, each with its own {height} × {width} weights; each channel's sum:"
        )
        st.dataframe(
            {
                "channel": list(range(1, channels + 1)),
                "sum of its products": [number(v) for v in arithmetic.channel_sums],
            },
            hide_index=True,
            height=min(36 * channels + 40, 250),
        )
        st.markdown(
            f"Sum over all {channels} channels ({channels * products} products): "
            f"**{number(arithmetic.total)}**"
        )
    st.markdown(
        f"Plus the bias of filter {pixel.channel + 1}, b = {number(arithmetic.bias)}: "
        f"z = {number(arithmetic.total)} + ({number(arithmetic.bias)}) = "
        f"**{number(arithmetic.z)}**"
    )
    activation = ACTIVATIONS.get(pixel.activation)
    if arithmetic.value is None or activation is None:
        st.markdown(
            f"Then {name}'s activation, {plain_text(pixel.activation, 40)}, which this page "
            "does not redo."
        )
        return None
    if pixel.activation == "softmax":
        st.markdown(
            f"Softmax across the {len(pixel.all_z) if pixel.all_z is not None else 0} filters' "
            f"z at this position: **{number(arithmetic.value)}**"
        )
    else:
        st.markdown(
            f"Through the activation, {activation.label}: "
            f"{pixel.activation}({number(arithmetic.z)}) = **{number(arithmetic.value)}**"
        )
        st.latex(activation.latex)
    return arithmetic.value


def _agreement(pixel: OpenedPixel, value: float | None, name: str) -> None:
    """The network's own number for the pixel, and whether the arithmetic gave it."""
    said = (
        f"The network's own pixel ({name}, map {pixel.channel + 1}, row {pixel.row}, "
        f"column {pixel.column}): **{number(pixel.output)}**"
    )
    if value is None:
        st.info(said + ".", icon=":material/calculate:")
    elif abs(value - pixel.output) <= AGREEMENT * max(1.0, abs(pixel.output)):
        st.success(said + ": the same number.", icon=":material/check_circle:")
    else:  # never expected: the arithmetic shown would be wrong
        st.warning(said + f", not {number(value)}.", icon=":material/warning:")
