// CPU schedule for the Winograd convolutions (conv2d_winograd.h).
//
// Loop nest, outermost first:
//   u, wt          once per call (the weights change every step)
//   task (parallel) = a block of images
//     v            the task's transformed input tiles; x is first copied
//                  channel-innermost per image (xt), so that the transform
//                  runs on vectors of channels
//     m            the GEMMs, one per transform point (x_w, x_h) and tile
//                  (forward: per slot, conv2d_winograd.cpp), the points
//                  outermost so that a point's transformed weights (u,
//                  C x O values) stay in L2 across the task's images; each
//                  a register block of output-channel vectors x images
//                  and tiles of one point (forward: forward_block) or x
//                  phases and tiles (transpose: per point, its blocks of
//                  output channels, then the tiles and images), the
//                  reduction over input channels (and input phases) inside
//     out          the output transform of each 4x4 tile, vectorized over
//                  output channels, then the epilogue (bias, activation)
//
// Measured on the 2-core Zen 5 machine, the GAN's layers at batch 64
// (bench/conv_bench, Halide's profiler for the stages), 1 thread:
//   * conv2d 64 -> 128: 2.57 ms (direct: 3.77). Of it the GEMMs ~1.6 ms
//     (419 MFLOP), the transformed weights u 0.2-0.3 (3.2 MB written per
//     call), the input tiles v 0.2 and their channel-innermost copy xt 0.1,
//     the output transform 0.1.
//   * conv_transpose2d 128 -> 64: 2.54 ms (direct: 3.51); its output
//     transform is 0.3 ms, 16-lane scatters into NCHW.
//   * conv2d_weight_grad: 3.10 ms (direct: 3.74), GEMMs ~2.0 ms.
//   * Skipping the last tile's products at infinity when that tile runs
//     past the output (7 = 4 + 3: 81 of 100 per image) and, in conv2d,
//     blocking registers over images rather than tiles (so that a block
//     shares its slot): conv2d 2.96 -> 2.29 ms (~0.35 of it the skipped
//     products: 2.55-2.71 with blocking alone), weight gradient 3.55 ->
//     2.67-2.77 (3.12-3.30 without the skip); same run, a slower day than
//     the numbers above.
//   * Images per task 8, 4 or 2: 2.76, 2.79, 2.80 ms (conv2d, 1 thread);
//     1.47, 1.47, 1.53 ms on 2 threads. 8 keeps a task's v and m (800 +
//     400 KiB) near L2's 1 MiB and gives 8 tasks for 2 threads.
//   * Packing the forward weights by loading each 4x4 kernel as a vector
//     and scattering it, rather than gathering 16 output channels (stride
//     16 C floats: one L1 set for every lane): 0.30 -> 0.04 ms.
//
// F(4x4, 3x3) (stride 1) takes the forward schedule, its images per task
// chosen so that a task's v and m stay within 1 MiB (conv2d_winograd.cpp:
// 2 images at 32 channels and 28x28, 3 at 64 and 14x14, 8 at 128 and 7x7).
// Measured on the 2-core Zen 4 machine (AMD EPYC family 25 model 17,
// AVX-512), bench/conv_bench, the DDPM's layers at batch 64, ms, Winograd
// against direct in the same run, 1 thread / 2 threads:
//   * 32 -> 32 at 28x28: 5.0 vs 9.9 / 3.0 vs 5.1-5.3
//   * 64 -> 64 at 14x14: 5.3 vs 9.2 / 2.8-2.9 vs 4.8-5.0
//   * 128 -> 128 at 7x7: 3.7 vs 9.3 / 1.8-2.4 vs 4.6-5.3
//   * the input gradient (transposed) of 64 -> 64 at 14x14: 6.4 vs 10.4 /
//     2.2-2.7 vs 4.7-4.9
// so 1.7-2.5x, at 5e-6 to 7.7e-6 of the largest output from the direct
// result (float32).
// The weight gradient of those layers as F(3x3, 4x4) takes the weight
// gradient schedule below with one phase. Measured (before its reduction
// over images ran in chunks: schedule_weight_grad) on a 2-core
// Intel Xeon (family 6 model 207, AVX-512), conv_bench, ms, against direct
// in the same run, 1 thread / 2 threads: 32 -> 32 at 28x28 5.5 vs 19.0 / 3.4
// vs 13.2; 64 -> 64 at 14x14 4.5 vs 21.7 / 2.7 vs 13.8; 128 -> 128 at 7x7
// 3.2 vs 9.8 / 2.6 vs 7.5: 3.1-5x, at 4e-6 to 3.1e-5 of the largest
// output from the direct result (sums over 64 images of 4, 16 or 49
// tiles: 4e-6 at 7x7, 2e-5 at 14x14, 3.1e-5 at 28x28).
#include "kiln/halide/conv2d_winograd.h"
#include "tiling.h"

#include <algorithm>
#include <stdexcept>

namespace kiln::halide {

using namespace Halide;

namespace {

// Accumulators per register block: conv_accumulators(vec) (conv2d.h), 16
// of 32 AVX-512 registers as for the direct convolution, where 14 beat 28
// (spills; conv2d_schedule.cpp), 8 with AVX2. Not tuned separately here:
// the GEMMs already run at ~210-270 GFLOP/s with AVX-512. The transposed
// convolution's tile block (transpose_block_tiles, asked without a target)
// keeps the AVX-512 count.
constexpr int kTransposeAccumulators = 16;

// Largest of {4, 2, 1} vectors whose lanes divide `channels`.
int vectors_dividing(int channels, int vec, int most) {
  for (int nv = most; nv > 1; nv /= 2) {
    if (channels % (nv * vec) == 0) {
      return nv;
    }
  }
  return 1;
}

// The output: tasks of `images` images, then per output-channel vector the
// output positions (tw_span x th_span, unrolled); the output transform and
// the epilogue are inlined into it.
void tile_output(Stage s, const std::vector<Var> &vars, int vec, int images,
                 int span_w, int span_h) {
  const Var &ow = vars[0], &oh = vars[1], &o = vars[2], &n = vars[3];
  const Var nt("wg_nt"), ni("wg_ni"), oo("wg_oo"), oi("wg_oi"), wo("wg_wo"),
      wi("wg_wi"), ho("wg_ho"), hi("wg_hi");
  s.split(n, nt, ni, images, TailStrategy::ShiftInwards)
      .split(o, oo, oi, vec, TailStrategy::RoundUp)
      .split(ow, wo, wi, span_w, TailStrategy::GuardWithIf)
      .split(oh, ho, hi, span_h, TailStrategy::GuardWithIf)
      .reorder(oi, wi, hi, wo, ho, oo, ni, nt)
      .parallel(nt)
      .vectorize(oi)
      .unroll(wi)
      .unroll(hi);
}

// The loop order of a transform f(c or o, ..., xw, xh): the vector of
// channels `inner` innermost, then the 25 (or 36) points (unrolled, so that the
// transform's constants fold), the channel vectors `outer`, the rest.
std::vector<VarOrRVar> transform_order(const Func &f, const Var &inner,
                                       const Var &outer) {
  const std::vector<Var> args = f.args();
  const size_t nd = args.size();
  std::vector<VarOrRVar> order{inner, args[nd - 2], args[nd - 1], outer};
  for (size_t d = 1; d + 2 < nd; ++d) {
    order.push_back(args[d]);
  }
  return order;
}

// Transpose: the vector width over a block of u's channels, the narrower
// of the block (conv_transpose2d's target's vector) and the schedule's
// vector `vec`. They are equal when both got the kernel's target; else a
// wide block is split into vectors, or a narrow one is one short vector.
int channel_block_lanes(const WinogradStages &st, int vec) {
  return std::min(vec, st.channel_block);
}

// The transformed weights, once per call, or the weight gradient's
// transformed output gradients, per chunk of images (at `at`), in parallel
// over their outermost dimension; each (channel vector, ...)
// computes its 25 (or 36) points from the same few loads.
void schedule_transformed_weights(WinogradStages &st, int vec,
                                  const LoopLevel &at = LoopLevel::root()) {
  const std::vector<Var> uargs = st.u.args();
  const size_t nd = uargs.size();
  if (st.kind == ConvKind::Transpose) {
    // u(oi, ew, eh, c, ob, xw, xh): oi, the channels within a block.
    const Var &oi = uargs[0], &c = uargs[3], &ob = uargs[4];
    st.u.compute_root()
        .reorder(oi, uargs[5], uargs[6], ob, uargs[1], uargs[2], c)
        .vectorize(oi, channel_block_lanes(st, vec))
        .unroll(uargs[5])
        .unroll(uargs[6])
        .parallel(c);
    return;
  }
  const Var uo("wg_uo"), ui("wg_ui");
  // F(4, 3)'s u(o, c, bw, bh, ...) has one phase: parallel over c instead.
  const bool one_phase = st.kind == ConvKind::Forward && st.stride == 1;
  st.u.compute_at(at)
      .split(uargs[0], uo, ui, vec, TailStrategy::RoundUp)
      .reorder(transform_order(st.u, ui, uo))
      .vectorize(ui)
      .unroll(uargs[nd - 2])
      .unroll(uargs[nd - 1])
      .parallel(one_phase ? uargs[1] : uargs[nd - 3]);
}

// The transformed input tiles, computed at `at`, in parallel over the
// images if asked: per (channel vector, phase, tile), the 25 (36) points
// together from their 25 (36) inputs; x copied channel-innermost per image
// first.
void schedule_input_tiles(WinogradStages &st, int vec, const LoopLevel &at,
                          bool parallel_images) {
  const std::vector<Var> vargs = st.v.args();
  const size_t nd = vargs.size();
  const Var &xw = vargs[nd - 2], &xh = vargs[nd - 1], &n = vargs[nd - 3];
  const Var vco("wg_vco"), vci("wg_vci");
  st.v.compute_at(at)
      .split(vargs[0], vco, vci, vec, TailStrategy::GuardWithIf)
      .reorder(transform_order(st.v, vci, vco))
      .vectorize(vci)
      .unroll(xw)
      .unroll(xh);
  if (parallel_images) {
    st.v.parallel(n);
  }
  const std::vector<Var> xargs = st.xt.args();
  st.xt.compute_at(st.v, n).vectorize(xargs[0], vec, TailStrategy::GuardWithIf);
}

// The loop order of a GEMM's update: the register block's dimensions
// innermost, then the reduction.
std::vector<VarOrRVar> block_then_reduction(std::vector<VarOrRVar> order,
                                            const RDom &rk) {
  for (int d = 0; d < rk.dimensions(); ++d) {
    order.push_back(rk[d]);
  }
  return order;
}

// The forward GEMMs' register block: nv output-channel vectors x ni images
// x kt slots along w, kt dividing the tiles along w so that a block's slots
// are tiles of one point and share its transformed weights (one load of u
// per channel vector for the block's kt tiles). Images first, as the GAN's
// layers take them (8 per task); a task of fewer images (the DDPM's wider
// layers: 1 or 2) fills the block with tiles instead, where it was as few as
// 2 or 4 accumulators. Intel Xeon family 6 model 207 (AVX-512), conv_bench,
// 1 thread, batch 64, ms: 16 -> 16 at 28x28 (4 images a task; 1 vector x 2
// images x 7 tiles) 2.03 -> 1.40; 32 -> 32 at 28x28 (2 images) 4.39 ->
// 4.08; the 7x7 and GAN layers keep their blocks.
struct ForwardBlock {
  int nv = 1, ni = 1, kt = 1;
};
ForwardBlock forward_block(const WinogradStages &st, int out_channels,
                           int vec) {
  const int acc = conv_accumulators(vec);
  ForwardBlock best;
  int best_size = 0;
  for (int nv = vectors_dividing(out_channels, vec, 4); nv >= 1; nv /= 2) {
    for (int ni = std::min(acc / nv, st.images_per_task); ni >= 1; --ni) {
      const int kt = detail::divisor_at_most(st.tiles_w, acc / (nv * ni));
      if (nv * ni * kt > best_size) {
        best = {nv, ni, kt};
        best_size = nv * ni * kt;
      }
    }
  }
  return best;
}

// Forward GEMMs m(o, sw, sh, n): a wrapper of m stored for the task, written
// block by block (forward_block) from m computed in registers, the
// reduction over input channels and phases inside. A block shares its
// transformed weights; the slots, point-major, are outermost, so that a
// point's weights (C x O values) stay in L2 across its tiles and images.
void schedule_forward_gemms(WinogradStages &st, int out_channels, int vec,
                            const LoopLevel &task) {
  const std::vector<Var> margs = st.m.args();
  const Var &o = margs[0], &sw = margs[1], &sh = margs[2], &n = margs[3];
  const ForwardBlock b = forward_block(st, out_channels, vec);
  const Var mo("wg_mo"), mi("wg_mi"), no("wg_no"), ni("wg_ni"), so("wg_so"),
      si("wg_si");
  Func mw = st.m.in();
  mw.compute_at(task)
      .split(o, mo, mi, b.nv * vec, TailStrategy::RoundUp)
      .split(n, no, ni, b.ni, TailStrategy::GuardWithIf)
      .split(sw, so, si, b.kt, TailStrategy::GuardWithIf)
      .reorder(mi, ni, si, mo, no, so, sh)
      .vectorize(mi, vec)
      .unroll(mi)
      .unroll(ni)
      .unroll(si);
  st.m.compute_at(mw, mo).vectorize(o, vec).unroll(o).unroll(n).unroll(sw);
  st.m.update()
      .reorder(block_then_reduction({o, n, sw}, st.rk))
      .vectorize(o, vec)
      .unroll(o)
      .unroll(n)
      .unroll(sw);
}

// Transpose GEMMs m(o, ew, eh, tw, th, n, xw, xh): as above, the block one
// output-channel vector x the 4 output phases (which share the input
// tiles) x (cw x ch) tiles, the points outermost and unrolled, so that the
// products no output reads (conv2d_winograd.cpp) drop out of the blocks
// where the block spans an axis: 2.56-2.75 -> 2.44-2.57 ms for the GAN's
// 128 -> 64 layer (1 thread, same run), 9 to 16 products per block.
// The block's channel vector is one block of u (channel_block), whose 32
// KiB per point (4 phases x 128 input channels) are contiguous: stored
// o-innermost over all 64 channels instead, a block read 4 lines per input
// channel (one per phase, 256 B apart) and the next channel's 1 KiB on,
// all in 16 of L1's 64 sets, and the GEMMs ran at ~90 GFLOP/s. The tiles
// and images are inside the channel blocks, so that a block's u of one
// point stays in L1 across them. Intel Xeon family 6 model 207 (AVX-512),
// that layer at batch 64, ms: GEMMs 4.6-4.9 -> 2.3-2.4 (Halide profiler, 1
// thread); the kernel (conv_bench d2_dx) 6.6 -> 4.25 on 1 thread, 3.74 ->
// 2.45-3.0 on 2 (direct: 5.85, 3.34). 16 images per task rather than 8
// read u (3.2 MB, from L3) half as often, 7% faster on both thread counts;
// not taken, since 4 tasks of batch 64 would leave larger machines idle.
void schedule_transpose_gemms(WinogradStages &st, int vec,
                              const LoopLevel &task) {
  const std::vector<Var> margs = st.m.args();
  const Var &o = margs[0], &ew = margs[1], &eh = margs[2], &tw = margs[3],
            &th = margs[4], &n = margs[5], &xw = margs[6], &xh = margs[7];
  const auto [cw, ch] = transpose_block_tiles(st.tiles_w, st.tiles_h);
  const Var mo("wg_mo"), mi("wg_mi"), two("wg_two"), twi("wg_twi"),
      tho("wg_tho"), thi("wg_thi");
  const int lanes = channel_block_lanes(st, vec);
  Func mw = st.m.in();
  mw.compute_at(task)
      .split(o, mo, mi, st.channel_block, TailStrategy::RoundUp)
      .split(tw, two, twi, cw, TailStrategy::ShiftInwards)
      .split(th, tho, thi, ch, TailStrategy::ShiftInwards)
      .reorder(mi, ew, eh, twi, thi, two, tho, n, mo, xw, xh)
      .vectorize(mi, lanes)
      .unroll(mi)
      .unroll(ew)
      .unroll(eh)
      .unroll(twi)
      .unroll(thi)
      .unroll(xw)
      .unroll(xh);
  st.m.compute_at(mw, two)
      .vectorize(o, lanes)
      .unroll(o)
      .unroll(ew)
      .unroll(eh)
      .unroll(tw)
      .unroll(th);
  st.m.update()
      .reorder(block_then_reduction({o, ew, eh, tw, th}, st.rk))
      .vectorize(o, lanes)
      .unroll(o)
      .unroll(ew)
      .unroll(eh)
      .unroll(tw)
      .unroll(th);
}

// The weight gradient's reduction in chunks of images whose u and v take
// 2 MiB (detail::weight_grad_chunk_images). Measured on the 2-core Zen
// 4 (AMD EPYC family 25 model 17, L2 1 MiB per core, L3 32 MiB),
// bench/conv_bench, batch 64, 1 thread, two runs, ms, with chunks of 512
// KiB, 1, 2, 4 and 8 MiB, and without chunks (all 64 images' u and v
// first: the schedule before), in the same runs:
//
//   layer                512K     1M       2M       4M       8M       none
//   32 -> 32, 28x28      5.6-6.0  5.0-5.5  5.1-5.2  4.8-5.1  7.4-8.0  9.0-9.6
//   64 -> 64, 14x14      4.5-5.2  4.6-4.7  4.5-4.8  4.3-4.6  5.2-5.5  6.5-6.8
//   128 -> 128, 7x7      3.8-5.1  3.5-3.6  3.5-3.6  3.2-3.4  4.2-5.7  4.7-4.9
//   16 -> 16, 28x28      1.6      1.4-1.5  1.3-1.4  1.4      3.1-3.3  2.3-2.4
//   GAN 64 -> 128 F(2,4) 5.6-6.5  5.1-5.7  4.8-5.0  5.1      6.8-6.9  5.3-6.0
//
// Halide's profiler on the first, 1 thread (without chunks in an earlier
// session, docs/performance.md; with them this one): GEMMs 3.85 -> 1.98 ms
// (60 -> 117 GFLOP/s: their operands now come from L2, not L3), the
// transform of dy 2.56 -> 1.88. On 2 threads the gain is smaller and within
// this machine's noise except at 28x28 (2.7-4.5 ms against 3.4-6.9 over six
// runs): a chunk's u and v are made in parallel over images and read in
// parallel over points, so half of what a core reads comes from the
// other's L2.
int weight_grad_chunk_images(const Conv2d &conv) {
  const WinogradStages &st = *conv.winograd;
  return detail::weight_grad_chunk_images(
      int64_t(conv.p.out_channels + conv.p.channels * st.stride * st.stride) *
      st.tiles_w * st.tiles_h * st.points * st.points * 4);
}

// WeightGrad: the output (kw, kh, c, o) is only the weights' size; the
// GEMMs dominate. The reduction over images runs in chunks (rfactor), so
// that a chunk's transformed dy and x tiles are still in cache when the
// GEMMs read them. Loop nest:
//   chunk  serial over chunks of images
//     u, v   the chunk's tiles, in parallel over its images
//     m      a task per (transform point, block of output channels): for
//            each register block of output-channel vectors x input
//            channels, the products of the chunk's tiles summed in
//            registers (part), then added to m
//   out   the output transform, vectorized over output channels
void schedule_weight_grad(Conv2d &conv, Func out, const std::vector<Var> &vars,
                          int vec) {
  WinogradStages &st = *conv.winograd;
  const std::vector<Var> margs = st.m.args(); // (o, c, bw, bh, xw, xh)
  const Var &o = margs[0], &c = margs[1], &bw = margs[2], &bh = margs[3],
            &xw = margs[4], &xh = margs[5];
  const int nv = vectors_dividing(conv.p.out_channels, vec, 4);
  const int cols = std::min(conv.p.channels, conv_accumulators(vec) / nv);
  const Var mo("wg_mo"), mi("wg_mi"), co("wg_co"), ci("wg_ci"), t0("wg_t0"),
      task("wg_task"), chunk("wg_chunk");
  const RVar no("wg_no"), ni("wg_ni");
  Func part = st.m.update()
                  .split(st.rk.z, no, ni, weight_grad_chunk_images(conv))
                  .rfactor(no, chunk);
  st.m.compute_root().vectorize(o, vec).parallel(xh);
  st.m.update()
      .split(o, mo, mi, nv * vec, TailStrategy::GuardWithIf)
      .split(c, co, ci, cols, TailStrategy::GuardWithIf)
      .reorder(mi, ci, co, bw, bh, mo, xw, xh, no)
      .fuse(mo, xw, t0)
      .fuse(t0, xh, task)
      .parallel(task)
      .vectorize(mi, vec)
      .unroll(mi)
      .unroll(ci);
  part.compute_at(st.m, co).vectorize(o, vec).unroll(o).unroll(c);
  part.update()
      .reorder(o, c, st.rk.x, st.rk.y, ni)
      .vectorize(o, vec)
      .unroll(o)
      .unroll(c);

  const LoopLevel per_chunk(st.m, no);
  schedule_transformed_weights(st, vec, per_chunk); // u(o, tw, th, n, ...)
  schedule_input_tiles(st, vec, per_chunk, true);

  const Var &kw = vars[0], &kh = vars[1], &oc = vars[2], &oo = vars[3];
  const Var ooo("wg_ooo"), ooi("wg_ooi");
  out.split(oo, ooo, ooi, vec, TailStrategy::RoundUp)
      .reorder(ooi, kw, kh, oc, ooo)
      .vectorize(ooi)
      .unroll(kw)
      .unroll(kh)
      .parallel(ooo);
}

} // namespace

std::pair<int, int> transpose_block_tiles(int tiles_w, int tiles_h) {
  const int per_tile = 4; // output phases
  const int cw =
      std::min(tiles_w, std::max(1, kTransposeAccumulators / per_tile));
  const int ch =
      std::min(tiles_h, std::max(1, kTransposeAccumulators / per_tile / cw));
  return {cw, ch};
}

void schedule_winograd(Conv2d &conv, Func out, const std::vector<Var> &vars,
                       const Target &target) {
  WinogradStages &st = *conv.winograd;
  const int vec = target.natural_vector_size(conv.result.output_types().at(0));
  if (st.kind == ConvKind::WeightGrad) {
    schedule_weight_grad(conv, out, vars, vec);
    return;
  }
  const bool forward = st.kind == ConvKind::Forward;
  const int out_channels = conv.p.out_channels;

  // Output positions per unrolled block: one 4x4 tile (forward); for the
  // transpose, 8x8 outputs, so that every unrolled position has a constant
  // phase and tile offset (i + p = 2 u + e, u = 4 t + k).
  const int span = forward ? 4 : 8;
  // A batch smaller than a task's images takes tasks of one image.
  if (st.images_per_task > 1) {
    const Expr batch = out.output_buffer().dim(3).extent();
    tile_output(out.specialize(batch >= st.images_per_task), vars, vec,
                st.images_per_task, span, span);
  }
  tile_output(out, vars, vec, 1, span, span);
  const Var nt("wg_nt");

  if (forward) {
    schedule_forward_gemms(st, out_channels, vec, LoopLevel(out, nt));
  } else {
    schedule_transpose_gemms(st, vec, LoopLevel(out, nt));
  }
  schedule_input_tiles(st, vec, LoopLevel(out, nt), false);
  // Weights: packed output-channel innermost, then transformed, per call.
  const std::vector<Var> wargs = st.wt.args(); // (o, kw, kh, c)
  if (forward) {
    // w is [O, C, 4, 4]: one (o, c) kernel is 16 contiguous floats. Loaded
    // as a vector and scattered (stride O) rather than gathered over 16 o
    // (stride 16 C floats: with C = 64 every lane hits one L1 set, more
    // lines than its 12 ways): 0.30 -> 0.03 ms for 128 x 64 (profiler).
    // F(4, 3) packs its 9 taps the same way (a transposed layer's kernel,
    // [C, O, 3, 3], read flipped).
    const Var tap("wg_tap");
    st.wt.compute_root()
        .reorder(wargs[1], wargs[2], wargs[0], wargs[3])
        .fuse(wargs[1], wargs[2], tap)
        .vectorize(tap)
        .parallel(wargs[3]);
  } else {
    st.wt.compute_root().vectorize(wargs[0], vec).parallel(wargs[3]);
  }
  schedule_transformed_weights(st, vec);
}

} // namespace kiln::halide
