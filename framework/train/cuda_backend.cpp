#include "train/cuda_backend.h"

#include <ATen/detail/CUDAHooksInterface.h>
#include <dlfcn.h>
#include <torch/torch.h>

#include <string>

#include "comm/backend_info.h"
#include "core/error.h"

namespace topiary::train {
namespace {

std::string torch_library_directory() {
  Dl_info info{};
  // Any function defined in libtorch_cpu.so names the file it was loaded from.
  if (dladdr(reinterpret_cast<void*>(&at::detail::getCUDAHooks), &info) == 0 ||
      info.dli_fname == nullptr) {
    throw UserError("cannot find where LibTorch was loaded from (dladdr failed)");
  }
  const std::string path = info.dli_fname;
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

void load_torch_cuda() {
  if (torch_cuda_loaded()) return;
  const std::string path = torch_library_directory() + "/libtorch_cuda.so";
  if (dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL) == nullptr) {
    const char* why = dlerror();
    throw UserError("a CUDA device is visible but LibTorch's CUDA library cannot be loaded (" +
                    path + ": " + (why ? why : "unknown error") +
                    "); is the torch wheel a CPU-only build?");
  }
}

}  // namespace

bool torch_cuda_loaded() {
  void* handle = dlopen("libtorch_cuda.so", RTLD_NOW | RTLD_NOLOAD);
  if (handle == nullptr) return false;
  dlclose(handle);  // RTLD_NOLOAD took a reference
  return true;
}

CudaDevices probe_cuda_devices() {
  const comm::BackendInfo info = comm::backend_info();
  CudaDevices devices{info.cuda_devices, info.cuda_note};
  if (!info.nccl_compiled) {
    devices.count = 0;
    devices.why_none = "this build of Topiary has no CUDA support (CUDA toolkit or NCCL not found)";
    return devices;
  }
  if (devices.count == 0 && devices.why_none.empty()) devices.why_none = "0 devices visible";
  if (devices.count > 0) load_torch_cuda();
  return devices;
}

}  // namespace topiary::train
