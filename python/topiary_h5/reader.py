"""Reading a `topiary export` file with h5py: root attributes, /tokenizer and /weights.

Every /weights/<name> group is decoded to a dense float32 array exactly as the C++ reader
(framework/compress/sparse_encoding.cpp) does: entries that were not kept are zero.
"""
import json

import h5py
import numpy as np

EXPORT_KIND = "model_export"
FORMAT_VERSION = "1"
DTYPES = ("fp32", "fp16", "bf16")


def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def attributes(obj):
    """An HDF5 object's attributes as a dict of str (Topiary writes UTF-8 string scalars)."""
    return {key: _text(value) for key, value in obj.attrs.items()}


def strings(dataset):
    """A 1-D variable-length UTF-8 string dataset as a list of str."""
    return [_text(value) for value in dataset[()]]


def half_to_float32(bits, dtype):
    """uint16 bit patterns (IEEE binary16 for fp16, the top half of a float32 for bf16) to
    float32; both conversions are exact."""
    bits = np.asarray(bits, dtype=np.uint16)
    if dtype == "fp16":
        return bits.view(np.float16).astype(np.float32)
    if dtype == "bf16":
        return (bits.astype(np.uint32) << 16).view(np.float32)
    raise ValueError(f"not a 16-bit dtype: {dtype!r}")


def matrix_view(shape):
    """rows = shape[0] (1 for a scalar), cols = numel / rows, as in sparse_encoding.h."""
    numel = int(np.prod(shape, dtype=np.int64))
    rows = int(shape[0]) if len(shape) else 1
    return rows, (numel // rows if rows > 0 else 0)


def decode_tensor(group, dtype="fp32"):
    """The dense float32 array of one /weights/<name> group. `dtype` is the file's root dtype
    attribute (fp32: values are float32; fp16 / bf16: values are uint16 bit patterns)."""
    where = group.name
    shape = tuple(int(d) for d in group["shape"][()])
    numel = int(np.prod(shape, dtype=np.int64))
    rows, cols = matrix_view(shape)
    encoding = _text(group.attrs["encoding"])
    values = group["values"][()]
    values = values.astype(np.float32) if dtype == "fp32" else half_to_float32(values, dtype)

    def check(condition, why):
        if not condition:
            raise ValueError(f"{where}: {why}")

    out = np.zeros(numel, dtype=np.float32)
    if encoding == "dense":
        check(values.size == numel, "values do not match the shape")
        out = values.copy()
    elif encoding == "bitmask":
        bits = group["bits"][()].astype(np.uint8)
        check(bits.size == (numel + 7) // 8, "bitmask length does not match the shape")
        kept = np.unpackbits(bits, bitorder="little")[:numel].astype(bool)  # LSB first
        check(int(kept.sum()) == values.size, "value count differs from the set bits")
        out[kept] = values
    elif encoding == "csr":
        indptr = group["indptr"][()].astype(np.int64)
        indices = group["indices"][()].astype(np.int64)  # uint16 or int32 on disk
        check(indptr.size == rows + 1 and indptr[0] == 0 and indptr[-1] == values.size
              and indices.size == values.size, "csr arrays do not match each other or the shape")
        check(bool(np.all(np.diff(indptr) >= 0)), "csr indptr decreases")
        check(bool(np.all((indices >= 0) & (indices < cols))), "csr column index out of range")
        row_of = np.repeat(np.arange(rows, dtype=np.int64), np.diff(indptr))
        out[row_of * cols + indices] = values
    elif encoding == "nm":
        n, m = int(_text(group.attrs["n"])), int(_text(group.attrs["m"]))
        check(0 < m <= 255 and 0 <= n <= m and cols % m == 0, "bad N:M parameters")
        positions = group["positions"][()].astype(np.int64)
        expected = numel // m * n
        check(values.size == expected and positions.size == expected,
              "N:M arrays do not match the shape")
        check(bool(np.all(positions < m)), "N:M position out of range")
        groups = np.arange(expected, dtype=np.int64) // max(n, 1)
        out[groups * m + positions] = values
    else:
        raise ValueError(f"{where}: unknown encoding {encoding!r}")
    return out.reshape(shape)


class RawExport:
    """Everything in an export file, decoded: attributes (root, str), model (the parsed "model"
    JSON), vocabulary, label_names, tokenizer_attributes, encodings and weights (name -> dense
    float32 numpy array, in file order)."""

    def __init__(self, path):
        with h5py.File(path, "r") as f:
            self.attributes = attributes(f)
            kind = self.attributes.get("topiary_kind")
            if kind != EXPORT_KIND:
                raise ValueError(f"{path}: not a Topiary model export (topiary_kind {kind!r})")
            version = self.attributes.get("format_version")
            if version != FORMAT_VERSION:
                raise ValueError(f"{path}: export format_version {version!r} is not supported "
                                 f"(reads {FORMAT_VERSION})")
            self.dtype = self.attributes["dtype"]
            if self.dtype not in DTYPES:
                raise ValueError(f"{path}: unknown dtype {self.dtype!r}")
            self.format = self.attributes.get("format", "dense")
            self.model = json.loads(self.attributes["model"])
            tokenizer = f["tokenizer"]
            self.vocabulary = strings(tokenizer["vocabulary"])
            self.label_names = (strings(tokenizer["label_names"])
                                if "label_names" in tokenizer else [])
            self.tokenizer_attributes = attributes(tokenizer)
            self.encodings, self.weights = {}, {}
            for name, group in f["weights"].items():
                self.encodings[name] = _text(group.attrs["encoding"])
                self.weights[name] = decode_tensor(group, self.dtype)
