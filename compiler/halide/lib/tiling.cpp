#include "tiling.h"

#include <string>

namespace kiln::halide::detail {

using namespace Halide;

Var tile_for_tasks(Stage s, const std::vector<Var> &vars, int width,
                   const Expr &work_per_point, TailStrategy tail) {
  const Var block("t_block"), lane("t_lane"), task("t_task");
  s.split(vars[0], block, lane, width, tail);
  Var fused = block;
  for (size_t i = 1; i < vars.size(); ++i) {
    Var next("t_fused" + std::to_string(i));
    s.fuse(fused, vars[i], next);
    fused = next;
  }
  const Expr per_task =
      max(1, kTaskWork / max(1, cast<int>(work_per_point) * width));
  s.split(fused, task, fused, per_task, TailStrategy::GuardWithIf)
      .parallel(task);
  if (width > 1) {
    s.vectorize(lane);
  }
  return fused;
}

} // namespace kiln::halide::detail
