"""Draw a Digit's pixel opened up, without a browser (AppTest): the section Draw shows under
Inside the network, run on an MNIST digit and the bundled CNN's answer from the inference
worker (the canvas is a component AppTest cannot draw on). Choosing a pixel with the selects
shows its window, weights, products, sum, bias and activation, ending on the network's own
number."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from pages._ui.draw_pixel import COLUMN_KEY, LAYER_KEY, MAP_KEY, ROW_KEY
from tests.helpers import WORKER_TIMEOUT, texts


def pixel_section() -> None:
    """The section as Draw calls it, for the first 4 of the bundled digits."""
    import numpy as np

    from nncore.data.mnist import mnist_images
    from nncore.workers.client import BUNDLED, answer
    from pages._ui import draw_pixel

    images, labels = mnist_images()
    x = images[int(np.flatnonzero(labels == 4)[0])].reshape(28, 28)
    draw_pixel.show(BUNDLED, x, answer(BUNDLED, x))


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_function(pixel_section, default_timeout=WORKER_TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(app: AppTest) -> str:
    return "\n".join(texts(app.markdown))


def agreement(app: AppTest) -> tuple[str, str]:
    """The page's own result and the network's number, as the page prints them."""
    (said,) = texts(app.success)
    network = re.search(r"\*\*(−?[\d.]+)\*\*: the same number", said)
    assert network is not None, said
    return said, network.group(1)


def test_nothing_is_opened_until_a_layer_is_chosen(app):
    assert "Click any pixel" in shown(app)
    assert app.selectbox(key=LAYER_KEY).value is None
    assert app.selectbox(key=LAYER_KEY).options == [
        f"{name} ({kind})"
        for name, kind in [
            ("conv1", "Conv2D"),
            ("pool1", "MaxPooling2D"),
            ("conv2", "Conv2D"),
            ("pool2", "MaxPooling2D"),
            ("conv3", "Conv2D"),
            ("pool3", "MaxPooling2D"),
        ]
    ]
    assert not app.success


def test_a_first_layer_pixel_shows_its_products_sum_bias_and_activation(app):
    app.selectbox(key=LAYER_KEY).set_value("conv1").run()
    # A chosen layer starts at its strongest pixel; then a pixel of the visitor's choosing.
    assert not app.exception and app.success
    app.selectbox(key=MAP_KEY).set_value(3)
    app.selectbox(key=ROW_KEY).set_value(14)
    app.selectbox(key=COLUMN_KEY).set_value(13).run()
    assert not app.exception, [e.value for e in app.exception]
    text = shown(app)
    assert "**Input window**" in text and "**× weights of filter 3**" in text
    assert "**= products**" in text
    total = re.search(r"Sum of the 9 products: \*\*(−?[\d.]+)\*\*", text)
    z = re.search(r"z = (−?[\d.]+) \+ \((−?[\d.]+)\) = \*\*(−?[\d.]+)\*\*", text)
    activated = re.search(r"relu\((−?[\d.]+)\) = \*\*(−?[\d.]+)\*\*", text)
    assert total and z and activated, text
    assert z.group(1) == total.group(1) and activated.group(1) == z.group(3)
    said, network = agreement(app)
    assert "conv1, map 3, row 14, column 13" in said
    assert activated.group(2) == network
    window = json.loads(app.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    assert window.replace("<br>", " ") == "conv1 reads the 28 × 28 input: the 3 × 3 window"


def test_a_deeper_layer_sums_every_input_channel(app):
    app.selectbox(key=LAYER_KEY).set_value("conv2").run()
    assert not app.exception, [e.value for e in app.exception]
    text = shown(app)
    assert "The filter reads all 32 channels" in text
    assert re.search(r"Sum over all 32 channels \(288 products\): \*\*−?[\d.]+\*\*", text)
    assert len(app.dataframe) == 1 and len(app.dataframe[0].value) == 32
    agreement(app)


def test_a_pooling_pixel_names_the_winner(app):
    app.selectbox(key=LAYER_KEY).set_value("pool2").run()
    assert not app.exception, [e.value for e in app.exception]
    text = shown(app)
    assert "**Max pooling** keeps the largest of the 2 × 2 numbers" in text
    largest = re.search(r"The largest, at row \d+, column \d+: \*\*(−?[\d.]+)\*\*", text)
    assert largest is not None, text
    assert f"**{largest.group(1)}**" in text.split("Max pooling")[1]  # bold in the table too
    assert agreement(app)[1] == largest.group(1)
