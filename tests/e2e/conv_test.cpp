// Convolutions, reduce_max and random_uniform compiled end to end
// (tests/e2e/models/convnet.mlir through kiln_add_mlir_model: kilnc, Halide
// kernels with the heuristic schedules, the runtime), against naive
// double-precision references written here from docs/ir.md's definitions.
// Odd shapes: strides 1, 2 and 3, padding 0 and 1, non-square images and
// kernels, output channels below, at and above one vector (the schedule's
// two paths), batches 1 and 5. The train entry point (SGD, lr 1) checks the
// compiled gradients: each parameter must move by minus the gradient, which
// is taken by central differences of the double reference.
#include "convnet.h"
#include "reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace {

using kiln::rt::Tensor;

/// A dense NCHW (or any 4-D) tensor in double.
struct T4 {
  int64_t d[4] = {0, 0, 0, 0};
  std::vector<double> v;
  T4() = default;
  T4(int64_t a, int64_t b, int64_t c, int64_t e) : d{a, b, c, e} {
    v.assign(size_t(a * b * c * e), 0.0);
  }
  explicit T4(const Tensor &t) : T4(t.dim(0), t.dim(1), t.dim(2), t.dim(3)) {
    std::copy(t.data(), t.data() + t.numel(), v.begin());
  }
  double &at(int64_t a, int64_t b, int64_t c, int64_t e) {
    return v[size_t(((a * d[1] + b) * d[2] + c) * d[3] + e)];
  }
  double at(int64_t a, int64_t b, int64_t c, int64_t e) const {
    return v[size_t(((a * d[1] + b) * d[2] + c) * d[3] + e)];
  }
  /// Zero outside the tensor (the convolutions' padding).
  double get(int64_t a, int64_t b, int64_t c, int64_t e) const {
    if (c < 0 || c >= d[2] || e < 0 || e >= d[3])
      return 0;
    return at(a, b, c, e);
  }
};

struct Conv {
  int sh = 1, sw = 1, ph = 0, pw = 0, oph = 0, opw = 0;
};

/// y[n,o,i,j] = sum x[n,c,i sh - ph + kh, j sw - pw + kw] w[o,c,kh,kw]
T4 conv2d(const T4 &x, const T4 &w, Conv c) {
  T4 y(x.d[0], w.d[0], (x.d[2] + 2 * c.ph - w.d[2]) / c.sh + 1,
       (x.d[3] + 2 * c.pw - w.d[3]) / c.sw + 1);
  for (int64_t n = 0; n < y.d[0]; ++n)
    for (int64_t o = 0; o < y.d[1]; ++o)
      for (int64_t i = 0; i < y.d[2]; ++i)
        for (int64_t j = 0; j < y.d[3]; ++j) {
          double s = 0;
          for (int64_t ci = 0; ci < x.d[1]; ++ci)
            for (int64_t u = 0; u < w.d[2]; ++u)
              for (int64_t v = 0; v < w.d[3]; ++v)
                s += x.get(n, ci, i * c.sh - c.ph + u, j * c.sw - c.pw + v) *
                     w.at(o, ci, u, v);
          y.at(n, o, i, j) = s;
        }
  return y;
}

/// Each x[n,c,h,v] w[c,o,kh,kw] lands on y[n,o,h sh - ph + kh, v sw - pw + kw].
T4 convTranspose2d(const T4 &x, const T4 &w, Conv c) {
  T4 y(x.d[0], w.d[1], (x.d[2] - 1) * c.sh - 2 * c.ph + w.d[2] + c.oph,
       (x.d[3] - 1) * c.sw - 2 * c.pw + w.d[3] + c.opw);
  for (int64_t n = 0; n < x.d[0]; ++n)
    for (int64_t ci = 0; ci < x.d[1]; ++ci)
      for (int64_t h = 0; h < x.d[2]; ++h)
        for (int64_t v = 0; v < x.d[3]; ++v)
          for (int64_t o = 0; o < w.d[1]; ++o)
            for (int64_t u = 0; u < w.d[2]; ++u)
              for (int64_t q = 0; q < w.d[3]; ++q) {
                int64_t i = h * c.sh - c.ph + u, j = v * c.sw - c.pw + q;
                if (i >= 0 && i < y.d[2] && j >= 0 && j < y.d[3])
                  y.at(n, o, i, j) += x.at(n, ci, h, v) * w.at(ci, o, u, q);
              }
  return y;
}

/// r[o,c,kh,kw] = sum dy[n,o,i,j] x[n,c,i sh - ph + kh, j sw - pw + kw]
T4 weightGrad(const T4 &x, const T4 &dy, Conv c, int64_t kh, int64_t kw) {
  T4 r(dy.d[1], x.d[1], kh, kw);
  for (int64_t o = 0; o < r.d[0]; ++o)
    for (int64_t ci = 0; ci < r.d[1]; ++ci)
      for (int64_t u = 0; u < kh; ++u)
        for (int64_t v = 0; v < kw; ++v) {
          double s = 0;
          for (int64_t n = 0; n < x.d[0]; ++n)
            for (int64_t i = 0; i < dy.d[2]; ++i)
              for (int64_t j = 0; j < dy.d[3]; ++j)
                s += dy.at(n, o, i, j) *
                     x.get(n, ci, i * c.sh - c.ph + u, j * c.sw - c.pw + v);
          r.at(o, ci, u, v) = s;
        }
  return r;
}

double relu(double v) { return std::max(v, 0.0); }

/// y + bias[o] (a [O, 1, 1] tensor), then f.
template <typename F> T4 biasAnd(T4 y, const Tensor &bias, F f) {
  for (int64_t n = 0; n < y.d[0]; ++n)
    for (int64_t o = 0; o < y.d[1]; ++o)
      for (int64_t i = 0; i < y.d[2]; ++i)
        for (int64_t j = 0; j < y.d[3]; ++j)
          y.at(n, o, i, j) = f(y.at(n, o, i, j) + bias.data()[o]);
  return y;
}

/// max |got - want| / max |want|.
double relErr(const Tensor &got, const std::vector<double> &want) {
  EXPECT_EQ(size_t(got.numel()), want.size());
  double err = 0, scale = 0;
  for (size_t i = 0; i < want.size() && i < size_t(got.numel()); ++i) {
    err = std::max(err, std::abs(double(got.data()[i]) - want[i]));
    scale = std::max(scale, std::abs(want[i]));
  }
  return err / std::max(scale, 1e-30);
}

std::vector<int64_t> shape(const T4 &t) {
  return {t.d[0], t.d[1], t.d[2], t.d[3]};
}

class ConvForward : public ::testing::TestWithParam<int64_t> {
protected:
  kiln::models::convnet::Model model{/*seed=*/11};
  int64_t batch() const { return GetParam(); }
  Tensor input(std::vector<int64_t> s, uint32_t seed) {
    s.insert(s.begin(), batch());
    return kiln::test::randomTensor(s, seed);
  }
  T4 param(const char *name) { return T4(model.params().get(name)); }
  Tensor run(const char *entry, const std::vector<const Tensor *> &in,
             size_t result = 0) {
    return std::move(model.session().run(entry, in)[result]);
  }
  /// Runs `entry` on fresh inputs of the given shapes (without the batch;
  /// seeds seed, seed + 1, ...) and checks its result against `want` of
  /// the same inputs in double, within 1e-5 of the largest value.
  template <class Want>
  void expectLike(const char *entry,
                  const std::vector<std::vector<int64_t>> &shapes,
                  uint32_t seed, Want want) {
    std::vector<Tensor> in;
    for (const std::vector<int64_t> &s : shapes)
      in.push_back(input(s, seed++));
    std::vector<const Tensor *> ptrs;
    std::vector<T4> ind;
    for (const Tensor &t : in) {
      ptrs.push_back(&t);
      ind.emplace_back(t);
    }
    const Tensor got = run(entry, ptrs);
    const T4 w = want(ind);
    ASSERT_EQ(got.shape(), shape(w));
    EXPECT_LT(relErr(got, w.v), 1e-5);
  }
};

TEST_P(ConvForward, Conv2dBiasReluStride1Pad1) {
  Tensor x = input({3, 7, 5}, 1);
  Tensor got = run("conv_bias_relu", {&x});
  T4 want = biasAnd(conv2d(T4(x), param("a.weight"), {1, 1, 1, 1}),
                    model.params().get("a.bias"), relu);
  ASSERT_EQ(got.shape(), shape(want));
  EXPECT_LT(relErr(got, want.v), 1e-5);
}

TEST_P(ConvForward, Conv2dStride2Pad0NonSquareKernel) {
  Tensor x = input({3, 7, 5}, 2);
  Tensor got = run("conv_s2_p0", {&x});
  T4 want = conv2d(T4(x), param("b.weight"), {2, 2, 0, 0});
  ASSERT_EQ(got.shape(), shape(want));
  EXPECT_LT(relErr(got, want.v), 1e-5);
}

TEST_P(ConvForward, Conv2dChannelVectorsBiasTanh) {
  Tensor x = input({3, 9, 20}, 3);
  Tensor got = run("conv_wide", {&x});
  T4 want = biasAnd(conv2d(T4(x), param("c.weight"), {2, 2, 1, 1}),
                    model.params().get("c.bias"),
                    [](double v) { return std::tanh(v); });
  ASSERT_EQ(got.shape(), shape(want));
  EXPECT_LT(relErr(got, want.v), 1e-5);
}

TEST_P(ConvForward, Conv2dThreeChannelVectorsPrimeWidth) {
  Tensor x = input({5, 6, 13}, 4);
  Tensor got = run("conv_wide_s1", {&x});
  T4 want = conv2d(T4(x), param("d.weight"), {1, 1, 1, 1});
  ASSERT_EQ(got.shape(), shape(want));
  EXPECT_LT(relErr(got, want.v), 1e-5);
}

TEST_P(ConvForward, ConvTranspose2dK4S2P1FewChannels) {
  Tensor x = input({8, 5, 3}, 5);
  Tensor got = run("convt_narrow", {&x});
  T4 want = convTranspose2d(T4(x), param("e.weight"), {2, 2, 1, 1});
  ASSERT_EQ(got.shape(), shape(want));
  EXPECT_LT(relErr(got, want.v), 1e-5);
}

TEST_P(ConvForward, ConvTranspose2dChannelVectors) {
  Tensor x = input({6, 4, 7}, 6);
  Tensor got = run("convt_wide", {&x});
  T4 want = convTranspose2d(T4(x), param("f.weight"), {2, 2, 1, 1});
  ASSERT_EQ(got.shape(), shape(want));
  EXPECT_LT(relErr(got, want.v), 1e-5);
}

TEST_P(ConvForward, ConvTranspose2dOutputPadding) {
  Tensor x = input({4, 5, 3}, 7);
  Tensor got = run("convt_output_padding", {&x});
  T4 want = convTranspose2d(T4(x), param("g.weight"), {2, 2, 1, 1, 1, 1});
  ASSERT_EQ(got.shape(), shape(want));
  EXPECT_LT(relErr(got, want.v), 1e-5);
}

TEST_P(ConvForward, ConvTranspose2dStride3KernelNotAMultiple) {
  Tensor x = input({4, 3, 4}, 8);
  Tensor got = run("convt_stride3", {&x});
  T4 want = convTranspose2d(T4(x), param("h.weight"), {3, 2, 0, 1});
  ASSERT_EQ(got.shape(), shape(want));
  EXPECT_LT(relErr(got, want.v), 1e-5);
}

TEST_P(ConvForward, WeightGradChannelVectors) {
  Tensor x = input({3, 7, 5}, 9), dy = input({32, 4, 3}, 10);
  Tensor got = run("wgrad_wide", {&x, &dy});
  T4 want = weightGrad(T4(x), T4(dy), {2, 2, 1, 1}, 3, 3);
  ASSERT_EQ(got.shape(), shape(want));
  EXPECT_LT(relErr(got, want.v), 1e-5);
}

TEST_P(ConvForward, WeightGradFewChannels) {
  Tensor x = input({16, 6, 5}, 11), dy = input({4, 6, 5}, 12);
  Tensor got = run("wgrad_narrow", {&x, &dy});
  T4 want = weightGrad(T4(x), T4(dy), {1, 1, 1, 1}, 3, 3);
  ASSERT_EQ(got.shape(), shape(want));
  EXPECT_LT(relErr(got, want.v), 1e-5);
}

TEST_P(ConvForward, ReduceMax) {
  Tensor x = input({3, 7, 5}, 13);
  T4 xd(x);
  std::vector<double> overH, overW;
  for (int64_t n = 0; n < batch(); ++n)
    for (int64_t c = 0; c < 3; ++c) {
      for (int64_t j = 0; j < 5; ++j) {
        double m = -INFINITY;
        for (int64_t i = 0; i < 7; ++i)
          m = std::max(m, xd.at(n, c, i, j));
        overH.push_back(m);
      }
      for (int64_t i = 0; i < 7; ++i) {
        double m = -INFINITY;
        for (int64_t j = 0; j < 5; ++j)
          m = std::max(m, xd.at(n, c, i, j));
        overW.push_back(m);
      }
    }
  Tensor h = run("max_h", {&x}), w = run("max_w_keepdim", {&x});
  EXPECT_EQ(h.shape(), (std::vector<int64_t>{batch(), 3, 5}));
  EXPECT_EQ(w.shape(), (std::vector<int64_t>{batch(), 3, 7, 1}));
  EXPECT_EQ(relErr(h, overH), 0); // max is exact
  EXPECT_EQ(relErr(w, overW), 0);
}

// One input channel: vectorized over output rows instead of channels
// (conv2d_schedule.cpp, schedule_row_vectors), rows shorter than a vector
// and rows of 2.5 vectors, 32 and 24 output channels (blocks of 16 and 12).
TEST_P(ConvForward, Conv2dOneChannelBiasRelu) {
  expectLike("conv_one_channel", {{1, 11, 9}}, 19, [&](const auto &in) {
    return biasAnd(conv2d(in[0], param("oa.weight"), {2, 2, 1, 1}),
                   model.params().get("oa.bias"), relu);
  });
}

// Rows of 13 (8 lanes, then 8 shifted back: rows shorter than an AVX-512
// vector take half vectors) and of 2 (4 lanes, masked).
TEST_P(ConvForward, Conv2dOneChannelHalfVectorRows) {
  expectLike("conv_one_channel_mid", {{1, 9, 27}}, 46, [&](const auto &in) {
    return biasAnd(conv2d(in[0], param("oa.weight"), {2, 2, 1, 1}),
                   model.params().get("oa.bias"), relu);
  });
}

TEST_P(ConvForward, Conv2dOneChannelMaskedRows) {
  expectLike("conv_one_channel_narrow", {{1, 6, 5}}, 47, [&](const auto &in) {
    return conv2d(in[0], param("oa.weight"), {2, 2, 1, 1});
  });
}

TEST_P(ConvForward, Conv2dOneChannelWideRows) {
  expectLike("conv_one_channel_wide", {{1, 7, 40}}, 20, [&](const auto &in) {
    return conv2d(in[0], param("ob.weight"), {1, 1, 1, 1});
  });
}

// Weight gradients from one input channel (D's first layer), rows of dy
// of 15 and of 20 (more than a vector).
TEST_P(ConvForward, WeightGradOneChannelRows) {
  expectLike("wgrad_one_channel", {{1, 9, 30}, {32, 4, 15}}, 30,
             [](const auto &in) {
               return weightGrad(in[0], in[1], {2, 2, 1, 1}, 4, 4);
             });
}

TEST_P(ConvForward, WeightGradOneChannelTwoVectorRows) {
  expectLike("wgrad_one_channel_wide", {{1, 5, 20}, {16, 5, 20}}, 32,
             [](const auto &in) {
               return weightGrad(in[0], in[1], {1, 1, 1, 1}, 3, 3);
             });
}

// Winograd's algorithm (the wino_* entries; conv2d_winograd.h). Its float32
// rounding is a few times the direct convolution's: 5e-6 of the largest
// output with 256 input channels (bench/conv_bench prints it for the GAN's
// layers), less with the 16-32 here, so the same bound holds. The output
// sizes leave last tiles of every width, 1 to 4 rows or columns: a partial
// one skips its product at infinity (conv2d_winograd.cpp).
TEST_P(ConvForward, WinogradConv2dBiasReluOddSizes) {
  expectLike("wino_conv", {{16, 14, 12}}, 21, [&](const auto &in) {
    return biasAnd(conv2d(in[0], param("wa.weight"), {2, 2, 1, 1}),
                   model.params().get("wa.bias"), relu);
  });
}

TEST_P(ConvForward, WinogradConv2dPad0) {
  expectLike("wino_conv_p0", {{20, 10, 13}}, 22, [&](const auto &in) {
    return conv2d(in[0], param("wb.weight"), {2, 2, 0, 0});
  });
}

TEST_P(ConvForward, WinogradConvTranspose2dTanh) {
  expectLike("wino_convt", {{32, 5, 3}}, 23, [&](const auto &in) {
    T4 y = convTranspose2d(in[0], param("wc.weight"), {2, 2, 1, 1});
    for (double &v : y.v)
      v = std::tanh(v);
    return y;
  });
}

TEST_P(ConvForward, WinogradConvTranspose2dPad2) {
  expectLike("wino_convt_p2", {{16, 6, 4}}, 24, [&](const auto &in) {
    return convTranspose2d(in[0], param("wd.weight"), {2, 2, 2, 2});
  });
}

// 18 rows: 3 tiles of rows, more than a register block spans
// (conv2d_winograd_schedule.cpp), so rows skip no products; columns do.
TEST_P(ConvForward, WinogradConvTranspose2dPad0) {
  expectLike("wino_convt_p0", {{24, 8, 4}}, 25, [&](const auto &in) {
    return convTranspose2d(in[0], param("we.weight"), {2, 2, 0, 0});
  });
}

// The weight gradient sums over the batch, so its error grows with it: 32
// tiles of 16 channels here against 256 x 64 in the GAN (3e-6 there).
TEST_P(ConvForward, WinogradWeightGrad) {
  expectLike("wino_wgrad", {{16, 9, 11}, {32, 4, 5}}, 26, [](const auto &in) {
    return weightGrad(in[0], in[1], {2, 2, 1, 1}, 4, 4);
  });
}

TEST_P(ConvForward, WinogradWeightGradPad0) {
  expectLike("wino_wgrad_p0", {{16, 16, 7}, {16, 7, 2}}, 28,
             [](const auto &in) {
               return weightGrad(in[0], in[1], {2, 2, 0, 0}, 4, 4);
             });
}

// F(4x4, 3x3) for stride-1 3x3 layers, at least 16 input channels
// (conv2d_winograd.cpp): outputs of 7 x 13 (last tiles of 3 and 1), 8 x 4
// (padding 0: whole tiles), transposed (the input gradient's form) 6 x 9
// with padding 1 and 7 x 5 with padding 0; and 28 x 28 with 16 channels,
// whose tiles fill a task's 1 MiB with 4 images rather than 8, so that
// batches 5 and 9 end in a task shifted inwards.
TEST_P(ConvForward, Winograd3x3Conv2dBiasReluOddSizes) {
  expectLike("wino3_conv", {{16, 7, 13}}, 33, [&](const auto &in) {
    return biasAnd(conv2d(in[0], param("wf.weight"), {1, 1, 1, 1}),
                   model.params().get("wf.bias"), relu);
  });
}

TEST_P(ConvForward, Winograd3x3Conv2dPad0) {
  expectLike("wino3_conv_p0", {{20, 10, 6}}, 34, [&](const auto &in) {
    return conv2d(in[0], param("wg.weight"), {1, 1, 0, 0});
  });
}

TEST_P(ConvForward, Winograd3x3Conv2dFourImagesPerTask) {
  expectLike("wino3_conv_28", {{16, 28, 28}}, 37, [&](const auto &in) {
    return conv2d(in[0], param("wj.weight"), {1, 1, 1, 1});
  });
}

TEST_P(ConvForward, Winograd3x3ConvTranspose2d) {
  expectLike("wino3_convt", {{32, 6, 9}}, 35, [&](const auto &in) {
    return convTranspose2d(in[0], param("wh.weight"), {1, 1, 1, 1});
  });
}

TEST_P(ConvForward, Winograd3x3ConvTranspose2dPad0) {
  expectLike("wino3_convt_p0", {{16, 5, 3}}, 36, [&](const auto &in) {
    return convTranspose2d(in[0], param("wi.weight"), {1, 1, 0, 0});
  });
}

// Stride-1 transposed convolutions that are not Winograd's (here a 1x1
// kernel, and a 3x3 one with 8 input channels) take the forward's block
// (conv2d_schedule.cpp): with AVX-512, 2 vectors of output channels, so
// 40 channels end in a block shifted inwards; rows of 11 and 13 pixels end
// in a block of pixels shifted inwards (tests/e2e/CMakeLists.txt checks
// the block).
TEST_P(ConvForward, ConvTranspose2dStride1Kernel1x1) {
  expectLike("convt_s1_1x1", {{24, 5, 11}}, 49, [&](const auto &in) {
    return convTranspose2d(in[0], param("wt1.weight"), {1, 1, 0, 0});
  });
}

TEST_P(ConvForward, ConvTranspose2dStride1FewChannels) {
  expectLike("convt_s1_3x3", {{8, 6, 13}}, 50, [&](const auto &in) {
    return convTranspose2d(in[0], param("wt3.weight"), {1, 1, 1, 1});
  });
}

// Kernels of few taps block input channels too (conv2d_schedule.cpp): a
// 1x1 kernel 2 vectors x 8 channels with AVX-512 (2 x 4 with AVX2), a 2x2
// one 1 vector x 4 taps x 4 channels (AVX-512 only); 22 and 6 channels end
// in a block shifted inwards.
TEST_P(ConvForward, WeightGrad1x1ChannelBlocks) {
  expectLike("wgrad_1x1", {{22, 5, 7}, {32, 5, 7}}, 42, [](const auto &in) {
    return weightGrad(in[0], in[1], {1, 1, 0, 0}, 1, 1);
  });
}

TEST_P(ConvForward, WeightGrad2x2ChannelBlocks) {
  expectLike("wgrad_2x2", {{6, 5, 4}, {16, 4, 3}}, 44, [](const auto &in) {
    return weightGrad(in[0], in[1], {1, 1, 0, 0}, 2, 2);
  });
}

// The weight gradient of a stride-1 3x3 layer as F(3x3, 4x4): dy of 7 x 13
// (last tiles of 3 and 1 rows, so the products at infinity are skipped
// there), and 8 x 4 with padding 0 (whole tiles).
TEST_P(ConvForward, Winograd3x3WeightGrad) {
  expectLike("wino3_wgrad", {{16, 7, 13}, {32, 7, 13}}, 38, [](const auto &in) {
    return weightGrad(in[0], in[1], {1, 1, 1, 1}, 3, 3);
  });
}

TEST_P(ConvForward, Winograd3x3WeightGradPad0) {
  expectLike("wino3_wgrad_p0", {{20, 10, 6}, {16, 8, 4}}, 40,
             [](const auto &in) {
               return weightGrad(in[0], in[1], {1, 1, 0, 0}, 3, 3);
             });
}

// Weight gradients whose reduction over images runs in chunks of a few
// images (conv2d_winograd_schedule.cpp, conv2d_schedule.cpp: 2 MiB of
// operands a chunk): 4 images for F(3x3, 4x4) at 32 channels and 28x28, 2
// for the 1x1 kernel 192 -> 64 at 28x28, 8 for the direct stride-2 3x3
// kernel, so that batches 5 and 9 end in a partial chunk. On a GPU
// (gpu_schedule.cpp: about 2048 products per thread) the 28x28 cases take
// 2 images a chunk.
TEST_P(ConvForward, WeightGradInChunksOfImages) {
  expectLike("wino3_wgrad_28", {{32, 28, 28}, {32, 28, 28}}, 60,
             [](const auto &in) {
               return weightGrad(in[0], in[1], {1, 1, 1, 1}, 3, 3);
             });
  expectLike("wgrad_1x1_chunks", {{192, 28, 28}, {64, 28, 28}}, 62,
             [](const auto &in) {
               return weightGrad(in[0], in[1], {1, 1, 0, 0}, 1, 1);
             });
  expectLike("wgrad_s2_chunks", {{64, 28, 28}, {64, 14, 14}}, 64,
             [](const auto &in) {
               return weightGrad(in[0], in[1], {2, 2, 1, 1}, 3, 3);
             });
}

// Batches below and above the 8 images of a stride-2 Winograd task (9: a
// last task shifted inwards) and the 4 of wino3_conv_28's.
INSTANTIATE_TEST_SUITE_P(Batches, ConvForward, ::testing::Values(1, 5, 9));

/// kiln.random_uniform: u2 of the documented generator (docs/ir.md).
double uniform(uint64_t seed, uint32_t counter, uint32_t stream,
               uint32_t index) {
  return kiln::test::documentedUniforms(seed, counter, stream, index).u2;
}

TEST(RandomUniform, FollowsTheDocumentedGenerator) {
  const uint64_t seed = 0xfedcba9876543210ULL;
  kiln::models::convnet::Model model(seed);
  Tensor x({4, 6, 5});
  const Tensor *in[] = {&x};
  double sum = 0;
  for (uint32_t call = 0; call < 3; ++call) {
    auto r = model.session().run("uniform", in);
    for (uint32_t i = 0; i < 4 * 6 * 5; ++i) {
      ASSERT_EQ(r[0].data()[i], float(uniform(seed, call, 0, i))) << i;
      ASSERT_EQ(r[1].data()[i], float(uniform(seed, call, 1, i))) << i;
      ASSERT_GE(r[0].data()[i], 0.0f);
      ASSERT_LT(r[0].data()[i], 1.0f);
      sum += r[0].data()[i];
    }
  }
  EXPECT_NEAR(sum / (3 * 120), 0.5, 0.05);
}

/// The train entry point's loss, in double: mean over the batch of
/// sum(max_channels(conv_transpose2d(conv2d(relu(conv2d(x, w1) + b1), w2),
/// w3)) * t).
double trainLoss(const std::vector<std::vector<double>> &p, const T4 &x,
                 const T4 &t) {
  auto asT4 = [](const std::vector<double> &v, int64_t a, int64_t b, int64_t c,
                 int64_t d) {
    T4 r(a, b, c, d);
    r.v = v;
    return r;
  };
  T4 h = conv2d(x, asT4(p[0], 8, 2, 3, 3), {2, 2, 1, 1});
  for (int64_t n = 0; n < h.d[0]; ++n)
    for (int64_t o = 0; o < 8; ++o)
      for (int64_t i = 0; i < h.d[2]; ++i)
        for (int64_t j = 0; j < h.d[3]; ++j)
          h.at(n, o, i, j) = std::max(h.at(n, o, i, j) + p[1][size_t(o)], 0.0);
  T4 g = conv2d(h, asT4(p[2], 16, 8, 3, 3), {2, 2, 1, 1});
  T4 y = convTranspose2d(g, asT4(p[3], 16, 4, 4, 4), {2, 2, 1, 1});
  double loss = 0;
  for (int64_t n = 0; n < y.d[0]; ++n)
    for (int64_t i = 0; i < 4; ++i)
      for (int64_t j = 0; j < 4; ++j) {
        double m = -INFINITY;
        for (int64_t c = 0; c < 4; ++c)
          m = std::max(m, y.at(n, c, i, j));
        loss += m * t.at(n, 0, i, j);
      }
  return loss / double(y.d[0]);
}

TEST(ConvTrain, SgdStepMovesParametersByMinusTheGradient) {
  kiln::models::convnet::Model model(/*seed=*/21);
  const char *names[] = {"t1.weight", "t1.bias", "t2.weight", "t3.weight"};
  std::vector<std::vector<double>> p;
  for (const char *n : names) {
    const Tensor &w = model.params().get(n);
    p.emplace_back(w.data(), w.data() + w.numel());
  }
  Tensor x = kiln::test::randomTensor({5, 2, 7, 6}, 31);
  Tensor t = kiln::test::randomTensor({5, 4, 4}, 32);
  T4 xd(x), td(5, 1, 4, 4);
  std::copy(t.data(), t.data() + t.numel(), td.v.begin());

  const Tensor *in[] = {&x, &t};
  auto got = model.session().run("train", in);
  double want = trainLoss(p, xd, td);
  EXPECT_NEAR(got[0].data()[0], want, 1e-5 * std::max(1.0, std::abs(want)));

  // Central differences of the double reference: the network is piecewise
  // linear, so they are exact up to rounding unless a step crosses a kink.
  const double h = 1e-6;
  for (size_t k = 0; k < p.size(); ++k) {
    std::vector<double> grad(p[k].size());
    for (size_t i = 0; i < p[k].size(); ++i) {
      double saved = p[k][i];
      p[k][i] = saved + h;
      double up = trainLoss(p, xd, td);
      p[k][i] = saved - h;
      double down = trainLoss(p, xd, td);
      p[k][i] = saved;
      grad[i] = (up - down) / (2 * h);
    }
    // SGD with lr 1: new = old - grad.
    const Tensor &now = model.params().get(names[k]);
    std::vector<double> moved(p[k].size());
    for (size_t i = 0; i < moved.size(); ++i)
      moved[i] = p[k][i] - double(now.data()[i]);
    double err = 0, scale = 0;
    for (size_t i = 0; i < grad.size(); ++i) {
      err = std::max(err, std::abs(moved[i] - grad[i]));
      scale = std::max(scale, std::abs(grad[i]));
    }
    EXPECT_GT(scale, 1e-3) << names[k] << " has a gradient";
    EXPECT_LT(err / scale, 1e-4) << "gradient of " << names[k];
  }
}

/// The loss of wino_train and wino3_train in double: mean over the batch of
/// sum(second(first(x, w1), w2) * t).
using Layer = std::function<T4(const T4 &, const T4 &)>;
double twoLayerLoss(const Layer &first, const Layer &second, const T4 &w1,
                    const T4 &w2, const T4 &x, const T4 &t) {
  T4 y = second(first(x, w1), w2);
  double loss = 0;
  for (size_t i = 0; i < y.v.size(); ++i)
    loss += y.v[i] * t.v[i];
  return loss / double(y.d[0]);
}

// The gradients of Winograd convolutions (the input gradient of each layer
// is the other kind, so both run in the backward pass too) against central
// differences of the double reference. The loss is bilinear in (w1, w2), so
// the differences are exact up to rounding; every 7th weight is checked.
void expectSgdStepOfTwoLayers(const char *entry, const char *const (&names)[2],
                              const Layer &first, const Layer &second,
                              std::vector<int64_t> x_shape,
                              std::vector<int64_t> t_shape) {
  kiln::models::convnet::Model model(/*seed=*/23);
  T4 w[2] = {T4(model.params().get(names[0])),
             T4(model.params().get(names[1]))};
  Tensor x = kiln::test::randomTensor(std::move(x_shape), 41);
  Tensor t = kiln::test::randomTensor(std::move(t_shape), 42);
  const T4 xd(x), td(t);
  auto loss = [&] { return twoLayerLoss(first, second, w[0], w[1], xd, td); };

  const Tensor *in[] = {&x, &t};
  auto got = model.session().run(entry, in);
  const double want = loss();
  EXPECT_NEAR(got[0].data()[0], want, 1e-5 * std::max(1.0, std::abs(want)));

  const double h = 1e-3;
  for (size_t k = 0; k < 2; ++k) {
    const Tensor &now = model.params().get(names[k]);
    double err = 0, scale = 0;
    for (size_t i = 0; i < w[k].v.size(); i += 7) {
      const double saved = w[k].v[i];
      w[k].v[i] = saved + h;
      const double up = loss();
      w[k].v[i] = saved - h;
      const double down = loss();
      w[k].v[i] = saved;
      const double grad = (up - down) / (2 * h);
      // SGD with lr 1: new = old - grad.
      const double moved = saved - double(now.data()[i]);
      err = std::max(err, std::abs(moved - grad));
      scale = std::max(scale, std::abs(grad));
    }
    EXPECT_GT(scale, 1e-2) << names[k] << " has a gradient";
    EXPECT_LT(err / scale, 1e-4) << "gradient of " << names[k];
  }
}

// k4 s2 p1 both: conv2d then conv_transpose2d.
TEST(ConvTrain, WinogradSgdStepMovesParametersByMinusTheGradient) {
  expectSgdStepOfTwoLayers(
      "wino_train", {"w1.weight", "w2.weight"},
      [](const T4 &x, const T4 &w) {
        return conv2d(x, w, {2, 2, 1, 1});
      },
      [](const T4 &x, const T4 &w) {
        return convTranspose2d(x, w, {2, 2, 1, 1});
      },
      {3, 16, 6, 8}, {3, 16, 6, 8});
}

// k3 s1 p1 both, by F(4x4, 3x3): the second layer's input gradient is a
// stride-1 transposed convolution, by F(4x4, 3x3) too, and both weight
// gradients run as F(3x3, 4x4).
TEST(ConvTrain, Winograd3x3SgdStepMovesParametersByMinusTheGradient) {
  const Layer conv = [](const T4 &x, const T4 &w) {
    return conv2d(x, w, {1, 1, 1, 1});
  };
  expectSgdStepOfTwoLayers("wino3_train", {"w3.weight", "w4.weight"}, conv,
                           conv, {3, 16, 6, 9}, {3, 32, 6, 9});
}

// Results no kernel computes (convnet.mlir's constant_results): a constant
// returned, and one assigned to a buffer parameter, are written by the plan
// itself (Session::fill_values), on a GPU session too.
TEST(Plan, WritesConstantResultsAndAssignments) {
  kiln::models::convnet::Model model(/*seed=*/1);
  Tensor x = kiln::test::randomTensor({2, 3}, 51);
  const Tensor *in[] = {&x};
  auto out = model.session().run("constant_results", in);
  ASSERT_EQ(out.size(), 2u);
  for (int64_t i = 0; i < x.numel(); ++i)
    EXPECT_FLOAT_EQ(out[0].data()[i], 2.5f * x.data()[i]);
  ASSERT_EQ(out[1].numel(), 2);
  EXPECT_EQ(out[1].data()[0], 2.5f);
  EXPECT_EQ(out[1].data()[1], 2.5f);
  const Tensor &scratch = model.params().get("scratch");
  for (int64_t i = 0; i < scratch.numel(); ++i)
    EXPECT_EQ(scratch.data()[i], -1.0f) << i;
}

} // namespace
