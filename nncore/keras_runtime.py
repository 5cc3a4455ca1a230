"""The one place TensorFlow and Keras are imported, with the process's thread pools set up.

Only worker processes (and tests and the command line) import this: never the web server.

TensorFlow fixes its thread pools at first use and raises if they are changed afterwards, so
they are configured here, at import, exactly once for the whole process. Each training uses
the pools of the process; several visitors training at once share them instead of each
spawning a pool per core.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

CORES = os.cpu_count() or 1
# Each training traces its own epoch function by design; TensorFlow's retracing warning would
# only alarm the teacher reading the server log.
tf.get_logger().setLevel("ERROR")


def use_threads(count: int) -> None:
    """Let this process's TensorFlow use ``count`` threads (an inference worker needs one, a
    trainer more). Only before its first op: afterwards TensorFlow keeps what it has, which is
    also what happens to a process that imported TensorFlow before this module."""
    try:
        tf.config.threading.set_intra_op_parallelism_threads(count)
        tf.config.threading.set_inter_op_parallelism_threads(min(2, count))
    except RuntimeError:
        pass


# A worker says how many threads it may use; everyone else uses every core.
use_threads(int(os.environ.get("PLAYGROUND_TF_THREADS", CORES)))

__all__ = ["CORES", "keras", "tf", "use_threads"]
