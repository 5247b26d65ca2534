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

# The CPUs the kernels (and the one Halide runtime) are compiled for.
# `host` is the build machine's: on an AVX-512 machine its kernels stop with
# SIGILL on a CPU without AVX-512. A Halide target string names another CPU,
# e.g. x86-64-linux-avx-avx2-f16c-fma-sse41 (AVX2 + FMA: Zen 2/3, Haswell
# on). Several, comma-separated and most specific first, build every kernel
# once per target with a dispatcher that runs the best the CPU has;
# `portable` is KILN_PORTABLE_TARGETS (three times the kernel build time).
# The runtime gets the features all targets share.
set(KILN_HALIDE_TARGET host CACHE STRING
    "Halide target(s) of the AOT kernels: host, portable, or T1[,T2...]")
# AVX-512 (Skylake-X, Ice Lake, Zen 4 and 5), AVX2 + FMA (Haswell on, Zen 1
# to 3), plain x86-64 (SSE2).
set(KILN_PORTABLE_TARGETS
    "x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41,x86-64-linux-avx-avx2-f16c-fma-sse41,x86-64-linux")

# GPU kernels (docs/runtime.md, "Devices"): each API named builds every
# model's kernels once more with GPU schedules, for Halide's CUDA target
# (the PTX needs no CUDA toolkit to build; running it needs NVIDIA's driver)
# or its OpenCL target (runs on any OpenCL 1.2 device; with PoCL, on the
# CPU, which is how CI checks the GPU schedules). A list: "cuda;opencl".
# kiln_add_model(... GPU none|cuda|opencl...) overrides it per model.
set(KILN_GPU none CACHE STRING
    "GPU kernels of every model: none, or a list of cuda and opencl")
# Halide 14 emits PTX for compute capability 8.6 at most; the driver
# compiles it for the card at load time, so 7.0 runs on Volta and every
# later GPU (H100: 9.0). The host part is plain x86-64: it only launches.
set(KILN_CUDA_TARGET "x86-64-linux-cuda-cuda_capability_70" CACHE STRING
    "Halide target of the CUDA kernels")
set(KILN_OPENCL_TARGET "x86-64-linux-opencl" CACHE STRING
    "Halide target of the OpenCL kernels")

# OUT = SPEC with `portable` spelled out.
function(kiln_halide_targets out spec)
  if(spec STREQUAL "portable")
    set(spec "${KILN_PORTABLE_TARGETS}")
  endif()
  set(${out} "${spec}" PARENT_SCOPE)
endfunction()

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
