// `topiary --version --json`: the same facts as `--version`, plus what this binary was compiled
// against and every shared library it has loaded, for a site's security scanners and for
// launch/sbom.py, which turns it into a CycloneDX bill of materials.
#include <H5public.h>
#include <mpi.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <torch/version.h>

#include <fmt/core.h>
#include <CLI/Version.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "build_info.h"
#include "cli/commands.h"
#include "comm/backend_info.h"
#include "core/loaded_libraries.h"

namespace topiary::cli {
namespace {

using nlohmann::json;

std::string dotted(int major, int minor, int patch) {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

// Versions of the headers this binary was compiled with. Header-only libraries (CLI11,
// nlohmann-json) appear only here, since nothing of theirs is loaded at run time.
json compiled_with() {
  json list = json::array();
  auto add = [&](const char* name, const std::string& version) {
    list.push_back({{"name", name}, {"version", version}});
  };
  add("LibTorch", TORCH_VERSION);
  add("HDF5", dotted(H5_VERS_MAJOR, H5_VERS_MINOR, H5_VERS_RELEASE));
  add("Open MPI", dotted(OMPI_MAJOR_VERSION, OMPI_MINOR_VERSION, OMPI_RELEASE_VERSION));
  add("OpenSSL", OPENSSL_VERSION_STR);
  add("fmt", dotted(FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100));
  add("CLI11", CLI11_VERSION);
  add("nlohmann_json", dotted(NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR,
                              NLOHMANN_JSON_VERSION_PATCH));
  return list;
}

json runtime() {
  const comm::BackendInfo info = comm::backend_info();
  unsigned hdf5_major = 0, hdf5_minor = 0, hdf5_release = 0;
  H5get_libversion(&hdf5_major, &hdf5_minor, &hdf5_release);
  json out = {
      {"mpi_library", info.mpi_library},
      {"hdf5", dotted(static_cast<int>(hdf5_major), static_cast<int>(hdf5_minor),
                      static_cast<int>(hdf5_release))},
      {"openssl", OpenSSL_version(OPENSSL_VERSION_STRING)},
      {"nccl_compiled", info.nccl_compiled},
  };
  if (info.nccl_compiled) {
    out["nccl"] = info.nccl_version;
    out["cuda_runtime"] = info.cuda_runtime;
    out["cuda_driver"] = info.cuda_driver;
    out["cuda_devices"] = info.cuda_devices;
  }
  return out;
}

}  // namespace

std::string version_json() {
  const json out = {
      {"name", "topiary"},
      {"version", TOPIARY_VERSION},
      {"commit", TOPIARY_GIT_COMMIT},
      {"build_type", TOPIARY_BUILD_TYPE},
      {"compiler", "GCC " __VERSION__},
      {"compiled_with", compiled_with()},
      {"runtime", runtime()},
      {"loaded_libraries", core::loaded_libraries()},
  };
  return out.dump(2);
}

}  // namespace topiary::cli
