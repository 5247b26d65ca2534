// GPU schedules (gpu_schedule.h). First schedules, chosen for being right
// on every shape the models use; the measured numbers on a GPU are in
// docs/performance.md ("GPU"), which also says what is not measured yet:
//  * pointwise: one thread per element, 256 per block;
//  * reductions: one thread per output reducing serially; a reduction to
//    one value first spreads its innermost reduced dimension over 256
//    threads (rfactor), then one thread adds their partial sums;
//  * row normalisation: a row's sums one thread per row, or for rows of
//    1024 elements or more (the DDPM's GroupNorms at 14x14 and 28x28) 256
//    threads per row, whose partial sums one thread per row then adds;
//    then the result one thread per element (GroupNorm's rows are up to
//    9408 wide, too long to write serially from one thread);
//  * softmax cross-entropy: likewise, a row's maximum and sum one thread
//    per row, then the loss or gradient one thread per element;
//  * matmul: Halide's apps/cuda_mat_mul shape, blocks of 64 x 16 outputs
//    with 32 threads of 4 x 8 outputs each, accumulated in registers; a
//    weight gradient (A stored [K, M]) splits K into chunks first;
//  * convolutions: direct, one output per thread, blocks of 32 pixels x 8
//    channels (no Winograd on a GPU: conv2d.h); a weight gradient first
//    sums chunks of images into partial sums, like the matmul's split-K;
//  * scatter-add: threads over the row's elements, serial over indices
//    (two indices may name the same row);
//  * attention: one block per tile of 8 result rows of one (batch, head),
//    its scores, statistics and products computed in the block (shared
//    memory), threads over columns (32) and the tile's rows.
#include "gpu_schedule.h"
#include "tiling.h"

#include <algorithm>
#include <optional>
#include <string>

namespace kiln::halide::gpu {

using namespace Halide;

Var tile_flat(Stage s, const std::vector<Var> &vars) {
  if (vars.empty()) {
    s.gpu_single_thread();
    return Var::outermost();
  }
  const Var fused = detail::fuse_all(s, vars, "g_fused");
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

// Row statistics (an identity, then one update over the row) one thread
// per row, then `out` one thread per element.
static void rows_then_elements(const std::vector<Func> &stats, Func out,
                               const std::vector<Var> &vars) {
  for (Func f : stats) {
    f.compute_root();
    tile_flat(f, f.args());
    tile_flat(f.update(), f.args());
  }
  tile_flat(out, vars);
}

// Rows at least this long get a block each for their sums: one thread
// per row reads its row alone, serially, and neighbouring threads read
// addresses a row apart (a DDPM GroupNorm row at 28x28 is 3136-9408 floats,
// over 512 rows at batch 64: 512 threads in all). Not measured on a GPU;
// tests/e2e/models/diffusion_ops.cpp's norm_w (rows of 2025) covers this
// path: keep its rows at least this long.
constexpr int kBlockPerRow = 1024;

// Each of a row's sums by one block: kThreads threads add a strided share
// of the row each (consecutive threads on consecutive elements: coalesced
// reads), each in a register, then one thread per row adds its kThreads
// partial sums (stored rows innermost: neighbouring threads read
// neighbouring partials).
static void block_per_row(const std::vector<Func> &sums, const RVar &r) {
  for (Func f : sums) {
    f.compute_root();
    tile_flat(f, f.args());
    const RVar ro("g_ro"), ri("g_ri");
    const Var lane("g_lane");
    Func partial = f.update()
                       .split(r, ro, ri, kThreads, TailStrategy::GuardWithIf)
                       .rfactor(ri, lane);
    tile_flat(f.update(), f.args());
    Func lanes = partial.in();
    lanes.compute_root();
    const Var row = detail::fuse_all(lanes, f.args(), "g_rows");
    lanes.reorder(lane, row).gpu_blocks(row).gpu_threads(lane);
    partial.compute_at(lanes, lane);
  }
}

void schedule_normalization(Normalization &n, Func out,
                            const std::vector<Var> &vars) {
  // A tensor of one row (rank 1) has no rows to spread over blocks: it
  // keeps the single thread.
  if (n.width >= kBlockPerRow && !n.sum.args().empty()) {
    block_per_row(n.sums(), n.r.x);
    tile_flat(out, vars);
    return;
  }
  rows_then_elements(n.sums(), out, vars);
}

void schedule_cross_entropy(CrossEntropy &ce, Func out,
                            const std::vector<Var> &vars) {
  rows_then_elements({ce.row_max, ce.row_sum}, out, vars);
}

namespace {

// Tiles `f` over (x, y) into blocks of 64 x 16 outputs (plus the block loop
// `extra`, if defined) with 32 threads of 4 x 8, and computes `acc` (pure
// vars ax, ay: zero, then one update over `r`) per thread.
void register_blocked(Func f, const Var &x, const Var &y,
                      const std::optional<Var> &extra, Func acc, const Var &ax,
                      const Var &ay, const RVar &r) {
  const TailStrategy guard = TailStrategy::GuardWithIf;
  const Var no("g_no"), mo("g_mo"), ni("g_ni"), mi("g_mi"), nt("g_nt"),
      mt("g_mt"), nr("g_nr"), mr("g_mr");
  f.tile(x, y, no, mo, ni, mi, 64, 16, guard)
      .tile(ni, mi, nt, mt, nr, mr, 4, 8)
      .unroll(nr)
      .unroll(mr);
  if (extra)
    f.gpu_blocks(no, mo, *extra);
  else
    f.gpu_blocks(no, mo);
  f.gpu_threads(nt, mt);
  // Each thread's 4 x 8 accumulators, in registers: constant storage and
  // fully unrolled loops. At the edges of the output the guards make the
  // computed region smaller (not constant), hence the guarded unrolls.
  acc.compute_at(f, nt)
      .bound_storage(ax, 4)
      .bound_storage(ay, 8)
      .unroll(ax, 4, guard)
      .unroll(ay, 8, guard);
  acc.update().reorder(ax, ay, r).unroll(ax, 4, guard).unroll(ay, 8, guard);
}

} // namespace

void schedule_matmul(Matmul &mm, Func out, const Var &inner, const Var &outer,
                     const std::vector<Var> &batch) {
  if (mm.layout.transpose_a && batch.empty()) {
    // A stored [K, M] is a weight gradient, x^T dy: few outputs and K the
    // rows of a batch. One thread per 4 x 8 outputs over all of K left most
    // of the GPU idle; chunks of K are reduced by separate blocks and then
    // summed (split-K). Measured on an H200, the GPT's 128 x 384 and
    // 512 x 128 gradients over K = 4096: 0.83 ms each, 0.057 ms split.
    const RVar ko("g_ko"), ki("g_ki");
    const Var chunk("g_chunk");
    Func partial = mm.result.update()
                       .split(mm.k.x, ko, ki, 256, TailStrategy::GuardWithIf)
                       .rfactor(ko, chunk);
    Func chunks = partial.in();
    chunks.compute_root();
    register_blocked(chunks, mm.n, mm.m, chunk, partial, mm.n, mm.m, ki);
    mm.result.compute_at(out, tile_flat(out, {inner, outer}));
    return;
  }
  std::optional<Var> fused;
  if (!batch.empty())
    fused = detail::fuse_all(out, batch, "g_batch");
  register_blocked(out, inner, outer, fused, mm.result, mm.n, mm.m, mm.k.x);
}

namespace {

// Products one thread of a weight gradient adds serially, about: the batch
// is reduced in chunks of images of about this many products per weight.
constexpr int kWeightGradSerial = 2048;

// A weight gradient sums over the whole batch. One thread per weight over
// all of it left most of the GPU idle (a 32 -> 32 3x3 layer has 9216
// weights, each a sum of 50176 products at 28x28 and batch 64: 128 blocks
// of which 72 threads work), as the matmul's weight gradients did before
// their split-K: chunks of images are reduced by separate threads into
// partial sums (rfactor), each in a register, which the kernel's threads
// then add up. Threads run over taps and input channels (neighbouring
// threads on neighbouring taps: neighbouring reads of x, the same read of
// dy) and over output channels (the same reads of x). Not measured on a
// GPU yet (docs/performance.md, "GPU").
void split_weight_grad_images(Conv2d &conv) {
  const Conv2dParams &p = conv.p;
  const int out_w = p.forward_out_w();
  const int out_h = p.forward_out_h();
  const int images = std::max(1, kWeightGradSerial / (out_w * out_h));
  const RVar no("g_no"), ni("g_ni");
  const Var chunk("g_chunk");
  Func partial = conv.result.update()
                     .split(conv.r.z, no, ni, images, TailStrategy::GuardWithIf)
                     .rfactor(no, chunk);
  Func chunks = partial.in();
  chunks.compute_root();
  const std::vector<Var> &v = conv.vars; // (kw, kh, c, o)
  const Var taps("g_taps"), tap("g_tap"), tb("g_tb"), tt("g_tt"), ob("g_ob"),
      ot("g_ot");
  chunks.fuse(v[0], v[1], taps)
      .fuse(taps, v[2], tap)
      .gpu_tile(tap, v[3], tb, ob, tt, ot, 32, 8, TailStrategy::GuardWithIf)
      .gpu_blocks(chunk);
  partial.compute_at(chunks, tt);
}

} // namespace

void schedule_conv2d(Conv2d &conv, Func out, const std::vector<Var> &vars) {
  if (conv.kind == ConvKind::WeightGrad)
    split_weight_grad_images(conv);
  const Var pixel("g_pixel"), pb("g_pb"), pt("g_pt"), cb("g_cb"), ct("g_ct");
  out.fuse(vars[0], vars[1], pixel)
      .gpu_tile(pixel, vars[2], pb, cb, pt, ct, 32, 8,
                TailStrategy::GuardWithIf)
      .gpu_blocks(vars[3]);
  conv.result.compute_at(out, pt);
}

namespace {

// `f` (and its update, if any) computed per block of `out`, threads over
// `col` in chunks of 32 and over `row` (the block's rows).
void in_block(Func f, Func out, const Var &block, const Var &col,
              const Var &row) {
  const Var co("g_co"), ci("g_ci");
  f.compute_at(out, block);
  for (int i = 0; i <= f.num_update_definitions(); ++i) {
    Stage st = i == 0 ? Stage(f) : f.update(i - 1);
    if (col.same_as(row)) {
      st.gpu_threads(row);
      continue;
    }
    st.split(col, co, ci, 32, TailStrategy::GuardWithIf)
        .reorder(ci, row, co)
        .gpu_threads(ci, row);
  }
}

} // namespace

void schedule_attention(Attention &a, Func out, const std::vector<Var> &vars) {
  const bool has_x = a.has_x();
  const Var &row = has_x ? vars[1] : vars[0];
  const Var ro("g_ro"), ri("g_ri"), xo("g_xo"), xi("g_xi");
  const TailStrategy guard = TailStrategy::GuardWithIf;
  out.split(row, ro, ri, 8, guard);
  std::vector<Var> blocks{ro};
  for (size_t i = has_x ? 2 : 1; i < vars.size(); ++i)
    blocks.push_back(vars[i]);
  if (has_x) {
    out.split(vars[0], xo, xi, 32, guard).reorder(xo, xi, ri, ro);
    out.gpu_threads(xi, ri);
  } else {
    out.gpu_threads(ri);
  }
  // Halide allows at most 3 block dimensions: fuse the batch ones.
  if (blocks.size() > 1)
    out.gpu_blocks(
        ro, detail::fuse_all(out, {blocks.begin() + 1, blocks.end()}, "g_bf"));
  else
    out.gpu_blocks(ro);
  const bool keyed = a.rows_are_keys();
  const Var &col = keyed ? a.s : a.j;
  const Var &arow = keyed ? a.j : a.s;
  in_block(a.score, out, ro, col, arow);
  in_block(a.prob, out, ro, col, arow);
  if (a.dprob.defined())
    in_block(a.dprob, out, ro, col, arow);
  if (a.unmasked.defined())
    in_block(a.unmasked, out, ro, a.s, a.s);
  if (a.row_max.defined()) {
    for (Func lanes : {a.row_max_lanes, a.row_sum_lanes})
      in_block(lanes, out, ro, lanes.args()[0], a.s);
    in_block(a.row_max, out, ro, a.s, a.s);
    in_block(a.row_sum, out, ro, a.s, a.s);
  }
  if (a.accum.defined() && has_x)
    in_block(a.accum, out, ro, a.x, arow);
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
