// Kernels for conv_bench, written as kilnc emits them for a convolution
// kernel without an epilogue: the batch is symbolic, every other size static
// and declared with constrain_shape. The GAN's four convolution layers
// (MODELS.md, batch 64) need six distinct kernels: a transposed
// convolution's forward is the adjoint (dx) of a convolution and the other
// way round, and both weight gradients are conv2d_weight_grad.
#include "kiln/halide/kernel_support.h"

namespace {

using namespace Halide;
namespace kh = kiln::halide;

struct Spec {
  kh::ConvKind kind;
  int channels, height, width, out_channels; // of the kernel's first input
  kh::ConvAlgorithm algorithm = kh::ConvAlgorithm::Auto;
  int kernel = 4, stride = 2, pad = 1;
};

constexpr auto kDirect = kh::ConvAlgorithm::Direct;
constexpr auto kAuto = kh::ConvAlgorithm::Auto;

// D's conv2d(1, 64, k4 s2 p1) on 28x28 and conv2d(64, 128) on 14x14, and
// the transposed convolutions with the same shapes (G's, and D's dx).
constexpr Spec kSpecs[] = {
    {kh::ConvKind::Forward, 1, 28, 28, 64},      // 0: D1 fwd = G2 dx
    {kh::ConvKind::Transpose, 64, 14, 14, 1},    // 1: D1 dx  = G2 fwd
    {kh::ConvKind::WeightGrad, 1, 28, 28, 64},   // 2: D1 dw  = G2 dw
    {kh::ConvKind::Forward, 64, 14, 14, 128},    // 3: D2 fwd = G1 dx
    {kh::ConvKind::Transpose, 128, 7, 7, 64},    // 4: D2 dx  = G1 fwd
    {kh::ConvKind::WeightGrad, 64, 14, 14, 128}, // 5: D2 dw  = G1 dw
    // 6-8: 3, 4 and 5 computed directly (they take Winograd's algorithm)
    {kh::ConvKind::Forward, 64, 14, 14, 128, kh::ConvAlgorithm::Direct},
    {kh::ConvKind::Transpose, 128, 7, 7, 64, kh::ConvAlgorithm::Direct},
    {kh::ConvKind::WeightGrad, 64, 14, 14, 128, kh::ConvAlgorithm::Direct},
    // 9-16: the DDPM UNet's stride-1 3x3 layers at each level (MODELS.md:
    // 32 channels at 28x28, 64 at 14x14, 128 at 7x7), forward and input
    // gradient (a stride-1 transposed convolution), by Winograd's F(4x4,
    // 3x3) and directly.
    {kh::ConvKind::Forward, 32, 28, 28, 32, kAuto, 3, 1},
    {kh::ConvKind::Forward, 32, 28, 28, 32, kDirect, 3, 1},
    {kh::ConvKind::Forward, 64, 14, 14, 64, kAuto, 3, 1},
    {kh::ConvKind::Forward, 64, 14, 14, 64, kDirect, 3, 1},
    {kh::ConvKind::Forward, 128, 7, 7, 128, kAuto, 3, 1},
    {kh::ConvKind::Forward, 128, 7, 7, 128, kDirect, 3, 1},
    {kh::ConvKind::Transpose, 64, 14, 14, 64, kAuto, 3, 1},
    {kh::ConvKind::Transpose, 64, 14, 14, 64, kDirect, 3, 1},
    // 17-18: the smallest layer Auto gives F(4x4, 3x3), 16 -> 16 at 28x28.
    {kh::ConvKind::Forward, 16, 28, 28, 16, kAuto, 3, 1},
    {kh::ConvKind::Forward, 16, 28, 28, 16, kDirect, 3, 1},
    // 19-24: the weight gradients of the DDPM's levels, by F(3x3, 4x4) and
    // directly.
    {kh::ConvKind::WeightGrad, 32, 28, 28, 32, kAuto, 3, 1},
    {kh::ConvKind::WeightGrad, 32, 28, 28, 32, kDirect, 3, 1},
    {kh::ConvKind::WeightGrad, 64, 14, 14, 64, kAuto, 3, 1},
    {kh::ConvKind::WeightGrad, 64, 14, 14, 64, kDirect, 3, 1},
    {kh::ConvKind::WeightGrad, 128, 7, 7, 128, kAuto, 3, 1},
    {kh::ConvKind::WeightGrad, 128, 7, 7, 128, kDirect, 3, 1},
    // 25-26: the weight gradients of the DDPM's 1x1 skips (direct): 96 -> 32
    // at 28x28, 192 -> 64 at 14x14.
    {kh::ConvKind::WeightGrad, 96, 28, 28, 32, kAuto, 1, 1, 0},
    {kh::ConvKind::WeightGrad, 192, 14, 14, 64, kAuto, 1, 1, 0},
    // 27-28: the smallest weight gradient Auto gives F(3x3, 4x4), 16 -> 16
    // at 28x28, and its direct twin.
    {kh::ConvKind::WeightGrad, 16, 28, 28, 16, kAuto, 3, 1},
    {kh::ConvKind::WeightGrad, 16, 28, 28, 16, kDirect, 3, 1},
    // 29-30: the DDPM's wider layers, one image per Winograd task: 128 ->
    // 128 at 14x14, 96 -> 32 at 28x28.
    {kh::ConvKind::Forward, 128, 14, 14, 128, kAuto, 3, 1},
    {kh::ConvKind::Forward, 96, 28, 28, 32, kAuto, 3, 1},
    // 31-34: the DDPM's 1x1 skips, forward and input gradient (a stride-1
    // transposed convolution): 96 -> 32 at 28x28, 192 -> 64 at 14x14.
    {kh::ConvKind::Forward, 96, 28, 28, 32, kAuto, 1, 1, 0},
    {kh::ConvKind::Transpose, 32, 28, 28, 96, kAuto, 1, 1, 0},
    {kh::ConvKind::Forward, 192, 14, 14, 64, kAuto, 1, 1, 0},
    {kh::ConvKind::Transpose, 64, 14, 14, 192, kAuto, 1, 1, 0},
};

template <int I> class BenchConv : public Generator<BenchConv<I>> {
public:
  GeneratorInput<Buffer<float>> in0{"in0", 4};
  GeneratorInput<Buffer<float>> in1{"in1", 4};
  GeneratorOutput<Buffer<float>> out0{"out0", 4};
  Var d0{"d0"}, d1{"d1"}, d2{"d2"}, d3{"d3"};
  kh::Conv2d conv;

  static constexpr Spec s = kSpecs[I];
  static constexpr int K = s.kernel, S = s.stride, P = s.pad;
  static constexpr int OH = (s.height + 2 * P - K) / S + 1;
  static constexpr int OW = (s.width + 2 * P - K) / S + 1;
  static constexpr int TH = (s.height - 1) * S - 2 * P + K;
  static constexpr int TW = (s.width - 1) * S - 2 * P + K;

  void generate() {
    const kh::Conv2dParams p{.channels = s.channels,
                             .height = s.height,
                             .width = s.width,
                             .out_channels = s.out_channels,
                             .kernel_h = K,
                             .kernel_w = K,
                             .stride_h = S,
                             .stride_w = S,
                             .pad_h = P,
                             .pad_w = P,
                             .algorithm = s.algorithm};
    const int D = kh::kDynamic;
    kh::constrain_shape(in0, {s.width, s.height, s.channels, D});
    switch (s.kind) {
    case kh::ConvKind::Forward:
      kh::constrain_shape(in1, {K, K, s.channels, s.out_channels});
      conv = kh::conv2d(in0, in1, p, this->get_target());
      break;
    case kh::ConvKind::Transpose:
      kh::constrain_shape(in1, {K, K, s.out_channels, s.channels});
      conv = kh::conv_transpose2d(in0, in1, p, this->get_target());
      break;
    case kh::ConvKind::WeightGrad:
      kh::constrain_shape(in1, {OW, OH, s.out_channels, D});
      conv = kh::conv2d_weight_grad(in0, in1, p, in0.dim(3).extent(),
                                    this->get_target());
      break;
    }
    out0(d0, d1, d2, d3) = conv.result(d0, d1, d2, d3);
    switch (s.kind) {
    case kh::ConvKind::Forward:
      kh::constrain_shape(out0, {OW, OH, s.out_channels, D});
      break;
    case kh::ConvKind::Transpose:
      kh::constrain_shape(out0, {TW, TH, s.out_channels, D});
      break;
    case kh::ConvKind::WeightGrad:
      kh::constrain_shape(out0, {K, K, s.channels, s.out_channels});
      break;
    }
  }
  void schedule() {
    const int N = 64;
    kh::set_estimates(in0, {s.width, s.height, s.channels, N});
    switch (s.kind) {
    case kh::ConvKind::Forward:
      kh::set_estimates(in1, {K, K, s.channels, s.out_channels});
      kh::set_estimates(out0, {OW, OH, s.out_channels, N});
      break;
    case kh::ConvKind::Transpose:
      kh::set_estimates(in1, {K, K, s.out_channels, s.channels});
      kh::set_estimates(out0, {TW, TH, s.out_channels, N});
      break;
    case kh::ConvKind::WeightGrad:
      kh::set_estimates(in1, {OW, OH, s.out_channels, N});
      kh::set_estimates(out0, {K, K, s.channels, s.out_channels});
      break;
    }
    if (!this->auto_schedule) {
      kh::schedule_conv2d(conv, out0, {d0, d1, d2, d3}, this->get_target());
    }
  }
};

} // namespace

HALIDE_REGISTER_GENERATOR(BenchConv<0>, kiln_conv_bench_d1_fwd)
HALIDE_REGISTER_GENERATOR(BenchConv<1>, kiln_conv_bench_d1_dx)
HALIDE_REGISTER_GENERATOR(BenchConv<2>, kiln_conv_bench_d1_dw)
HALIDE_REGISTER_GENERATOR(BenchConv<3>, kiln_conv_bench_d2_fwd)
HALIDE_REGISTER_GENERATOR(BenchConv<4>, kiln_conv_bench_d2_dx)
HALIDE_REGISTER_GENERATOR(BenchConv<5>, kiln_conv_bench_d2_dw)
HALIDE_REGISTER_GENERATOR(BenchConv<6>, kiln_conv_bench_d2_fwd_direct)
HALIDE_REGISTER_GENERATOR(BenchConv<7>, kiln_conv_bench_d2_dx_direct)
HALIDE_REGISTER_GENERATOR(BenchConv<8>, kiln_conv_bench_d2_dw_direct)
HALIDE_REGISTER_GENERATOR(BenchConv<9>, kiln_conv_bench_u28_fwd)
HALIDE_REGISTER_GENERATOR(BenchConv<10>, kiln_conv_bench_u28_fwd_direct)
HALIDE_REGISTER_GENERATOR(BenchConv<11>, kiln_conv_bench_u14_fwd)
HALIDE_REGISTER_GENERATOR(BenchConv<12>, kiln_conv_bench_u14_fwd_direct)
HALIDE_REGISTER_GENERATOR(BenchConv<13>, kiln_conv_bench_u7_fwd)
HALIDE_REGISTER_GENERATOR(BenchConv<14>, kiln_conv_bench_u7_fwd_direct)
HALIDE_REGISTER_GENERATOR(BenchConv<15>, kiln_conv_bench_u14_dx)
HALIDE_REGISTER_GENERATOR(BenchConv<16>, kiln_conv_bench_u14_dx_direct)
HALIDE_REGISTER_GENERATOR(BenchConv<17>, kiln_conv_bench_s28_fwd)
HALIDE_REGISTER_GENERATOR(BenchConv<18>, kiln_conv_bench_s28_fwd_direct)
HALIDE_REGISTER_GENERATOR(BenchConv<19>, kiln_conv_bench_u28_dw)
HALIDE_REGISTER_GENERATOR(BenchConv<20>, kiln_conv_bench_u28_dw_direct)
HALIDE_REGISTER_GENERATOR(BenchConv<21>, kiln_conv_bench_u14_dw)
HALIDE_REGISTER_GENERATOR(BenchConv<22>, kiln_conv_bench_u14_dw_direct)
HALIDE_REGISTER_GENERATOR(BenchConv<23>, kiln_conv_bench_u7_dw)
HALIDE_REGISTER_GENERATOR(BenchConv<24>, kiln_conv_bench_u7_dw_direct)
HALIDE_REGISTER_GENERATOR(BenchConv<25>, kiln_conv_bench_k1_28_dw)
HALIDE_REGISTER_GENERATOR(BenchConv<26>, kiln_conv_bench_k1_14_dw)
HALIDE_REGISTER_GENERATOR(BenchConv<27>, kiln_conv_bench_s28_dw)
HALIDE_REGISTER_GENERATOR(BenchConv<28>, kiln_conv_bench_s28_dw_direct)
HALIDE_REGISTER_GENERATOR(BenchConv<29>, kiln_conv_bench_w14_fwd)
HALIDE_REGISTER_GENERATOR(BenchConv<30>, kiln_conv_bench_w28_fwd)
HALIDE_REGISTER_GENERATOR(BenchConv<31>, kiln_conv_bench_k1_28_fwd)
HALIDE_REGISTER_GENERATOR(BenchConv<32>, kiln_conv_bench_k1_28_dx)
HALIDE_REGISTER_GENERATOR(BenchConv<33>, kiln_conv_bench_k1_14_fwd)
HALIDE_REGISTER_GENERATOR(BenchConv<34>, kiln_conv_bench_k1_14_dx)
