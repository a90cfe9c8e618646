"""Read Topiary model exports (`topiary export`) with h5py and run them in PyTorch.

    from topiary_h5 import load_export
    m = load_export("model.h5")
    logits = m.classify(["a charming and often affecting journey ."])

The HDF5 layout of every format is described in docs/export.md.
"""
from .export import Export, load_export, read_lines
from .models import build_model
from .reader import RawExport, decode_tensor
from .tokenizer import TextEncoder, word_tokens

__all__ = ["Export", "RawExport", "TextEncoder", "build_model", "decode_tensor", "load_export",
           "read_lines", "word_tokens"]
