# Every external dependency is found here, once, so targets only name imported targets.

if(NOT Torch_DIR)
  execute_process(
    COMMAND ${TOPIARY_PYTHON} -c "import torch.utils; print(torch.utils.cmake_prefix_path)"
    OUTPUT_VARIABLE TORCH_CMAKE_PREFIX OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE TORCH_PY_RESULT)
  if(NOT TORCH_PY_RESULT EQUAL 0)
    message(FATAL_ERROR "Could not import torch with ${TOPIARY_PYTHON}; run launch/setup.sh first "
                        "or pass -DTOPIARY_PYTHON=/path/to/python")
  endif()
  list(APPEND CMAKE_PREFIX_PATH ${TORCH_CMAKE_PREFIX})
endif()
# Without an explicit list, Caffe2's CUDA setup probes for a GPU by compiling and running a
# CUDA program, which fails on machines without one. Hopper (H100/H200) is the target.
if(NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST})
  set(ENV{TORCH_CUDA_ARCH_LIST} "9.0")
endif()
find_package(Torch REQUIRED)
# TorchConfig appends its own flags to CMAKE_CXX_FLAGS; keep ours.
find_package(MPI REQUIRED COMPONENTS CXX)
find_package(HDF5 REQUIRED COMPONENTS C CXX)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(fmt REQUIRED)
find_package(ZLIB REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SentencePiece REQUIRED IMPORTED_TARGET sentencepiece)
# Unicode normalization, categories and case mapping for the BERT WordPiece tokenizer.
find_package(ICU REQUIRED COMPONENTS uc)
find_package(Threads REQUIRED)

add_library(topiary_hdf5 INTERFACE)
target_include_directories(topiary_hdf5 SYSTEM INTERFACE ${HDF5_INCLUDE_DIRS})
target_link_libraries(topiary_hdf5 INTERFACE ${HDF5_LIBRARIES} ${HDF5_CXX_LIBRARIES})
target_compile_definitions(topiary_hdf5 INTERFACE ${HDF5_DEFINITIONS})

# The libraries and the CLI link LibTorch's CPU library only: the trainer runs on the CPU, and
# loading libtorch_cuda (with cuBLASLt, cuSPARSE, nvJitLink) at start costs ~200 MB of resident
# memory in every process, `topiary prepare` included (the 512 MB bound). The GPU targets
# (tests/gpu, bench/gpu) add topiary_torch_cuda; the trainer in the CLI loads libtorch_cuda at run
# time when it finds a GPU (train/cuda_backend.h). Both carry torch's full compile definitions, so
# the static libraries are compiled once and are the same for the CLI and the GPU targets.
add_library(topiary_torch INTERFACE)
add_library(topiary_torch_cuda INTERFACE)
target_include_directories(topiary_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
if(TARGET torch_cpu_library AND TARGET torch_cuda)
  target_link_libraries(topiary_torch INTERFACE torch_cpu_library)
  target_compile_definitions(topiary_torch
                             INTERFACE $<TARGET_PROPERTY:torch_cuda,INTERFACE_COMPILE_DEFINITIONS>)
  # libtorch_cuda itself, not libtorch.so: that wrapper carries its own copy of
  # std::filesystem, whose remove_all crashes when it wins symbol resolution.
  # --no-as-needed keeps the library (and its CUDA kernel registrations) even though no symbol
  # of it is referenced directly.
  target_link_libraries(topiary_torch_cuda INTERFACE topiary_torch "-Wl,--no-as-needed"
                                                     torch_cuda "-Wl,--as-needed")
else()
  target_link_libraries(topiary_torch INTERFACE ${TORCH_LIBRARIES})
  target_link_libraries(topiary_torch_cuda INTERFACE topiary_torch)
endif()

set(TOPIARY_HAVE_NCCL OFF)
if(TOPIARY_WITH_NCCL AND TARGET torch_cuda)
  find_package(CUDAToolkit QUIET)
  execute_process(
    COMMAND ${TOPIARY_PYTHON} -c "import nvidia.nccl, os; print(os.path.dirname(nvidia.nccl.__file__) if nvidia.nccl.__file__ else list(nvidia.nccl.__path__)[0])"
    OUTPUT_VARIABLE PIP_NCCL_ROOT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  find_path(NCCL_INCLUDE_DIR nccl.h HINTS ${PIP_NCCL_ROOT}/include ${CUDAToolkit_INCLUDE_DIRS}
            /usr/local/include /usr/include)
  find_library(NCCL_LIBRARY NAMES nccl libnccl.so.2 NAMES_PER_DIR HINTS ${PIP_NCCL_ROOT}/lib
               ${CUDAToolkit_LIBRARY_DIR} /usr/local/lib /usr/lib/x86_64-linux-gnu)
  if(CUDAToolkit_FOUND AND NCCL_INCLUDE_DIR AND NCCL_LIBRARY)
    set(TOPIARY_HAVE_NCCL ON)
    message(STATUS "NCCL communicator: ${NCCL_LIBRARY} (${NCCL_INCLUDE_DIR})")
  else()
    message(STATUS "NCCL communicator disabled: CUDA toolkit or NCCL not found")
  endif()
else()
  message(STATUS "NCCL communicator disabled: torch has no CUDA or TOPIARY_WITH_NCCL=OFF")
endif()
