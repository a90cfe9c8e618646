#pragma once
// `topiary export`: a training checkpoint -> an inference-only file (compress/export_file.h).
// Masked parameters are stored in the requested encoding; unmasked ones (biases, norms) dense.
// With format nm, a masked parameter whose mask is not exactly N:M falls back to bitmask.
#include <map>
#include <string>

#include "compress/export_file.h"

namespace topiary::deploy {

struct ExportOptions {
  std::string checkpoint;
  std::string output;
  std::string format = "bitmask";  // dense | bitmask | csr | nm
  std::string dtype = "fp32";      // fp32 | fp16 | bf16
  std::string nm = "2:4";          // N:M for format nm
  std::string data;                // dataset for vocabulary/labels; default: the recipe's
};

// Writes the export and returns what was written (per-parameter encodings in .weights).
compress::ExportedModel export_checkpoint(const ExportOptions& options);

}  // namespace topiary::deploy
