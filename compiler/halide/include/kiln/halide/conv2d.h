// 2-D convolutions for generated kernels (NCHW, as kiln.conv2d,
// kiln.conv_transpose2d and kiln.conv2d_weight_grad in docs/ir.md): the
// algorithms (conv2d, conv_transpose2d, conv2d_weight_grad) and their CPU
// schedule (schedule_conv2d), kept apart as in Halide's apps/conv_layer.
//
// Layout: tensors are dense row-major, so tensor [N, C, H, W] is the Halide
// buffer (w, h, c, n), dimension 0 innermost. Every size except the batch N
// is static (docs/ir.md), so these take plain ints and the schedule picks
// its blocks in C++, with no run-time specialization.
#pragma once

#include <Halide.h>

#include <memory>
#include <vector>

namespace kiln::halide {

// Vectors of accumulators a convolution's register block holds, from the
// target's float vector width `vec`: 16 with AVX-512 (16 lanes, 32
// registers), 8 with AVX2 (8 lanes, 16 registers: a block of 16 leaves no
// register for the weights and inputs, and spills). Measured with AVX2
// kernels on Zen 4, 1 thread, conv_bench: 8 instead of 16 took D.conv2's
// forward (Winograd) from 13.2 to 6.4-7.0 ms, its dx+dw from 23.8 to
// 20.4-21.6, G.convT1's forward from 12.2 to 10.7 and dx+dw from 24.8 to
// 16.7-17.2 (docs/performance.md, issue 16).
inline int conv_accumulators(int vec) { return vec >= 16 ? 16 : 8; }

// How a convolution is computed. Auto takes Winograd where it applies
// (winograd_applies) and the direct convolution elsewhere, and always the
// direct one for a GPU target (Winograd's stages have CPU schedules only);
// tests and benchmarks force one or the other.
enum class ConvAlgorithm { Auto, Direct, Winograd };

struct Conv2dParams {
  int channels = 0;     // C: channels of x
  int height = 0;       // H: of x
  int width = 0;        // W: of x
  int out_channels = 0; // O: channels of the result (conv2d, transpose) or
                        // of dy (weight grad)
  int kernel_h = 0, kernel_w = 0;
  int stride_h = 1, stride_w = 1;
  int pad_h = 0, pad_w = 0;
  // conv_transpose2d only: extra rows/columns at the bottom/right of the
  // result (< stride), PyTorch's output_padding.
  int output_pad_h = 0, output_pad_w = 0;
  ConvAlgorithm algorithm = ConvAlgorithm::Auto;

  // Spatial size of the forward convolution's result: conv2d's result, dy
  // of conv2d_weight_grad (the extent of its sum over pixels); 0 where the
  // kernel is larger than the padded input (C++'s division rounds towards
  // zero, which would make that 1).
  int forward_out_h() const {
    return out_extent(height, pad_h, kernel_h, stride_h);
  }
  int forward_out_w() const {
    return out_extent(width, pad_w, kernel_w, stride_w);
  }

private:
  static int out_extent(int in, int pad, int kernel, int stride) {
    const int span = in + 2 * pad - kernel;
    return span < 0 ? 0 : span / stride + 1;
  }
};

enum class ConvKind { Forward, Transpose, WeightGrad };

struct WinogradStages; // conv2d_winograd.h

// One convolution as built by conv2d(), conv_transpose2d() or
// conv2d_weight_grad().
struct Conv2d {
  ConvKind kind = ConvKind::Forward;
  Conv2dParams p;
  // Forward, Transpose: (ow, oh, o, n), the [N, O, OH, OW] result.
  // WeightGrad: (kw, kh, c, o), the [O, C, KH, KW] weight gradient.
  // Zero init plus one update over r.
  Halide::Func result;
  // x with a zero border (BoundaryConditions::constant_exterior on its two
  // spatial dimensions), so that bounds inference never reads outside x.
  Halide::Func border;
  // What result reads x through: `border` itself (Forward, WeightGrad), or
  // for Transpose border stretched by the stride along the width,
  // input(u, v, c, n) = border((u + pw) / sw, v, c, n), so that the tap
  // (a, b) reads input(j - sw b, (i + ph) / sh - a, c, n): linear in the
  // output column j, which a schedule may vectorize.
  Halide::Func input;
  // The operand indexed by the output channel o: w (Forward; (kw, kh, c,
  // o)), w with a zero border past the kernel (Transpose; (kw, kh, o, c)),
  // dy (WeightGrad; (ow, oh, o, n)). The schedule packs it o-innermost.
  Halide::Func per_channel;
  Halide::RDom r;                // the reduction, 3 dimensions
  std::vector<Halide::Var> vars; // result's pure vars, Halide order
  int out_h = 0, out_w = 0;      // spatial size of the result (not WeightGrad)
  int o_dim = 2;                 // which of vars is the output channel
  // Set when the convolution is computed by Winograd's algorithm; result
  // is then a pure Func (no update) and r, input, per_channel are unused.
  std::shared_ptr<WinogradStages> winograd;
};

// result[n, o, oh, ow] = sum_{c, kh, kw} x[n, c, oh sh - ph + kh, ow sw - pw +
// kw]
//                                        * w[o, c, kh, kw]
// x: (W, H, C, N), w: (KW, KH, C, O); zero padding.
// `target` is the kernel's (a Generator's get_target()): it decides Auto.
Conv2d conv2d(const Halide::Func &x, const Halide::Func &w,
              const Conv2dParams &p, const Halide::Target &target = {});

// The adjoint of conv2d in x: w is [C, O, KH, KW] (PyTorch's layout), the
// result [N, O, (H - 1) sh - 2 ph + KH + oph, ...]:
//   result[n, o, i, j] = sum over (c, kh, kw, h, v) with h sh - ph + kh = i
//                        and v sw - pw + kw = j of x[n, c, h, v] w[c, o, kh,
//                        kw].
// Written as a gather: kh = (i + ph) % sh + sh a, h = (i + ph) / sh - a.
// By Winograd, `target` also lays out the transformed weights for its
// vector: pass the target that schedule_conv2d gets (an unknown one lays
// them out for AVX-512, which spills when scheduled for AVX2).
Conv2d conv_transpose2d(const Halide::Func &x, const Halide::Func &w,
                        const Conv2dParams &p,
                        const Halide::Target &target = {});

// The gradient of conv2d in w, for x [N, C, H, W] and dy [N, O, OH, OW]:
//   result[o, c, kh, kw] = sum_{n, oh, ow} dy[n, o, oh, ow]
//                          * x[n, c, oh sh - ph + kh, ow sw - pw + kw]
// `batch` is N (symbolic: read it off an input buffer).
Conv2d conv2d_weight_grad(const Halide::Func &x, const Halide::Func &dy,
                          const Conv2dParams &p, const Halide::Expr &batch,
                          const Halide::Target &target = {});

// Schedules a kernel whose output `out` is defined pointwise on
// conv.result(vars...) (an epilogue such as a bias and an activation; Funcs
// between are inlined). `vars` are out's pure vars, innermost first.
// See conv2d_schedule.cpp for the measured choices.
void schedule_conv2d(Conv2d &conv, Halide::Func out,
                     const std::vector<Halide::Var> &vars,
                     const Halide::Target &target);

} // namespace kiln::halide
