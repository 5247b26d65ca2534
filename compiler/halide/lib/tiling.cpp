#include "tiling.h"

#include <algorithm>
#include <string>

namespace kiln::halide::detail {

using namespace Halide;

std::optional<int64_t> static_extent(const Func &out, int dim) {
  const Expr e = out.output_buffers()[0].parameter().extent_constraint(dim);
  const int64_t *extent = e.defined() ? Internal::as_const_int(e) : nullptr;
  return extent ? std::optional<int64_t>(*extent) : std::nullopt;
}

Var fuse_all(Stage s, const std::vector<Var> &vars, const std::string &name) {
  Var fused = vars[0];
  for (size_t i = 1; i < vars.size(); ++i) {
    Var next(name + std::to_string(i));
    s.fuse(fused, vars[i], next);
    fused = next;
  }
  return fused;
}

Var tile_for_tasks(Stage s, const std::vector<Var> &vars, int width,
                   const Expr &work_per_point, TailStrategy tail) {
  const Var block("t_block"), lane("t_lane"), task("t_task");
  s.split(vars[0], block, lane, width, tail);
  std::vector<Var> loops{block};
  loops.insert(loops.end(), vars.begin() + 1, vars.end());
  Var fused = fuse_all(s, loops, "t_fused");
  const Expr per_task =
      max(1, kTaskWork / max(1, cast<int>(work_per_point) * width));
  s.split(fused, task, fused, per_task, TailStrategy::GuardWithIf)
      .parallel(task);
  if (width > 1) {
    s.vectorize(lane);
  }
  return fused;
}

LoopLevel tile_rows(Func out, const std::vector<Var> &rows, int work_per_row) {
  if (rows.empty()) {
    return LoopLevel::root();
  }
  Var row = fuse_all(out, rows, "t_rows");
  const int per_task = std::max(1, kTaskWork / std::max(1, work_per_row));
  const Var task("t_row_task");
  out.split(row, task, row, per_task, TailStrategy::GuardWithIf).parallel(task);
  return LoopLevel(out, row);
}

int row_lanes(const Expr &extent, int vec) {
  if (const int64_t *n = Internal::as_const_int(extent))
    if (*n >= 2 && *n <= 2 * vec)
      return static_cast<int>(*n);
  return vec;
}

void sum_in_vectors(Func accum, const RVar &r, int lanes, const LoopLevel &at) {
  const RVar outer("r_outer"), inner("r_inner");
  const Var lane("r_lane");
  Func partial = accum.update()
                     .split(r, outer, inner, lanes, TailStrategy::GuardWithIf)
                     .rfactor(inner, lane);
  accum.compute_at(at);
  partial.compute_at(at);
  partial.vectorize(lane, lanes).unroll(lane);
  partial.update().reorder(lane, outer).vectorize(lane, lanes).unroll(lane);
  accum.update().atomic().vectorize(inner);
}

} // namespace kiln::halide::detail
