#include "comm/backend_info.h"

#include <mpi.h>

#include <string>

#ifdef TOPIARY_HAVE_NCCL
#include <cuda_runtime_api.h>
#include <nccl.h>
#endif

namespace topiary::comm {
namespace {

// CUDA encodes versions as 1000 * major + 10 * minor.
std::string cuda_version_text(int code) {
  return std::to_string(code / 1000) + "." + std::to_string((code % 1000) / 10);
}

}  // namespace

BackendInfo backend_info() {
  BackendInfo info;
  // One of the few MPI calls allowed before MPI_Init.
  char library[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  if (MPI_Get_library_version(library, &length) == MPI_SUCCESS) {
    info.mpi_library.assign(library, static_cast<size_t>(length));
    if (const size_t end = info.mpi_library.find_first_of("\r\n"); end != std::string::npos)
      info.mpi_library.resize(end);
    if (const size_t end = info.mpi_library.find(','); end != std::string::npos)
      info.mpi_library.resize(end);
  }
#ifdef TOPIARY_HAVE_NCCL
  info.nccl_compiled = true;
  int nccl = 0;
  if (ncclGetVersion(&nccl) == ncclSuccess) {
    // Since NCCL 2.9 the code is 10000 * major + 100 * minor + patch.
    info.nccl_version = std::to_string(nccl / 10000) + "." + std::to_string((nccl % 10000) / 100) +
                        "." + std::to_string(nccl % 100);
  }
  int runtime = 0;
  if (cudaRuntimeGetVersion(&runtime) == cudaSuccess)
    info.cuda_runtime = cuda_version_text(runtime);
  int driver = 0;
  info.cuda_driver = cudaDriverGetVersion(&driver) == cudaSuccess && driver > 0
                         ? cuda_version_text(driver)
                         : "none";
  const cudaError_t status = cudaGetDeviceCount(&info.cuda_devices);
  if (status != cudaSuccess) {
    info.cuda_devices = 0;
    info.cuda_note = cudaGetErrorString(status);
    cudaGetLastError();  // clear the sticky error for whoever calls CUDA next
  }
#endif
  return info;
}

}  // namespace topiary::comm
