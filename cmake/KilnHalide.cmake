# Halide 14 from Debian, imported by hand as GLOBAL targets so that no scope
# ever calls find_package(Halide) next to MLIR.
set(KILN_HALIDE_INCLUDE_DIR /usr/include/halide14)
set(KILN_HALIDE_LIBRARY /usr/lib/x86_64-linux-gnu/libHalide14.so.0)
set(KILN_HALIDE_PLUGIN_DIR /usr/lib/x86_64-linux-gnu/halide14)

foreach(path ${KILN_HALIDE_INCLUDE_DIR}/Halide.h ${KILN_HALIDE_LIBRARY})
  if(NOT EXISTS ${path})
    message(FATAL_ERROR "Halide 14 not found (${path}); install libhalide14-0-dev")
  endif()
endforeach()

# The CPU the kernels are compiled for. `host` is the build machine's: on
# an AVX-512 machine its kernels stop with SIGILL on a CPU without AVX-512.
# For binaries that run elsewhere, name a Halide target, e.g.
# x86-64-linux-avx-avx2-f16c-fma-sse41 (AVX2 + FMA: Zen 2/3, Haswell on).
set(KILN_HALIDE_TARGET host CACHE STRING
    "Halide target of the AOT kernels (host, or e.g. x86-64-linux-avx-avx2-f16c-fma-sse41)")

if(TARGET kiln::halide)
  return() # a second find_package(Kiln) in the same project
endif()

# libHalide (the compiler): only for build-time generator programs.
add_library(kiln::halide SHARED IMPORTED GLOBAL)
set_target_properties(kiln::halide PROPERTIES
  IMPORTED_LOCATION ${KILN_HALIDE_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${KILN_HALIDE_INCLUDE_DIR})

# Halide runtime headers only (HalideRuntime.h, HalideBuffer.h).
add_library(kiln::halide_headers INTERFACE IMPORTED GLOBAL)
set_target_properties(kiln::halide_headers PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES ${KILN_HALIDE_INCLUDE_DIR})
