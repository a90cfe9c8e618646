// `topiary --version`: what a bug report needs to know about this binary and where it runs.
#include <torch/version.h>

#include <string>

#include "build_info.h"
#include "cli/commands.h"
#include "comm/backend_info.h"

namespace topiary::cli {

std::string version_text() {
  const comm::BackendInfo info = comm::backend_info();
  std::string text =
      "topiary " TOPIARY_VERSION " (commit " TOPIARY_GIT_COMMIT ", " TOPIARY_BUILD_TYPE ")\n";
  text += "LibTorch: " TORCH_VERSION "\n";
  if (info.nccl_compiled) {
    text += std::string("Training device: ") +
            (info.cuda_devices > 0 ? "CUDA (training.device: auto picks it; LibTorch's CUDA "
                                     "library is loaded when a trainer starts)"
                                   : "CPU (no CUDA device visible; training.device: auto uses "
                                     "the CPU)") +
            "\n";
    text += "CUDA: runtime " + info.cuda_runtime + ", driver " + info.cuda_driver + ", " +
            std::to_string(info.cuda_devices) + " device(s) visible";
    if (!info.cuda_note.empty()) text += " (" + info.cuda_note + ")";
    text += "\nNCCL: " + info.nccl_version + " (communicator compiled in)\n";
  } else {
    text += "Training device: CPU (built without CUDA)\n";
    text += "CUDA: not compiled in\nNCCL: not compiled in\n";
  }
  text += "MPI: " + (info.mpi_library.empty() ? std::string("unknown") : info.mpi_library);
  return text;
}

}  // namespace topiary::cli
