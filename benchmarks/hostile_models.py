"""What a hostile .keras upload costs the web server: ``check_keras_file`` on each attack.

The attacks are made here, as the issue "one visitor cannot take the machine" describes them:
a 784→500,000→10 network with hollow zero weights (a few KB that took 13 s and 8.5 GB to load),
the overlapping-entry zip bomb (30 directory entries of 1 GiB sharing one deflated member,
with config.json and model.weights.h5 beside them; and with three names only, metadata.json
and model.weights.h5 sharing the member), a valid zip of nine 1 GiB members,
config.json nested 100,000 deep, duplicate names, and the largest config.json allowed (1 MB)
filled with escaped quotes or with objects. Each is checked in this process, as the server
and then the inference worker do; CPU seconds (``time.process_time``) and wall time are the
worst of a few runs, peak memory is what ``tracemalloc`` saw in one more. The baseline is the
check of the bundled CNN's file, in the same run; every ratio is against its median.
Target: each hostile file at most 1 CPU-second, printed with "met" or "MISSED".
Run: .venv/bin/python benchmarks/hostile_models.py [runs]
"""

from __future__ import annotations

import functools
import io
import json
import statistics
import struct
import sys
import time
import tracemalloc
import warnings
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness import ratio, verdict  # noqa: E402

from nncore.digits.bundled import ASSET  # noqa: E402
from nncore.digits.model_files import MAX_CONFIG_BYTES, ModelFileProblem, check_keras_file  # noqa: E402

TARGET_CPU_S = 1.0
GIB = 1 << 30
BASELINE_RUNS = 200


# --- the attacks ---------------------------------------------------------------------------------


def dense_config(units: int) -> dict[str, Any]:
    """A Keras 3 config.json of 784 → ``units`` relu → 10 softmax."""

    def dense(name: str, width: int, activation: str) -> dict[str, Any]:
        config = {"name": name, "units": width, "activation": activation, "use_bias": True}
        return {"module": "keras.layers", "class_name": "Dense", "config": config}

    layers = [
        {
            "module": "keras.layers",
            "class_name": "InputLayer",
            "config": {"batch_shape": [None, 784]},
        },
        dense("dense", units, "relu"),
        dense("dense_1", 10, "softmax"),
    ]
    return {"module": "keras", "class_name": "Sequential", "config": {"layers": layers}}


def hollow_weights(units: int) -> bytes:
    """The weights of ``dense_config(units)``, gzip-compressed inside HDF5 and never written."""
    import h5py

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as weights:
        shapes = {"dense": [(784, units), (units,)], "dense_1": [(units, 10), (10,)]}
        for layer, arrays in shapes.items():
            for index, shape in enumerate(arrays):
                path = f"layers/{layer}/vars/{index}"
                weights.create_dataset(path, shape, "float32", compression="gzip", fillvalue=0)
    return buffer.getvalue()


def zip_of(*files: tuple[str, bytes]) -> bytes:
    """A zip as Python's zipfile writes it (deflated), names in order, twice if given twice."""
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        warnings.simplefilter("ignore")  # a duplicate name is the point of one attack
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()


Member = tuple[str, bytes, int, int, int]  # name, stored bytes, method, crc, size
LOCAL = struct.Struct("<4s5H3L2H")
CENTRAL = struct.Struct("<4s6H3L5H2L")
END = struct.Struct("<4s4H2LH")


def stored(name: str, data: bytes) -> Member:
    return name, data, zipfile.ZIP_STORED, zlib.crc32(data), len(data)


def zeros_deflated(name: str, size: int) -> Member:
    """``size`` zero bytes, deflated as zip stores them (about a thousandth of that)."""
    packer, chunk, packed, crc = zlib.compressobj(9, zlib.DEFLATED, -15), bytes(1 << 24), [], 0
    for start in range(0, size, len(chunk)):
        piece = chunk[: min(len(chunk), size - start)]
        packed.append(packer.compress(piece))
        crc = zlib.crc32(piece, crc)
    packed.append(packer.flush())
    return name, b"".join(packed), zipfile.ZIP_DEFLATED, crc, size


def handmade_zip(members: list[Member], pointers: list[tuple[str, int]]) -> bytes:
    """A zip written record by record: ``members`` one after another, then a directory of
    ``pointers``, (name, member index): several names may point at one member."""
    body, where = b"", []
    for name, data, method, crc, size in members:
        where.append(len(body))
        head = (b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data), size, len(name), 0)
        body += LOCAL.pack(*head) + name.encode() + data
    directory = b""
    for name, index in pointers:
        _, data, method, crc, size = members[index]
        head = (b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(data), size, len(name))
        directory += CENTRAL.pack(*head, 0, 0, 0, 0, 0, where[index]) + name.encode()
    count = len(pointers)
    end = END.pack(b"PK\x05\x06", 0, 0, count, count, len(directory), len(body), 0)
    return body + directory + end


def attacks() -> dict[str, bytes]:
    """Each hostile file, by name."""
    config, weights = json.dumps(dense_config(16)).encode(), hollow_weights(16)
    model = [stored("config.json", config), stored("model.weights.h5", weights)]
    model_pointers = [("config.json", 0), ("model.weights.h5", 1)]
    one_gib = zeros_deflated("bomb", GIB)  # made once: every 1 GiB member below is this one
    thirty = [(f"part{i:02}", 2) for i in range(30)]
    nine = [model[0], ("model.weights.h5", *one_gib[1:])]
    nine += [(f"part{i}", *one_gib[1:]) for i in range(8)]
    wide = json.dumps(dense_config(500_000)).encode()
    escapes = b'{"a": "' + b'\\"' * ((MAX_CONFIG_BYTES - 20) // 2) + b'"}'
    objects = dense_config(16)
    initializer = {"class_name": "Zeros", "module": "keras.initializers"}
    each = len(json.dumps(initializer)) + 2  # and ", "
    objects["config"]["notes"] = [initializer] * ((MAX_CONFIG_BYTES - 1000) // each)
    return {
        "wide_500000_units": zip_of(
            ("config.json", wide), ("model.weights.h5", hollow_weights(500_000))
        ),
        "overlapping_zip_bomb": handmade_zip([*model, one_gib], model_pointers + thirty),
        "overlapping_three_names": handmade_zip(
            [model[0], one_gib], [("config.json", 0), ("metadata.json", 1), ("model.weights.h5", 1)]
        ),
        "nine_1gib_members": handmade_zip(nine, [(m[0], i) for i, m in enumerate(nine)]),
        "config_nested_100000_deep": zip_of(
            ("config.json", b"[" * 100_000 + b"]" * 100_000), ("model.weights.h5", weights)
        ),
        "duplicate_names": zip_of(
            ("config.json", config), ("model.weights.h5", weights), ("config.json", config)
        ),
        "config_1mb_of_escaped_quotes": zip_of(
            ("config.json", escapes), ("model.weights.h5", weights)
        ),
        "config_1mb_of_objects": zip_of(
            ("config.json", json.dumps(objects).encode()), ("model.weights.h5", weights)
        ),
    }


# --- measuring -----------------------------------------------------------------------------------


def outcome(data: bytes) -> str:
    try:
        check_keras_file(data)
    except ModelFileProblem as problem:
        return f"refused: {problem}"
    return "passed"


def timed(step: Callable[[], object]) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    step()
    return time.process_time() - cpu, time.perf_counter() - wall


def peak_memory(step: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        step()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    bundled = ASSET.read_bytes()
    check_keras_file(bundled)  # warm: imports, compiled patterns
    baseline_cpu = statistics.median(
        timed(lambda: check_keras_file(bundled))[0] for _ in range(BASELINE_RUNS)
    )
    baseline_memory = peak_memory(lambda: check_keras_file(bundled))
    print(f"baseline_bundled_cnn_cpu: {1000 * baseline_cpu:.2f} ms (median of {BASELINE_RUNS})")
    print(f"baseline_bundled_cnn_peak_memory: {baseline_memory / 1e3:.0f} KB")
    made = time.perf_counter()
    files = attacks()
    print(f"making_the_attacks: {time.perf_counter() - made:.1f} s (not measured below)")
    worst = 0.0
    for name, data in files.items():
        said = outcome(data)
        times = [timed(functools.partial(outcome, data)) for _ in range(runs)]
        cpu, wall = max(t[0] for t in times), max(t[1] for t in times)
        memory = peak_memory(functools.partial(outcome, data))
        worst = max(worst, cpu)
        print(f"{name}_file: {len(data) / 1e3:,.1f} KB")
        print(f"{name}_cpu: {1000 * cpu:.2f} ms (worst of {runs})")
        print(f"{name}_wall: {1000 * wall:.2f} ms (worst of {runs})")
        print(f"{name}_peak_memory: {memory / 1e3:,.0f} KB")
        print(
            f"ratio {name}/baseline: cpu {ratio(cpu, baseline_cpu):.1f}, memory {ratio(memory, baseline_memory):.1f}"
        )
        print(f"{name}_outcome: {said}")
        met = cpu <= TARGET_CPU_S and said != "passed"
        print(f"target: {name} refused within {TARGET_CPU_S:g} CPU-second: {verdict(met)}")
    print(f"worst_hostile_cpu: {1000 * worst:.2f} ms")


if __name__ == "__main__":
    main()
