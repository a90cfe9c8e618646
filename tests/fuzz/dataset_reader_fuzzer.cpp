// libFuzzer harness for the HDF5 readers: data::read_dataset and io::read_checkpoint.
//
// HDF5 itself is not built with sanitizers and crashes on many malformed files in its own code
// (a known property of libhdf5, outside Topiary), so by default the harness is structured: the
// input decides the *contents* of a well-formed HDF5 file, which the harness writes with the HDF5
// C++ API and then hands to the readers. That covers what our code must refuse: token ids out of
// vocabulary, offsets out of range or not monotonic, wrong ranks and element types, missing
// datasets and attributes, huge declared shapes with no stored data, foreign kinds and versions.
// Set TOPIARY_FUZZ_RAW_HDF5=1 to instead write the input bytes as the file (exercises libhdf5's
// parser; a crash inside libhdf5 is then not a Topiary bug).
// A UserError is the only acceptable failure; anything else is a finding.
#include <H5Cpp.h>
#include <fuzzer/FuzzedDataProvider.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/dataset.h"
#include "io/checkpoint_file.h"

namespace fs = std::filesystem;

namespace {

const std::string& file_path() {
  static const std::string path = [] {
    std::string pattern = (fs::temp_directory_path() / "topiary-fuzz-h5.XXXXXX").string();
    if (!mkdtemp(pattern.data())) std::abort();
    return pattern + "/input.h5";
  }();
  return path;
}

template <typename Fn>
void expect_only_user_errors(const char* stage, Fn&& fn) {
  try {
    fn();
  } catch (const topiary::UserError&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dataset_reader_fuzzer: %s threw a non-UserError: %s\n", stage, e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "dataset_reader_fuzzer: %s threw a non-std::exception\n", stage);
    std::abort();
  }
}

void string_attribute(H5::H5Object& object, const std::string& name, const std::string& value) {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  object.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, value);
}

// One dataset whose type, rank, declared shape and contents come from the input.
void fuzzed_dataset(FuzzedDataProvider& in, H5::Group& parent, const std::string& name) {
  const int shape_kind = in.ConsumeIntegralInRange(0, 7);
  if (shape_kind == 0) return;  // missing
  if (shape_kind == 1) {        // a string array instead of numbers (or the vocabulary)
    const size_t n = in.ConsumeIntegralInRange<size_t>(0, 8);
    std::vector<std::string> strings;
    for (size_t i = 0; i < n; ++i) strings.push_back(in.ConsumeRandomLengthString(12));
    std::vector<const char*> pointers;
    for (const auto& s : strings) pointers.push_back(s.c_str());
    hsize_t dims = n;
    H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
    type.setCset(H5T_CSET_UTF8);
    H5::DataSet set = parent.createDataSet(name, type, H5::DataSpace(1, &dims));
    if (n > 0) set.write(pointers.data(), type);
    return;
  }
  static const H5::PredType* const kTypes[] = {
      &H5::PredType::NATIVE_INT32, &H5::PredType::NATIVE_INT64, &H5::PredType::NATIVE_FLOAT,
      &H5::PredType::NATIVE_UINT8, &H5::PredType::NATIVE_INT32, &H5::PredType::NATIVE_INT64};
  const H5::PredType& type = *kTypes[in.ConsumeIntegralInRange(0, 5)];
  const int rank = shape_kind == 2 ? 0 : (shape_kind == 3 ? 2 : 1);
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  for (auto& d : dims) d = in.ConsumeIntegralInRange<hsize_t>(0, 16);
  if (shape_kind == 4 && rank == 1) {
    // Declared huge but never written: a chunked dataset stores nothing until written.
    dims[0] = in.ConsumeIntegralInRange<hsize_t>(1, hsize_t{1} << 62);
    const hsize_t chunk = 1024;
    H5::DSetCreatPropList properties;
    properties.setChunk(1, &chunk);
    hsize_t max_dims = H5S_UNLIMITED;
    parent.createDataSet(name, type, H5::DataSpace(1, dims.data(), &max_dims), properties);
    return;
  }
  hsize_t count = 1;
  for (hsize_t d : dims) count *= d;
  std::vector<int64_t> values(count);
  for (auto& v : values) {
    // Mostly small ids and offsets (so that some files pass), sometimes anything.
    v = in.ConsumeBool() ? in.ConsumeIntegralInRange<int64_t>(-1, 8)
                         : in.ConsumeIntegral<int64_t>();
  }
  H5::DataSpace space = rank == 0 ? H5::DataSpace(H5S_SCALAR) : H5::DataSpace(rank, dims.data());
  H5::DataSet set = parent.createDataSet(name, type, space);
  if (count > 0) set.write(values.data(), H5::PredType::NATIVE_INT64);
}

void fuzzed_attributes(FuzzedDataProvider& in, H5::Group& root, const char* kind) {
  const int kind_choice = in.ConsumeIntegralInRange(0, 3);
  if (kind_choice == 0) string_attribute(root, "topiary_kind", kind);
  if (kind_choice == 1) string_attribute(root, "topiary_kind", "language_model");
  if (kind_choice == 2) string_attribute(root, "topiary_kind", in.ConsumeRandomLengthString(12));
  if (in.ConsumeIntegralInRange(0, 7) != 0) {
    string_attribute(root, "format_version",
                     in.ConsumeBool() ? "1" : in.ConsumeRandomLengthString(4));
  }
  if (in.ConsumeBool()) {  // a non-string attribute
    const int32_t value = in.ConsumeIntegral<int32_t>();
    root.createAttribute("count", H5::PredType::NATIVE_INT32, H5::DataSpace(H5S_SCALAR))
        .write(H5::PredType::NATIVE_INT32, &value);
  }
}

void write_fuzzed_dataset_file(FuzzedDataProvider& in, const std::string& path) {
  H5::H5File file(path, H5F_ACC_TRUNC);
  H5::Group root = file.openGroup("/");
  fuzzed_attributes(in, root, topiary::data::kDatasetKind);
  fuzzed_dataset(in, root, "vocabulary");
  fuzzed_dataset(in, root, "label_names");
  for (const char* split : {"train", "valid"}) {
    if (in.ConsumeIntegralInRange(0, 7) == 0) continue;
    H5::Group group = file.createGroup(split);
    fuzzed_dataset(in, group, "tokens");
    fuzzed_dataset(in, group, "offsets");
    fuzzed_dataset(in, group, "labels");
  }
}

void write_fuzzed_checkpoint_file(FuzzedDataProvider& in, const std::string& path) {
  H5::H5File file(path, H5F_ACC_TRUNC);
  H5::Group root = file.openGroup("/");
  fuzzed_attributes(in, root, "checkpoint");
  for (const char* group_name : {"weights", "masks", "optimizer", "state"}) {
    if (in.ConsumeIntegralInRange(0, 5) == 0) continue;
    H5::Group group = file.createGroup(group_name);
    const int n = in.ConsumeIntegralInRange(0, 3);
    for (int i = 0; i < n; ++i) fuzzed_dataset(in, group, "p" + std::to_string(i));
  }
}

void read_both(const std::string& path) {
  expect_only_user_errors("read_dataset", [&] { topiary::data::read_dataset(path); });
  expect_only_user_errors("read_checkpoint", [&] { topiary::io::read_checkpoint(path); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  H5::Exception::dontPrint();
  const std::string& path = file_path();
  static const bool raw = [] {
    const char* env = std::getenv("TOPIARY_FUZZ_RAW_HDF5");
    return env && std::string(env) == "1";
  }();
  if (raw) {
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    read_both(path);
    return 0;
  }
  FuzzedDataProvider in(data, size);
  const bool checkpoint = in.ConsumeBool();
  try {
    if (checkpoint) {
      write_fuzzed_checkpoint_file(in, path);
    } else {
      write_fuzzed_dataset_file(in, path);
    }
  } catch (const H5::Exception&) {
    return 0;  // the harness asked HDF5 for something it cannot write; not a reader test
  }
  read_both(path);
  return 0;
}
