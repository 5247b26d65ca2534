// Winograd's minimal filtering for the stride-2, 4x4 convolutions of
// DCGAN-style networks (conv2d and conv_transpose2d with k4 s2), with a
// quarter of the multiplications per output of the direct convolution
// (conv2d.h) at the price of rounding error a few times larger; and for
// the stride-1 3x3 convolutions of UNets (conv2d and the stride-1
// conv_transpose2d that is its input gradient) as F(4x4, 3x3): a 6x6
// input tile gives a 4x4 output tile from 36 products instead of 144. A
// stride-1 transposed convolution is the convolution with the kernel
// flipped and padding 2 - p, so it takes the forward path. The weight
// gradient of a 3x3 layer is F(3x3, 4x4) on the same 6x6 input tiles (as
// the stride-2 one below, with one phase).
//
// A stride-2 convolution with a 4x4 kernel is four stride-1 convolutions
// with 2x2 kernels, one per phase (Lavin and Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016, for F(m, r); the phase split is the
// polyphase decomposition):
//   * conv2d: split x into its 4 phases, x_b[m] = x[2m + b - p]; then
//     y[i] = sum_{a, b} x_b[i + a] w[2a + b]: the phases are 4x as many input
//     channels, each convolved with its 2x2 sub-kernel.
//   * conv_transpose2d: output row i with i + p = 2u + e reads
//     x[u - a] w[2a + e]: 4 output phases e, each a 2x2 convolution of x
//     (one zero row in front) with its own sub-kernel: 4x as many output
//     channels.
//   * conv2d_weight_grad: tap k = 2 a + b of phase b is
//     sum_{n, i} dy[i] x_b[i + a]: per phase, a correlation of x_b with dy
//     giving 2x2 taps, which runs as F(2x2, 4x4) over 4x4 tiles of dy
//     (5x5 tiles of x_b, the same input transform as conv2d), summed over
//     tiles and the batch in the transformed domain.
// Each 2x2 convolution runs as F(4x4, 2x2): a 5x5 input tile d gives a 4x4
// output tile A^T [(G g G^T) . (B^T d B)] A, so 25 products per (input
// channel, output channel, tile) instead of 64. The 25 elementwise products
// summed over input channels are 25 GEMMs; the transforms are small sums.
#pragma once

#include "kiln/halide/conv2d.h"

#include <utility>

namespace kiln::halide {

// The stages of one Winograd convolution, for its schedule.
struct WinogradStages {
  // Forward for a stride-1 transposed convolution too (conv2d_winograd.cpp).
  ConvKind kind = ConvKind::Forward;
  // 2 for F(4, 2) (F(2, 4)) over 2 x 2 phases, 1 for F(4, 3) (F(3, 4)).
  int stride = 2;
  int images_per_task = 8;      // of the forward and transpose schedules
  int tiles_w = 0, tiles_h = 0; // 4x4 output tiles per image along w and h
  int points = 0; // Forward, WeightGrad: of the transform along w and h
  // Forward: the (tile, point) pairs of m along w and h (conv2d_winograd.cpp
  // slot_count): 5 per tile (6 for F(4, 3)), less the last tile's point at
  // infinity when that tile runs past the output.
  int slots_w = 0, slots_h = 0;
  // x with its zero border, channel innermost: xt(c, iw, ih, n).
  Halide::Func xt;
  // The weights with the output channel innermost (packed once per call);
  // WeightGrad: dy with a zero border, wt(o, iw, ih, n).
  Halide::Func wt;
  // The transformed weights G g G^T:
  //   Forward:    u(o, c, bw, bh, xw, xh)
  //   Transpose:  u(oi, ew, eh, c, ob, xw, xh), output channel
  //               o = ob * channel_block + oi
  //   WeightGrad: u(o, tw, th, n, xw, xh), of 4x4 tiles of dy
  // where (bw, bh) is the input phase, (ew, eh) the output phase and
  // (xw, xh) the point of the 5x5 transform (6x6 for F(4x4, 3x3), whose
  // one phase is (0, 0)).
  Halide::Func u;
  // Transpose: the output channels of one block of u, a vector of the
  // target (its GEMMs' register blocks are one such vector wide). A
  // block's (oi, ew, eh, c) are innermost per point, so that what a
  // register block reads of one point is contiguous
  // (conv2d_winograd_schedule.cpp).
  int channel_block = 1;
  // The transformed input tiles B^T d B, channel innermost:
  //   Forward, WeightGrad: v(c, bw, bh, tw, th, n, xw, xh)
  //   Transpose:           v(c, tw, th, n, xw, xh)
  Halide::Func v;
  // The products summed over the reduction `rk` (zero, then one update):
  //   Forward:    m(o, sw, sh, n),                 rk = (c, bw, bh)
  //               (slot s: point s / tiles, tile s % tiles)
  //   Transpose:  m(o, ew, eh, tw, th, n, xw, xh), rk = (c)
  //   WeightGrad: m(o, c, bw, bh, xw, xh),         rk = (tw, th, n)
  Halide::Func m;
  Halide::RDom rk;
};

// Whether conv2d() and friends take Winograd's algorithm for `p`: always
// with ConvAlgorithm::Winograd (the builders below then reject a layer
// they cannot do: std::invalid_argument), never with Direct, and with Auto
// for a 4x4 kernel with stride 2, or a 3x3 kernel with stride 1
// (transposed, padding at most 2), no output padding,
// output channels in whole vectors of any target (a multiple of 16) and
// enough input channels (16) to pay for the transforms, on a CPU target.
bool winograd_applies(ConvKind kind, const Conv2dParams &p,
                      const Halide::Target &target = {});

// The same results as conv2d(), conv_transpose2d() and
// conv2d_weight_grad(), by Winograd. Require winograd_applies.
Conv2d conv2d_winograd(const Halide::Func &x, const Halide::Func &w,
                       const Conv2dParams &p);
// `target` sets the transposed weights' channel block (a vector of it).
Conv2d conv_transpose2d_winograd(const Halide::Func &x, const Halide::Func &w,
                                 const Conv2dParams &p,
                                 const Halide::Target &target);
Conv2d conv2d_weight_grad_winograd(const Halide::Func &x,
                                   const Halide::Func &dy,
                                   const Conv2dParams &p,
                                   const Halide::Expr &batch);

// The tiles along w and h of one register block of the transpose's GEMMs
// (conv2d_winograd_schedule.cpp). conv_transpose2d_winograd skips unread
// products only along an axis whose tiles one block spans: there the skip
// is a constant of the unrolled block, elsewhere it would be a branch per
// product.
std::pair<int, int> transpose_block_tiles(int tiles_w, int tiles_h);

// The CPU schedule (conv2d_winograd_schedule.cpp); called by
// schedule_conv2d for a convolution with `winograd` set.
void schedule_winograd(Conv2d &conv, Halide::Func out,
                       const std::vector<Halide::Var> &vars,
                       const Halide::Target &target);

} // namespace kiln::halide
