// Checked indices, and the schedule of scatter-add kernels. An embedding's
// gradient is the one scatter so far: [batch*seq, C] rows added into a
// [vocab, C] table; the update runs once per index, vectorized over C, and
// the zero fill and the epilogue are plain pointwise loops.
#include "kiln/halide/scatter.h"
#include "gpu_schedule.h"
#include "kiln/halide/pointwise.h"

namespace kiln::halide {

using namespace Halide;

Expr checked_index(const Expr &index, int size, const std::string &what,
                   const Target &target) {
  if (target.has_gpu_feature())
    return clamp(index, 0, size - 1);
  return require(index >= 0 && index < size, clamp(index, 0, size - 1),
                 what + ": index", index,
                 "is outside [0, " + std::to_string(size) + ")");
}

void schedule_scatter(Func scatter, Func out, const std::vector<Var> &vars,
                      bool innermost_is_pure, const Target &target) {
  if (target.has_gpu_feature()) {
    gpu::schedule_scatter(scatter, out, vars, innermost_is_pure);
    return;
  }
  schedule_pointwise(out, vars, target);
  if (vars.empty())
    return;
  const int vec = target.natural_vector_size(Float(32));
  scatter.compute_root().vectorize(vars[0], vec, TailStrategy::GuardWithIf);
  if (innermost_is_pure)
    scatter.update().vectorize(vars[0], vec, TailStrategy::GuardWithIf);
}

} // namespace kiln::halide
