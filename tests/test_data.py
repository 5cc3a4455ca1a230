"""MNIST rows prepared as the notebook does, with every digit equally represented."""

import numpy as np
import pytest

from nncore.data import balanced_subset, mnist_digits, one_hot, prepare_split
from nncore.spec import SEED_NOTEBOOK, SMALL_CNN, NetworkSpec


def test_bundled_digits_are_real_mnist():
    pixels, labels = mnist_digits()
    assert pixels.shape == (5000, 784) and pixels.dtype == np.uint8
    assert np.bincount(labels).tolist() == [500] * 10
    assert pixels.max() == 255 and not pixels.flags.writeable


@pytest.mark.parametrize("size", [500, 1000, 1500, 5000])
def test_balanced_subset_has_every_digit_equally(size):
    _, labels = mnist_digits()
    rows = balanced_subset(labels, size, seed=3)
    assert len(rows) == len(set(rows)) == size
    assert np.bincount(labels[rows], minlength=10).tolist() == [size // 10] * 10


def test_balanced_subset_depends_on_seed():
    _, labels = mnist_digits()
    assert not np.array_equal(balanced_subset(labels, 1000, 0), balanced_subset(labels, 1000, 1))


def test_prepare_split_follows_the_notebook():
    split = prepare_split(SEED_NOTEBOOK)
    assert split.x_train.shape == (800, 784) and split.x_test.shape == (200, 784)
    assert split.x_train.min() >= 0.0 and split.x_train.max() <= 1.0
    assert np.all(split.y_train.sum(axis=1) == 1)
    assert np.bincount(split.labels_test).tolist() == [20] * 10


def test_prepare_split_shapes_pictures_for_conv_layers():
    split = prepare_split(NetworkSpec(layers=SMALL_CNN.layers, rows=500, test=0.3))
    assert split.x_train.shape == (350, 28, 28, 1) and split.x_test.shape == (150, 28, 28, 1)


def test_one_hot_matches_keras_to_categorical():
    from nncore.keras_runtime import keras

    labels = np.array([3, 0, 9, 3])
    assert np.array_equal(one_hot(labels), keras.utils.to_categorical(labels, 10))
