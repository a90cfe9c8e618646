#pragma once
// A prepared, tokenized dataset (classification or language model) and its HDF5 store.
//
// File layout (format_version "1"), topiary_kind = "classification":
//   /vocabulary            string[V]   id -> token; 0 = "<pad>", 1 = "<unk>"; with the
//                                      wordpiece tokenizer (attribute tokenizer "wordpiece:...")
//                                      the tokenizer.json's vocabulary in its id order, 0 = [PAD]
//   /label_names           string[C]   class index -> name
//   /train, /valid         groups, each with (and /test, optional: held out for reporting,
//                          written only when prepare was given --test or --test-fraction)
//       tokens   int32[T]    all examples' token ids, concatenated
//       offsets  int64[N+1]  example i = tokens[offsets[i], offsets[i+1])
//       labels   int32[N]    class index per example
//   root string attributes: topiary_kind = "classification", format_version = "1", and
//   provenance (sources, their sha256, tokenizer settings, counts).
// topiary_kind = "language_model": the same without /label_names and without labels; each
//   offsets entry delimits a document, and /vocabulary starts "<pad>", "<unk>", "<eos>" (the
//   separator the trainer puts between documents). The tokenizer kind and settings are the
//   attributes tokenizer ("char", "byte" or "word,lowercase=..."), separator_token, document_unit.
// Strings are variable-length UTF-8, so h5py reads them as str.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace topiary::data {

inline constexpr const char* kDatasetKind = "classification";  // the default kind
inline constexpr const char* kClassificationKind = "classification";
inline constexpr const char* kLanguageModelKind = "language_model";
inline constexpr const char* kDatasetFormatVersion = "1";

struct TokenizedSplit {
  std::vector<int32_t> tokens;   // all examples' token ids, concatenated
  std::vector<int64_t> offsets;  // size() + 1 entries; example i = tokens[offsets[i], offsets[i+1])
  std::vector<int32_t> labels;   // one per example (class index); empty for a language model
  // Examples (documents for a language model).
  int64_t size() const { return offsets.empty() ? 0 : static_cast<int64_t>(offsets.size()) - 1; }
};

struct Dataset {
  std::vector<std::string> vocabulary;   // id -> token; id 0 = "<pad>", id 1 = "<unk>"
  std::vector<std::string> label_names;  // class index -> name; empty for a language model
  TokenizedSplit train, valid;
  // Provenance: source paths, sha256 of inputs, tokenizer settings, counts, format_version.
  std::map<std::string, std::string> attributes;
  // kClassificationKind or kLanguageModelKind (the file's topiary_kind); last, so that existing
  // aggregate initialisers keep working.
  std::string kind = kClassificationKind;
  // Optional held-out split for reporting; no offsets = the file has none. Training, model
  // selection and sensitivity never read it.
  TokenizedSplit test;
  bool has_test() const { return !test.offsets.empty(); }
};

// Checks every invariant read_dataset relies on; a violation is a UserError starting with
// `where` and naming the dataset ("/train/offsets") or attribute. Of the attributes it checks
// only a wordpiece "tokenizer" (against the vocabulary).
void validate_dataset(const Dataset& dataset, const std::string& where);

// Atomic: writes "<path>.tmp.<pid>", closes it and renames it over `path`; a failure (or a crash)
// leaves the previous file. The dataset is validated first; topiary_kind (from dataset.kind) and
// format_version are always written, overriding any value in dataset.attributes.
void write_dataset(const std::string& path, const Dataset& dataset);

// Reads and validates a file written by write_dataset, of either kind (see Dataset::kind; the
// caller checks it is the kind it needs). A missing file, a file that is not HDF5,
// lacks topiary_kind/format_version (foreign or half-written), or breaks any invariant is a
// UserError naming the path and the dataset or attribute.
Dataset read_dataset(const std::string& path);

namespace testing {
// Called by write_dataset after all data is written to the temporary file and before it is
// committed; a test can throw from it to simulate a failure mid-write. Pass {} to clear.
void set_write_dataset_hook(std::function<void(const std::string& temp_path)> hook);
}  // namespace testing

}  // namespace topiary::data
