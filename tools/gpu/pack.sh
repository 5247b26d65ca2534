#!/bin/bash
# tools/gpu/pack.sh [BUILD_DIR] [PACK_DIR]: gathers, from a build with GPU
# kernels (models/CMakeLists.txt builds them), what tools/gpu/run.sh needs
# on a GPU machine that has none of Kiln's Debian build dependencies: the
# kiln CLI, the GPU e2e tests and benches (stripped), the shared libraries
# they load, a small copy of the data (Fashion-MNIST's 10,000 test images
# stand in for the training set; the fortunes corpus), and reference losses
# of the first training steps computed here on the CPU.
set -euo pipefail
build=${1:-build}
pack=${2:-.gpu}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
rm -rf "$pack"
mkdir -p "$pack/bin" "$pack/tests" "$pack/lib" "$pack/data/fashion-mnist" \
  "$pack/data/fortunes" "$pack/expected"

cp "$build/bin/kiln" "$build/bin/gpu_gemm_bench" "$pack/bin/"
# Every e2e test that has a .cuda run (label gpu).
for t in $(cd "$build" && ctest -N -L gpu | sed -n 's/.*Test *#[0-9]*: e2e\.\(.*\)\.cuda$/\1/p' | sort -u); do
  cp "$build/bin/$t" "$pack/tests/"
done
strip "$pack"/bin/* "$pack"/tests/*

# Libraries beyond glibc's own, from this machine (the binaries were linked
# against these versions).
for f in "$pack"/bin/* "$pack"/tests/*; do ldd "$f"; done |
  awk '/=> \//{print $3}' | sort -u |
  grep -v -E '/(libc|libm|libpthread|libdl|librt|ld-linux-x86-64)\.so' |
  while read -r lib; do cp -L "$lib" "$pack/lib/"; done

fm=${KILN_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
for part in images-idx3 labels-idx1; do
  cp "$fm/t10k-$part-ubyte.gz" "$pack/data/fashion-mnist/"
  cp "$fm/t10k-$part-ubyte.gz" "$pack/data/fashion-mnist/train-$part-ubyte.gz"
done
for f in /usr/share/games/fortunes/*; do
  case "$f" in *.dat | *.u8) ;; *) cp "$f" "$pack/data/fortunes/" ;; esac
done

# The CPU's first steps, for run.sh to compare the GPU's with.
export KILN_FASHION_MNIST=$pack/data/fashion-mnist
for m in vae gan gpt ddpm seq2seq; do
  data=()
  [ "$m" = gpt ] && data=(--data "$pack/data/fortunes")
  "$build/bin/kiln" train "$m" --steps 5 --log-every 1 --seed 1 "${data[@]}" \
    --out "/tmp/kiln-gpu-pack-$m" --overwrite > /dev/null
  cp "/tmp/kiln-gpu-pack-$m/metrics.jsonl" "$pack/expected/$m.jsonl"
done
du -sh "$pack"
