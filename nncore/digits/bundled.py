"""Train the small CNN shipped as ``assets/digit_cnn.keras``: ``python -m nncore.digits.bundled``.

Setup, data, model, train, evaluate, save, in that order. Everything is seeded, so running it
again gives the same split and, up to TensorFlow's thread scheduling, the same model.

The bundled MNIST rows are only 5,000 digits, and people draw with thicker or thinner strokes,
slightly tilted and off-size. So every epoch sees a freshly distorted copy of the training rows
(small rotations, shifts, scaling, stroke thickness). A class-balanced part of the rows is held
out and never trained on; the accuracy printed at the end is measured on it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from scipy import ndimage

from nncore.data.mnist import HELD_OUT_SEED, accuracy, held_out_split, mnist_images

SEED = HELD_OUT_SEED
ASSET = Path(__file__).resolve().parents[2] / "assets" / "digit_cnn.keras"

MAX_ROTATION_DEG = 12.0
MAX_SHIFT_PX = 2.0
SCALE_RANGE = (0.85, 1.1)


def distort(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One randomly rotated, scaled, shifted and thickened/thinned copy of a 28x28 digit.

    The ranges are the ones a person's drawing varies by after our MNIST-style preprocessing:
    tilt, size within the 20 px box, a pixel or two of centring, and pen width.
    """
    angle = np.deg2rad(rng.uniform(-MAX_ROTATION_DEG, MAX_ROTATION_DEG))
    scale = rng.uniform(*SCALE_RANGE)
    shift = rng.uniform(-MAX_SHIFT_PX, MAX_SHIFT_PX, size=2)
    cos, sin = np.cos(angle) / scale, np.sin(angle) / scale
    matrix = np.array([[cos, -sin], [sin, cos]])  # output pixel -> input pixel
    centre = np.array([14.0, 14.0])
    offset = centre - matrix @ (centre + shift)
    out = ndimage.affine_transform(image, matrix, offset=offset, order=1, mode="constant")
    pen = rng.random()
    if pen < 0.25:
        out = ndimage.grey_dilation(out, size=(2, 2))
    elif pen < 0.4:
        out = 0.5 * (out + ndimage.grey_erosion(out, size=(2, 2)))
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def distorted_copy(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A fresh distortion of every image (one per epoch, so the network never sees one twice)."""
    return np.stack([distort(image, rng) for image in images])


def build_model():
    """Three small convolution blocks and one dense layer: about 90k weights, well under 2 MB."""
    from nncore.keras_runtime import keras

    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1"),
            layers.MaxPooling2D(name="pool1"),
            layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2"),
            layers.MaxPooling2D(name="pool2"),
            layers.Conv2D(64, 3, padding="same", activation="relu", name="conv3"),
            layers.MaxPooling2D(name="pool3"),
            layers.Flatten(name="flatten"),
            layers.Dropout(0.3, name="dropout"),
            layers.Dense(64, activation="relu", name="dense"),
            layers.Dense(10, activation="softmax", name="digit"),
        ],
        name="digit_cnn",
    )


def train(epochs: int, out: Path, seed: int = SEED) -> float:
    """Train, report, save without optimizer state; return the held-out accuracy."""
    from nncore.keras_runtime import keras

    started = time.perf_counter()
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)

    # Data: a class-balanced held-out part the network never trains on.
    x, y = mnist_images()
    train_idx, held_idx = held_out_split(y, seed=seed)
    x_train, y_train = x[train_idx], y[train_idx]

    # Model: Adam with a learning rate that decays to zero over the run.
    model = build_model()
    batch_size = 64
    steps = epochs * int(np.ceil(len(x_train) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(2e-3, decay_steps=steps)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )

    # Train: a freshly distorted copy of the training rows every epoch.
    for epoch in range(1, epochs + 1):
        history = model.fit(
            distorted_copy(x_train, rng)[..., None],
            y_train,
            batch_size=batch_size,
            epochs=1,
            shuffle=True,
            verbose=0,
        )
        print(
            f"epoch {epoch:2d}/{epochs}: loss {history.history['loss'][0]:.4f}, "
            f"train accuracy {history.history['accuracy'][0]:.4f}",
            flush=True,
        )

    # Evaluate on the rows it never saw.
    held_accuracy = accuracy(model.predict(x[held_idx][..., None], verbose=0), y[held_idx])
    seconds = time.perf_counter() - started

    # Save the weights in an uncompiled twin, so the file carries no optimizer state.
    shipped = build_model()
    shipped.set_weights(model.get_weights())
    out.parent.mkdir(parents=True, exist_ok=True)
    shipped.save(out)
    print(f"held_out_accuracy: {held_accuracy:.4f} ({len(held_idx)} rows)")
    print(f"training_time: {seconds:.1f} s")
    print(f"model_size: {out.stat().st_size / 1e6:.2f} MB ({out})")
    return held_accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--out", type=Path, default=ASSET)
    args = parser.parse_args()
    train(args.epochs, args.out)


if __name__ == "__main__":
    main()
