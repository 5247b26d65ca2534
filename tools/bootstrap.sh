#!/usr/bin/env bash
# Set-up for a fresh Debian 12 machine, as root. Two uses, as in the README:
#   bash tools/bootstrap.sh main   install, build, run the main job
#   bash tools/bootstrap.sh test   install, build, run the whole test suite
# Environment: BUILD_DIR (default build), KILN_SKIP_APT=1 to skip apt-get,
# KILN_RUN_DIR (default runs/vae) for the main job's checkpoint and images,
# KILN_SKIP_SANITIZE=1 to leave out the sanitizer build of `test`.
set -euo pipefail

mode=${1:-}
case "$mode" in
  main | test) ;;
  *)
    echo "usage: bash tools/bootstrap.sh main|test" >&2
    exit 2
    ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}

# Everything Kiln needs, from Debian's archive only (see docs/architecture.md).
# pocl-opencl-icd: OpenCL on the CPU, where the tests run the GPU kernels.
packages=(
  cmake ninja-build clang-19 libclang-rt-19-dev
  libmlir-19-dev mlir-19-tools llvm-19-dev llvm-19-tools
  libhalide14-0-dev llvm-14-dev
  libfmt-dev libgtest-dev libcli11-dev libopenblas-dev zlib1g-dev libpng-dev libeigen3-dev
  nlohmann-json3-dev
  python3 dataset-fashion-mnist fortunes
  libopenmpi-dev openmpi-bin
  pocl-opencl-icd
)

if [ "${KILN_SKIP_APT:-0}" != 1 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: run as root (apt-get install), or set KILN_SKIP_APT=1" >&2
    exit 1
  fi
  echo "== installing packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${packages[@]}"
fi

echo "== configuring $build"
cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
  -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir

echo "== building"
# Two jobs: the machine has two cores, and MLIR/Halide compiles take ~0.5 GB each.
cmake --build "$build" -j 2

if [ "$mode" = main ]; then
  # The VAE of MODELS.md: one epoch on Fashion-MNIST, its test negative
  # ELBO, and a PNG grid of 64 samples decoded from z ~ N(0, I). A fresh
  # run each time: it replaces the checkpoint of an earlier one.
  out=${KILN_RUN_DIR:-$root/runs/vae}
  echo "== main job: train the VAE for one epoch -> $out"
  "$build/bin/kiln" train vae --epochs 1 --seed 1 --out "$out" --overwrite
  "$build/bin/kiln" eval vae --checkpoint "$out/checkpoint.safetensors"
  "$build/bin/kiln" sample vae --checkpoint "$out/checkpoint.safetensors" \
    --n 64 --out "$out/samples.png"
else
  echo "== tests"
  ctest --test-dir "$build" --output-on-failure -j 2
  if [ "${KILN_SKIP_SANITIZE:-0}" != 1 ]; then
    # The runtime and CLI tests again under ASan and UBSan, and a short run
    # of every fuzzer (docs/testing.md): a second, smaller build that needs
    # no model, so it costs minutes, not the full build again.
    sanitize=$build-sanitize
    echo "== configuring $sanitize (AddressSanitizer, UBSan, libFuzzer)"
    cmake -S "$root" -B "$sanitize" -G Ninja \
      -DCMAKE_BUILD_TYPE=Release -DKILN_SANITIZE=ON \
      -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
      -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir
    echo "== building $sanitize"
    cmake --build "$sanitize" -j 2
    echo "== tests under the sanitizers, and the fuzzers"
    ctest --test-dir "$sanitize" --output-on-failure -j 2
  fi
fi
