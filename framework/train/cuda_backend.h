#pragma once
// Note [Lazy CUDA]: the CLI links LibTorch's CPU library only, so that `topiary prepare` and the
// other CPU commands do not pay for libtorch_cuda (cuBLAS, cuDNN, ... about 230 MB of resident
// memory at start-up). A trainer that may use a GPU asks probe_cuda_devices(), which counts the
// devices with the CUDA runtime alone and, only when there is one, loads libtorch_cuda.so from
// the directory libtorch_cpu.so was loaded from (RTLD_GLOBAL, before any CUDA tensor is made;
// its static initialisers register the CUDA kernels and hooks with the already loaded ATen).
// Builds without the CUDA runtime (no NCCL found) report no device.
#include "train/device_choice.h"

namespace topiary::train {

// Devices this process can use. With at least one, libtorch_cuda is loaded on return (a
// UserError with the loader's message if it cannot be).
CudaDevices probe_cuda_devices();

// True once libtorch_cuda has been loaded into this process (by the call above or by linking).
bool torch_cuda_loaded();

}  // namespace topiary::train
