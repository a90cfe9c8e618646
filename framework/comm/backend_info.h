#pragma once
// What this build of Topiary can talk to: the MPI library it runs on, and whether the NCCL
// communicator was compiled in and a CUDA device is visible. For `topiary --version` and bug
// reports; it starts nothing (MPI is not initialised, no CUDA context is created).
#include <string>

namespace topiary::comm {

struct BackendInfo {
  std::string mpi_library;     // first line of MPI_Get_library_version
  bool nccl_compiled = false;  // TOPIARY_HAVE_NCCL
  std::string nccl_version;    // "2.27.7"; empty without NCCL
  std::string cuda_runtime;    // "13.0"; empty without NCCL
  std::string cuda_driver;     // "13.0", or "none" when no driver is installed
  int cuda_devices = 0;        // visible devices (CUDA_VISIBLE_DEVICES applies)
  std::string cuda_note;       // why no device is usable, in the CUDA runtime's words
};

BackendInfo backend_info();

}  // namespace topiary::comm
