# The torch-free framework libraries (core, prune, recipe, io, data, compress), built with the flags in
# TOPIARY_INSTRUMENT_FLAGS, for the sanitizer build (tests/sanitize) and the fuzzers
# (tests/fuzz). Sources are globbed as framework/CMakeLists.txt does, so a file added to a module
# is picked up here too. comm is left out: only data/sharded_prepare.cpp (reached from the CLI,
# not from these tests) needs it at link time.
get_filename_component(TOPIARY_ROOT ${CMAKE_CURRENT_LIST_DIR}/../.. ABSOLUTE)

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

find_package(HDF5 REQUIRED COMPONENTS C CXX)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(fmt REQUIRED)
find_package(ZLIB REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SentencePiece REQUIRED IMPORTED_TARGET sentencepiece)
find_package(ICU REQUIRED COMPONENTS uc)

# PUBLIC through every library: whatever links a sanitized library needs the runtimes too.
add_library(topiary_warnings INTERFACE)
target_compile_options(topiary_warnings INTERFACE -Wall -Wextra -Wno-unused-parameter
                       ${TOPIARY_INSTRUMENT_FLAGS} -fno-omit-frame-pointer)
target_link_options(topiary_warnings INTERFACE ${TOPIARY_LINK_FLAGS})

add_library(topiary_hdf5 INTERFACE)
target_include_directories(topiary_hdf5 SYSTEM INTERFACE ${HDF5_INCLUDE_DIRS})
target_link_libraries(topiary_hdf5 INTERFACE ${HDF5_LIBRARIES} ${HDF5_CXX_LIBRARIES})
target_compile_definitions(topiary_hdf5 INTERFACE ${HDF5_DEFINITIONS})

function(topiary_module name)
  cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${TOPIARY_ROOT}/framework/${name}/*.cpp)
  list(FILTER sources EXCLUDE REGEX ".*/main\\.cpp$")
  add_library(topiary_${name} STATIC ${sources})
  target_include_directories(topiary_${name} PUBLIC ${TOPIARY_ROOT}/framework)
  target_link_libraries(topiary_${name} PUBLIC ${ARG_LIBS} topiary_warnings)
endfunction()

topiary_module(core LIBS fmt::fmt Threads::Threads)
topiary_module(prune LIBS topiary_core)
topiary_module(recipe LIBS topiary_core topiary_prune yaml-cpp)
topiary_module(io LIBS topiary_core topiary_hdf5 OpenSSL::Crypto)
topiary_module(data LIBS topiary_core topiary_io nlohmann_json::nlohmann_json ZLIB::ZLIB
               PkgConfig::SentencePiece ICU::uc)
topiary_module(compress LIBS topiary_core topiary_io)
