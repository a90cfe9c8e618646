#pragma once
// The root attributes of a model file written by `topiary import hf` (a checkpoint-format HDF5
// file with /weights only): shared by the importer and by `prepare --vocab`, which reads the
// tokenizer from such a file as from the Hugging Face folder it came from.
namespace topiary::io {

inline constexpr const char* kImportedConfigAttribute = "hf_config_json";
inline constexpr const char* kImportedTokenizerAttribute = "hf_tokenizer_json";
inline constexpr const char* kImportedSourceAttribute = "hf_source";

}  // namespace topiary::io
