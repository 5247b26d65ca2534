#!/bin/sh
# --only of the model benchmarks (bench/model_bench.h), on attention_bench
# (fast, several sections): a text no title contains lists the titles and
# exits 2; a text in one title, in another case, times that section alone.
bench=$1
out=$("$bench" --only no-such-section 2>&1)
rc=$?
[ "$rc" -eq 2 ] || { echo "--only no-such-section: exit $rc, want 2"; exit 1; }
echo "$out" | grep -q "kiln fused_train vs" ||
  { echo "--only no-such-section did not list the titles: $out"; exit 1; }
out=$(KILN_TORCH_PYTHON=/bin/false "$bench" --only FUSED_TRAIN --threads 1 \
  --steps 1 2>/dev/null) || { echo "--only FUSED_TRAIN failed"; exit 1; }
[ "$(echo "$out" | grep -c 'best of')" -eq 1 ] ||
  { echo "--only FUSED_TRAIN: want one section, got: $out"; exit 1; }
echo "$out" | grep -q "kiln fused_train vs" ||
  { echo "--only FUSED_TRAIN timed another section: $out"; exit 1; }
