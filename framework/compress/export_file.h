#pragma once
// The inference-only model file written by `topiary export` and read by `topiary predict` and
// python/topiary_h5. Layout (format_version "1"; docs/export.md has every detail):
//   /                 attributes topiary_kind = "model_export", format_version, format
//                     (dense|bitmask|csr|nm), dtype (fp32|fp16|bf16), task, source_checkpoint,
//                     recipe (effective YAML), model (JSON: type and sizes, see ModelSpec)
//   /tokenizer        vocabulary string[V], label_names string[C] (classification only);
//                     attributes: the dataset's tokenizer settings (tokenizer, max_length, ...)
//   /weights/<name>   one group per parameter: shape int64[rank], attribute encoding, and the
//                     encoding's arrays (sparse_encoding.h): values, bits, indptr, indices,
//                     positions; attributes n, m for nm. values are float32, or uint16 bit
//                     patterns when dtype is fp16 / bf16. Arrays of more than 4096 elements are
//                     chunked with shuffle + deflate.
// Written atomically (temporary file + rename).
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "compress/sparse_encoding.h"

namespace topiary::compress {

inline constexpr const char* kExportKind = "model_export";
inline constexpr const char* kExportFormatVersion = "1";

struct ExportedModel {
  std::string format = "dense";  // the requested format (per-tensor encodings may differ)
  std::string dtype = "fp32";    // fp32 | fp16 | bf16 (values only)
  std::map<std::string, std::string> attributes;  // task, source_checkpoint, recipe, model
  std::vector<std::string> vocabulary;
  std::vector<std::string> label_names;
  std::map<std::string, std::string> tokenizer;  // dataset attributes that define tokenization
  std::vector<std::pair<std::string, EncodedTensor>> weights;  // parameter order
};

void write_export(const std::string& path, const ExportedModel& model);
// UserError naming the file and object for anything that is not a well-formed export.
ExportedModel read_export(const std::string& path);

// Bytes each /weights/<name> group takes in the file (storage of its datasets).
std::map<std::string, int64_t> stored_bytes(const std::string& path);

}  // namespace topiary::compress
