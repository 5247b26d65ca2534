#!/bin/sh
# Data-parallel training of the VAE (global batch 128): steps per second of
# mpirun -np 1, 2 and 4 (one thread per process) against one plain process
# with one thread, and with as many threads as the machine has cores, all
# measured in this run; and the bytes all-reduced per step. On a machine
# with C cores, more than C processes share cores: their ratio shows the
# overhead of the split step and the reduction, not a speed-up.
#
#   sh bench/data_parallel_bench.sh [KILN] [STEPS]     (defaults: build/bin/kiln 300)
set -eu
kiln=${1:-build/bin/kiln}
steps=${2:-300}
cores=$(nproc)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# "done: step N (...) in T s, R steps/s" -> R
rate() { sed -n 's/^done: .* \([0-9.e+]*\) steps\/s$/\1/p' "$1"; }

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p') (family $(lscpu | sed -n 's/^CPU family: *//p') model $(lscpu | sed -n 's/^Model: *//p')), $cores cores, AVX-512: $(grep -q avx512f /proc/cpuinfo && echo yes || echo no)"
"$kiln" train vae --steps "$steps" --seed 1 --threads 1 --out "$dir/t1" > "$dir/t1.log" 2>&1
base=$(rate "$dir/t1.log")
"$kiln" train vae --steps "$steps" --seed 1 --threads "$cores" --out "$dir/tc" > "$dir/tc.log" 2>&1
echo "1 process, 1 thread:       $base steps/s (reference)"
echo "1 process, $cores threads:       $(rate "$dir/tc.log") steps/s"
for n in 1 2 4; do
  mpirun --allow-run-as-root --oversubscribe -np "$n" "$kiln" train vae \
    --data-parallel --steps "$steps" --seed 1 --threads 1 \
    --out "$dir/dp$n" > "$dir/dp$n.log" 2>&1
  r=$(rate "$dir/dp$n.log")
  echo "mpirun -np $n, 1 thread each: $r steps/s, ratio $(awk "BEGIN { printf \"%.2f\", $r / $base }") to the reference"
done
sed -n 's/^data-parallel: .*processes x [0-9]* rows; /reduced: /p' "$dir/dp2.log"
