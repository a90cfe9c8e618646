#include "compress/export_file.h"

#include <H5Cpp.h>

#include <filesystem>

#include "compress/half_float.h"
#include "core/error.h"
#include "io/atomic_file.h"
#include "io/hdf5_util.h"

namespace topiary::compress {
namespace {

template <typename T>
void write_array(H5::Group& group, const std::string& name, const std::vector<T>& data,
                 const H5::PredType& type) {
  hsize_t size = data.size();
  H5::DataSpace space(1, &size);
  H5::DSetCreatPropList properties = io::untimed_dataset_properties();
  if (size > 4096) {
    hsize_t chunk = std::min<hsize_t>(size, 1 << 16);
    properties.setChunk(1, &chunk);
    properties.setShuffle();  // byte planes of floats and indices compress far better
    properties.setDeflate(4);
  }
  H5::DataSet dataset = group.createDataSet(name, type, space, properties);
  if (size > 0) dataset.write(data.data(), type);
}

// Reads a 1-D array of an integer or float type into T (HDF5 converts; narrowing is refused
// by the class check for floats vs integers).
template <typename T>
std::vector<T> read_array(const H5::Group& group, const std::string& name, const H5::PredType& type,
                          bool want_float) {
  const std::string where = io::object_location(group, name, "dataset");
  if (!group.nameExists(name)) throw UserError(where + ": missing");
  H5::DataSet dataset = group.openDataSet(name);
  const H5T_class_t cls = dataset.getTypeClass();
  if ((want_float && cls != H5T_FLOAT) || (!want_float && cls != H5T_INTEGER))
    throw UserError(where + ": wrong type");
  H5::DataSpace space = dataset.getSpace();
  if (space.getSimpleExtentNdims() != 1) throw UserError(where + ": not one-dimensional");
  hsize_t size = 0;
  space.getSimpleExtentDims(&size);
  if (size > (hsize_t{1} << 36)) throw UserError(where + ": implausibly large");
  std::vector<T> data(static_cast<size_t>(size));
  if (size > 0) dataset.read(data.data(), type);
  return data;
}

void write_values(H5::Group& group, const std::vector<float>& values, const std::string& dtype) {
  if (dtype == "fp32") {
    write_array(group, "values", values, H5::PredType::NATIVE_FLOAT);
    return;
  }
  std::vector<uint16_t> bits(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    bits[i] = dtype == "fp16" ? float_to_fp16(values[i]) : float_to_bf16(values[i]);
  write_array(group, "values", bits, H5::PredType::NATIVE_UINT16);
}

std::vector<float> read_values(const H5::Group& group, const std::string& dtype) {
  if (dtype == "fp32") return read_array<float>(group, "values", H5::PredType::NATIVE_FLOAT, true);
  const auto bits = read_array<uint16_t>(group, "values", H5::PredType::NATIVE_UINT16, false);
  std::vector<float> values(bits.size());
  for (size_t i = 0; i < bits.size(); ++i)
    values[i] = dtype == "fp16" ? fp16_to_float(bits[i]) : bf16_to_float(bits[i]);
  return values;
}

void write_tensor(H5::Group& weights, const std::string& name, const EncodedTensor& t,
                  const std::string& dtype) {
  H5::Group group = io::create_untimed_group(weights, name);
  io::write_string_attribute(group, "encoding", encoding_name(t.encoding));
  io::write_int64_array(group, "shape", t.shape);
  write_values(group, t.values, dtype);
  switch (t.encoding) {
    case Encoding::kDense:
      break;
    case Encoding::kBitmask:
      write_array(group, "bits", t.bits, H5::PredType::NATIVE_UINT8);
      break;
    case Encoding::kCsr: {
      write_array(group, "indptr", t.indptr, H5::PredType::NATIVE_INT64);
      const auto cols = matrix_view(t.shape).second;
      if (cols <= 65536) {
        std::vector<uint16_t> narrow(t.indices.begin(), t.indices.end());
        write_array(group, "indices", narrow, H5::PredType::NATIVE_UINT16);
      } else {
        write_array(group, "indices", t.indices, H5::PredType::NATIVE_INT32);
      }
      break;
    }
    case Encoding::kNm:
      write_array(group, "positions", t.positions, H5::PredType::NATIVE_UINT8);
      io::write_string_attribute(group, "n", std::to_string(t.n));
      io::write_string_attribute(group, "m", std::to_string(t.m));
      break;
  }
}

EncodedTensor read_tensor(const H5::Group& weights, const std::string& name,
                          const std::string& dtype) {
  H5::Group group = weights.openGroup(name);
  const std::string where = io::object_location(weights, name, "group");
  EncodedTensor t;
  const auto encoding = io::read_string_attribute(group, "encoding");
  if (!encoding) throw UserError(where + ": no encoding attribute");
  t.encoding = parse_encoding(*encoding);
  t.shape = io::read_int64_array(group, "shape");
  t.values = read_values(group, dtype);
  switch (t.encoding) {
    case Encoding::kDense:
      break;
    case Encoding::kBitmask:
      t.bits = read_array<uint8_t>(group, "bits", H5::PredType::NATIVE_UINT8, false);
      break;
    case Encoding::kCsr:
      t.indptr = read_array<int64_t>(group, "indptr", H5::PredType::NATIVE_INT64, false);
      t.indices = read_array<int32_t>(group, "indices", H5::PredType::NATIVE_INT32, false);
      break;
    case Encoding::kNm: {
      t.positions = read_array<uint8_t>(group, "positions", H5::PredType::NATIVE_UINT8, false);
      const auto n = io::read_string_attribute(group, "n");
      const auto m = io::read_string_attribute(group, "m");
      try {
        t.n = std::stoll(n.value_or("x"));
        t.m = std::stoll(m.value_or("x"));
      } catch (const std::exception&) {
        throw UserError(where + ": nm needs whole-number attributes n and m");
      }
      break;
    }
  }
  return t;
}

}  // namespace

void write_export(const std::string& path, const ExportedModel& model) {
  if (model.dtype != "fp32" && model.dtype != "fp16" && model.dtype != "bf16")
    throw UserError("--dtype must be fp32, fp16 or bf16, not '" + model.dtype + "'");
  io::AtomicFile output(path);  // a crash or an error leaves the previous export
  try {
    H5::Exception::dontPrint();
    {
      H5::H5File file(output.temp_path(), H5F_ACC_TRUNC);
      H5::Group root = file.openGroup("/");
      io::write_string_attribute(root, "topiary_kind", kExportKind);
      io::write_string_attribute(root, "format_version", kExportFormatVersion);
      io::write_string_attribute(root, "format", model.format);
      io::write_string_attribute(root, "dtype", model.dtype);
      for (const auto& [key, value] : model.attributes)
        io::write_string_attribute(root, key, value);
      H5::Group tokenizer = io::create_untimed_group(file, "tokenizer");
      io::write_string_array(tokenizer, "vocabulary", model.vocabulary);
      if (!model.label_names.empty())
        io::write_string_array(tokenizer, "label_names", model.label_names);
      for (const auto& [key, value] : model.tokenizer)
        io::write_string_attribute(tokenizer, key, value);
      H5::Group weights = io::create_untimed_group(file, "weights");
      for (const auto& [name, tensor] : model.weights)
        write_tensor(weights, name, tensor, model.dtype);
      file.flush(H5F_SCOPE_GLOBAL);
    }
  } catch (const H5::Exception& e) {
    throw UserError(path + ": cannot write the export: " + e.getDetailMsg());
  }
  output.commit();
}

ExportedModel read_export(const std::string& path) {
  if (!std::filesystem::exists(path)) throw UserError(path + ": no such file");
  return io::checked_hdf5(path, [&] {
    H5::Exception::dontPrint();
    if (!H5::H5File::isHdf5(path)) throw UserError(path + ": not an HDF5 file");
    H5::H5File file(path, H5F_ACC_RDONLY);
    H5::Group root = file.openGroup("/");
    const auto kind = io::read_string_attribute(root, "topiary_kind");
    if (kind != std::string(kExportKind)) {
      throw UserError(path + ": not a Topiary model export (topiary_kind '" +
                      kind.value_or("missing") + "'); write one with `topiary export`");
    }
    const auto version = io::read_string_attribute(root, "format_version");
    if (version != std::string(kExportFormatVersion)) {
      throw UserError(path + ": export format_version '" + version.value_or("missing") +
                      "' is not supported by this topiary (reads " + kExportFormatVersion + ")");
    }
    ExportedModel model;
    model.attributes = io::read_string_attributes(root);
    model.format = model.attributes["format"];
    model.dtype = model.attributes["dtype"];
    if (model.dtype != "fp32" && model.dtype != "fp16" && model.dtype != "bf16")
      throw UserError(path + ": unknown dtype '" + model.dtype + "'");
    H5::Group tokenizer = file.openGroup("tokenizer");
    model.vocabulary = io::read_string_array(tokenizer, "vocabulary");
    if (tokenizer.nameExists("label_names"))
      model.label_names = io::read_string_array(tokenizer, "label_names");
    model.tokenizer = io::read_string_attributes(tokenizer);
    H5::Group weights = file.openGroup("weights");
    for (hsize_t i = 0; i < weights.getNumObjs(); ++i) {
      const std::string name = weights.getObjnameByIdx(i);
      model.weights.emplace_back(name, read_tensor(weights, name, model.dtype));
    }
    return model;
  });
}

std::map<std::string, int64_t> stored_bytes(const std::string& path) {
  return io::checked_hdf5(path, [&] {
    H5::Exception::dontPrint();
    H5::H5File file(path, H5F_ACC_RDONLY);
    H5::Group weights = file.openGroup("weights");
    std::map<std::string, int64_t> bytes;
    for (hsize_t i = 0; i < weights.getNumObjs(); ++i) {
      const std::string name = weights.getObjnameByIdx(i);
      H5::Group group = weights.openGroup(name);
      int64_t total = 0;
      for (hsize_t j = 0; j < group.getNumObjs(); ++j)
        total += static_cast<int64_t>(group.openDataSet(group.getObjnameByIdx(j)).getStorageSize());
      bytes[name] = total;
    }
    return bytes;
  });
}

}  // namespace topiary::compress
