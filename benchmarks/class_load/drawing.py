"""Draw a Digit's canvas value, as ``streamlit_drawable_canvas`` 0.13 sends it from a browser.

The component (Fabric.js 7 inside) sets its state key ``drawing`` to ``{"raw": <the canvas as
Fabric JSON>, "data": <a PNG data URL of the canvas>}`` after every stroke; the page asks for
``return_image_data``, so the PNG is there, and the widget's ``json_value`` is that state as
JSON: ``{"drawing": {...}}``. The canvas is 280 × 280 with a black background and a white pen,
so the PNG is what the browser's ``canvas.toDataURL("png")`` gives: opaque black, white
antialiased strokes, about 8–11 KB for a digit. Strokes here are a few templates of
handwritten digits, moved, scaled and wobbled at random so no two drawings are alike.
"""

from __future__ import annotations

import base64
import io
import json
import math
import random
from typing import Any

from PIL import Image, ImageDraw

SIZE = 280
PEN = 22  # the page's default pen width, in canvas pixels
SUPERSAMPLE = 4  # drawn larger, then shrunk: antialiased edges like the browser's

Stroke = list[tuple[float, float]]

# Each digit: its strokes, each a polyline in a 0..1 square (x right, y down).
_DIGITS: dict[int, list[Stroke]] = {
    0: [
        [
            (0.5 + 0.3 * math.sin(t / 12 * math.tau), 0.5 - 0.4 * math.cos(t / 12 * math.tau))
            for t in range(13)
        ]
    ],
    1: [[(0.42, 0.25), (0.55, 0.1), (0.55, 0.9)]],
    2: [[(0.25, 0.3), (0.4, 0.12), (0.65, 0.15), (0.7, 0.35), (0.25, 0.88), (0.78, 0.88)]],
    3: [[(0.25, 0.15), (0.7, 0.18), (0.45, 0.48), (0.72, 0.65), (0.6, 0.88), (0.25, 0.85)]],
    4: [[(0.6, 0.1), (0.22, 0.62), (0.8, 0.62)], [(0.62, 0.35), (0.62, 0.92)]],
    5: [[(0.72, 0.12), (0.32, 0.12), (0.28, 0.45), (0.65, 0.48), (0.7, 0.78), (0.3, 0.88)]],
    7: [[(0.22, 0.15), (0.78, 0.15), (0.42, 0.9)], [(0.38, 0.5), (0.68, 0.5)]],
    8: [
        [
            (0.5, 0.5),
            (0.28, 0.3),
            (0.5, 0.1),
            (0.72, 0.3),
            (0.5, 0.5),
            (0.25, 0.72),
            (0.5, 0.92),
            (0.75, 0.72),
            (0.5, 0.5),
        ]
    ],
}


def random_digit(rng: random.Random) -> tuple[int, list[Stroke]]:
    """A digit and its strokes in canvas pixels, placed and wobbled as a hand would."""
    digit = rng.choice(list(_DIGITS))
    scale = rng.uniform(150, 210)
    left = rng.uniform(20, SIZE - 20 - scale)
    top = rng.uniform(20, SIZE - 20 - scale)
    strokes = []
    for template in _DIGITS[digit]:
        points = [
            (left + scale * (x + rng.gauss(0, 0.02)), top + scale * (y + rng.gauss(0, 0.02)))
            for x, y in template
        ]
        strokes.append(_densify(points, rng))
    return digit, strokes


def _densify(points: Stroke, rng: random.Random, step: float = 6.0) -> Stroke:
    """A mouse reports a point every few pixels: the polyline as such points, jittered."""
    out = [points[0]]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        count = max(1, int(math.hypot(x1 - x0, y1 - y0) / step))
        for i in range(1, count + 1):
            t = i / count
            out.append(
                (x0 + t * (x1 - x0) + rng.gauss(0, 0.6), y0 + t * (y1 - y0) + rng.gauss(0, 0.6))
            )
    return [(round(x, 2), round(y, 2)) for x, y in out]


def canvas_png(strokes: list[Stroke]) -> bytes:
    """The canvas as the browser's ``toDataURL("png")`` encodes it."""
    big = SIZE * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 255))
    draw = ImageDraw.Draw(image)
    width = PEN * SUPERSAMPLE
    for stroke in strokes:
        points = [(x * SUPERSAMPLE, y * SUPERSAMPLE) for x, y in stroke]
        draw.line(points, fill=(255, 255, 255, 255), width=width, joint="curve")
        for x, y in (points[0], points[-1]):  # round caps
            r = width / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, 255))
    small = image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    small.save(buffer, format="PNG")
    return buffer.getvalue()


def _fabric_path(stroke: Stroke) -> dict[str, Any]:
    """One freehand stroke as Fabric's ``Path.toObject`` writes it (quadratic segments)."""
    xs, ys = [x for x, _ in stroke], [y for _, y in stroke]
    path: list[list[Any]] = [["M", stroke[0][0], stroke[0][1]]]
    for (x0, y0), (x1, y1) in zip(stroke, stroke[1:], strict=False):
        path.append(["Q", x0, y0, round((x0 + x1) / 2, 3), round((y0 + y1) / 2, 3)])
    path.append(["L", stroke[-1][0], stroke[-1][1]])
    return {
        "type": "Path",
        "version": "7.4.0",
        "originX": "left",
        "originY": "top",
        "left": round(min(xs) - PEN / 2, 3),
        "top": round(min(ys) - PEN / 2, 3),
        "width": round(max(xs) - min(xs), 3),
        "height": round(max(ys) - min(ys), 3),
        "fill": None,
        "stroke": "#FFFFFF",
        "strokeWidth": PEN,
        "strokeDashArray": None,
        "strokeLineCap": "round",
        "strokeDashOffset": 0,
        "strokeLineJoin": "round",
        "strokeUniform": False,
        "strokeMiterLimit": 10,
        "scaleX": 1,
        "scaleY": 1,
        "angle": 0,
        "flipX": False,
        "flipY": False,
        "opacity": 1,
        "shadow": None,
        "visible": True,
        "backgroundColor": "",
        "fillRule": "nonzero",
        "paintFirst": "fill",
        "globalCompositeOperation": "source-over",
        "skewX": 0,
        "skewY": 0,
        "lockMovementX": False,
        "lockMovementY": False,
        "lockRotation": False,
        "lockScalingX": False,
        "lockScalingY": False,
        "lockSkewingX": False,
        "lockSkewingY": False,
        "lockScalingFlip": False,
        "path": path,
    }


def canvas_value(strokes: list[Stroke]) -> str:
    """The canvas widget's ``json_value`` once ``strokes`` are drawn ([] is a cleared canvas)."""
    raw = {
        "version": "7.4.0",
        "objects": [_fabric_path(stroke) for stroke in strokes],
        "background": "#000000",
    }
    data = "data:image/png;base64," + base64.b64encode(canvas_png(strokes)).decode("ascii")
    return json.dumps({"drawing": {"raw": raw, "data": data}}, separators=(",", ":"))
