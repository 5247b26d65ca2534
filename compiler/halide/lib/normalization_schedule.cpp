// CPU schedule for row normalisation kernels: rows are spread over tasks;
// in each row its sums are computed first, each as one vector of partial
// sums added up by a vector reduction, then its outputs a vector at a
// time. The row (128 floats in the Transformers, 512 B) stays in L1
// between the passes, so only its first read reaches further out.
// Measured (Zen 4, 1 thread, gpt_bench --profile): the GPT decode step's
// LayerNorm took four kernels, ~1.1 us each of mostly call overhead; as
// one kernel with its scale and shift it is one call (docs/performance.md,
// "GPT speed").
#include "gpu_schedule.h"
#include "kiln/halide/normalization.h"
#include "tiling.h"

namespace kiln::halide {

using namespace Halide;

void schedule_normalization(Normalization &n, Func out,
                            const std::vector<Var> &vars,
                            const Target &target) {
  if (target.has_gpu_feature()) {
    gpu::schedule_normalization(n, out, vars);
    return;
  }
  const int vec = target.natural_vector_size(out.output_types().at(0));
  const int lanes = detail::row_lanes(n.width, vec);
  const Var block("n_block"), lane("n_lane");
  out.split(vars[0], block, lane, lanes, TailStrategy::GuardWithIf)
      .vectorize(lane);
  // Every element is read once per sum and once for the output.
  const int passes = static_cast<int>(n.sums().size()) + 1;
  const LoopLevel at =
      detail::tile_rows(out, {vars.begin() + 1, vars.end()}, passes * n.width);
  for (Func f : n.sums()) {
    detail::sum_in_vectors(f, n.r.x, lanes, at);
  }
}

} // namespace kiln::halide
