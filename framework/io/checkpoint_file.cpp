#include "io/checkpoint_file.h"

#include <H5Cpp.h>

#include <filesystem>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/hdf5_util.h"

namespace topiary::io {
namespace {

void write_checkpoint_attribute(H5::H5Object& object, const std::string& key,
                                const std::string& value) {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  H5::Attribute attribute = object.createAttribute(key, type, H5::DataSpace(H5S_SCALAR));
  attribute.write(type, value);
}

void write_arrays(H5::H5File& file, const std::string& group_name,
                  const std::vector<NamedArray>& arrays) {
  H5::Group group = io::create_untimed_group(file, group_name);
  for (const auto& array : arrays) {
    std::vector<hsize_t> dims(array.shape.begin(), array.shape.end());
    if (dims.empty()) dims.push_back(1);
    H5::DataSpace space(static_cast<int>(dims.size()), dims.data());
    H5::DSetCreatPropList properties = io::untimed_dataset_properties();
    if (!array.values.empty()) {
      properties.setChunk(static_cast<int>(dims.size()), dims.data());
      properties.setFletcher32();  // a flipped byte fails the read instead of loading garbage
    }
    H5::DataSet dataset =
        group.createDataSet(array.name, H5::PredType::NATIVE_FLOAT, space, properties);
    if (!array.values.empty()) dataset.write(array.values.data(), H5::PredType::NATIVE_FLOAT);
  }
}

void write_blobs(H5::H5File& file, const std::map<std::string, std::vector<uint8_t>>& blobs) {
  H5::Group group = io::create_untimed_group(file, "state");
  for (const auto& [name, bytes] : blobs) {
    hsize_t size = bytes.size();
    H5::DataSpace space(1, &size);
    H5::DSetCreatPropList properties = io::untimed_dataset_properties();
    if (size > 0) {
      properties.setChunk(1, &size);
      properties.setFletcher32();
    }
    H5::DataSet dataset = group.createDataSet(name, H5::PredType::NATIVE_UINT8, space, properties);
    if (size > 0) dataset.write(bytes.data(), H5::PredType::NATIVE_UINT8);
  }
}

std::map<std::string, std::vector<uint8_t>> read_blobs(H5::H5File& file) {
  std::map<std::string, std::vector<uint8_t>> blobs;
  if (!file.nameExists("state")) return blobs;
  H5::Group group = file.openGroup("state");
  for (hsize_t i = 0; i < group.getNumObjs(); ++i) {
    const std::string name = group.getObjnameByIdx(i);
    H5::DataSet dataset = group.openDataSet(name);
    const hsize_t size = static_cast<hsize_t>(dataset.getSpace().getSimpleExtentNpoints());
    require_stored(dataset, size, 1, object_location(group, name, "dataset"));
    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    if (!bytes.empty()) dataset.read(bytes.data(), H5::PredType::NATIVE_UINT8);
    blobs.emplace(name, std::move(bytes));
  }
  return blobs;
}

std::vector<NamedArray> read_arrays(H5::H5File& file, const std::string& group_name) {
  std::vector<NamedArray> arrays;
  H5::Group group = file.openGroup(group_name);
  for (hsize_t i = 0; i < group.getNumObjs(); ++i) {
    NamedArray array;
    array.name = group.getObjnameByIdx(i);
    H5::DataSet dataset = group.openDataSet(array.name);
    H5::DataSpace space = dataset.getSpace();
    std::vector<hsize_t> dims(static_cast<size_t>(space.getSimpleExtentNdims()));
    space.getSimpleExtentDims(dims.data());
    hsize_t count = 1;
    const std::string where = object_location(group, array.name, "dataset");
    for (hsize_t d : dims) {
      array.shape.push_back(static_cast<int64_t>(d));
      if (__builtin_mul_overflow(count, d, &count)) {
        throw UserError(where + ": shape overflows; the file is corrupt");
      }
    }
    // Before allocating: a forged shape must not demand terabytes (see require_stored).
    require_stored(dataset, count, sizeof(float), where);
    array.values.resize(static_cast<size_t>(count));
    dataset.read(array.values.data(), H5::PredType::NATIVE_FLOAT);
    arrays.push_back(std::move(array));
  }
  return arrays;
}

}  // namespace

void write_checkpoint(const std::string& path, const CheckpointContents& contents) {
  AtomicFile output(path);  // a crash or an error leaves the previous checkpoint
  try {
    H5::Exception::dontPrint();
    {
      H5::H5File file(output.temp_path(), H5F_ACC_TRUNC);
      write_arrays(file, "weights", contents.weights);
      write_arrays(file, "masks", contents.masks);
      write_arrays(file, "optimizer", contents.optimizer);
      write_blobs(file, contents.blobs);
      H5::Group root = file.openGroup("/");
      write_checkpoint_attribute(root, "topiary_kind", "checkpoint");
      write_checkpoint_attribute(root, "format_version", kCheckpointFormatVersion);
      for (const auto& [key, value] : contents.attributes) {
        write_checkpoint_attribute(root, key, value);
      }
      file.flush(H5F_SCOPE_GLOBAL);
    }
  } catch (const H5::Exception& e) {
    throw UserError(path + ": could not write checkpoint: " + e.getDetailMsg());
  }
  output.commit();
}

CheckpointContents read_checkpoint(const std::string& path) {
  if (!std::filesystem::exists(path)) throw UserError(path + ": checkpoint file does not exist");
  try {
    H5::Exception::dontPrint();
    H5::H5File file(path, H5F_ACC_RDONLY);
    H5::Group root = file.openGroup("/");
    CheckpointContents contents;
    for (int i = 0; i < root.getNumAttrs(); ++i) {
      H5::Attribute attribute = root.openAttribute(static_cast<unsigned>(i));
      std::string value;
      attribute.read(attribute.getStrType(), value);
      contents.attributes[attribute.getName()] = value;
    }
    if (contents.attributes["topiary_kind"] != "checkpoint") {
      throw UserError(path + ": not a Topiary checkpoint (attribute topiary_kind missing)");
    }
    if (contents.attributes["format_version"] != kCheckpointFormatVersion) {
      throw UserError(
          path + ": checkpoint format version '" + contents.attributes["format_version"] +
          "' is not supported by this build (expected " + kCheckpointFormatVersion + ")");
    }
    contents.weights = read_arrays(file, "weights");
    contents.masks = read_arrays(file, "masks");
    if (file.nameExists("optimizer")) contents.optimizer = read_arrays(file, "optimizer");
    contents.blobs = read_blobs(file);
    return contents;
  } catch (const H5::Exception& e) {
    throw UserError(path + ": unreadable or corrupt checkpoint (checksum or structure error): " +
                    e.getDetailMsg());
  }
}

}  // namespace topiary::io
