#pragma once
// Small, checked HDF5 helpers shared by the data store and checkpoints. Every HDF5 failure
// becomes a UserError that names the file and the object ("<file>: dataset '/train/tokens': ..."),
// and readers check the stored type before converting, so a foreign file never reads as garbage.
// Strings are stored as variable-length UTF-8 (h5py reads them as str); readers also accept
// fixed-length strings.
#include <H5Cpp.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace topiary::io {

// "<file>: <what> '<name>'" for error messages.
std::string object_location(const H5::H5Location& parent, const std::string& name,
                            const std::string& what);

// Runs fn; an H5::Exception becomes a UserError prefixed with `where`.
template <typename Fn>
auto checked_hdf5(const std::string& where, Fn&& fn) -> decltype(fn());

// Creation properties for a dataset that leaves out HDF5's object times (on by default), so
// the same content written twice gives the same bytes: checksums of prepared datasets and
// checkpoints then identify their contents, not the moment they were written. Start every
// dataset-creation property list of a writer from this one.
H5::DSetCreatPropList untimed_dataset_properties();
// A new group under `parent`, without object times for the same reason.
H5::Group create_untimed_group(const H5::H5Location& parent, const std::string& name);

void write_int32_array(H5::Group& parent, const std::string& name,
                       const std::vector<int32_t>& values);
void write_int64_array(H5::Group& parent, const std::string& name,
                       const std::vector<int64_t>& values);
void write_string_array(H5::Group& parent, const std::string& name,
                        const std::vector<std::string>& values);
void write_string_attribute(H5::H5Object& object, const std::string& name,
                            const std::string& value);

// Refuses (UserError prefixed with `where`) a dataset that declares more elements than its file
// stores, before anything is allocated for it: otherwise a few bytes of a truncated or forged
// file could demand terabytes of memory. Only for datasets written uncompressed (the checkpoint
// and dataset writers here), whose storage is at least count * element_size bytes.
void require_stored(const H5::DataSet& dataset, hsize_t count, size_t element_size,
                    const std::string& where);

// A missing dataset, wrong rank or non-integer / wrong-width type is a UserError.
std::vector<int32_t> read_int32_array(const H5::Group& parent, const std::string& name);
std::vector<int64_t> read_int64_array(const H5::Group& parent, const std::string& name);
std::vector<std::string> read_string_array(const H5::Group& parent, const std::string& name);
// nullopt when absent; a non-string attribute is a UserError.
std::optional<std::string> read_string_attribute(const H5::H5Object& object,
                                                 const std::string& name);
// Every string attribute of the object (others are skipped).
std::map<std::string, std::string> read_string_attributes(const H5::H5Object& object);

}  // namespace topiary::io

#include "io/hdf5_util_inl.h"
