"""Fashion-MNIST from its four IDX files (gzip or raw), read without torchvision so that the peer
reads exactly the bytes our workers read. Standard library only, so its tests need no torch."""

import gzip
import os
import struct
from typing import NamedTuple

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"

# The four files of the set; each may also be present without ".gz".
FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

_UNSIGNED_BYTE = 0x08


class Split(NamedTuple):
    """One half of the set: count images of pixels_per_image bytes each, row-major, and one label byte each."""
    count: int
    pixels_per_image: int
    images: memoryview
    labels: memoryview


class IdxError(ValueError):
    """A file that is not a well-formed IDX file of unsigned bytes, or a set whose files disagree."""


def parse_idx(data, name="IDX data"):
    """Splits IDX bytes into (dims, payload). The header is two zero bytes, a type code (0x08 = unsigned
    byte, the only one Fashion-MNIST uses), the number of dimensions, then each dimension as a big-endian
    uint32; the payload is the product of the dimensions in bytes, and nothing may follow it."""
    if len(data) < 4:
        raise IdxError(f"{name}: {len(data)} bytes is too short for an IDX header")
    zero, kind, rank = struct.unpack_from(">HBB", data, 0)
    if zero != 0 or kind != _UNSIGNED_BYTE or rank == 0:
        raise IdxError(f"{name}: bad magic number 0x{data[:4].hex()} (expected 0x000008 and a rank of 1 or more)")
    header = 4 + 4 * rank
    if len(data) < header:
        raise IdxError(f"{name}: truncated header ({len(data)} bytes, {header} needed for rank {rank})")
    dims = struct.unpack_from(f">{rank}I", data, 4)
    payload = 1
    for d in dims:
        payload *= d
    if len(data) != header + payload:
        raise IdxError(f"{name}: dimensions {list(dims)} need {header + payload} bytes, the file holds {len(data)}")
    return list(dims), memoryview(data)[header:]


def read_idx(path):
    """Reads one IDX file, gunzipping it when its name ends in .gz."""
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as e:  # EOFError: a gzip stream cut short
        raise IdxError(f"{path}: cannot be read: {e}") from e
    return parse_idx(data, path)


def _find(directory, stem):
    for candidate in (stem + ".gz", stem):
        path = os.path.join(directory, candidate)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(
        f"{directory} holds neither {stem}.gz nor {stem} (on Debian: apt-get install dataset-fashion-mnist)")


def load(directory=DEFAULT_DIR):
    """Returns {"train": Split, "test": Split}. Image and label counts must agree, and labels lie in 0..9."""
    sets = {}
    for split in ("train", "test"):
        image_dims, images = read_idx(_find(directory, FILES[f"{split}_images"]))
        label_dims, labels = read_idx(_find(directory, FILES[f"{split}_labels"]))
        if len(image_dims) != 3 or len(label_dims) != 1:
            raise IdxError(f"{split}: expected images of rank 3 and labels of rank 1, got {image_dims} and {label_dims}")
        if image_dims[0] != label_dims[0]:
            raise IdxError(f"{split}: {image_dims[0]} images but {label_dims[0]} labels")
        if len(labels) and max(labels) > 9:
            raise IdxError(f"{split}: label {max(labels)} is outside 0..9")
        sets[split] = Split(image_dims[0], image_dims[1] * image_dims[2], images, labels)
    return sets
