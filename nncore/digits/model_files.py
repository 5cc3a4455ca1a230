"""A visitor's ``.keras`` file: checked before Keras sees it, loaded safely, or refused in a sentence.

A ``.keras`` file is a zip holding ``config.json`` (the architecture), ``model.weights.h5`` and
``metadata.json``. ``check_keras_file`` needs no TensorFlow, so the web server may call it; it
refuses early, each time in one sentence, what cannot work or would cost the machine too much:

- the zip is read from its directory alone: at most a few members, only the three a model needs,
  none named twice, none overlapping another (the zip-bomb trick), each with a bounded declared
  size and compression ratio; only ``config.json`` is ever decompressed, once, by a reader that
  stops one byte past its limit;
- ``config.json`` is nested at most ``MAX_JSON_DEPTH`` deep (counted on the raw text, since the
  JSON parser itself recurses), has no ``Lambda`` layer and no class from outside Keras;
- the network it describes is sized without building it: every layer's output shape, the
  parameters, the memory of weights and of one drawing's activations and the multiply-adds one
  drawing costs, each within a limit that fits the bundled CNN and every network the Build page
  can make; a layer class this sizing does not know is refused;
- ``model.weights.h5`` must be as large as those parameters need, and not far larger.

``load_keras_file`` (worker processes only) runs the same check, which costs milliseconds, then
loads the file with Keras's ``safe_mode=True``, which refuses arbitrary code on its own, and checks
it reads a 28×28 drawing and answers ten digits.
"""

from __future__ import annotations

import io
import json
import math
import os
import struct
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from nncore.digits.answers import CLASSES, MNIST_SHAPES

MAX_MODEL_MB = 10  # the bundled CNN is 0.4 MB; a Dense 784→512→10 network about 5 MB
MAX_MODEL_BYTES = MAX_MODEL_MB * 1024 * 1024
MAX_CONFIG_BYTES = 1024 * 1024  # the bundled CNN's is 7 KB
MAX_METADATA_BYTES = 64 * 1024  # Keras writes about 64 bytes
REQUIRED = ("config.json", "model.weights.h5")
MEMBERS = ("config.json", "metadata.json", "model.weights.h5")  # all that model.save writes
MAX_MEMBERS = 8  # read from the zip's end record, before its directory is parsed
MAX_DIRECTORY_BYTES = 64 * 1024
# Keras stores its members uncompressed; deflate cannot pass about 1,032 times. A large member
# compressed more than this is a zip bomb (Keras itself refuses the same ratio).
MAX_EXPANSION = 100
EXPANSION_FLOOR_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 64  # a Functional model's config.json is nested about 10 deep

# The network's size, from its description. The Build page's largest network (a Conv2D of 64
# 3×3 filters, then five Dense layers of 512) has 23.2 million parameters and costs 117 million
# multiply-adds and 1.2 MB of activations per drawing; the bundled CNN has 93,322 parameters.
MAX_PARAMS = 25_000_000
MAX_WEIGHT_BYTES = 4 * MAX_PARAMS  # 25 million float32 numbers
MAX_ACTIVATION_BYTES = 16_000_000
MAX_MULTIPLY_ADDS = 1_000_000_000
MAX_LAYERS = 100
# model.weights.h5 holds the weights and, when the model was saved after training, the
# optimizer's copies of them (Adam keeps two, AMSGrad three); HDF5 adds a few KB per array.
WEIGHT_COPIES = 4
HDF5_BYTES = 256 * 1024
HDF5_BYTES_PER_ARRAY = 16 * 1024
MAX_WEIGHTS_FILE_BYTES = (
    WEIGHT_COPIES * MAX_WEIGHT_BYTES
    + HDF5_BYTES
    + 4 * MAX_LAYERS * (WEIGHT_COPIES * HDF5_BYTES_PER_ARRAY)
)

Shape = tuple[int, ...]


class ModelFileProblem(ValueError):
    """A model file the Draw page cannot use; the message is one sentence for the student."""


@dataclass(frozen=True)
class ModelSize:
    """What a network costs, worked out from its ``config.json`` for one drawing."""

    input_shape: Shape
    output_shape: Shape
    layers: int
    params: int
    weight_bytes: int
    arrays: int  # weight arrays (a Dense layer's kernel and bias are two)
    activation_bytes: int
    multiply_adds: int


# --- sentences -----------------------------------------------------------------------------------


def _bytes_text(count: int) -> str:
    """A size in words: ``1.5 KB``, ``630 MB`` (a JSON number may have thousands of digits)."""
    if count >= 10**15:  # only ever said after "at least"
        return "1,000 TB"
    for unit, size in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if count >= size:
            value = count / size
            return f"{value:.1f} {unit}" if value < 10 else f"{value:,.0f} {unit}"
    return f"{count} bytes"


def _count_text(count: int) -> str:
    """A count in words: ``93,322``, ``2.4 million``, ``157 million``."""
    if count < 10**6:
        return f"{count:,}"
    if count >= 10**15:  # only ever said after "at least"
        return "a thousand million million"
    value = count / 10**6
    return f"{value:.1f} million" if value < 10 else f"{value:,.0f} million"


def _name_text(name: str) -> str:
    """A member's name from the zip, short and printable."""
    shown = "".join(c if c.isprintable() else "?" for c in name[:40])
    return repr(shown + ("…" if len(name) > 40 else ""))


def _not_keras(what: str) -> ModelFileProblem:
    return ModelFileProblem(
        f"The model's description (config.json) is not one Keras wrote ({what}): save the model "
        "again with model.save('name.keras')."
    )


DAMAGED = "The file is damaged or cut short (not a complete zip): download it again."


# --- the zip, from its directory ---------------------------------------------------------------

_END = struct.Struct("<4s4H2LH")  # the end-of-central-directory record
_LOCAL = struct.Struct("<4s5H3L2H")  # a member's local header
_END_SIGNATURE = b"PK\x05\x06"
_LOCAL_SIGNATURE = b"PK\x03\x04"
_ZIP64_LOCATOR = b"PK\x06\x07"
_DESCRIPTOR_SIGNATURE = b"PK\x07\x08"
_STORED_OR_DEFLATED = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def _end_record(data: bytes) -> tuple[int, int, int]:
    """(position, members, directory bytes) of the end record, found where ``zipfile`` finds it."""
    at = len(data) - _END.size
    if not (at >= 0 and data[at : at + 4] == _END_SIGNATURE and data[-2:] == b"\0\0"):
        at = data.rfind(_END_SIGNATURE, max(0, len(data) - _END.size - 0xFFFF))
    if at < 0 or at + _END.size > len(data):
        raise ModelFileProblem(DAMAGED)
    _, disk, start_disk, here, members, directory, _, _ = _END.unpack_from(data, at)
    if disk or start_disk or here != members or data[max(0, at - 20) : at][:4] == _ZIP64_LOCATOR:
        raise ModelFileProblem(
            "This .keras file is a split or 64-bit zip, which model.save does not make: save "
            "the model again with model.save('name.keras')."
        )
    return at, members, directory


def _check_directory(data: bytes) -> None:
    """Refuse a zip whose directory alone shows it is too big to parse, before ``zipfile`` does."""
    _, members, directory = _end_record(data)
    if members > MAX_MEMBERS or directory > MAX_DIRECTORY_BYTES:
        raise ModelFileProblem(
            f"This .keras file lists {members:,} files in {_bytes_text(directory)}; a model "
            f"saved by Keras holds {len(MEMBERS)} ({', '.join(MEMBERS)})."
        )


def _member_end(data: bytes, info: zipfile.ZipInfo) -> int:
    """Where a member's local header, name, data and data descriptor end in ``data``."""
    start = info.header_offset
    if start < 0 or start + _LOCAL.size > len(data):
        raise ModelFileProblem(DAMAGED)
    header = _LOCAL.unpack_from(data, start)
    if header[0] != _LOCAL_SIGNATURE:
        raise ModelFileProblem(DAMAGED)
    end = start + _LOCAL.size + header[9] + header[10] + info.compress_size
    if info.flag_bits & 0x08:  # sizes and checksum follow the data
        end += 16 if data[end : end + 4] == _DESCRIPTOR_SIGNATURE else 12
    if end > len(data):
        raise ModelFileProblem(DAMAGED)
    return end


def _check_members(data: bytes, archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The members by name, once each is known to be one a model needs, named once, not
    overlapping another, stored or deflated, and of a declared size within its limit."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ModelFileProblem(
            f"This .keras file lists {len(infos):,} files; a model saved by Keras holds "
            f"{len(MEMBERS)} ({', '.join(MEMBERS)})."
        )
    for name, times in Counter(info.filename for info in infos).items():
        if times > 1:
            raise ModelFileProblem(
                f"This .keras file holds {times} files named {_name_text(name)}; a zip with "
                "two files of one name is refused, since two readers may each take another."
            )
    missing = [name for name in REQUIRED if name not in {info.filename for info in infos}]
    if missing:
        raise ModelFileProblem(
            f"This zip is not a Keras model (it has no {missing[0]}): save one with "
            "model.save('name.keras')."
        )
    for info in infos:
        if info.filename not in MEMBERS:
            raise ModelFileProblem(
                f"This .keras file also holds {_name_text(info.filename)}, which a model saved "
                f"by Keras does not ({', '.join(MEMBERS)} only): save the model again with "
                "model.save('name.keras')."
            )
    spans = sorted((info.header_offset, _member_end(data, info)) for info in infos)
    limits = [start for start, _ in spans[1:]] + [archive.start_dir]
    if any(end > limit for (_, end), limit in zip(spans, limits, strict=True)):
        raise ModelFileProblem(
            "The files inside this .keras zip overlap one another, the trick of a zip bomb: "
            "it is refused. Save the model again with model.save('name.keras')."
        )
    limit_of = {
        "config.json": MAX_CONFIG_BYTES,
        "metadata.json": MAX_METADATA_BYTES,
        "model.weights.h5": MAX_WEIGHTS_FILE_BYTES,
    }
    for info in infos:
        if info.flag_bits & 0x01:
            raise ModelFileProblem(
                "This .keras file is password-protected: save the model again without one."
            )
        if info.compress_type not in _STORED_OR_DEFLATED:
            raise ModelFileProblem(
                f"{info.filename} in this .keras file is compressed in a way Keras never "
                "writes (only stored or deflated files are read): save the model again."
            )
        if info.file_size > limit_of[info.filename]:
            raise ModelFileProblem(
                f"{info.filename} in this .keras file unpacks to {_bytes_text(info.file_size)}; "
                f"a model here may have at most {_bytes_text(limit_of[info.filename])} of it."
            )
        if (
            info.file_size > EXPANSION_FLOOR_BYTES
            and info.file_size > MAX_EXPANSION * info.compress_size
        ):
            raise ModelFileProblem(
                f"{info.filename} in this .keras file unpacks to {_bytes_text(info.file_size)}, "
                f"{info.file_size // max(1, info.compress_size):,} times what it takes in the "
                f"zip, as zip bombs do; a model's files shrink at most {MAX_EXPANSION} times."
            )
    return {info.filename: info for info in infos}


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A member's bytes, decompressed once, never more than ``limit`` (plus one to notice)."""
    with archive.open(info) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise ModelFileProblem(
            f"{info.filename} in this .keras file unpacks to more than {_bytes_text(limit)}, "
            "the limit."
        )
    return data


# --- config.json ------------------------------------------------------------------------------


def json_depth(text: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text, counted without parsing it.

    A bracket counts when it stands outside strings: after an even number of quotes, not
    counting a quote escaped by an odd run of backslashes. Vectorised, so a megabyte of any
    text costs a few tens of milliseconds and never recurses.
    """
    codes = np.frombuffer(text, np.uint8)
    if not codes.size:
        return 0
    positions = np.arange(codes.size, dtype=np.int32)
    last_other = np.maximum.accumulate(np.where(codes == ord("\\"), -1, positions))
    backslashes = np.zeros(codes.size, np.int32)  # how many backslashes run just before each byte
    backslashes[1:] = positions[:-1] - last_other[:-1]
    quote = (codes == ord('"')) & (backslashes % 2 == 0)
    outside = np.cumsum(quote, dtype=np.int32) % 2 == 0
    opening = ((codes == ord("[")) | (codes == ord("{"))) & outside
    closing = ((codes == ord("]")) | (codes == ord("}"))) & outside
    nesting = np.cumsum(opening, dtype=np.int32) - np.cumsum(closing, dtype=np.int32)
    return int(nesting.max(initial=0))


def _parse_config(raw: bytes) -> Any:
    """config.json parsed, once its nesting is known to be shallow (UTF-8 only, as Keras writes
    it: no byte of a multi-byte character can pass for a bracket or a quote)."""
    depth = json_depth(raw)
    if depth > MAX_JSON_DEPTH:
        raise ModelFileProblem(
            f"The model's description (config.json) is nested {depth:,} levels deep; a real "
            f"model's is about 10, and at most {MAX_JSON_DEPTH} are read."
        )
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # bad JSON, bad text, a number of 4,300 digits
        raise ModelFileProblem("The model's description (config.json) is not valid JSON.") from None


def _classes(config: Any) -> Iterator[tuple[str, str]]:
    """Every (module, class_name) in a Keras config, however deeply nested (no recursion)."""
    stack = [config]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if "class_name" in value:
                yield str(value.get("module") or ""), str(value["class_name"])
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _check_classes(config: Any) -> None:
    for module, class_name in _classes(config):
        if class_name == "Lambda":
            raise ModelFileProblem(
                "This model has a Lambda layer, which runs arbitrary Python code when loaded; "
                "for safety the app refuses it. Use built-in Keras layers only."
            )
        if module and not module.startswith("keras"):
            raise ModelFileProblem(
                f"This model uses custom code ({class_name[:40]} from {module[:40]}), which the "
                "app does not run for safety. Use built-in Keras layers only."
            )


# --- sizing a network from its description -----------------------------------------------------


@dataclass(frozen=True)
class LayerCost:
    """One layer applied once: its output shape, parameters, weight arrays and multiply-adds."""

    output_shape: Shape
    params: int = 0
    arrays: int = 0
    multiply_adds: int = 0


def _whole(config: Mapping[str, Any], key: str, default: int | None = None) -> int:
    """A positive whole number from a layer's config."""
    value = config.get(key, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _not_keras(f"{key} is {str(value)[:20]}, not a positive whole number")
    return value


def _pair(config: Mapping[str, Any], key: str, default: int | None = None) -> tuple[int, int]:
    """A (height, width) option, given as one number or two."""
    value = config.get(key, default)
    if value is None:
        value = default
    if isinstance(value, list) and len(value) == 2:
        return _whole({key: value[0]}, key), _whole({key: value[1]}, key)
    return (_whole({key: value}, key),) * 2


def _flag(config: Mapping[str, Any], key: str, default: bool = True) -> bool:
    value = config.get(key, default)
    if not isinstance(value, bool):
        raise _not_keras(f"{key} is not true or false")
    return value


def _picture(shape: Shape, layer: str) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise ModelFileProblem(
            f"This model's {layer} layer gets an input of shape {_shape_text(shape)}; it needs "
            "a picture (height × width × channels)."
        )
    return shape[0], shape[1], shape[2]


def _shape_text(shape: Shape) -> str:
    return " × ".join(str(n) for n in shape)


def _channels_last(config: Mapping[str, Any], layer: str) -> None:
    if config.get("data_format", "channels_last") not in (None, "channels_last"):
        raise ModelFileProblem(
            f"This model's {layer} layer puts channels first; the app reads channels-last "
            "pictures only (Keras's default)."
        )


def _side(size: int, window: int, stride: int, padding: Any, layer: str) -> int:
    """One side of a convolution's or pooling's output, as Keras computes it."""
    if padding == "same":
        return -(-size // stride)
    if padding != "valid":
        raise _not_keras(f"padding is {str(padding)[:20]}")
    if size < window:
        raise ModelFileProblem(
            f"This model's {layer} layer gets a side of {size}, smaller than its window of "
            f"{window}: Keras could not build it."
        )
    return (size - window) // stride + 1


def _dense(config: Mapping[str, Any], shapes: list[Shape]) -> LayerCost:
    (shape,) = shapes
    if config.get("lora_rank") or config.get("quantization_config"):
        raise ModelFileProblem(
            "This model has a LoRA or quantized Dense layer, which the app does not read: use "
            "plain Dense layers."
        )
    if not shape:
        raise _not_keras("a Dense layer gets a single number")
    units, inputs, bias = _whole(config, "units"), shape[-1], _flag(config, "use_bias")
    return LayerCost(
        (*shape[:-1], units),
        inputs * units + units * bias,
        1 + bias,
        math.prod(shape[:-1]) * inputs * units,
    )


def _conv2d(config: Mapping[str, Any], shapes: list[Shape]) -> LayerCost:
    height, width, channels = _picture(shapes[0], "Conv2D")
    _channels_last(config, "Conv2D")
    filters, groups = _whole(config, "filters"), _whole(config, "groups", 1)
    (kh, kw), (sh, sw) = _pair(config, "kernel_size"), _pair(config, "strides", 1)
    dh, dw = _pair(config, "dilation_rate", 1)
    if channels % groups or filters % groups:
        raise _not_keras("its groups do not divide its channels")
    padding = config.get("padding", "valid")
    out_h = _side(height, (kh - 1) * dh + 1, sh, padding, "Conv2D")
    out_w = _side(width, (kw - 1) * dw + 1, sw, padding, "Conv2D")
    bias = _flag(config, "use_bias")
    per_output = kh * kw * (channels // groups)
    return LayerCost(
        (out_h, out_w, filters),
        per_output * filters + filters * bias,
        1 + bias,
        out_h * out_w * filters * per_output,
    )


def _pooling(config: Mapping[str, Any], shapes: list[Shape]) -> LayerCost:
    height, width, channels = _picture(shapes[0], "pooling")
    _channels_last(config, "pooling")
    (ph, pw) = _pair(config, "pool_size", 2)
    (sh, sw) = _pair(config, "strides") if config.get("strides") is not None else (ph, pw)
    padding = config.get("padding", "valid")
    return LayerCost(
        (
            _side(height, ph, sh, padding, "pooling"),
            _side(width, pw, sw, padding, "pooling"),
            channels,
        )
    )


def _global_pooling(config: Mapping[str, Any], shapes: list[Shape]) -> LayerCost:
    _, _, channels = _picture(shapes[0], "global pooling")
    _channels_last(config, "global pooling")
    return LayerCost((1, 1, channels) if _flag(config, "keepdims", False) else (channels,))


def _same_shape(config: Mapping[str, Any], shapes: list[Shape]) -> LayerCost:
    (shape,) = shapes
    return LayerCost(shape)


def _flatten(config: Mapping[str, Any], shapes: list[Shape]) -> LayerCost:
    return LayerCost((math.prod(shapes[0]),))


def _reshape(config: Mapping[str, Any], shapes: list[Shape]) -> LayerCost:
    target = config.get("target_shape")
    if not isinstance(target, list) or not target or len(target) > 8:
        raise _not_keras("a Reshape without a target shape")
    unknown = [i for i, n in enumerate(target) if n == -1]
    known = [_whole({"target_shape": n}, "target_shape") for n in target if n != -1]
    size = math.prod(shapes[0])
    if len(unknown) > 1 or size % math.prod(known) or (not unknown and math.prod(known) != size):
        raise ModelFileProblem(
            f"This model reshapes {_shape_text(shapes[0])} numbers into {target[:8]}: Keras "
            "could not build it."
        )
    if unknown:
        target = [size // math.prod(known) if n == -1 else n for n in target]
    return LayerCost(tuple(target))


def _batch_normalization(config: Mapping[str, Any], shapes: list[Shape]) -> LayerCost:
    (shape,) = shapes
    axes = config.get("axis", -1)
    axes = axes if isinstance(axes, list) else [axes]
    if not shape or any(type(a) is not int or not -len(shape) <= a < len(shape) for a in axes):
        raise _not_keras("a BatchNormalization axis outside its input")
    arrays = 2 + _flag(config, "center") + _flag(config, "scale")  # the moving mean and variance
    return LayerCost(shape, arrays * math.prod(shape[a] for a in axes), arrays)


def _merge(config: Mapping[str, Any], shapes: list[Shape]) -> LayerCost:
    if len(shapes) < 2 or any(shape != shapes[0] for shape in shapes):
        raise ModelFileProblem(
            "This model merges inputs of different shapes "
            f"({', '.join(_shape_text(s) for s in shapes[:4])}): the app reads merges of equal "
            "shapes only."
        )
    return LayerCost(shapes[0])


def _concatenate(config: Mapping[str, Any], shapes: list[Shape]) -> LayerCost:
    axis = config.get("axis", -1)
    if len(shapes) < 2 or type(axis) is not int or not -len(shapes[0]) <= axis < len(shapes[0]):
        raise _not_keras("a Concatenate of fewer than two inputs or outside their axes")
    axis %= len(shapes[0])
    rest = [s[:axis] + s[axis + 1 :] for s in shapes]
    if any(len(s) != len(shapes[0]) or r != rest[0] for s, r in zip(shapes, rest, strict=True)):
        raise ModelFileProblem(
            "This model concatenates inputs whose shapes do not fit together: Keras could not "
            "build it."
        )
    joined = sum(s[axis] for s in shapes)
    return LayerCost((*shapes[0][:axis], joined, *shapes[0][axis + 1 :]))


_Sizer = Callable[[Mapping[str, Any], list[Shape]], LayerCost]
# Every layer class the app sizes: what the Build page and the bundled CNN are made of, and the
# usual companions of a small digit network. Anything else is refused before Keras builds it.
LAYER_SIZES: dict[str, _Sizer] = {
    "Dense": _dense,
    "Conv2D": _conv2d,
    "MaxPooling2D": _pooling,
    "AveragePooling2D": _pooling,
    "GlobalMaxPooling2D": _global_pooling,
    "GlobalAveragePooling2D": _global_pooling,
    "Flatten": _flatten,
    "Reshape": _reshape,
    "Dropout": _same_shape,
    "SpatialDropout2D": _same_shape,
    "GaussianNoise": _same_shape,
    "GaussianDropout": _same_shape,
    "Activation": _same_shape,
    "ReLU": _same_shape,
    "LeakyReLU": _same_shape,
    "ELU": _same_shape,
    "Softmax": _same_shape,
    "Rescaling": _same_shape,
    "BatchNormalization": _batch_normalization,
    "Add": _merge,
    "Subtract": _merge,
    "Multiply": _merge,
    "Average": _merge,
    "Maximum": _merge,
    "Minimum": _merge,
    "Concatenate": _concatenate,
}
_MERGES = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"}
_NUMBER_BYTES = {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8}


def _number_bytes(config: Mapping[str, Any]) -> int:
    """Bytes per weight of a layer, from its dtype policy (mixed precision keeps float32 weights)."""
    dtype = config.get("dtype")
    if isinstance(dtype, dict):
        if dtype.get("class_name") not in ("DTypePolicy", "FloatDTypePolicy"):
            raise ModelFileProblem(
                f"This model uses a {str(dtype.get('class_name'))[:40]} number type (quantized "
                "weights), which the app does not read: save a float32 model."
            )
        inner = dtype.get("config")
        dtype = inner.get("name") if isinstance(inner, dict) else None
    if dtype is None:
        return 4
    name = str(dtype).removeprefix("mixed_")
    if name not in _NUMBER_BYTES:
        raise ModelFileProblem(
            f"This model stores its numbers as {str(dtype)[:20]}, which the app does not read: "
            "save a float32 model."
        )
    return 4 if str(dtype).startswith("mixed_") else _NUMBER_BYTES[name]


def _layer_config(layer: Any) -> tuple[str, Mapping[str, Any]]:
    if not isinstance(layer, dict) or not isinstance(layer.get("config", {}), dict):
        raise _not_keras("a layer that is not a Keras layer's description")
    class_name = layer.get("class_name")
    if not isinstance(class_name, str):
        raise _not_keras("a layer without a class")
    if class_name in ("Sequential", "Functional", "Model"):
        raise ModelFileProblem(
            "This model holds another model as a layer; the app reads flat Sequential and "
            "Functional models only: save the inner model's layers in one model."
        )
    if class_name not in LAYER_SIZES and class_name != "InputLayer":
        raise ModelFileProblem(
            f"This model has a {class_name[:40]} layer, which the app does not know how to "
            f"size before building it. It reads {', '.join(sorted(LAYER_SIZES))} and InputLayer."
        )
    return class_name, layer.get("config", {})


def _input_shape(config: Mapping[str, Any]) -> Shape:
    """An InputLayer's shape, without the batch."""
    if isinstance(config.get("batch_shape"), list):
        return tuple(config["batch_shape"][1:])
    if isinstance(config.get("batch_input_shape"), list):
        return tuple(config["batch_input_shape"][1:])
    if isinstance(config.get("shape"), list):
        return tuple(config["shape"])
    raise _not_keras("an InputLayer without a shape")


def _check_input(shape: Shape) -> None:
    if tuple(shape) not in MNIST_SHAPES:
        raise ModelFileProblem(
            f"This model reads inputs of shape {_shape_text(shape)[:60]}; a drawing is 28 × 28 "
            "(or 784 numbers)."
        )


class _Tally:
    """The running totals of a network's walk, refused as soon as one passes its limit."""

    def __init__(self, input_shape: Shape) -> None:
        _check_input(input_shape)
        self.input_shape = input_shape
        self.layers = self.params = self.weight_bytes = self.arrays = self.multiply_adds = 0
        self.activation_bytes = 4 * math.prod(input_shape)

    def add(self, class_name: str, config: Mapping[str, Any], shapes: list[Shape]) -> Shape:
        self.layers += 1
        if self.layers > MAX_LAYERS:
            raise ModelFileProblem(
                f"This model has more than {MAX_LAYERS} layers; networks here may have at most "
                f"{MAX_LAYERS}."
            )
        if class_name not in _MERGES and len(shapes) != 1:
            raise _not_keras(f"a {class_name} layer with {len(shapes)} inputs")
        number_bytes = _number_bytes(config)
        cost = LAYER_SIZES[class_name](config, shapes)
        self.params += cost.params
        self.weight_bytes += number_bytes * cost.params
        self.arrays += cost.arrays
        self.multiply_adds += cost.multiply_adds
        self.activation_bytes += max(4, number_bytes) * math.prod(cost.output_shape)
        self._check_limits()
        return cost.output_shape

    def _check_limits(self) -> None:
        if self.params > MAX_PARAMS or self.weight_bytes > MAX_WEIGHT_BYTES:
            raise ModelFileProblem(
                f"This model has at least {_count_text(self.params)} parameters "
                f"({_bytes_text(self.weight_bytes)} of weights); networks here may have at most "
                f"{_count_text(MAX_PARAMS)} ({_bytes_text(MAX_WEIGHT_BYTES)})."
            )
        if self.activation_bytes > MAX_ACTIVATION_BYTES:
            raise ModelFileProblem(
                f"This model's layers make at least {_bytes_text(self.activation_bytes)} of "
                f"numbers out of one drawing; networks here may make at most "
                f"{_bytes_text(MAX_ACTIVATION_BYTES)}."
            )
        if self.multiply_adds > MAX_MULTIPLY_ADDS:
            raise ModelFileProblem(
                f"This model needs at least {_count_text(self.multiply_adds)} multiply-adds to "
                f"answer one drawing; networks here may need at most "
                f"{_count_text(MAX_MULTIPLY_ADDS)}."
            )

    def size(self, output_shape: Shape) -> ModelSize:
        return ModelSize(
            self.input_shape,
            output_shape,
            self.layers,
            self.params,
            self.weight_bytes,
            self.arrays,
            self.activation_bytes,
            self.multiply_adds,
        )


def _layer_list(config: Mapping[str, Any]) -> list[Any]:
    """A model's layers, refused at once when there are too many to walk."""
    layers = config.get("layers")
    if not isinstance(layers, list):
        raise _not_keras("a model without layers")
    if len(layers) > MAX_LAYERS + 1:  # and an InputLayer
        raise ModelFileProblem(
            f"This model has {len(layers):,} layers; networks here may have at most {MAX_LAYERS}."
        )
    return layers


def _sequential(config: Mapping[str, Any], build: Any) -> ModelSize:
    layers = _layer_list(config)
    described = [_layer_config(layer) for layer in layers]
    if described and described[0][0] == "InputLayer":
        shape = _input_shape(described.pop(0)[1])
    elif isinstance(build, dict) and isinstance(build.get("input_shape"), list):
        shape = tuple(build["input_shape"][1:])
    elif described and isinstance(described[0][1].get("batch_input_shape"), list):
        shape = tuple(described[0][1]["batch_input_shape"][1:])
    else:
        raise ModelFileProblem(
            "This model does not say what input it reads (it was saved before it was built): "
            "give it an Input((28, 28, 1)) or Input((784,)) and save it again."
        )
    tally = _Tally(shape)
    for class_name, layer_config in described:
        if class_name == "InputLayer":
            raise _not_keras("an InputLayer in the middle of a Sequential model")
        shape = tally.add(class_name, layer_config, [shape])
    return tally.size(shape)


def _tensor_refs(node: Any) -> list[tuple[str, int, int]]:
    """The (layer, node, tensor) each input of one call of a layer comes from."""
    if isinstance(node, list):  # the older format: [[layer, node, tensor, kwargs], ...]
        found = node
    else:
        if not isinstance(node, dict):
            raise _not_keras("a layer call that is not a list or an object")
        found, stack = [], [node.get("args", [])]
        while stack:
            value = stack.pop()
            if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
                found.append(value.get("config", {}).get("keras_history"))
            elif isinstance(value, list):
                stack.extend(reversed(value))
    refs = []
    for ref in found:
        if not isinstance(ref, list) or len(ref) < 3 or not isinstance(ref[0], str):
            raise _not_keras("a layer's input that names no layer")
        refs.append((ref[0], ref[1], ref[2]))
    return refs


def _one_ref(value: Any) -> tuple[str, int, int]:
    """A model's one input or output, given as [layer, node, tensor] or a list of one of those."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
        value = value[0]
    if not isinstance(value, list) or len(value) != 3 or not isinstance(value[0], str):
        raise ModelFileProblem(
            "This model has several inputs or outputs; Draw a Digit needs one 28 × 28 input and "
            "one answer of ten digits."
        )
    return value[0], value[1], value[2]


def _functional(config: Mapping[str, Any]) -> ModelSize:
    layers = _layer_list(config)
    input_ref, output_ref = (
        _one_ref(config.get("input_layers")),
        _one_ref(config.get("output_layers")),
    )
    pending: dict[str, tuple[str, Mapping[str, Any], list[tuple[str, int, int]]]] = {}
    for layer in layers:
        class_name, layer_config = _layer_config(layer)
        name = layer.get("name", layer_config.get("name"))
        nodes = layer.get("inbound_nodes", [])
        if not isinstance(name, str) or name in pending or not isinstance(nodes, list):
            raise _not_keras("layers without a name of their own")
        if len(nodes) > 1:
            raise ModelFileProblem(
                "This model calls one layer more than once (a shared layer), which the app "
                "does not read: give each call a layer of its own."
            )
        refs = _tensor_refs(nodes[0]) if nodes else []
        pending[name] = (class_name, layer_config, refs)
    if input_ref[0] not in pending or pending[input_ref[0]][0] != "InputLayer":
        raise _not_keras("a model input that is not an InputLayer")
    tally = _Tally(_input_shape(pending[input_ref[0]][1]))
    shapes: dict[tuple[str, int, int], Shape] = {input_ref: tally.input_shape}
    del pending[input_ref[0]]
    while pending:
        ready = [
            name
            for name, (_, _, refs) in pending.items()
            if refs and all(r in shapes for r in refs)
        ]
        if not ready:
            raise ModelFileProblem(
                "This model's layers are not all connected to its one input: Draw a Digit "
                "needs a network that reads one 28 × 28 input."
            )
        for name in ready:
            class_name, layer_config, refs = pending.pop(name)
            if class_name == "InputLayer":
                raise _not_keras("a second InputLayer")
            shapes[(name, 0, 0)] = tally.add(class_name, layer_config, [shapes[r] for r in refs])
    if output_ref not in shapes:
        raise _not_keras("an output that no layer makes")
    return tally.size(shapes[output_ref])


def size_model(config: Any) -> ModelSize:
    """The cost of the network a ``config.json`` describes (parsed), without building it.

    Raises ``ModelFileProblem`` for a network that reads something other than a drawing, is
    larger than the limits here, or has a layer class this sizing does not know.
    """
    if not isinstance(config, dict) or not isinstance(config.get("config"), dict):
        raise _not_keras("no model in it")
    kind, inner = config.get("class_name"), config["config"]
    try:
        if kind == "Sequential":
            return _sequential(inner, config.get("build_config"))
        if kind == "Functional":
            return _functional(inner)
    except ModelFileProblem:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, ArithmeticError):
        raise _not_keras("a layer's options do not make sense") from None
    raise ModelFileProblem(
        f"This model is a {str(kind)[:40]}; the app reads Sequential and Functional models only."
    )


def _check_weights_file(info: zipfile.ZipInfo, size: ModelSize) -> None:
    """The weights file must be large enough to hold the parameters, and not much larger."""
    if info.file_size < size.weight_bytes:
        raise ModelFileProblem(
            f"The weights file (model.weights.h5) holds {_bytes_text(info.file_size)}, but this "
            f"model's {_count_text(size.params)} parameters need {_bytes_text(size.weight_bytes)}:"
            " the file does not match its description."
        )
    most = (
        WEIGHT_COPIES * size.weight_bytes
        + HDF5_BYTES
        + WEIGHT_COPIES * size.arrays * HDF5_BYTES_PER_ARRAY
    )
    if info.file_size > most:
        raise ModelFileProblem(
            f"The weights file (model.weights.h5) holds {_bytes_text(info.file_size)}, far more "
            f"than this model's {_bytes_text(size.weight_bytes)} of weights (and an optimizer's "
            "copies of them) need: the file does not match its description."
        )


# --- the whole check --------------------------------------------------------------------------


def check_keras_file(data: bytes) -> ModelSize:
    """Refuse what is certainly not a usable Keras model, before any Keras code runs.

    Reads the zip's directory, decompresses ``config.json`` alone and sizes its network; never
    touches the weights. Returns the network's size.
    """
    if not data:
        raise ModelFileProblem("The file is empty.")
    if len(data) > MAX_MODEL_BYTES:
        raise ModelFileProblem(f"The model file is larger than {MAX_MODEL_MB} MB, the limit.")
    if not data.startswith(_LOCAL_SIGNATURE):
        raise ModelFileProblem(
            "This is not a .keras file (a .keras file is a zip made by model.save); an "
            "old .h5 file or a renamed file cannot be read."
        )
    _check_directory(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = _check_members(data, archive)
            raw = _read_member(archive, members["config.json"], MAX_CONFIG_BYTES)
    except (zipfile.BadZipFile, zlib.error, EOFError, zipfile.LargeZipFile, NotImplementedError):
        raise ModelFileProblem(DAMAGED) from None
    config = _parse_config(raw)
    _check_classes(config)
    size = size_model(config)
    check_shapes(size.input_shape, size.output_shape[-1] if size.output_shape else 0)
    _check_weights_file(members["model.weights.h5"], size)
    return size


def describe_shapes(model: Any) -> tuple[tuple[int, ...], int]:
    """The model's input shape (without the batch) and its number of outputs."""
    return tuple(model.input_shape[1:]), int(model.output_shape[-1])


def check_shapes(input_shape: tuple[int, ...], outputs: int) -> None:
    """A drawing is 28×28: the model must read that (flat or as a picture) and answer ten digits."""
    _check_input(input_shape)
    if outputs != CLASSES:
        raise ModelFileProblem(
            f"This model answers {outputs} classes; Draw a Digit needs 10 (one per digit)."
        )


def load_keras_file(data: bytes) -> Any:
    """The model in ``data``, loaded with ``safe_mode=True`` (worker processes only).

    The web server has checked the file already; the same check runs again here, because it
    costs milliseconds (it never reads the weights) and the worker is what a huge model would
    take down.
    """
    check_keras_file(data)
    from nncore.keras_runtime import keras

    handle, path = tempfile.mkstemp(suffix=".keras")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except ModelFileProblem:
        raise
    except Exception as problem:  # Keras's own refusal, in one sentence
        text = str(problem).split("\n")[0][:160]
        raise ModelFileProblem(f"Keras could not load this model safely ({text}).") from None
    finally:
        os.unlink(path)
    check_shapes(*describe_shapes(model))
    return model


def save_keras_file(model: Any) -> bytes:
    """A model as the bytes of a ``.keras`` file (worker processes only)."""
    handle, path = tempfile.mkstemp(suffix=".keras")
    os.close(handle)
    try:
        model.save(path)
        with open(path, "rb") as file:
            return file.read()
    finally:
        os.unlink(path)
