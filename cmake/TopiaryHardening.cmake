# Hardened binaries, for every target of this project: position-independent executables, full
# RELRO (read-only relocations, immediate binding), a non-executable stack, the strong stack
# protector, stack clash protection, _FORTIFY_SOURCE=3 and Intel CET instrumentation
# (-fcf-protection) where the compiler has it. tests/security/hardening.sh checks the built
# `topiary` with Debian's hardening-check and the flags of every compile command.
option(TOPIARY_HARDEN "Build hardened binaries (PIE, RELRO, FORTIFY, stack protector, CET)" ON)
if(NOT TOPIARY_HARDEN)
  return()
endif()

include(CheckCXXCompilerFlag)
include(CheckPIESupported)
check_pie_supported(LANGUAGES CXX)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)

add_compile_options(-fstack-protector-strong)
foreach(flag -fstack-clash-protection -fcf-protection=full)
  string(MAKE_C_IDENTIFIER "TOPIARY_HAS${flag}" have)
  check_cxx_compiler_flag(${flag} ${have})
  if(${have})
    add_compile_options(${flag})
  endif()
endforeach()
# FORTIFY needs optimisation (not in Debug builds) and fights AddressSanitizer's interceptors;
# -U first, for toolchains that define a lower level themselves.
if(NOT TOPIARY_SANITIZE)
  add_compile_options("$<$<NOT:$<CONFIG:Debug>>:-U_FORTIFY_SOURCE>"
                      "$<$<NOT:$<CONFIG:Debug>>:-D_FORTIFY_SOURCE=3>")
endif()
add_link_options(LINKER:-z,relro LINKER:-z,now LINKER:-z,noexecstack)
