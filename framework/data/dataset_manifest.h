#pragma once
// A sharded dataset: a small "manifest" file at the dataset's path plus shard files beside it
// (written by the parallel `topiary prepare`, sharded_prepare.h). read_dataset() reads either
// kind of file, so training, eval and `data inspect` do not care which one they got.
//
// Manifest layout (an HDF5 file, format_version "1" like a single-file dataset):
//   /vocabulary   string[V]   the vocabulary every shard was tokenized with
//   /label_names  string[C]   classification only
//   /shards       string[S]   shard file names, relative to the manifest's folder, in order
//   root attributes: topiary_kind, format_version, layout = "sharded", prepare_fingerprint
//   (sha256 of the options and the input shards' sha256s) and the usual provenance.
// Each shard is a complete single-file dataset (dataset.h) holding that shard's train and
// valid documents, with attributes shard_of (the manifest's prepare_fingerprint) and
// shard_index. The dataset is the concatenation of the shards' splits in manifest order.
#include <H5Cpp.h>

#include <map>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace topiary::data {

inline constexpr const char* kShardedLayout = "sharded";

struct DatasetManifest {
  std::string kind = kLanguageModelKind;
  std::vector<std::string> vocabulary;
  std::vector<std::string> label_names;
  std::vector<std::string> shards;  // relative to the manifest's folder
  std::string fingerprint;
  std::map<std::string, std::string> attributes;  // provenance
};

// Atomic (temporary name, then rename), like write_dataset.
void write_manifest(const std::string& path, const DatasetManifest& manifest);

// The manifest's prepare_fingerprint when `path` is a complete manifest, else "".
std::string manifest_fingerprint(const std::string& path);

// Reads the manifest (already open as `file`) and every shard; a missing shard, a shard from
// another run (shard_of differs) or with another vocabulary is a UserError naming both files.
Dataset read_sharded_dataset(const std::string& path, const H5::H5File& file);

// Where shard `name` of the manifest at `manifest_path` lives.
std::string shard_path(const std::string& manifest_path, const std::string& name);

}  // namespace topiary::data
