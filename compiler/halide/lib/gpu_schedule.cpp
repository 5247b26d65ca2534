// GPU schedules (gpu_schedule.h). First schedules, chosen for being right
// on every shape the models use; the measured numbers on a GPU are in
// docs/performance.md ("GPU"):
//  * pointwise: one thread per element, 256 per block;
//  * reductions: one thread per output reducing serially; a reduction to
//    one value first spreads its innermost reduced dimension over 256
//    threads (rfactor), then one thread adds their partial sums;
//  * matmul: Halide's apps/cuda_mat_mul shape, blocks of 64 x 16 outputs
//    with 32 threads of 4 x 8 outputs each, accumulated in registers;
//  * convolutions: direct, one output per thread, blocks of 32 pixels x 8
//    channels (no Winograd on a GPU: conv2d.h);
//  * scatter-add: threads over the row's elements, serial over indices
//    (two indices may name the same row).
#include "gpu_schedule.h"

#include <string>

namespace kiln::halide::gpu {

using namespace Halide;

Var tile_flat(Stage s, const std::vector<Var> &vars) {
  if (vars.empty()) {
    s.gpu_single_thread();
    return Var::outermost();
  }
  Var fused = vars[0];
  for (size_t i = 1; i < vars.size(); ++i) {
    Var next("g_fused" + std::to_string(i));
    s.fuse(fused, vars[i], next);
    fused = next;
  }
  const Var block("g_block"), thread("g_thread");
  s.gpu_tile(fused, block, thread, kThreads, TailStrategy::GuardWithIf);
  return thread;
}

void schedule_pointwise(Func out, const std::vector<Var> &vars) {
  tile_flat(out, vars);
}

void schedule_reduction(Reduction &red, Func out,
                        const std::vector<Var> &vars) {
  if (red.prefix.defined()) {
    red.prefix.compute_root();
    const Var at = tile_flat(red.prefix, red.prefix.args());
    red.prefix_accum.compute_at(red.prefix, at);
  }
  if (!vars.empty()) {
    const Var at = tile_flat(out, vars);
    red.accum.compute_at(out, at);
    return;
  }
  // One output: kThreads partial results over the innermost reduced
  // dimension, each thread serial over its share and the other dimensions.
  const RVar outer("g_r_outer"), inner("g_r_inner");
  const Var lane("g_lane");
  Func partial =
      red.accum.update()
          .split(red.r[0], outer, inner, kThreads, TailStrategy::GuardWithIf)
          .rfactor(inner, lane);
  partial.compute_root();
  tile_flat(partial, {lane});
  tile_flat(partial.update(), {lane});
  red.accum.compute_root();
  tile_flat(red.accum, {});
  tile_flat(red.accum.update(), {});
  tile_flat(out, {});
}

void schedule_matmul(Matmul &mm, Func out, const Var &inner, const Var &outer,
                     const std::vector<Var> &batch) {
  const Var no("g_no"), mo("g_mo"), ni("g_ni"), mi("g_mi"), nt("g_nt"),
      mt("g_mt"), nr("g_nr"), mr("g_mr");
  out.tile(inner, outer, no, mo, ni, mi, 64, 16, TailStrategy::GuardWithIf)
      .tile(ni, mi, nt, mt, nr, mr, 4, 8)
      .unroll(nr)
      .unroll(mr);
  if (batch.empty()) {
    out.gpu_blocks(no, mo);
  } else {
    Var fused = batch[0];
    for (size_t i = 1; i < batch.size(); ++i) {
      Var next("g_batch" + std::to_string(i));
      out.fuse(fused, batch[i], next);
      fused = next;
    }
    out.gpu_blocks(no, mo, fused);
  }
  out.gpu_threads(nt, mt);
  // Each thread's 4 x 8 accumulators, in registers: constant storage and
  // fully unrolled loops. At the edges of the output the guards make the
  // computed region smaller (not constant), hence the guarded unrolls.
  const TailStrategy guard = TailStrategy::GuardWithIf;
  mm.result.compute_at(out, nt)
      .bound_storage(mm.n, 4)
      .bound_storage(mm.m, 8)
      .unroll(mm.n, 4, guard)
      .unroll(mm.m, 8, guard);
  mm.result.update()
      .reorder(mm.n, mm.m, mm.k.x)
      .unroll(mm.n, 4, guard)
      .unroll(mm.m, 8, guard);
}

void schedule_conv2d(Conv2d &conv, Func out, const std::vector<Var> &vars) {
  const Var pixel("g_pixel"), pb("g_pb"), pt("g_pt"), cb("g_cb"), ct("g_ct");
  out.fuse(vars[0], vars[1], pixel)
      .gpu_tile(pixel, vars[2], pb, cb, pt, ct, 32, 8,
                TailStrategy::GuardWithIf)
      .gpu_blocks(vars[3]);
  conv.result.compute_at(out, pt);
}

void schedule_scatter(Func scatter, Func out, const std::vector<Var> &vars,
                      bool innermost_is_pure) {
  tile_flat(out, vars);
  if (vars.empty())
    return;
  scatter.compute_root();
  tile_flat(scatter, vars);
  if (innermost_is_pure)
    tile_flat(scatter.update(), {vars[0]});
  else
    tile_flat(scatter.update(), {});
}

} // namespace kiln::halide::gpu
