"""Hostile .keras files: each attack is made here, and each is refused with a sentence that names
it, from the zip's directory and config.json alone, before Keras builds anything; real models
(the bundled CNN, the Build page's networks, a model saved after training) still pass, sized
exactly as Keras counts them."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import random
import re
import struct
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from nncore.digits.bundled import ASSET
from nncore.digits.model_files import (
    MAX_ACTIVATION_BYTES,
    MAX_JSON_DEPTH,
    MAX_MULTIPLY_ADDS,
    MAX_PARAMS,
    ModelFileProblem,
    check_keras_file,
    json_depth,
    load_keras_file,
    size_model,
)
from nncore.network.plan import layer_plan
from nncore.network.settings import LAYER_FIELDS
from nncore.network.spec import DEFAULT_SPEC, MAX_LAYERS, SMALL_CNN, LayerSpec, NetworkSpec

SMALL_UNITS = 16  # the hidden layer of the small model every attack starts from


# --- real files, and zips made by hand -----------------------------------------------------------


def saved(model: Any, folder: Path, name: str) -> bytes:
    path = folder / name
    model.save(path)
    return path.read_bytes()


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> dict[str, Any]:
    """Files Keras saved, with the models they came from."""
    import numpy as np

    from nncore.keras_runtime import keras
    from nncore.network.model import build_model

    folder = tmp_path_factory.mktemp("real")
    layers = keras.layers
    small = keras.Sequential(
        [
            keras.Input((784,)),
            layers.Dense(SMALL_UNITS, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    trained = keras.Sequential(
        [keras.Input((784,)), layers.Dense(32), layers.Dense(10, activation="softmax")]
    )
    trained.compile("adam", "categorical_crossentropy")
    trained.fit(np.zeros((8, 784)), np.eye(10)[np.arange(8)], verbose=0)  # Adam's state saved too
    picture = keras.Input((28, 28, 1))
    left = layers.MaxPooling2D()(layers.Conv2D(8, 3, padding="same", activation="relu")(picture))
    right = layers.Conv2D(8, 5, strides=2, padding="same")(layers.Activation("relu")(picture))
    added = layers.Add()([left, layers.BatchNormalization()(right)])  # 14 × 14 × 8
    both = layers.Reshape((7, 28, 16))(layers.Concatenate()([added, left]))
    head = layers.Dropout(0.2)(layers.Flatten()(layers.AveragePooling2D((1, 2))(both)))
    functional = keras.Model(picture, layers.Dense(10, activation="softmax")(head))
    models = {
        "small": small,
        "trained": trained,
        "functional": functional,
        "build default": build_model(DEFAULT_SPEC),
        "build small cnn": build_model(SMALL_CNN),
    }
    files = {
        name: saved(model, folder, f"{name.replace(' ', '_')}.keras")
        for name, model in models.items()
    }
    files["bundled"] = ASSET.read_bytes()
    models["bundled"] = keras.saving.load_model(ASSET, compile=False)
    return {"files": files, "params": {n: m.count_params() for n, m in models.items()}}


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_of(files: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# The records of a zip, as the zip format lays them out.
LOCAL = struct.Struct("<4s5H3L2H")
CENTRAL = struct.Struct("<4s6H3L5H2L")
END = struct.Struct("<4s4H2LH")
VERSION, DATE = 20, 0x21  # version 2.0; 1 January 1980


def local_header(name: bytes, method: int, crc: int, stored: int, size: int) -> bytes:
    head = (b"PK\x03\x04", VERSION, 0, method, 0, DATE)  # flags 0, time 0
    return LOCAL.pack(*head, crc, stored, size, len(name), 0) + name


def central_header(name: bytes, method: int, crc: int, stored: int, size: int, at: int) -> bytes:
    head = (b"PK\x01\x02", VERSION, VERSION, 0, method, 0, DATE)
    lengths = (len(name), 0, 0, 0, 0, 0)  # no extra field or comment; disk 0; no attributes
    return CENTRAL.pack(*head, crc, stored, size, *lengths, at) + name


Entry = tuple[str, int, bytes, int, int]  # name, method, stored bytes, crc, size


def laid_out(entries: list[Entry]) -> tuple[bytes, list[int]]:
    """Members written one after another, each behind its local header; and where each starts."""
    body, where = b"", []
    for name, method, data, crc, size in entries:
        where.append(len(body))
        body += local_header(name.encode(), method, crc, len(data), size) + data
    return body, where


def with_directory(body: bytes, directory: list[tuple[str, int, Entry]]) -> bytes:
    """``body`` with a central directory of (name, where its local header is, its sizes)."""
    central = b""
    for name, at, (_, method, data, crc, size) in directory:
        central += central_header(name.encode(), method, crc, len(data), size, at)
    count = len(directory)
    end = END.pack(b"PK\x05\x06", 0, 0, count, count, len(central), len(body), 0)
    return body + central + end


def raw_zip(entries: list[Entry], directory: list[tuple[str, int]]) -> bytes:
    """A zip written by hand: ``entries`` laid one after another; ``directory`` lists (name,
    entry index), so several names may point at one member."""
    body, where = laid_out(entries)
    return with_directory(body, [(name, where[i], entries[i]) for name, i in directory])


def stored(name: str, data: bytes) -> Entry:
    return name, zipfile.ZIP_STORED, data, zlib.crc32(data), len(data)


def deflated_zeros(name: str, size: int) -> Entry:
    """A member of ``size`` zero bytes, deflated to about a thousandth of that."""
    packer, chunk, packed, crc = zlib.compressobj(9, zlib.DEFLATED, -15), bytes(1 << 20), [], 0
    for start in range(0, size, len(chunk)):
        piece = chunk[: min(len(chunk), size - start)]
        packed.append(packer.compress(piece))
        crc = zlib.crc32(piece, crc)
    packed.append(packer.flush())
    return name, zipfile.ZIP_DEFLATED, b"".join(packed), crc, size


def with_units(config: bytes, units: int) -> bytes:
    """The small model's config.json with its hidden layer widened to ``units``."""
    model = json.loads(config)
    layer = next(la for la in model["config"]["layers"] if la["config"].get("units") == SMALL_UNITS)
    layer["config"]["units"] = units
    return json.dumps(model).encode()


def hollow_weights(weights: bytes, units: int) -> bytes:
    """The small model's weights file laid out for ``units`` hidden neurons, every array
    gzip-compressed inside HDF5 and never written: it reads as zeros and takes a few KB."""
    import h5py

    source, target = io.BytesIO(weights), io.BytesIO()
    with h5py.File(source, "r") as old, h5py.File(target, "w") as new:

        def copy(name: str, item: Any) -> None:
            if isinstance(item, h5py.Dataset):
                shape = tuple(units if n == SMALL_UNITS else n for n in item.shape)
                new.create_dataset(name, shape, "float32", compression="gzip", fillvalue=0)
            else:
                new.require_group(name)
            new[name].attrs.update(item.attrs)

        old.visititems(copy)
    return target.getvalue()


def widened(files: dict[str, bytes], units: int) -> bytes:
    """The 1.5 KB attack: the small model, ``units`` wide, with hollow zero weights."""
    parts = members(files["small"])
    parts["config.json"] = with_units(parts["config.json"], units)
    parts["model.weights.h5"] = hollow_weights(parts["model.weights.h5"], units)
    return zip_of(parts, zipfile.ZIP_DEFLATED)


def refused(data: bytes, *sentence: str) -> str:
    """The sentence a file is refused with, checked to hold each given part."""
    with pytest.raises(ModelFileProblem) as refusal:
        check_keras_file(data)
    message = str(refusal.value)
    for part in sentence:
        assert re.search(part, message), message
    return message


# --- a huge network in a small file --------------------------------------------------------------


def test_a_network_of_200000_units_is_sized_and_refused_before_it_is_built(real):
    data = widened(real["files"], 200_000)
    assert len(data) < 20_000  # the attack: a few KB that would cost gigabytes in the worker
    refused(
        data,
        r"This model has at least 157 million parameters \(628 MB of weights\)",
        r"networks here may have at most 25 million \(100 MB\)",
    )


def test_the_worker_refuses_it_too_before_keras_builds_anything(real, monkeypatch):
    from nncore.keras_runtime import keras
    from nncore.workers import inference
    from nncore.workers.messages import ModelSource

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("Keras was asked to load a refused file")

    monkeypatch.setattr(keras.saving, "load_model", never)
    data = widened(real["files"], 200_000)
    with pytest.raises(ModelFileProblem, match="157 million parameters"):
        inference.build(ModelSource("k", "huge", (784,), keras_file=data))


def test_weights_too_small_for_their_network_are_refused(real):
    """Under the parameter limit, the hollow weights file gives the attack away."""
    refused(
        widened(real["files"], 20_000),
        r"The weights file \(model\.weights\.h5\) holds \d+(\.\d)? KB, but this model's 16 million"
        r" parameters need 64 MB: the file does not match its description",
    )


def test_a_weights_file_far_larger_than_its_network_is_refused(real):
    parts = members(real["files"]["small"])
    parts["model.weights.h5"] += bytes(8_000_000)  # HDF5 ignores what trails the file
    refused(zip_of(parts), r"holds 8\.\d MB, far more than this model's 51 KB of weights")


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        ({"class_name": "LSTM"}, r"has a LSTM layer, which the app does not know how to size"),
        ({"config": {"units": 10, "dtype": "int8"}}, r"stores its numbers as int8"),
        ({"config": {"units": -3}}, r"units is -3, not a positive whole number"),
        ({"config": {"units": 10**40}}, r"at least a thousand million million parameters"),
    ],
)
def test_a_layer_the_sizing_cannot_read_is_refused_by_name(real, change, sentence):
    parts = members(real["files"]["small"])
    model = json.loads(parts["config.json"])
    layer = model["config"]["layers"][1]
    for key, value in change.items():
        layer[key] = {**layer[key], **value} if isinstance(value, dict) else value
    parts["config.json"] = json.dumps(model).encode()
    refused(zip_of(parts), sentence)


def test_a_network_of_thousands_of_layers_is_refused_before_its_layers_are_walked(real):
    parts = members(real["files"]["small"])
    model = json.loads(parts["config.json"])
    dropout = {"module": "keras.layers", "class_name": "Dropout", "config": {"rate": 0.1}}
    model["config"]["layers"][2:2] = [dropout] * 5000
    parts["config.json"] = json.dumps(model).encode()
    refused(
        zip_of(parts, zipfile.ZIP_DEFLATED), r"has 5,003 layers; networks here may have at most 100"
    )


def test_a_convolution_too_wide_for_one_drawing_is_refused_by_its_activations(real):
    """Few parameters, but 6,000 maps of 28 × 28 for every drawing."""
    parts = members(real["files"]["bundled"])
    model = json.loads(parts["config.json"])
    model["config"]["layers"][1]["config"]["filters"] = 6000
    parts["config.json"] = json.dumps(model).encode()
    refused(zip_of(parts), r"make at least \d+ MB of numbers out of one drawing", r"at most 16 MB")


# --- zip bombs -----------------------------------------------------------------------------------


def test_the_overlapping_entry_bomb_of_the_issue_is_refused_from_its_end_record(real):
    """30 directory entries of 64 MiB each, all pointing at one deflated member."""
    parts = members(real["files"]["small"])
    entries = [
        stored("config.json", parts["config.json"]),
        stored("model.weights.h5", parts["model.weights.h5"]),
        deflated_zeros("kernel", 64 << 20),
    ]
    directory = [("config.json", 0), ("model.weights.h5", 1)]
    directory += [(f"part{i:02}.bin", 2) for i in range(30)]
    bomb = raw_zip(entries, directory)
    assert len(zipfile.ZipFile(io.BytesIO(bomb)).infolist()) == 32  # zipfile reads it
    refused(bomb, r"lists 32 files", r"a model saved by Keras holds 3")


def test_two_names_pointing_at_one_member_are_refused_as_overlapping(real):
    parts = members(real["files"]["small"])
    entries = [stored("config.json", parts["config.json"]), deflated_zeros("x", 64 << 20)]
    directory = [("config.json", 0), ("metadata.json", 1), ("model.weights.h5", 1)]
    refused(raw_zip(entries, directory), r"overlap one another, the trick of a zip bomb")


def test_a_member_whose_data_covers_the_next_one_is_refused_as_overlapping(real):
    """The overlap of a non-recursive zip bomb: metadata.json's stored bytes quote a header and
    the data of model.weights.h5, and the directory points model.weights.h5 at that quote."""
    parts = members(real["files"]["small"])
    weights = stored("model.weights.h5", parts["model.weights.h5"])
    quoted = (
        local_header(b"model.weights.h5", 0, weights[3], len(weights[2]), weights[4]) + weights[2]
    )
    entries = [stored("config.json", parts["config.json"]), stored("metadata.json", quoted)]
    body, where = laid_out(entries)
    inside = where[1] + 30 + len("metadata.json")  # the quoted header, within metadata.json
    directory = [("config.json", where[0], entries[0]), ("metadata.json", where[1], entries[1])]
    bomb = with_directory(body, [*directory, ("model.weights.h5", inside, weights)])
    assert zipfile.ZipFile(io.BytesIO(bomb)).read("model.weights.h5") == weights[2]  # it reads
    refused(bomb, r"overlap one another")


def test_a_zip_of_many_large_members_is_refused_without_decompressing_them(real, monkeypatch):
    parts = members(real["files"]["small"])
    entries = [stored(name, data) for name, data in parts.items()]
    entries += [deflated_zeros(f"layer{i}.bin", 32 << 20) for i in range(9)]
    opened = record_opened(monkeypatch)
    refused(raw_zip(entries, [(e[0], i) for i, e in enumerate(entries)]), r"lists 12 files")
    assert opened == []


def test_a_member_outside_a_model_is_refused_by_its_name(real):
    parts = members(real["files"]["small"])
    parts["assets/notes.bin"] = b"hello"
    refused(zip_of(parts), r"also holds 'assets/notes\.bin', which a model saved by Keras does not")


def test_a_weights_member_that_unpacks_a_thousandfold_is_refused(real):
    parts = members(real["files"]["small"])
    entries = [
        stored("config.json", parts["config.json"]),
        deflated_zeros("model.weights.h5", 16 << 20),
    ]
    refused(
        raw_zip(entries, [("config.json", 0), ("model.weights.h5", 1)]),
        r"model\.weights\.h5 in this \.keras file unpacks to 17 MB, [\d,]+ times what it takes",
        r"at most 100 times",
    )


def test_a_weights_member_declaring_gigabytes_is_refused_before_reading(real):
    parts = members(real["files"]["small"])
    name, method, packed, crc, _ = stored("model.weights.h5", parts["model.weights.h5"])
    entries = [stored("config.json", parts["config.json"]), (name, method, packed, crc, 3 << 30)]
    refused(
        raw_zip(entries, [("config.json", 0), ("model.weights.h5", 1)]),
        r"model\.weights\.h5 in this \.keras file unpacks to 3\.2 GB; a model here may have at most",
    )


def test_a_config_that_unpacks_past_its_declared_size_is_cut_there(real):
    """zipfile stops at the declared size; the check then finds the JSON cut short."""
    parts = members(real["files"]["small"])
    packed = zlib.compressobj(9, zlib.DEFLATED, -15)
    big = parts["config.json"] + b" " * (64 << 20)
    stream = packed.compress(big) + packed.flush()
    lying = ("config.json", zipfile.ZIP_DEFLATED, stream, zlib.crc32(big[:1000]), 1000)
    entries = [lying, stored("model.weights.h5", parts["model.weights.h5"])]
    refused(
        raw_zip(entries, [("config.json", 0), ("model.weights.h5", 1)]), r"damaged|not valid JSON"
    )


def test_duplicate_member_names_are_refused(real):
    parts = members(real["files"]["small"])
    lambda_config = json.loads(parts["config.json"])
    lambda_config["config"]["layers"][1]["class_name"] = "Lambda"
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate, and writes it
        archive.writestr("config.json", parts["config.json"])
        archive.writestr("model.weights.h5", parts["model.weights.h5"])
        archive.writestr("config.json", json.dumps(lambda_config))
    refused(buffer.getvalue(), r"holds 2 files named 'config\.json'")


def test_any_damaged_file_gets_a_sentence_and_never_a_traceback(real):
    """Bytes changed at random in the bundled CNN's file, stored and deflated: each damaged copy
    passes (the weights are Keras's to check, in the worker) or is refused with a sentence."""
    rng = random.Random(0)
    originals = [
        real["files"]["bundled"],
        zip_of(members(real["files"]["bundled"]), zipfile.ZIP_DEFLATED),
    ]
    for _ in range(1500):
        damaged = bytearray(rng.choice(originals))
        for _ in range(rng.randint(1, 6)):
            where = rng.choice(
                [
                    rng.randrange(len(damaged)),
                    rng.randrange(8000),
                    len(damaged) - rng.randint(1, 300),
                ]
            )
            damaged[where] = rng.randrange(256)
        with contextlib.suppress(ModelFileProblem):
            check_keras_file(bytes(damaged))


# --- config.json nested deep ---------------------------------------------------------------------


@pytest.mark.parametrize("where", ["whole", "inside a layer"])
def test_a_config_nested_100000_deep_is_refused_with_a_sentence(real, where):
    parts = members(real["files"]["small"])
    deep = "[" * 100_000 + "]" * 100_000
    if where == "whole":
        parts["config.json"] = deep.encode()
    else:
        text = parts["config.json"].decode()
        parts["config.json"] = text.replace('"units": 16', f'"units": 16, "note": {deep}').encode()
    refused(zip_of(parts, zipfile.ZIP_DEFLATED), r"nested 100,0\d\d levels deep", r"at most 64")


def test_json_depth_counts_brackets_outside_strings_only():
    assert json_depth(b'{"a": "[[[{{{", "b": [1, {"c": []}]}') == 4
    assert json_depth(b'{"a": "\\"[[[", "b": [1]}') == 2  # an escaped quote ends no string
    assert json_depth(b'"unclosed [[[[') == 0
    assert json_depth(b'["\\\\", [[]]]') == 3  # an escaped backslash before the closing quote
    assert json_depth(("[" * (MAX_JSON_DEPTH + 1)).encode()) == MAX_JSON_DEPTH + 1


# --- what must still pass ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["bundled", "small", "trained", "functional", "build default", "build small cnn"]
)
def test_real_models_pass_and_are_sized_as_keras_counts_them(real, name):
    size = check_keras_file(real["files"][name])
    assert size.params == real["params"][name]
    assert size.output_shape == (10,)


def test_a_build_network_passes_as_the_worker_saves_it(real):
    assert (
        check_keras_file(real["files"]["build small cnn"]).params
        == layer_plan(SMALL_CNN).total_params
    )


def test_the_check_reads_config_json_alone_once_and_never_tests_the_whole_zip(real, monkeypatch):
    opened = record_opened(monkeypatch)
    monkeypatch.setattr(zipfile.ZipFile, "testzip", lambda self: pytest.fail("testzip called"))
    check_keras_file(real["files"]["bundled"])
    assert opened == ["config.json"]


def test_load_keras_file_still_loads_the_bundled_cnn(real):
    assert load_keras_file(real["files"]["bundled"]).count_params() == 93_322


def record_opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    opened: list[str] = []
    original = zipfile.ZipFile.open

    def recording(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(name if isinstance(name, str) else name.filename)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recording)
    return opened


def keras_config(spec: NetworkSpec) -> dict[str, Any]:
    """The config.json Keras would write for a Build spec, made from its plan (no Keras)."""

    def plain(value: Any) -> Any:
        return list(value) if isinstance(value, tuple) else value

    layers = [{"class_name": "InputLayer", "config": {"batch_shape": [None, *spec.input_shape]}}]
    for row in layer_plan(spec).layers:
        options = {key: plain(value) for key, value in row.options.items()}
        layers.append({"module": "keras.layers", "class_name": row.keras_class, "config": options})
    return {"module": "keras", "class_name": "Sequential", "config": {"layers": layers}}


def largest_settings() -> dict[str, Any]:
    """Each per-layer setting of the Build page at its largest."""
    return {f.key: f.high for f in LAYER_FIELDS if f.high is not None}


def test_every_build_network_at_its_largest_fits_the_limits():
    """Every sequence of the Build page's layer types, each at its largest (512 units, 64
    filters, a 3×3 or 5×5 kernel), with as many layers as the page allows (a shorter network
    is one of these with Dropouts at its end, which change nothing)."""
    largest = largest_settings()
    kinds = [
        LayerSpec("dense", units=largest["units"]),
        LayerSpec("conv", filters=largest["filters"], kernel="3"),
        LayerSpec("conv", filters=largest["filters"], kernel="5"),
        LayerSpec("pool"),
        LayerSpec("dropout"),
    ]
    biggest = 0
    for layers in itertools.product(kinds, repeat=MAX_LAYERS):
        spec = NetworkSpec(layers=layers)
        plan = layer_plan(spec)
        if plan.problems:
            continue
        size = size_model(keras_config(spec))
        assert size.params == plan.total_params
        assert size.params <= MAX_PARAMS
        assert size.activation_bytes <= MAX_ACTIVATION_BYTES
        assert size.multiply_adds <= MAX_MULTIPLY_ADDS
        biggest = max(biggest, size.params)
    assert biggest > 23_000_000  # the largest: a Conv2D of 64 3×3 filters, then five Dense of 512
