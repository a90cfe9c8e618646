// HDF5 reading and writing of Dataset (layout in dataset.h).
#include <H5Cpp.h>

#include <filesystem>

#include "core/error.h"
#include "data/dataset.h"
#include "data/dataset_manifest.h"
#include "io/atomic_file.h"
#include "io/hdf5_util.h"

namespace topiary::data {
namespace {

std::function<void(const std::string&)>& write_hook() {
  static std::function<void(const std::string&)> hook;
  return hook;
}

void write_split(H5::H5File& file, const std::string& name, const TokenizedSplit& split,
                 bool labelled) {
  H5::Group group = io::checked_hdf5(io::object_location(file, name, "group"),
                                     [&] { return io::create_untimed_group(file, "/" + name); });
  io::write_int32_array(group, "tokens", split.tokens);
  io::write_int64_array(group, "offsets", split.offsets);
  if (labelled) io::write_int32_array(group, "labels", split.labels);
}

TokenizedSplit read_split(const H5::H5File& file, const std::string& name, bool labelled) {
  const std::string where = io::object_location(file, name, "group");
  H5::Group group = io::checked_hdf5(where, [&] {
    if (!file.nameExists(name)) throw UserError(where + ": missing");
    return file.openGroup(name);
  });
  TokenizedSplit split;
  split.tokens = io::read_int32_array(group, "tokens");
  split.offsets = io::read_int64_array(group, "offsets");
  if (labelled) split.labels = io::read_int32_array(group, "labels");
  return split;
}

void require_attribute(const H5::H5File& file, const std::string& path, const std::string& name,
                       const std::string& expected) {
  const std::optional<std::string> value = io::read_string_attribute(file, name);
  if (!value) {
    throw UserError(path + ": attribute '" + name + "' is missing; not a dataset written by " +
                    "'topiary prepare' (or the write did not finish)");
  }
  if (*value != expected) {
    throw UserError(path + ": attribute '" + name + "' is '" + *value + "', expected '" + expected +
                    "'");
  }
}

}  // namespace

void write_dataset(const std::string& path, const Dataset& dataset) {
  validate_dataset(dataset, path + " (before writing)");
  H5::Exception::dontPrint();
  io::AtomicFile output(path);
  {
    H5::H5File file =
        io::checked_hdf5(path, [&] { return H5::H5File(output.temp_path(), H5F_ACC_TRUNC); });
    io::write_string_array(file, "vocabulary", dataset.vocabulary);
    const bool labelled = dataset.kind == kClassificationKind;
    if (labelled) io::write_string_array(file, "label_names", dataset.label_names);
    write_split(file, "train", dataset.train, labelled);
    write_split(file, "valid", dataset.valid, labelled);
    if (dataset.has_test()) write_split(file, "test", dataset.test, labelled);
    for (const auto& [name, value] : dataset.attributes) {
      io::write_string_attribute(file, name, value);
    }
    // Written last: a file that has them was written completely.
    io::write_string_attribute(file, "topiary_kind", dataset.kind);
    io::write_string_attribute(file, "format_version", kDatasetFormatVersion);
    io::checked_hdf5(output.temp_path(), [&] { file.close(); });
  }
  if (write_hook()) write_hook()(output.temp_path());
  output.commit();
}

Dataset read_dataset(const std::string& path) {
  H5::Exception::dontPrint();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw UserError(path + ": no such file");
  const bool is_hdf5 = io::checked_hdf5(path, [&] { return H5::H5File::isHdf5(path); });
  if (!is_hdf5) throw UserError(path + ": not an HDF5 file");
  H5::H5File file = io::checked_hdf5(path, [&] { return H5::H5File(path, H5F_ACC_RDONLY); });

  const std::optional<std::string> kind = io::read_string_attribute(file, "topiary_kind");
  if (!kind) require_attribute(file, path, "topiary_kind", kDatasetKind);  // throws: missing
  if (*kind != kClassificationKind && *kind != kLanguageModelKind) {
    throw UserError(path + ": attribute 'topiary_kind' is '" + *kind + "', expected '" +
                    kClassificationKind + "' or '" + kLanguageModelKind + "'");
  }
  require_attribute(file, path, "format_version", kDatasetFormatVersion);
  if (io::read_string_attribute(file, "layout") == std::string(kShardedLayout)) {
    return read_sharded_dataset(path, file);
  }
  Dataset dataset;
  dataset.kind = *kind;
  const bool labelled = dataset.kind == kClassificationKind;
  dataset.attributes = io::read_string_attributes(file);
  dataset.vocabulary = io::read_string_array(file, "vocabulary");
  if (labelled) dataset.label_names = io::read_string_array(file, "label_names");
  dataset.train = read_split(file, "train", labelled);
  dataset.valid = read_split(file, "valid", labelled);
  const bool has_test = io::checked_hdf5(path, [&] { return file.nameExists("test"); });
  if (has_test) dataset.test = read_split(file, "test", labelled);
  validate_dataset(dataset, path);
  return dataset;
}

namespace testing {
void set_write_dataset_hook(std::function<void(const std::string&)> hook) {
  write_hook() = std::move(hook);
}
}  // namespace testing

}  // namespace topiary::data
