"""The Draw page's settings: the pen and which network answers."""

from __future__ import annotations

from nncore.settings import Setting

PEN = Setting(
    key="pen",
    label="Pen width",
    kind="int",
    default=22,
    low=6,
    high=40,
    step=2,
    help="Stroke width in canvas pixels. MNIST strokes are about a tenth of the digit's height.",
)
NETWORK = Setting(
    key="net",
    label="Network",
    kind="choice",
    default="cnn",
    choices={"cnn": "Bundled CNN (trained on MNIST)", "build": "Your network from Build & Train"},
    help="The bundled CNN ships with the app; your own works once trained on the Build page.",
)
SETTINGS = (PEN, NETWORK)
TEMPERATURE = Setting(
    key="temp",
    label="Temperature T (a lesson: the network's own answer is T = 1)",
    kind="float",
    default=1.0,
    low=0.1,
    high=10.0,
    log=True,
    help="Softmax divides the logits by T: below 1 the answer sharpens towards the largest "
    "logit, above 1 it flattens towards 10% each. Nothing the network answers changes.",
)
LINK_SETTINGS = (*SETTINGS, TEMPERATURE)  # everything the page's link carries
