// CPU schedule for convolution kernels: a direct convolution (no im2col
// buffer), computed like a GEMM whose "rows" are output pixels and whose
// "columns" are output channels.
//
// Loop nest of the output, outermost first (Forward and Transpose):
//   task (parallel)  = (image n, block of nv vectors of output channels)
//     x with its zero border for the image, materialized (plain loads after)
//     row, then blocks of bw pixels along the row
//       result block = nv vectors of output channels x bw pixels, held in
//                      registers while the reduction (c, kh, kw) runs
//       epilogue     = out over the same block (bias, activation)
// The weights are packed once per call with the output channel innermost
// (they are [O, C, KH, KW], channel outermost), so that one vector load
// gives one tap's weight for a vector of output channels; the input value
// is a broadcast. A transposed convolution gathers: output column j reads
// tap kw = (j + pw) % sw + sw b, so blocks of bw pixels (a multiple of the
// stride, starting at a multiple of it) have a constant tap per unrolled
// pixel, and reads x through the width-stretched `input` (conv2d.cpp).
// WeightGrad swaps the roles: the block is (taps kw x kh) x output channels,
// the reduction runs over (ow, oh, n), and dy is packed channel-innermost.
//
// Measured on the 2-core Zen 5 (AVX-512, 32 zmm registers) machine, fp32,
// AOT, the GAN's layers at batch 64 (MODELS.md, k4 s2 p1). Block choices on
// 1 thread (peak ~230 GFLOP/s; CPU time checked equal to wall time):
//   * conv2d 64 -> 128, 14x14: 2 vectors x 7 pixels (14 accumulators) 208
//     GFLOP/s; 4 x 7 (28 accumulators + 4 weights + a broadcast: spills)
//     131; 1 x 7 156; 4 x 4 (the 8th pixel of 7 shifted in) 178.
//   * conv_transpose2d 128 -> 64, 7 -> 14: 1 vector x 14 pixels (2 weight
//     vectors per tap, one per phase) 198-225; 2 x 14 148; 2 x (2 x 4) 112.
//     Reading x through the stretched input rather than as
//     border((j + pw) / sw - b) took it from 195 to 225.
//   * conv2d_weight_grad (64 x 14x14, dy 128 x 7x7): 1 vector x 4 x 4 taps
//     177-182; 2 x (4 x 2) 172-187; 4 x 4 140.
//   * conv2d 1 -> 64 on 28x28: 89 (16 taps per output: the block's
//     transposing stores into NCHW dominate); vectorized over the width
//     instead 17.5.
//   * conv_transpose2d 64 -> 1, 14 -> 28 (one output channel): dot products
//     along c (schedule_narrow_dot) 0.33 ms, 78 GFLOP/s; vectorized over the
//     output width 0.74 ms (each lane's tap phase alternates, so every load
//     is a shuffle of two).
// With both threads (quiet machine, peak ~450): conv2d 64 -> 128 346-356
// GFLOP/s, conv_transpose2d 128 -> 64 378-381, its weight gradient 316-321,
// the 1-channel layers 135-169. PyTorch 1.13 eager (oneDNN) in the same
// run, forward + backward of all four layers: kiln 15.4 ms, torch 30.7 ms
// (2 threads); 29.6 vs 47.4 ms (1 thread). PyTorch is ~10% faster on the
// 64 -> 128 conv2d; kiln is 2-3x faster on the transposed ones and ~9x on
// the 1 -> 64 conv2d.
// bench/conv_bench.cpp reruns these against PyTorch in the same run.
// Since then the conv2d 64 -> 128 and conv_transpose2d 128 -> 64 layers run
// as Winograd convolutions (conv2d_winograd_schedule.cpp); the blocks above
// remain for every other shape, and with ConvAlgorithm::Direct.
//
// Every size except the batch is static, so every choice is plain C++, and
// blocks that divide their extent need no tail.
#include "gpu_schedule.h"
#include "kiln/halide/conv2d.h"
#include "kiln/halide/conv2d_winograd.h"
#include "tiling.h"

#include <algorithm>
#include <stdexcept>

namespace kiln::halide {

using namespace Halide;

namespace {

struct Block {
  int nv = 1; // vectors of output channels
  int bw = 1; // pixels (or kw taps) along dimension 0
  int bh = 1; // rows (or kh taps) along dimension 1
  int bc = 1; // WeightGrad: input channels
};

// Static extents: a block that divides its extent needs no tail; else the
// last block shifts inwards (every block here is at most its extent).
TailStrategy tail(int extent, int block) {
  return extent % block == 0 ? TailStrategy::RoundUp
                             : TailStrategy::ShiftInwards;
}

Block choose_block(const Conv2d &conv, int vec) {
  const Conv2dParams &p = conv.p;
  const int vectors = p.out_channels / vec;
  const int acc = conv_accumulators(vec);
  Block b;
  // A transposed convolution of stride 1 has one tap phase: it is a
  // convolution (of the flipped kernel), and takes the forward's block. The
  // DDPM's 1x1 skips' input gradients, 32 -> 96 at 28x28 and 64 -> 192 at
  // 14x14, batch 64, Zen 5, 1 thread (conv_bench k1_28_dx, k1_14_dx): 2.65
  // and 2.55 ms with the transposed block (one vector x 14 pixels: 15
  // loads per 14 FMAs), 2.25-2.30 and 1.98-2.00 with this one (2 x 7: 9 per
  // 14); in the DDPM step the first, cold and with its epilogue, stays
  // about 5 ms.
  const bool one_phase = p.stride_w == 1 && p.stride_h == 1;
  switch (conv.kind == ConvKind::Transpose && one_phase ? ConvKind::Forward
                                                        : conv.kind) {
  case ConvKind::Forward: {
    // Two vectors of channels by up to 8 pixels of a row (16 accumulators).
    b.nv = vectors % 2 == 0 ? 2 : 1;
    const int px = acc / b.nv;
    b.bw = detail::divisor_at_most(conv.out_w, px);
    if (b.bw < px / 2) {
      b.bw = std::min(conv.out_w, px); // ShiftInwards
    }
    break;
  }
  case ConvKind::Transpose: {
    // One vector of channels by up to 16 pixels of a row, a multiple of the
    // stride so that each unrolled pixel's tap phase is a constant.
    b.nv = 1;
    b.bw = detail::divisor_at_most(conv.out_w, acc, p.stride_w);
    if (b.bw < 4) {
      b.bw = std::min(conv.out_w, acc); // phases computed per pixel
    }
    break;
  }
  case ConvKind::WeightGrad: {
    // One vector of output channels by up to 16 taps (kw, kh); a kernel of
    // fewer taps fills the block with input channels (a 1x1 kernel: 2
    // vectors by 8 channels, each step one load of dy and 8 broadcasts of
    // x). A block of one accumulator waits on each FMA's latency: the
    // DDPM's 1x1 skip 96 -> 32 at 28x28, batch 64, took 47.6 ms per call
    // (6.5 GFLOP/s; ddpm_bench --profile), 6.8 ms with this block (45
    // GFLOP/s; conv_bench k1_28_dw), 1 thread, Intel Xeon family 6 model
    // 207 (AVX-512). Each block then streamed the batch's x and dy from
    // memory; the reduction now runs a few images at a time
    // (schedule_weight_grad_chunked).
    b.nv = 1;
    b.bw = std::min(p.kernel_w, acc);
    b.bh = std::max(1, std::min(p.kernel_h, acc / b.bw));
    const int taps = b.bw * b.bh;
    if (taps <= acc / 4) {
      b.nv = vectors % 2 == 0 ? 2 : 1;
      b.bc = std::max(1, std::min(p.channels, acc / (b.nv * taps)));
    }
    break;
  }
  }
  return b;
}

// A block of `f` (conv.result, or a chunk's part of it) in registers:
// vectors of output channels `ro` innermost, the block's dimensions 0 and 1
// and its entries of `other` (the last dimension, or the weight gradient's
// input channels) unrolled around them; the reduction `r` (innermost
// first) runs outside the block.
void registers_block(Func f, const Conv2d &conv, const Var &ro,
                     const Var &other, const std::vector<RVar> &r, int vec) {
  const Var &rw = conv.vars[0], &rh = conv.vars[1];
  f.reorder_storage(ro, rw, rh, other)
      .reorder(ro, rw, rh, other)
      .vectorize(ro, vec)
      .unroll(ro)
      .unroll(rw)
      .unroll(rh)
      .unroll(other);
  std::vector<VarOrRVar> order{ro, rw, rh, other};
  order.insert(order.end(), r.begin(), r.end());
  f.update()
      .reorder(order)
      .vectorize(ro, vec)
      .unroll(ro)
      .unroll(rw)
      .unroll(rh)
      .unroll(other);
}

// The block of results in registers at `out`'s loop `at` (registers_block),
// the whole reduction outside the block.
void hold_block(Conv2d &conv, Func out, const Var &at, const Var &ro,
                const Var &other, int vec) {
  conv.result.compute_at(out, at);
  registers_block(conv.result, conv, ro, other, {conv.r.x, conv.r.y, conv.r.z},
                  vec);
}

// The innermost reduction loop written out when it is short and static
// (the weight gradient's 7 output columns): a loop of so few iterations
// costs its branches. conv2d_weight_grad 64 -> 128 on 14x14, 1 thread:
// 172-178 -> 196-200 GFLOP/s (bench/conv_bench, alternating runs). The
// same for the forward and transposed convolutions' 4 or 2 kernel columns
// measured no change (197-203 vs 199-207).
void unroll_short(Stage update, const RVar &r) {
  if (const int64_t *n = Internal::as_const_int(r.extent()))
    if (*n <= 8)
      update.unroll(r);
}

// Forward and Transpose with at least one vector of output channels.
void schedule_channels(Conv2d &conv, Func out, const std::vector<Var> &vars,
                       int vec, const Block &b) {
  const int channels = conv.p.out_channels;
  const Var &ow = vars[0], &oh = vars[1], &o = vars[2], &n = vars[3];
  const Var oo("cv_oo"), oi("cv_oi"), wo("cv_wo"), wi("cv_wi"), ho("cv_ho"),
      hi("cv_hi"), task("cv_task");
  const int ov = b.nv * vec;
  out.split(o, oo, oi, ov, tail(channels, ov))
      .split(ow, wo, wi, b.bw, tail(conv.out_w, b.bw))
      .split(oh, ho, hi, b.bh, tail(conv.out_h, b.bh))
      .reorder(oi, wi, hi, wo, ho, oo, n)
      .fuse(oo, n, task)
      .parallel(task)
      .vectorize(oi, vec)
      .unroll(oi)
      .unroll(wi)
      .unroll(hi);

  hold_block(conv, out, wo, conv.vars[2], conv.vars[3], vec);

  // Weights: packed once per call, output channel innermost.
  const std::vector<Var> wargs = conv.per_channel.args();
  const int wo_dim = conv.kind == ConvKind::Forward ? 3 : 2; // o in w's args
  Func packed = conv.per_channel.in(conv.result);
  std::vector<Var> storage{wargs[wo_dim]};
  for (int d = 0; d < 4; ++d) {
    if (d != wo_dim) {
      storage.push_back(wargs[d]);
    }
  }
  packed.compute_root()
      .reorder_storage(storage)
      .reorder(std::vector<VarOrRVar>(storage.begin(), storage.end()))
      .vectorize(wargs[wo_dim], vec);

  // x with its border, once per task (a transposed convolution reads it
  // through `input`, inlined).
  const std::vector<Var> xargs = conv.border.args();
  conv.border.compute_at(out, task).vectorize(xargs[0], vec);
}

// The weight gradient's (kw, kh, c, o) in blocks of o vectors x taps x
// input channels (choose_block), one parallel task each, `outer` (if any)
// outside the tasks; `tail_of` picks each split's tail strategy from the
// extent and the block. Returns the task loop.
Var tile_weight_grad(Stage s, const std::vector<Var> &vars, int vec,
                     const Block &b, const Conv2dParams &p,
                     TailStrategy (*tail_of)(int, int),
                     const std::vector<VarOrRVar> &outer = {}) {
  const Var &kw = vars[0], &kh = vars[1], &c = vars[2], &o = vars[3];
  const Var oo("cv_oo"), oi("cv_oi"), wo("cv_wo"), wi("cv_wi"), ho("cv_ho"),
      hi("cv_hi"), co("cv_co"), ci("cv_ci"), t0("cv_t0"), t1("cv_t1"),
      task("cv_task");
  const int ov = b.nv * vec;
  std::vector<VarOrRVar> order{oi, wi, hi, ci, wo, ho, co, oo};
  order.insert(order.end(), outer.begin(), outer.end());
  s.split(o, oo, oi, ov, tail_of(p.out_channels, ov))
      .split(kw, wo, wi, b.bw, tail_of(p.kernel_w, b.bw))
      .split(kh, ho, hi, b.bh, tail_of(p.kernel_h, b.bh))
      .split(c, co, ci, b.bc, tail_of(p.channels, b.bc))
      .reorder(order)
      .fuse(wo, ho, t0)
      .fuse(t0, co, t1)
      .fuse(t1, oo, task)
      .parallel(task)
      .vectorize(oi, vec)
      .unroll(oi)
      .unroll(wi)
      .unroll(hi)
      .unroll(ci);
  return task;
}

// An update stage may not shift a block inwards (it would add twice).
TailStrategy guard_tail(int, int) { return TailStrategy::GuardWithIf; }

// WeightGrad, each task's block with the whole reduction: out tiled into
// blocks (tile_weight_grad), computed in registers at each block, dy
// packed with o innermost per task.
void schedule_weight_grad_per_task(Conv2d &conv, Func out,
                                   const std::vector<Var> &vars, int vec,
                                   const Block &b) {
  const Var task = tile_weight_grad(out, vars, vec, b, conv.p, tail);
  hold_block(conv, out, task, conv.vars[3], conv.vars[2], vec);
  unroll_short(conv.result.update(), conv.r.x);

  const std::vector<Var> dargs = conv.per_channel.args();
  conv.per_channel.in(conv.result)
      .compute_at(out, task)
      .reorder_storage(dargs[2], dargs[0], dargs[1], dargs[3])
      .reorder(dargs[2], dargs[0], dargs[1], dargs[3])
      .vectorize(dargs[2], vec);
  const std::vector<Var> xargs = conv.border.args();
  conv.border.compute_root().vectorize(xargs[0], vec).parallel(xargs[3]);
}

// WeightGrad whose blocks share dy (a 1x1 kernel's blocks of input
// channels, a 3x3 kernel's one channel per block): the reduction over
// images in chunks (rfactor), so that the chunk's x and dy, packed with o
// innermost, stay in cache while every block reads them, instead of each
// block streaming the whole batch's from memory. Loop nest:
//   chunk   serial over chunks of images (detail::weight_grad_chunk_images
//           of x and dy)
//     x, dy   the chunk's, in parallel over its images
//     result  a task per block (o vectors x taps x input channels): the
//             block's products over the chunk summed in registers (part),
//             then added to result
// The DDPM's 1x1 skips at batch 64 (bench/conv_bench k1_28_dw and
// k1_14_dw; Zen 4, AMD EPYC family 25 model 17, 1 thread, ms; without
// chunks, each block streamed the batch's x and dy from L3 or memory):
// 96 -> 32 at 28x28 5.1-6.3 -> 4.3-5.7, 192 -> 64 at 14x14 4.9-8.4 -> 3.3-4.7;
// Halide's profiler: the products of 192 -> 64 at 110 GFLOP/s, the
// copies of x and dy a third of the kernel.
void schedule_weight_grad_chunked(Conv2d &conv, Func out,
                                  const std::vector<Var> &vars, int vec,
                                  const Block &b) {
  const Conv2dParams &p = conv.p;
  const int out_w = p.forward_out_w();
  const int out_h = p.forward_out_h();
  const int images = detail::weight_grad_chunk_images(
      (int64_t(p.channels) * p.width * p.height +
       int64_t(p.out_channels) * out_w * out_h) *
      4);
  const RVar no("cv_no"), ni("cv_ni");
  const Var chunk("cv_chunk");
  Func part =
      conv.result.update().split(conv.r.z, no, ni, images).rfactor(no, chunk);

  const Var &rc = conv.vars[2], &ro = conv.vars[3];
  conv.result.compute_root()
      .reorder_storage(ro, conv.vars[0], conv.vars[1], rc)
      .reorder(ro, conv.vars[0], conv.vars[1], rc)
      .vectorize(ro, vec);
  const Var task = tile_weight_grad(conv.result.update(), conv.vars, vec, b, p,
                                    guard_tail, {no});
  part.compute_at(conv.result, task);
  registers_block(part, conv, ro, rc, {conv.r.x, conv.r.y, ni}, vec);
  unroll_short(part.update(), conv.r.x);

  const LoopLevel per_chunk(conv.result, no);
  const std::vector<Var> dargs = conv.per_channel.args();
  conv.per_channel.in(part)
      .compute_at(per_chunk)
      .reorder_storage(dargs[2], dargs[0], dargs[1], dargs[3])
      .reorder(dargs[2], dargs[0], dargs[1], dargs[3])
      .vectorize(dargs[2], vec)
      .parallel(dargs[3]);
  // x with its zero border, per chunk. Read in place instead where there
  // is no padding (a 1x1 skip), 192 -> 64 at 14x14 took 5.2 ms a call
  // against 4.5 with the copy, 96 -> 32 at 28x28 4.5 against 5.3
  // (conv_bench under Halide's profiler, Zen 4, 1 thread): no clear gain,
  // so every layer keeps the copy.
  const std::vector<Var> xargs = conv.border.args();
  conv.border.compute_at(per_chunk).vectorize(xargs[0], vec).parallel(xargs[3]);

  // out (kw, kh, c, o), read from result's vectors of o.
  const Var &kw = vars[0], &kh = vars[1], &c = vars[2], &o = vars[3];
  const Var oo("cv_oo"), oi("cv_oi");
  out.split(o, oo, oi, vec, tail(p.out_channels, vec))
      .reorder(oi, kw, kh, c, oo)
      .vectorize(oi)
      .parallel(oo);
}

// WeightGrad with at least one vector of output channels: out is
// (kw, kh, c, o); the reduction runs over (ow, oh, n).
void schedule_weight_grad(Conv2d &conv, Func out, const std::vector<Var> &vars,
                          int vec, const Block &b) {
  // A task whose block spans all taps and input channels (D.conv1's 1 ->
  // 64, 4x4) packs its own vectors of dy, which then stay in L2 for its
  // reduction; packed once per call instead, they made a round trip
  // through L3, the reduction streaming them at ~6 GB/s. conv_bench d1_dw,
  // batch 64, Intel Xeon family 6 model 207, ms: 0.74 -> 0.50 (1 thread),
  // 0.59 -> 0.27-0.30 (2 threads).
  if (b.bw >= conv.p.kernel_w && b.bh >= conv.p.kernel_h &&
      b.bc >= conv.p.channels) {
    schedule_weight_grad_per_task(conv, out, vars, vec, b);
  } else {
    schedule_weight_grad_chunked(conv, out, vars, vec, b);
  }
}

// Fewer output channels than one vector: vectorize over dimension 0 of the
// output (the width), with a block of up to 4 vectors along it by several
// rows (up to conv_accumulators(vec) accumulators: an FMA has 4 cycles of
// latency and 2 issue per cycle), the output channels outside.
void schedule_narrow(Conv2d &conv, Func out, const std::vector<Var> &vars,
                     int vec) {
  const bool wgrad = conv.kind == ConvKind::WeightGrad;
  const int e0 = wgrad ? conv.p.kernel_w : conv.out_w;
  const int e1 = wgrad ? conv.p.kernel_h : conv.out_h;
  const int acc = conv_accumulators(vec);
  const int lanes = std::min(vec, e0);
  const int cols = std::min(4, (e0 + lanes - 1) / lanes); // vectors
  const int width = std::min(e0, cols * lanes);
  int rows = detail::divisor_at_most(e1, acc / cols);
  if (rows < acc / cols / 2) {
    rows = std::min(e1, acc / cols);
  }
  const Var wo("cv_wo"), wi("cv_wi"), wv("cv_wv"), wl("cv_wl"), ho("cv_ho"),
      hi("cv_hi"), task("cv_task");
  out.split(vars[0], wo, wi, width, tail(e0, width))
      .split(wi, wv, wl, lanes, tail(width, lanes))
      .split(vars[1], ho, hi, rows, tail(e1, rows))
      .reorder(wl, wv, hi, wo, ho, vars[2], vars[3])
      .fuse(vars[2], vars[3], task)
      .parallel(task)
      .vectorize(wl)
      .unroll(wv)
      .unroll(hi);
  const Var &rw = conv.vars[0], &rh = conv.vars[1];
  const Var rwv("cv_rwv"), rwl("cv_rwl");
  conv.result.compute_at(out, wo)
      .split(rw, rwv, rwl, lanes, TailStrategy::RoundUp)
      .reorder(rwl, rwv, rh)
      .vectorize(rwl)
      .unroll(rwv)
      .unroll(rh);
  conv.result.update()
      .split(rw, rwv, rwl, lanes, TailStrategy::RoundUp)
      .reorder(rwl, rwv, rh, conv.r.x, conv.r.y, conv.r.z)
      .vectorize(rwl)
      .unroll(rwv)
      .unroll(rh);
  // x with its border: whole for a weight gradient (it reduces over the
  // batch), else once per task.
  if (wgrad) {
    conv.border.compute_root();
  } else {
    conv.border.compute_at(out, task).vectorize(conv.border.args()[0], vec);
  }
}

// Forward from a one-channel input (D's first layer on images, or the
// gradient of G's last layer) with at least one vector of output channels:
// an output costs only KH x KW multiplications, so the channel-vector block
// spends its time in its NCHW stores and epilogue loads, 16-lane scatters
// and gathers of stride H x W (the GAN's 1 -> 64 conv with a ReLU-mask
// epilogue: 1.3 ms). Vectorized over the output row instead (masked past
// its end), with a block of up to 16 output channels in registers: each
// tap loads one (strided) row of x, shared by the block's channels through
// broadcast weights; stores and epilogue loads are dense. The block is
// conv_accumulators(vec) channels: 16 with AVX-512, 8 with AVX2. AVX2
// kernels on Zen 4, 1 thread, gan_bench --profile, ms per call: D.conv1
// forward with its epilogue 1.74 -> 1.30 (8 channels) -> 0.85 (and the
// row's last vector shifted back rather than masked), G.convT2's input
// gradient 3.04 -> 2.83 -> 1.99; the AVX-512 kernels unchanged (0.71-0.74,
// 1.26-1.32).
void schedule_row_vectors(Conv2d &conv, Func out, const std::vector<Var> &vars,
                          int vec) {
  const int channels = conv.p.out_channels;
  const Var &ow = vars[0], &oh = vars[1], &o = vars[2], &n = vars[3];
  const Var wo("cv_wo"), wi("cv_wi"), oo("cv_oo"), oi("cv_oi"), task("cv_task");
  // A row of at least one vector ends with a whole vector shifted back
  // over the one before; a row shorter than a vector takes half vectors
  // the same way (a 14-wide row: 8 lanes, then 8 shifted back over 2 of
  // them), and only a row shorter than 4 is masked. Masked 16-lane rows
  // were cheap on Zen 4 (D.conv1's forward 0.71 ms) but took 8-9.6 ms on
  // an Intel Xeon (family 6 model 207), where the AVX2 variant's 8 lanes
  // took 0.46 ms (conv_bench d1_fwd, 1 thread), 8 lanes of AVX-512 0.61
  // ms; AVX2's masked stores are slow on AMD too.
  int lanes = vec;
  while (lanes > conv.out_w && lanes > 4) {
    lanes /= 2;
  }
  // 16 channels with AVX-512 even at 8 lanes: 8 measured 0.82-1.13 ms
  // against 0.61 on the Xeon.
  const int ob =
      std::max(1, detail::divisor_at_most(channels, conv_accumulators(vec)));
  const TailStrategy row_tail = conv.out_w >= lanes ? TailStrategy::ShiftInwards
                                                    : TailStrategy::GuardWithIf;
  out.split(ow, wo, wi, lanes, row_tail)
      .split(o, oo, oi, ob, tail(channels, ob))
      .reorder(wi, oi, wo, oh, oo, n)
      .fuse(oo, n, task)
      .parallel(task)
      .vectorize(wi)
      .unroll(oi);
  const Var &rw = conv.vars[0], &ro = conv.vars[2];
  // Whole vectors (the zero border covers the extra lanes): predicated,
  // the strided row loads became masked gathers (4.7 ms).
  conv.result.compute_at(out, wo)
      .vectorize(rw, lanes, TailStrategy::RoundUp)
      .unroll(ro);
  conv.result.update()
      .reorder(rw, ro, conv.r.x, conv.r.y, conv.r.z)
      .vectorize(rw, lanes, TailStrategy::RoundUp)
      .unroll(ro);
  conv.border.compute_at(out, task).vectorize(conv.border.args()[0], vec);
}

// Transposed with fewer output channels than one vector (a 64 -> 1
// generator output): dot products along the input channels c instead, for
// a block of output pixels: rfactor splits c into vectors of partial sums,
// then the lanes are added per pixel; x and the weights are stored with c
// innermost so that both load densely.
void schedule_narrow_dot(Conv2d &conv, Func out, const std::vector<Var> &vars,
                         int vec) {
  // 4 x 4 output pixels (4 x 2 with AVX2), one vector of partial sums each.
  const int px = std::min(4, conv.out_w);
  const int rows = std::min(conv_accumulators(vec) / 4, conv.out_h);
  const Var wo("cv_wo"), wi("cv_wi"), ho("cv_ho"), hi("cv_hi"), task("cv_task");
  out.split(vars[0], wo, wi, px, tail(conv.out_w, px))
      .split(vars[1], ho, hi, rows, tail(conv.out_h, rows))
      .reorder(wi, hi, wo, ho, vars[2], vars[3])
      .fuse(vars[2], vars[3], task)
      .parallel(task)
      .unroll(wi)
      .unroll(hi);
  const RVar co("cv_co"), ci("cv_ci");
  const Var u("cv_lane");
  Func lanes = conv.result.update()
                   .split(conv.r.z, co, ci, vec, TailStrategy::GuardWithIf)
                   .rfactor(ci, u);
  const Var &rw = conv.vars[0], &rh = conv.vars[1];
  conv.result.compute_at(out, wo).unroll(rw).unroll(rh);
  conv.result.update().unroll(rw).unroll(rh);
  lanes.compute_at(out, wo)
      .reorder_storage(u, rw, rh)
      .vectorize(u)
      .unroll(rw)
      .unroll(rh);
  lanes.update()
      .reorder(u, rw, rh, conv.r.x, conv.r.y, co)
      .vectorize(u)
      .unroll(rw)
      .unroll(rh);
  // x with c innermost, per task; the weights (kw, kh, o, c) with c innermost.
  const std::vector<Var> xa = conv.border.args();
  conv.border.compute_at(out, task)
      .reorder_storage(xa[2], xa[0], xa[1], xa[3])
      .reorder(xa[2], xa[0], xa[1], xa[3])
      .vectorize(xa[2], vec, TailStrategy::GuardWithIf);
  const std::vector<Var> wa = conv.per_channel.args();
  conv.per_channel.compute_root()
      .reorder_storage(wa[3], wa[0], wa[1], wa[2])
      .reorder(wa[3], wa[0], wa[1], wa[2])
      .vectorize(wa[3], vec, TailStrategy::GuardWithIf);
}

} // namespace

void schedule_conv2d(Conv2d &conv, Func out, const std::vector<Var> &vars,
                     const Target &target) {
  if (vars.size() != 4) {
    throw std::invalid_argument("kiln: schedule_conv2d needs 4 output vars");
  }
  if (target.has_gpu_feature()) {
    if (conv.winograd)
      throw std::invalid_argument(
          "kiln: Winograd convolutions have no GPU schedule (target " +
          target.to_string() + "); build them with the direct algorithm");
    gpu::schedule_conv2d(conv, out, vars);
    return;
  }
  if (conv.winograd) {
    schedule_winograd(conv, out, vars, target);
    return;
  }
  const int vec = target.natural_vector_size(conv.result.output_types().at(0));
  const int channels = conv.p.out_channels;
  if (channels < vec) {
    if (conv.kind == ConvKind::Transpose && conv.p.channels >= vec) {
      schedule_narrow_dot(conv, out, vars, vec);
      return;
    }
    schedule_narrow(conv, out, vars, vec);
    return;
  }
  if (conv.kind == ConvKind::Forward && conv.p.channels == 1) {
    schedule_row_vectors(conv, out, vars, vec);
    return;
  }
  const Block b = choose_block(conv, vec);
  if (conv.kind == ConvKind::WeightGrad) {
    schedule_weight_grad(conv, out, vars, vec, b);
  } else {
    schedule_channels(conv, out, vars, vec, b);
  }
}

} // namespace kiln::halide
