// Pointwise kernels are memory-bound: measured on the 2-core Zen 5 machine,
// y = 2x + 1 over 256K floats ran 19 us on 1 thread and on 2 (about
// 100 GB/s either way), and a parallel loop of a single task cost nothing
// measurable (0.36 vs 0.42 us for 16 elements). So the schedule is simply:
// vectorize, fuse everything else into one loop, split it into tasks so
// that compute-heavy epilogues (exp, tanh) still use both cores, and
// specialize on the row width only: a full vector, else one masked vector
// of 16, 8 or 4 lanes per row. Out of cache the same kernels are bound by
// memory: a two-output pass over [64, 64, 14, 14] takes 0.11 ms with warm
// caches and 0.53 ms cold, on 1 thread or 2.
#include "gpu_schedule.h"
#include "kiln/halide/pointwise.h"
#include "tiling.h"

namespace kiln::halide {

using namespace Halide;

namespace {

// Most pieces of a row scheduled one by one: the loop over them is unrolled.
constexpr int kMaxSegments = 8;

// `vars`: the output's dimensions to schedule, innermost first, the first
// of them the output's dimension `dim0`.
void schedule_live_pointwise(Func out, const std::vector<Var> &vars, int dim0,
                             const Target &target, int inner_segment) {
  const int vec = target.natural_vector_size(out.output_types().at(0));
  // A row made of pieces read from different places, as the gradient of
  // the GPT's q, k, v split: [B, T, 384] = three pads of [B, T, 128] added.
  // Each piece's reads are clamped into its source, and a clamped vector
  // index is a gather: that kernel took 4.3 ms per call (Xeon, one
  // thread). With the row split at the pieces' boundaries and the loop
  // over pieces unrolled, each copy knows its piece, the selects and
  // clamps fold away and the loads are contiguous again.
  if (const auto row = detail::static_extent(out, dim0);
      inner_segment > 0 && inner_segment % vec == 0 && row &&
      *row % inner_segment == 0 && *row / inner_segment <= kMaxSegments) {
    const Var piece("t_piece"), at("t_at"), lane("t_lane");
    out.split(vars[0], piece, at, inner_segment)
        .split(at, at, lane, vec)
        .vectorize(lane)
        .unroll(piece);
    detail::tile_rows(out, {vars.begin() + 1, vars.end()}, int(*row));
    return;
  }
  // output_buffers(): a multi-output kernel's out is a Tuple.
  const Expr inner_extent = out.output_buffers()[0].dim(dim0).extent();
  detail::tile_for_tasks(out.specialize(inner_extent >= vec), vars, vec, 1);
  // Rows narrower than a vector (the GAN's 14- and 7-wide feature maps):
  // one masked vector per row, of the narrowest power-of-two width that
  // covers the row. Vectorizing the two innermost dimensions fused instead
  // made every load and store a gather/scatter (Halide cannot see that
  // (i / 14) * 14 + i % 14 is i), and a [64, 64, 14, 14] two-output pass ran
  // 2.0 ms.
  for (int width = vec; width >= 4; width /= 2) {
    Stage narrow = out.specialize(inner_extent > width / 2);
    detail::tile_for_tasks(narrow, vars, width, 1, TailStrategy::GuardWithIf);
  }
  detail::tile_for_tasks(out, vars, 1, 1);
}

} // namespace

void schedule_pointwise(Func out, const std::vector<Var> &vars,
                        const Target &target, int inner_segment) {
  if (target.has_gpu_feature()) {
    gpu::schedule_pointwise(out, vars);
    return;
  }
  if (vars.empty()) {
    return; // a scalar: nothing to vectorize or parallelize
  }
  // Innermost dimensions of extent 1 (Halide's dimension 0 onward) index
  // nothing: they go outermost and the first other one is vectorized. The
  // gradient of a nearest upsampling sums [N, C, 28, 28] into [N, C, 14, 1,
  // 14, 1]; with its unit dimension innermost every element was a scalar
  // loop of divisions: 3.34 ms per call at [64, 64, 28, 28], 1.37 at [64,
  // 128, 14, 14] (DDPM, Zen 5, 1 thread); vectorized over the 14 (the 7),
  // 0.66 and 0.29.
  if (detail::static_extent(out, 0) == 1) {
    int first = 0;
    while (first < int(vars.size()) && detail::static_extent(out, first) == 1)
      ++first;
    if (first < int(vars.size())) {
      std::vector<Var> order(vars.begin() + first, vars.end());
      order.insert(order.end(), vars.begin(), vars.begin() + first);
      out.reorder(std::vector<VarOrRVar>(order.begin(), order.end()));
      schedule_live_pointwise(out, {vars.begin() + first, vars.end()}, first,
                              target, inner_segment);
      return;
    }
  }
  schedule_live_pointwise(out, vars, 0, target, inner_segment);
}

} // namespace kiln::halide
