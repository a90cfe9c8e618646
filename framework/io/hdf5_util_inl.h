#pragma once
// Template definitions for hdf5_util.h.
#include <H5Cpp.h>

#include <string>

#include "core/error.h"

namespace topiary::io {

template <typename Fn>
auto checked_hdf5(const std::string& where, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const H5::Exception& e) {
    std::string detail = e.getDetailMsg();
    if (detail.empty()) detail = e.getFuncName() + " failed";
    throw UserError(where + ": HDF5 error: " + detail);
  }
}

}  // namespace topiary::io
