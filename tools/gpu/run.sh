#!/bin/bash
# tools/gpu/run.sh [PACK_DIR]: Kiln on an NVIDIA GPU, in one go, from what
# tools/gpu/pack.sh gathered (run from the repository root; bench/ holds
# the PyTorch references). Prints, in order:
#   1. the e2e tests of every model with GPU kernels, on the GPU, against
#      their double-precision references (KILN_TEST_DEVICE=cuda);
#   2. the GPU GEMM at 1024^3 and 4096^3 (TFLOP/s, checked entries);
#   3. for the VAE, the GAN, the GPT, the DDPM and the encoder-decoder: the
#      first 5 training steps on the GPU against the CPU's (pack.sh), then a
#      few hundred;
#   4. sampling from each trained model on the GPU;
#   5. PyTorch eager fp32 on the same GPU, ms per step, when python3 has
#      torch with CUDA;
#   6. the 16 slowest kernels of 10 training steps of each canonical model
#      (kiln train --profile).
# Logs go to $OUT (default /tmp/kiln-gpu). Exit status 1 when a check failed.
set -u
pack=${1:-.gpu}
out=${OUT:-/tmp/kiln-gpu}
mkdir -p "$out"
export LD_LIBRARY_PATH=$pack/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export KILN_FASHION_MNIST=$pack/data/fashion-mnist
kiln=$pack/bin/kiln
status=0
fail() { status=1; echo "FAILED: $*"; }

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
lscpu | grep -m1 'Model name'

echo "== 1. e2e tests on the GPU"
for t in "$pack"/tests/*; do
  n=$(basename "$t")
  KILN_TEST_DEVICE=cuda timeout 150 "$t" > "$out/$n.log" 2>&1
  rc=$?
  echo "$n: exit $rc, $(grep -E '^\[  (PASSED|FAILED|SKIPPED) ' "$out/$n.log" | tr -s ' ' | tr '\n' ' ')"
  if [ $rc != 0 ]; then
    fail "$n"
    grep -E 'Failure|error|Which is|Expected|actual' "$out/$n.log" | head -12
  fi
done

echo "== 2. GEMM"
"$pack/bin/gpu_gemm_bench" 1024 4096 || fail gpu_gemm_bench

echo "== 3. training on the GPU"
declare -A steps=([vae]=500 [gan]=300 [gpt]=300 [ddpm]=200 [seq2seq]=300)
for m in vae gan gpt ddpm seq2seq; do
  data=()
  [ "$m" = gpt ] && data=(--data "$pack/data/fortunes")
  if ! "$kiln" train "$m" --device cuda --steps 5 --log-every 1 --seed 1 \
      "${data[@]}" --out "$out/first-$m" --overwrite > "$out/first-$m.log" 2>&1; then
    fail "first steps of $m"
    tail -5 "$out/first-$m.log"
    continue
  fi
  python3 - "$pack/expected/$m.jsonl" "$out/first-$m/metrics.jsonl" "$m" <<'PY' || fail "$m GPU steps differ from the CPU's"
import json, sys
cpu = [json.loads(l) for l in open(sys.argv[1])]
gpu = [json.loads(l) for l in open(sys.argv[2])]
worst = 0.0
for c, g in zip(cpu, gpu):
    for k, v in c.items():
        if k in ("step", "epoch", "lr", "steps_per_s", "wall_s") or not isinstance(v, float):
            continue
        worst = max(worst, abs(g[k] - v) / max(1.0, abs(v)))
        print(f"  {sys.argv[3]} step {c['step']} {k}: cpu {v:.6g} gpu {g[k]:.6g}")
print(f"  {sys.argv[3]}: largest difference {worst:.2e} (relative, of max(1, |cpu|))")
sys.exit(0 if worst < 1e-3 and len(gpu) == len(cpu) else 1)
PY
  "$kiln" train "$m" --device cuda --steps "${steps[$m]}" --log-every 50 \
    --seed 1 "${data[@]}" --out "$out/$m" --overwrite > "$out/train-$m.log" 2>&1 ||
    fail "training $m"
  grep -E 'kernels|^step|steps/s|final|loss' "$out/train-$m.log" | tail -n 6
  tail -n 2 "$out/$m/metrics.jsonl"
done

echo "== 4. generating on the GPU"
c() { echo "$out/$1/checkpoint.safetensors"; }
"$kiln" sample vae --device cuda -c "$(c vae)" --n 64 --out "$out/vae.png" || fail "sample vae"
"$kiln" sample gan --device cuda -c "$(c gan)" --n 64 --out "$out/gan.png" || fail "sample gan"
"$kiln" generate gpt --device cuda -c "$(c gpt)" --prompt "Q: " --tokens 200 --seed 1 || fail "generate gpt"
echo
"$kiln" sample ddpm --device cuda -c "$(c ddpm)" --sampler ddim --steps 50 --n 16 \
  --out "$out/ddpm.png" || fail "sample ddpm"
"$kiln" eval seq2seq --device cuda -c "$(c seq2seq)" --n 200 || fail "eval seq2seq"
ls -la "$out"/*.png

echo "== 5. PyTorch eager fp32 on the same GPU"
if python3 -c 'import torch; assert torch.cuda.is_available()' 2> /dev/null; then
  python3 -c 'import torch; print("torch", torch.__version__)'
  for m in vae gan gpt ddpm; do
    echo "$m: $(cd bench && python3 torch_$m.py --device cuda --steps 50 2>&1 | tail -n 1)"
  done
  echo "gpt decode: $(cd bench && python3 torch_gpt.py --device cuda --decode --steps 256 2>&1 | tail -n 1)"
else
  echo "no PyTorch with CUDA here"
fi

echo "== 6. where a GPU step goes (kiln --profile: each kernel waited for)"
for m in vae gan gpt ddpm; do
  data=()
  [ "$m" = gpt ] && data=(--data "$pack/data/fortunes")
  "$kiln" train "$m" --device cuda --steps 10 --log-every 10 --seed 1 \
    "${data[@]}" --out "$out/profile-$m" --overwrite --profile \
    > "$out/profile-$m.log" 2>&1 || fail "profiling $m"
  echo "$m:"
  grep -A 17 'time per kernel' "$out/profile-$m.log"
done
exit $status
