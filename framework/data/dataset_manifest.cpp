#include "data/dataset_manifest.h"

#include <filesystem>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/hdf5_util.h"

namespace topiary::data {
namespace {

void append_split(TokenizedSplit& into, const TokenizedSplit& from) {
  if (into.offsets.empty()) into.offsets.push_back(0);
  if (from.size() == 0) return;
  const auto base = static_cast<int64_t>(into.tokens.size());
  into.tokens.insert(into.tokens.end(), from.tokens.begin(), from.tokens.end());
  for (size_t i = 1; i < from.offsets.size(); ++i) into.offsets.push_back(base + from.offsets[i]);
  into.labels.insert(into.labels.end(), from.labels.begin(), from.labels.end());
}

}  // namespace

std::string shard_path(const std::string& manifest_path, const std::string& name) {
  return (std::filesystem::path(manifest_path).parent_path() / name).string();
}

void write_manifest(const std::string& path, const DatasetManifest& manifest) {
  H5::Exception::dontPrint();
  io::AtomicFile output(path);
  {
    H5::H5File file =
        io::checked_hdf5(path, [&] { return H5::H5File(output.temp_path(), H5F_ACC_TRUNC); });
    io::write_string_array(file, "vocabulary", manifest.vocabulary);
    if (manifest.kind == kClassificationKind) {
      io::write_string_array(file, "label_names", manifest.label_names);
    }
    io::write_string_array(file, "shards", manifest.shards);
    for (const auto& [name, value] : manifest.attributes) {
      io::write_string_attribute(file, name, value);
    }
    io::write_string_attribute(file, "layout", kShardedLayout);
    io::write_string_attribute(file, "prepare_fingerprint", manifest.fingerprint);
    // Written last, as in write_dataset: a file that has them was written completely.
    io::write_string_attribute(file, "topiary_kind", manifest.kind);
    io::write_string_attribute(file, "format_version", kDatasetFormatVersion);
    io::checked_hdf5(output.temp_path(), [&] { file.close(); });
  }
  output.commit();
}

std::string manifest_fingerprint(const std::string& path) {
  H5::Exception::dontPrint();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return "";
  try {
    if (!H5::H5File::isHdf5(path)) return "";
    const H5::H5File file(path, H5F_ACC_RDONLY);
    if (io::read_string_attribute(file, "format_version") != std::string(kDatasetFormatVersion) ||
        io::read_string_attribute(file, "layout") != std::string(kShardedLayout)) {
      return "";
    }
    return io::read_string_attribute(file, "prepare_fingerprint").value_or("");
  } catch (const H5::Exception&) {
    return "";
  }
}

Dataset read_sharded_dataset(const std::string& path, const H5::H5File& file) {
  // A shard that is itself a manifest (a hostile or mixed-up file) would recurse forever.
  static thread_local bool reading_shards = false;
  if (reading_shards) throw UserError(path + ": a shard cannot itself be a sharded manifest");
  struct Guard {
    Guard() { reading_shards = true; }
    ~Guard() { reading_shards = false; }
  } guard;
  Dataset dataset;
  dataset.kind = io::read_string_attribute(file, "topiary_kind").value_or("");
  dataset.attributes = io::read_string_attributes(file);
  const std::string fingerprint = dataset.attributes["prepare_fingerprint"];
  dataset.vocabulary = io::read_string_array(file, "vocabulary");
  if (dataset.kind == kClassificationKind) {
    dataset.label_names = io::read_string_array(file, "label_names");
  }
  const std::vector<std::string> shards = io::read_string_array(file, "shards");
  if (shards.empty()) throw UserError(path + ": dataset '/shards' is empty");
  for (const std::string& name : shards) {
    const std::string shard = shard_path(path, name);
    std::error_code ec;
    if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos ||
        !std::filesystem::exists(shard, ec)) {
      throw UserError(path + ": shard '" + name + "' is missing (expected " + shard +
                      "); re-run `topiary prepare`");
    }
    const Dataset part = read_dataset(shard);
    const auto owner = part.attributes.find("shard_of");
    if (owner == part.attributes.end() || owner->second != fingerprint) {
      throw UserError(shard + ": not a shard of " + path +
                      " (attribute 'shard_of' differs from the manifest's prepare_fingerprint)");
    }
    if (part.kind != dataset.kind || part.vocabulary != dataset.vocabulary ||
        part.label_names != dataset.label_names) {
      throw UserError(shard + ": its kind, vocabulary or labels differ from the manifest " + path);
    }
    append_split(dataset.train, part.train);
    append_split(dataset.valid, part.valid);
  }
  validate_dataset(dataset, path);
  return dataset;
}

}  // namespace topiary::data
