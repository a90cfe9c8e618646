#include "io/hdf5_util.h"

#include "core/error.h"

namespace topiary::io {
namespace {

std::string child_path(const H5::H5Object& parent, const std::string& name) {
  std::string base;
  try {
    base = parent.getObjName();
  } catch (const H5::Exception&) {
    base = "?";
  }
  if (base.empty() || base.back() != '/') base += '/';
  return base + name;
}

H5::StrType utf8_variable_string() {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  return type;
}

template <typename T>
void write_array(H5::Group& parent, const std::string& name, const std::vector<T>& values,
                 const H5::PredType& file_type, const H5::PredType& memory_type) {
  checked_hdf5(object_location(parent, name, "dataset"), [&] {
    const hsize_t dims[1] = {values.size()};
    H5::DataSpace space(1, dims);
    H5::DataSet dataset =
        parent.createDataSet(name, file_type, space, untimed_dataset_properties());
    if (!values.empty()) dataset.write(values.data(), memory_type);
  });
}

// Opens a rank-1 dataset of the given type class and returns it with its length.
H5::DataSet open_vector(const H5::Group& parent, const std::string& name, H5T_class_t type_class,
                        const char* expected, hsize_t* length) {
  const std::string where = object_location(parent, name, "dataset");
  if (!parent.nameExists(name)) throw UserError(where + ": missing");
  H5::DataSet dataset = parent.openDataSet(name);
  if (dataset.getTypeClass() != type_class) {
    throw UserError(where + ": has the wrong element type; expected " + expected);
  }
  H5::DataSpace space = dataset.getSpace();
  if (space.getSimpleExtentNdims() != 1) {
    throw UserError(where + ": must be one-dimensional, has rank " +
                    std::to_string(space.getSimpleExtentNdims()));
  }
  space.getSimpleExtentDims(length);
  return dataset;
}

template <typename T>
std::vector<T> read_array(const H5::Group& parent, const std::string& name,
                          const H5::PredType& memory_type, const char* expected) {
  const std::string where = object_location(parent, name, "dataset");
  return checked_hdf5(where, [&] {
    hsize_t length = 0;
    H5::DataSet dataset = open_vector(parent, name, H5T_INTEGER, expected, &length);
    const H5::IntType type = dataset.getIntType();
    // Converting e.g. int64 -> int32 would clip silently; refuse instead.
    if (type.getSize() != sizeof(T) || type.getSign() != H5T_SGN_2) {
      throw UserError(where + ": has integer type of " + std::to_string(type.getSize()) + " bytes" +
                      (type.getSign() == H5T_SGN_2 ? "" : " (unsigned)") + "; expected " +
                      expected);
    }
    require_stored(dataset, length, sizeof(T), where);
    std::vector<T> values(length);
    if (length > 0) dataset.read(values.data(), memory_type);
    return values;
  });
}

std::string strip_fixed_padding(const char* data, size_t size) {
  size_t n = 0;
  while (n < size && data[n] != '\0') ++n;
  return std::string(data, n);
}

}  // namespace

std::string object_location(const H5::H5Location& parent, const std::string& name,
                            const std::string& what) {
  std::string file;
  try {
    file = parent.getFileName();
  } catch (const H5::Exception&) {
    file = "?";
  }
  const auto* object = dynamic_cast<const H5::H5Object*>(&parent);
  const std::string path = object ? child_path(*object, name) : name;
  return file + ": " + what + " '" + path + "'";
}

H5::DSetCreatPropList untimed_dataset_properties() {
  H5::DSetCreatPropList properties;
  if (H5Pset_obj_track_times(properties.getId(), false) < 0) {
    throw H5::PropListIException("untimed_dataset_properties", "H5Pset_obj_track_times failed");
  }
  return properties;
}

H5::Group create_untimed_group(const H5::H5Location& parent, const std::string& name) {
  // The C++ API of HDF5 1.10 takes no group-creation list, hence the C call.
  const hid_t properties = H5Pcreate(H5P_GROUP_CREATE);
  if (properties < 0) throw H5::GroupIException("create_untimed_group", "H5Pcreate failed");
  const herr_t set = H5Pset_obj_track_times(properties, false);
  const hid_t group =
      set < 0 ? H5I_INVALID_HID
              : H5Gcreate2(parent.getId(), name.c_str(), H5P_DEFAULT, properties, H5P_DEFAULT);
  H5Pclose(properties);
  if (group < 0) throw H5::GroupIException("create_untimed_group", "H5Gcreate2 failed");
  H5::Group wrapped(group);
  // Some HDF5 releases' H5::Group(id) takes its own reference and some adopt ours: drop ours
  // only when it is not the one the wrapper will close.
  if (H5Iget_ref(group) > 1) H5Gclose(group);
  return wrapped;
}

void require_stored(const H5::DataSet& dataset, hsize_t count, size_t element_size,
                    const std::string& where) {
  hsize_t bytes = 0;
  if (__builtin_mul_overflow(count, element_size, &bytes)) {
    throw UserError(where + ": declares " + std::to_string(count) +
                    " elements, more than fit in "
                    "memory; the file is corrupt");
  }
  const hsize_t stored = dataset.getStorageSize();
  if (stored < bytes) {
    throw UserError(where + ": declares " + std::to_string(count) + " elements (" +
                    std::to_string(bytes) + " bytes) but the file stores only " +
                    std::to_string(stored) + " bytes; the file is truncated or corrupt");
  }
}

void write_int32_array(H5::Group& parent, const std::string& name,
                       const std::vector<int32_t>& values) {
  write_array(parent, name, values, H5::PredType::STD_I32LE, H5::PredType::NATIVE_INT32);
}

void write_int64_array(H5::Group& parent, const std::string& name,
                       const std::vector<int64_t>& values) {
  write_array(parent, name, values, H5::PredType::STD_I64LE, H5::PredType::NATIVE_INT64);
}

void write_string_array(H5::Group& parent, const std::string& name,
                        const std::vector<std::string>& values) {
  checked_hdf5(object_location(parent, name, "dataset"), [&] {
    std::vector<const char*> pointers;
    pointers.reserve(values.size());
    for (const std::string& value : values) pointers.push_back(value.c_str());
    const hsize_t dims[1] = {values.size()};
    H5::DataSpace space(1, dims);
    const H5::StrType type = utf8_variable_string();
    H5::DataSet dataset = parent.createDataSet(name, type, space, untimed_dataset_properties());
    if (!values.empty()) dataset.write(pointers.data(), type);
  });
}

void write_string_attribute(H5::H5Object& object, const std::string& name,
                            const std::string& value) {
  checked_hdf5(object_location(object, name, "attribute"), [&] {
    if (object.attrExists(name)) object.removeAttr(name);
    const H5::StrType type = utf8_variable_string();
    H5::Attribute attribute = object.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
    attribute.write(type, value);
  });
}

std::vector<int32_t> read_int32_array(const H5::Group& parent, const std::string& name) {
  return read_array<int32_t>(parent, name, H5::PredType::NATIVE_INT32, "int32");
}

std::vector<int64_t> read_int64_array(const H5::Group& parent, const std::string& name) {
  return read_array<int64_t>(parent, name, H5::PredType::NATIVE_INT64, "int64");
}

std::vector<std::string> read_string_array(const H5::Group& parent, const std::string& name) {
  return checked_hdf5(object_location(parent, name, "dataset"), [&] {
    hsize_t length = 0;
    H5::DataSet dataset = open_vector(parent, name, H5T_STRING, "string", &length);
    const H5::StrType file_type = dataset.getStrType();
    std::vector<std::string> values;
    values.reserve(length);
    if (length == 0) return values;
    if (file_type.isVariableStr()) {
      H5::StrType memory_type(H5::PredType::C_S1, H5T_VARIABLE);
      memory_type.setCset(file_type.getCset());
      std::vector<char*> pointers(length, nullptr);
      dataset.read(pointers.data(), memory_type);
      for (char* p : pointers) values.emplace_back(p ? p : "");
      H5::DataSet::vlenReclaim(pointers.data(), memory_type, dataset.getSpace());
    } else {
      const size_t width = file_type.getSize();
      std::vector<char> buffer(length * width);
      dataset.read(buffer.data(), file_type);
      for (hsize_t i = 0; i < length; ++i) {
        values.push_back(strip_fixed_padding(buffer.data() + i * width, width));
      }
    }
    return values;
  });
}

std::optional<std::string> read_string_attribute(const H5::H5Object& object,
                                                 const std::string& name) {
  const std::string where = object_location(object, name, "attribute");
  return checked_hdf5(where, [&]() -> std::optional<std::string> {
    if (!object.attrExists(name)) return std::nullopt;
    H5::Attribute attribute = object.openAttribute(name);
    if (attribute.getTypeClass() != H5T_STRING ||
        attribute.getSpace().getSimpleExtentNpoints() != 1) {
      throw UserError(where + ": must be a single string");
    }
    std::string value;
    attribute.read(attribute.getStrType(), value);
    return strip_fixed_padding(value.data(), value.size());
  });
}

std::map<std::string, std::string> read_string_attributes(const H5::H5Object& object) {
  std::map<std::string, std::string> attributes;
  const int count = checked_hdf5(object_location(object, "", "attributes of"),
                                 [&] { return object.getNumAttrs(); });
  for (int i = 0; i < count; ++i) {
    const std::string name = checked_hdf5(object_location(object, "", "attributes of"), [&] {
      return object.openAttribute(static_cast<unsigned>(i)).getName();
    });
    const bool is_string = checked_hdf5(object_location(object, name, "attribute"), [&] {
      H5::Attribute attribute = object.openAttribute(name);
      return attribute.getTypeClass() == H5T_STRING &&
             attribute.getSpace().getSimpleExtentNpoints() == 1;
    });
    if (is_string) attributes[name] = *read_string_attribute(object, name);
  }
  return attributes;
}

}  // namespace topiary::io
