// CPU schedule for softmax cross-entropy kernels, the same shape as the
// row normalisation's (normalization_schedule.cpp): rows spread over tasks;
// in each row its maximum and its sum of exponentials, each one vector of
// partial results combined by a vector reduction; then the row's loss, or
// its gradient a vector of classes at a time. The GPT's rows are 256
// logits (1 KB), in L1 between the passes.
#include "gpu_schedule.h"
#include "kiln/halide/cross_entropy.h"
#include "tiling.h"

namespace kiln::halide {

using namespace Halide;

void schedule_cross_entropy(CrossEntropy &ce, Func out,
                            const std::vector<Var> &vars,
                            const Target &target) {
  if (target.has_gpu_feature()) {
    gpu::schedule_cross_entropy(ce, out, vars);
    return;
  }
  const int vec = target.natural_vector_size(out.output_types().at(0));
  const int lanes = detail::row_lanes(ce.classes, vec);
  std::vector<Var> rows = vars;
  if (ce.part == CrossEntropyPart::Grad) {
    const Var block("ce_block"), lane("ce_lane");
    out.split(vars[0], block, lane, lanes, TailStrategy::GuardWithIf)
        .vectorize(lane);
    rows.erase(rows.begin());
  }
  // The logits are read by both statistics and by the gradient.
  const LoopLevel at = detail::tile_rows(out, rows, 3 * ce.classes);
  detail::sum_in_vectors(ce.row_max, ce.r.x, lanes, at);
  detail::sum_in_vectors(ce.row_sum, ce.r.x, lanes, at);
}

} // namespace kiln::halide
