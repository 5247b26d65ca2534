// CPU schedule for reduction kernels. Two shapes:
//  * the contiguous dimension 0 is kept (e.g. a bias gradient, the sum of
//    dY [M, N] over rows): each vector of outputs accumulates in registers
//    while the reduction loops run outside it; 4 vectors per block give the
//    adds 4 independent chains (an add has 3-4 cycles of latency).
//  * dimension 0 is reduced (x.sum(-1)): rfactor splits it into one vector
//    of partial sums, then adds the lanes per output. One vector, not 4:
//    measured (AOT, 2 threads) sum of squares over rows of 784 / 32 floats,
//    4096 rows: 120 / 8.7 us with 16 lanes, 118 / 23 us with 32, 334 / 51
//    us with 64 (short rows run the scalarized tail of the guarded split).
// Outputs are spread over threads in tasks of about kTaskWork loads.
#include "gpu_schedule.h"
#include "kiln/halide/reduction.h"
#include "tiling.h"

namespace kiln::halide {

using namespace Halide;

namespace {

// Update loops of `f`: `first` innermost, then the RVars in their order,
// then the remaining pure vars.
void vector_innermost(Stage s, const Var &first, const RDom &r,
                      const std::vector<Var> &others) {
  std::vector<VarOrRVar> order{first};
  for (int i = 0; i < r.dimensions(); ++i) {
    order.emplace_back(r[i]);
  }
  for (const Var &v : others) {
    order.emplace_back(v);
  }
  s.reorder(order);
}

void schedule_kept_inner(Reduction &red, Func out, const std::vector<Var> &vars,
                         int vec, const Expr &work) {
  const Expr inner = out.output_buffer().dim(0).extent();
  const Var at = detail::tile_for_tasks(out.specialize(inner >= 4 * vec), vars,
                                        4 * vec, work);
  detail::tile_for_tasks(out.specialize(inner >= vec), vars, vec, work);
  detail::tile_for_tasks(out, vars, 1, work);

  const std::vector<Var> args = red.accum.args();
  const std::vector<Var> others(args.begin() + 1, args.end());
  red.accum.compute_at(out, at);
  red.accum.specialize(inner >= vec).vectorize(args[0], vec).unroll(args[0]);
  vector_innermost(red.accum.update(), args[0], red.r, others);
  red.accum.update()
      .specialize(inner >= vec)
      .vectorize(args[0], vec)
      .unroll(args[0]);
}

// `accum` reduces dimension 0 of its input over r (count points per
// output); `out` is a pure Func of it with pure vars `vars`.
void schedule_reduced_inner(Func accum, const RDom &r, const Expr &count,
                            Func out, const std::vector<Var> &vars, int vec) {
  const int lanes = detail::row_lanes(r[0].extent(), vec);
  if (vars.empty()) {
    detail::sum_in_vectors(accum, r[0], lanes, LoopLevel::root());
  } else {
    const Var at = detail::tile_for_tasks(out, vars, 1, count);
    detail::sum_in_vectors(accum, r[0], lanes, LoopLevel(out, at));
  }
}

} // namespace

void schedule_reduction(Reduction &red, Func out, const std::vector<Var> &vars,
                        const Target &target) {
  if (target.has_gpu_feature()) {
    gpu::schedule_reduction(red, out, vars);
    return;
  }
  const int vec = target.natural_vector_size(red.accum.output_types().at(0));
  if (red.prefix.defined()) {
    // The prefix in memory order, all at once (both threads), then the
    // small remaining reduction per output.
    red.prefix.compute_root();
    schedule_reduced_inner(red.prefix_accum, red.prefix_r, red.prefix_count,
                           red.prefix, red.prefix.args(), vec);
    schedule_kept_inner(red, out, vars, vec, red.count / red.prefix_count);
  } else if (red.reduces_innermost()) {
    schedule_reduced_inner(red.accum, red.r, red.count, out, vars, vec);
  } else {
    schedule_kept_inner(red, out, vars, vec, red.count);
  }
}

} // namespace kiln::halide
