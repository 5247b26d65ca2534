// Diffusion building blocks (tests/e2e/models/diffusion_ops.cpp), compiled
// as users compile them, against naive double-precision references written
// here from PyTorch's definitions and MODELS.md: GroupNorm (forward; the
// gradients of its weight, bias and input by finite differences), nearest
// x2 upsampling (forward and input gradient), channel concatenation
// (forward and both inputs' gradients), the DDPM UNet's spatial attention at
// 7x7 (GroupNorm, one qkv Linear, 4 heads over 49 positions, the output
// Linear, residual: forward, and the gradients of its input and weights by
// finite differences), the sinusoidal timestep embedding, and DDPM's
// schedule tables gathered by timestep (and the closed form they give
// against the iterated forward process). Batches 1 and 3.
#include "diffusion_ops.h"
#include "reference.h"

#include "kiln/runtime/device.h"
#include "kiln/runtime/error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <utility>
#include <vector>

namespace {

using kiln::rt::Tensor;
using kiln::test::assign;
using kiln::test::dot;
using kiln::test::maxAbs;
using kiln::test::numericGradient;
using kiln::test::randomTensor;
using kiln::test::relErr;
using kiln::test::sgdStepError;
using kiln::test::toDoubles;
using Values = std::vector<double>;

constexpr double kForwardTol = 1e-5;
constexpr double kGradTol = 2e-3;

// torch.nn.GroupNorm(g, c) on x [n, c, s] (s spatial values per channel).
Values groupNorm(const Values &x, int64_t n, int64_t c, int64_t s, int64_t g,
                 const Values &w, const Values &b) {
  Values y(x.size());
  const int64_t per = c / g * s;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < g; ++k) {
      const size_t base = size_t((i * c + k * (c / g)) * s);
      double mean = 0, var = 0;
      for (int64_t j = 0; j < per; ++j)
        mean += x[base + size_t(j)] / double(per);
      for (int64_t j = 0; j < per; ++j)
        var += std::pow(x[base + size_t(j)] - mean, 2) / double(per);
      for (int64_t j = 0; j < per; ++j) {
        const int64_t ch = k * (c / g) + j / s;
        y[base + size_t(j)] = (x[base + size_t(j)] - mean) /
                                  std::sqrt(var + 1e-5) * w[size_t(ch)] +
                              b[size_t(ch)];
      }
    }
  return y;
}

// Nearest x2: y[i, ch, r, q] = x[i, ch, r / 2, q / 2].
Values upsample(const Values &x, int64_t n, int64_t c, int64_t h, int64_t w) {
  Values y(size_t(n * c * 4 * h * w));
  for (int64_t p = 0; p < n * c; ++p)
    for (int64_t r = 0; r < 2 * h; ++r)
      for (int64_t q = 0; q < 2 * w; ++q)
        y[size_t((p * 2 * h + r) * 2 * w + q)] =
            x[size_t((p * h + r / 2) * w + q / 2)];
  return y;
}

// torch.cat([a, b], dim=1) of a [n, ca, s] and b [n, cb, s].
Values concatChannels(const Values &a, const Values &b, int64_t n, int64_t ca,
                      int64_t cb, int64_t s) {
  Values y;
  for (int64_t i = 0; i < n; ++i) {
    y.insert(y.end(), a.begin() + i * ca * s, a.begin() + (i + 1) * ca * s);
    y.insert(y.end(), b.begin() + i * cb * s, b.begin() + (i + 1) * cb * s);
  }
  return y;
}

// The UNet's spatial attention (models/unet.h, bench/torch_ddpm.py's Attn)
// on x [n, c, p] (p positions): s = GroupNorm(8)(x) as [n, p, c]; q, k, v
// = the three c-wide parts of s Wqkv^T + bqkv; per head of c / 4 channels
// softmax(q k^T / sqrt(c / 4)) v; x + (o Wout^T + bout) as [n, c, p].
struct SpatialAttentionWeights {
  Values gw, gb, wqkv, bqkv, wout, bout;
};
// The model's attention block "attn" (diffusion_ops.cpp).
SpatialAttentionWeights attentionWeights(kiln::rt::ParamStore &params) {
  return {toDoubles(params.get("attn.norm.weight")),
          toDoubles(params.get("attn.norm.bias")),
          toDoubles(params.get("attn.qkv.weight")),
          toDoubles(params.get("attn.qkv.bias")),
          toDoubles(params.get("attn.out.weight")),
          toDoubles(params.get("attn.out.bias"))};
}

Values spatialAttention(const Values &x, int64_t n, int64_t c, int64_t p,
                        const SpatialAttentionWeights &w) {
  const int64_t heads = 4, d = c / heads;
  const Values xn = groupNorm(x, n, c, p, 8, w.gw, w.gb);
  Values y = x, qkv(size_t(p * 3 * c)), o(size_t(p * c));
  for (int64_t i = 0; i < n; ++i) {
    auto in = [&](int64_t pos, int64_t ch) {
      return xn[size_t((i * c + ch) * p + pos)];
    };
    for (int64_t pos = 0; pos < p; ++pos)
      for (int64_t j = 0; j < 3 * c; ++j) {
        double s = w.bqkv[size_t(j)];
        for (int64_t ch = 0; ch < c; ++ch)
          s += in(pos, ch) * w.wqkv[size_t(j * c + ch)];
        qkv[size_t(pos * 3 * c + j)] = s;
      }
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t a = 0; a < p; ++a) {
        Values score(static_cast<size_t>(p), 0.0);
        double top = -INFINITY, total = 0;
        for (int64_t b = 0; b < p; ++b) {
          double s = 0;
          for (int64_t e = 0; e < d; ++e)
            s += qkv[size_t(a * 3 * c + h * d + e)] *
                 qkv[size_t(b * 3 * c + c + h * d + e)];
          score[size_t(b)] = s / std::sqrt(double(d));
          top = std::max(top, score[size_t(b)]);
        }
        for (double &s : score)
          total += (s = std::exp(s - top));
        for (int64_t e = 0; e < d; ++e) {
          double s = 0;
          for (int64_t b = 0; b < p; ++b)
            s += score[size_t(b)] * qkv[size_t(b * 3 * c + 2 * c + h * d + e)];
          o[size_t(a * c + h * d + e)] = s / total;
        }
      }
    for (int64_t pos = 0; pos < p; ++pos)
      for (int64_t ch = 0; ch < c; ++ch) {
        double s = w.bout[size_t(ch)];
        for (int64_t j = 0; j < c; ++j)
          s += o[size_t(pos * c + j)] * w.wout[size_t(ch * c + j)];
        y[size_t((i * c + ch) * p + pos)] += s;
      }
  }
  return y;
}

Tensor run1(kiln::models::diffusion_ops::Model &m, const char *entry,
            std::vector<const Tensor *> in) {
  return m.session().run(entry, in)[0];
}

class DiffusionOps : public ::testing::TestWithParam<int64_t> {};

TEST_P(DiffusionOps, GroupNormForward) {
  const int64_t n = GetParam();
  kiln::models::diffusion_ops::Model m(1);
  // Weight and bias away from 1 and 0, so both are exercised.
  Tensor &w = m.session().params().get("norm_a.weight");
  Tensor &b = m.session().params().get("norm_a.bias");
  assign(w, toDoubles(randomTensor({6}, 3, 0.5, 1.5)));
  assign(b, toDoubles(randomTensor({6}, 4)));
  const Tensor x = randomTensor({n, 6, 5, 3}, 5, -2, 3);
  EXPECT_LT(
      relErr(run1(m, "group_norm", {&x}),
             groupNorm(toDoubles(x), n, 6, 15, 2, toDoubles(w), toDoubles(b))),
      kForwardTol);
  const Tensor x8 = randomTensor({n, 16, 3, 3}, 6);
  EXPECT_LT(relErr(run1(m, "group_norm8", {&x8}),
                   groupNorm(toDoubles(x8), n, 16, 9, 8, Values(16, 1.0),
                             Values(16, 0.0))),
            kForwardTol);
}

// A GroupNorm of `c` channels of `s` values in `g` groups, with its train
// entry loss = sum(GroupNorm(x + offset) * r) and parameters `norm`.weight,
// `norm`.bias and `offset` (x's element i adds offset[offset_at(i)]).
struct GroupNormCase {
  const char *entry, *norm, *offset;
  int64_t c, s, g;
  std::function<size_t(size_t)> offset_at;
};

// The train entry's loss against the double reference; SGD lr 1 moves the
// weight, bias and offset by minus their gradients (finite differences),
// from weight, bias and offset values drawn from `seed`.
void expectGroupNormTrain(kiln::models::diffusion_ops::Model &m,
                          const GroupNormCase &k, const Tensor &x,
                          const Tensor &r, uint64_t seed) {
  const int64_t n = x.shape()[0];
  auto &params = m.session().params();
  const std::string weight = std::string(k.norm) + ".weight",
                    bias = std::string(k.norm) + ".bias";
  Tensor &off_t = params.get(k.offset);
  assign(params.get(weight), toDoubles(randomTensor({k.c}, seed, 0.5, 1.5)));
  assign(params.get(bias), toDoubles(randomTensor({k.c}, seed + 1)));
  assign(off_t, toDoubles(randomTensor(off_t.shape(), seed + 2, -0.5, 0.5)));
  Values w = toDoubles(params.get(weight)), b = toDoubles(params.get(bias)),
         off = toDoubles(off_t);
  const Values xd = toDoubles(x), rd = toDoubles(r);
  auto loss = [&] {
    Values shifted = xd;
    for (size_t i = 0; i < shifted.size(); ++i)
      shifted[i] += off[k.offset_at(i)];
    return dot(groupNorm(shifted, n, k.c, k.s, k.g, w, b), rd);
  };
  const double want = loss();
  const double got = run1(m, k.entry, {&x, &r}).data()[0];
  EXPECT_NEAR(got, want, 1e-4 * std::max(1.0, std::abs(want)));
  const Values before_w = w, before_b = b, before_off = off;
  const Values gw = numericGradient(loss, w), gb = numericGradient(loss, b),
               goff = numericGradient(loss, off);
  EXPECT_LT(sgdStepError(before_w, params.get(weight), gw, maxAbs(gw)),
            kGradTol);
  EXPECT_LT(sgdStepError(before_b, params.get(bias), gb, maxAbs(gb)), kGradTol);
  EXPECT_GT(maxAbs(goff), 1e-2);
  EXPECT_LT(sgdStepError(before_off, off_t, goff, maxAbs(goff)), kGradTol);
}

// An offset of x's own shape: every input gradient is checked.
TEST_P(DiffusionOps, GroupNormGradients) {
  const int64_t n = GetParam();
  kiln::models::diffusion_ops::Model m(1);
  const GroupNormCase k{
      "group_norm_train", "norm_a", "offset.a", 6, 15, 2, [](size_t i) {
        return i % 90;
      }};
  expectGroupNormTrain(m, k, randomTensor({n, 6, 5, 3}, 10),
                       randomTensor({n, 6, 5, 3}, 11), 7);
}

// Rows of 2025 values (a GPU block per row, gpu_schedule.cpp): the output,
// and the gradients through a per-channel offset of the input, whose
// gradient sums the input gradient over each channel's 675 positions and
// over the batch.
TEST_P(DiffusionOps, GroupNormOfLongRows) {
  const int64_t n = GetParam();
  kiln::models::diffusion_ops::Model m(1);
  // Far from zero, as activations can be: the variance must not cancel.
  const Tensor x = randomTensor({n, 6, 25, 27}, 43, 2, 5),
               r = randomTensor({n, 6, 25, 27}, 44);
  const GroupNormCase k{
      "group_norm_wide_train", "norm_w", "offset.w", 6, 675, 2, [](size_t i) {
        return i / 675 % 6;
      }};
  expectGroupNormTrain(m, k, x, r, 40);
  auto &params = m.session().params();
  EXPECT_LT(relErr(run1(m, "group_norm_wide", {&x}),
                   groupNorm(toDoubles(x), n, 6, 675, 2,
                             toDoubles(params.get("norm_w.weight")),
                             toDoubles(params.get("norm_w.bias")))),
            kForwardTol);
}

TEST_P(DiffusionOps, UpsampleForwardAndGradient) {
  const int64_t n = GetParam();
  kiln::models::diffusion_ops::Model m(1);
  const Tensor x = randomTensor({n, 3, 4, 5}, 12);
  EXPECT_EQ(
      relErr(run1(m, "upsample", {&x}), upsample(toDoubles(x), n, 3, 4, 5)),
      0.0);
  auto &params = m.session().params();
  Values off = toDoubles(params.get("offset.u"));
  const Tensor r = randomTensor({n, 3, 8, 10}, 13);
  const Values xd = toDoubles(x), rd = toDoubles(r);
  auto loss = [&] {
    Values shifted = xd;
    for (size_t i = 0; i < shifted.size(); ++i)
      shifted[i] += off[i % off.size()];
    return dot(upsample(shifted, n, 3, 4, 5), rd);
  };
  const Values before = off;
  const Values g = numericGradient(loss, off);
  run1(m, "upsample_train", {&x, &r});
  EXPECT_LT(sgdStepError(before, params.get("offset.u"), g, maxAbs(g)),
            kGradTol);
}

// loss = sum(cat(a + offset_a, b + offset_b) * r): each offset moves by
// minus its part of r, summed over the batch.
TEST_P(DiffusionOps, ConcatChannelsForwardAndGradients) {
  const int64_t n = GetParam();
  kiln::models::diffusion_ops::Model m(1);
  const Tensor a = randomTensor({n, 3, 4, 5}, 40),
               b = randomTensor({n, 2, 4, 5}, 41);
  EXPECT_EQ(relErr(run1(m, "concat_channels", {&a, &b}),
                   concatChannels(toDoubles(a), toDoubles(b), n, 3, 2, 20)),
            0.0);
  auto &params = m.session().params();
  Values oa = toDoubles(params.get("offset.ca")),
         ob = toDoubles(params.get("offset.cb"));
  const Tensor r = randomTensor({n, 5, 4, 5}, 42);
  const Values ad = toDoubles(a), bd = toDoubles(b), rd = toDoubles(r);
  auto loss = [&] {
    Values sa = ad, sb = bd;
    for (size_t i = 0; i < sa.size(); ++i)
      sa[i] += oa[i % oa.size()];
    for (size_t i = 0; i < sb.size(); ++i)
      sb[i] += ob[i % ob.size()];
    return dot(concatChannels(sa, sb, n, 3, 2, 20), rd);
  };
  const Values before_a = oa, before_b = ob;
  const Values ga = numericGradient(loss, oa), gb = numericGradient(loss, ob);
  run1(m, "concat_train", {&a, &b, &r});
  EXPECT_LT(sgdStepError(before_a, params.get("offset.ca"), ga, maxAbs(ga)),
            kGradTol);
  EXPECT_LT(sgdStepError(before_b, params.get("offset.cb"), gb, maxAbs(gb)),
            kGradTol);
}

// The UNet's attention block at its 7x7 level: 128 channels, 4 heads of 32,
// 49 positions (no tile size divides it). The norm's weight and bias and
// every bias are set away from their initial values, so each is exercised.
TEST_P(DiffusionOps, SpatialAttentionForward) {
  const int64_t n = GetParam();
  kiln::models::diffusion_ops::Model m(1);
  auto &params = m.session().params();
  assign(params.get("attn.norm.weight"),
         toDoubles(randomTensor({128}, 43, 0.5, 1.5)));
  assign(params.get("attn.norm.bias"), toDoubles(randomTensor({128}, 44)));
  assign(params.get("attn.qkv.bias"), toDoubles(randomTensor({384}, 45)));
  assign(params.get("attn.out.bias"), toDoubles(randomTensor({128}, 46)));
  const SpatialAttentionWeights w = attentionWeights(params);
  const Tensor x = randomTensor({n, 128, 7, 7}, 47, -2, 2);
  const Values want = spatialAttention(toDoubles(x), n, 128, 49, w);
  const Values xd = toDoubles(x);
  Values change(want.size());
  for (size_t i = 0; i < want.size(); ++i)
    change[i] = want[i] - xd[i];
  // The block's own part, not only the residual, must be right.
  Tensor got = run1(m, "spatial_attention", {&x});
  for (int64_t i = 0; i < got.numel(); ++i)
    got.data()[i] -= x.data()[i];
  EXPECT_GT(maxAbs(change), 0.1);
  EXPECT_LT(relErr(got, change), 1e-4);
}

// loss = sum(attention(x + offset) * r): SGD lr 1 moves every weight and
// the offset by minus its gradient; checked against central differences of
// the double reference at 12 places of each (all 6272 offsets would take
// minutes).
TEST_P(DiffusionOps, SpatialAttentionGradients) {
  const int64_t n = GetParam();
  kiln::models::diffusion_ops::Model m(1);
  auto &params = m.session().params();
  assign(params.get("attn.norm.weight"),
         toDoubles(randomTensor({128}, 48, 0.5, 1.5)));
  assign(params.get("attn.norm.bias"), toDoubles(randomTensor({128}, 49)));
  assign(params.get("offset.m"),
         toDoubles(randomTensor({1, 128, 7, 7}, 50, -0.5, 0.5)));
  SpatialAttentionWeights w = attentionWeights(params);
  Values off = toDoubles(params.get("offset.m"));
  const Tensor x = randomTensor({n, 128, 7, 7}, 51),
               r = randomTensor({n, 128, 7, 7}, 52);
  const Values xd = toDoubles(x), rd = toDoubles(r);
  auto loss = [&] {
    Values shifted = xd;
    for (size_t i = 0; i < shifted.size(); ++i)
      shifted[i] += off[i % off.size()];
    return dot(spatialAttention(shifted, n, 128, 49, w), rd);
  };
  const double want = loss();
  struct Checked {
    const char *name;
    Values *values;
    Values before, grad;
    std::vector<size_t> at;
  };
  std::vector<Checked> checked;
  std::mt19937 pick(53);
  for (auto [name, values] :
       {std::pair{"attn.norm.weight", &w.gw},
        std::pair{"attn.norm.bias", &w.gb},
        std::pair{"attn.qkv.weight", &w.wqkv},
        std::pair{"attn.qkv.bias", &w.bqkv},
        std::pair{"attn.out.weight", &w.wout},
        std::pair{"attn.out.bias", &w.bout}, std::pair{"offset.m", &off}}) {
    Checked c{name, values, *values, {}, {}};
    for (int i = 0; i < 12; ++i)
      c.at.push_back(size_t(pick() % values->size()));
    for (size_t i : c.at) {
      const double saved = (*values)[i], h = 1e-5;
      (*values)[i] = saved + h;
      const double up = loss();
      (*values)[i] = saved - h;
      const double down = loss();
      (*values)[i] = saved;
      c.grad.push_back((up - down) / (2 * h));
    }
    checked.push_back(std::move(c));
  }
  const double got = run1(m, "spatial_attention_train", {&x, &r}).data()[0];
  EXPECT_NEAR(got, want, 1e-4 * std::max(1.0, std::abs(want)));
  for (const Checked &c : checked) {
    const Tensor &after = params.get(c.name);
    double err = 0, scale = 0;
    for (size_t j = 0; j < c.at.size(); ++j) {
      const double moved = c.before[c.at[j]] - double(after.data()[c.at[j]]);
      err = std::max(err, std::abs(moved - c.grad[j]));
      scale = std::max(scale, std::abs(c.grad[j]));
    }
    EXPECT_GT(scale, 1e-3) << c.name;
    EXPECT_LT(err / scale, kGradTol) << c.name;
  }
}

// MODELS.md: half = D / 2, f_i = exp(-ln(10000) i / half), [sin(t f), cos(t
// f)].
TEST_P(DiffusionOps, SinusoidalEmbedding) {
  const int64_t n = GetParam();
  kiln::models::diffusion_ops::Model m(1);
  std::vector<int32_t> ts;
  for (int64_t i = 0; i < n; ++i)
    ts.push_back(int32_t(i == 0 ? 999 : 37 * i));
  const Tensor t = Tensor::of_ints({n}, ts);
  for (int dim : {128, 10}) {
    Values want;
    const int half = dim / 2;
    for (int64_t i = 0; i < n; ++i) {
      for (int k = 0; k < 2; ++k)
        for (int j = 0; j < half; ++j) {
          const double a =
              ts[size_t(i)] * std::exp(-std::log(10000.0) * j / half);
          want.push_back(k == 0 ? std::sin(a) : std::cos(a));
        }
    }
    // Arguments up to 999 radians: f32 rounding of t * f costs ~6e-5.
    EXPECT_LT(relErr(run1(m, dim == 128 ? "embed" : "embed10", {&t}), want),
              2e-4)
        << dim;
  }
}

// alpha_bar_t = prod_{s <= t} (1 - beta_s), betas linear from 1e-4 to 0.02
// over 1000 steps; timesteps index from 0.
TEST_P(DiffusionOps, ScheduleTablesByTimestep) {
  const int64_t n = GetParam();
  kiln::models::diffusion_ops::Model m(1);
  std::vector<int32_t> ts;
  for (int64_t i = 0; i < n; ++i)
    ts.push_back(int32_t(i == 0 ? 0 : i == 1 ? 999 : 500));
  const Tensor t = Tensor::of_ints({n}, ts);
  auto out = m.session().run("alphas", std::vector<const Tensor *>{&t});
  for (int64_t i = 0; i < n; ++i) {
    double bar = 1;
    for (int s = 0; s <= ts[size_t(i)]; ++s)
      bar *= 1 - (1e-4 + (0.02 - 1e-4) * s / 999.0);
    EXPECT_NEAR(out[0].data()[i], std::sqrt(bar), 1e-6) << ts[size_t(i)];
    EXPECT_NEAR(out[1].data()[i], std::sqrt(1 - bar), 1e-6) << ts[size_t(i)];
  }
  const Tensor bad = Tensor::of_ints({1}, {1000});
  if (m.session().device() == kiln::rt::Device::cpu) {
    EXPECT_THROW(m.session().run("alphas", std::vector<const Tensor *>{&bad}),
                 kiln::rt::Error);
  } else {
    // A GPU kernel cannot stop with a message (scatter.h, checked_index):
    // the index is clamped into the table, never read outside it.
    const Tensor last = Tensor::of_ints({1}, {999});
    auto clamped = m.session().run("alphas", std::vector<const Tensor *>{&bad});
    auto at_end = m.session().run("alphas", std::vector<const Tensor *>{&last});
    EXPECT_EQ(clamped[0].data()[0], at_end[0].data()[0]);
    EXPECT_EQ(clamped[1].data()[0], at_end[1].data()[0]);
  }
}

// The closed form the training loss samples x_t from, q(x_t | x_0) =
// N(sqrt(abar_t) x_0, (1 - abar_t) I) with the kernels' tables, against
// iterating the one-step forward process x_t = sqrt(1 - beta_t) x_{t-1} +
// sqrt(beta_t) z from x_0 in double: mean and variance of 20000 draws.
TEST(DiffusionProcess, ClosedFormMatchesIteratingTheForwardProcess) {
  kiln::models::diffusion_ops::Model m(1);
  const std::vector<int32_t> ts{0, 9, 99, 499, 999};
  const Tensor t = Tensor::of_ints({int64_t(ts.size())}, ts);
  auto tables = m.session().run("alphas", std::vector<const Tensor *>{&t});
  constexpr int kDraws = 20000;
  constexpr double x0 = 0.7;
  std::mt19937_64 gen(11);
  std::normal_distribution<double> normal;
  std::vector<double> x(kDraws, x0);
  size_t next = 0;
  for (int step = 0; step < 1000 && next < ts.size(); ++step) {
    const double beta = 1e-4 + (0.02 - 1e-4) * step / 999.0;
    for (double &v : x)
      v = std::sqrt(1 - beta) * v + std::sqrt(beta) * normal(gen);
    if (step != ts[next])
      continue;
    double mean = 0, var = 0;
    for (double v : x)
      mean += v / kDraws;
    for (double v : x)
      var += (v - mean) * (v - mean) / (kDraws - 1);
    const double a = tables[0].data()[next], s = tables[1].data()[next];
    // Five standard errors: of the mean s / sqrt(n), of the variance
    // s^2 sqrt(2 / n).
    EXPECT_NEAR(mean, a * x0, 5 * s / std::sqrt(kDraws)) << "t " << step;
    EXPECT_NEAR(var, s * s, 5 * s * s * std::sqrt(2.0 / kDraws))
        << "t " << step;
    ++next;
  }
  EXPECT_EQ(next, ts.size());
}

TEST_P(DiffusionOps, FloorToIntAndRandomInts) {
  const int64_t n = GetParam();
  kiln::models::diffusion_ops::Model m(1);
  Tensor x({n, 7});
  const float v[] = {-2.5f, -1.0f, -0.25f, 0.0f, 0.75f, 3.0f, 999.999f};
  for (int64_t i = 0; i < n * 7; ++i)
    x.data()[i] = v[i % 7] + float(i / 7);
  const Tensor f = run1(m, "floors", {&x});
  for (int64_t i = 0; i < n * 7; ++i)
    EXPECT_EQ(f.data()[i], std::floor(x.data()[i])) << x.data()[i];
  // The same integers as an entry point's i32 result, beside a float one and
  // an integer input returned as it is.
  std::vector<int32_t> steps;
  for (int64_t i = 0; i < n; ++i)
    steps.push_back(int32_t(1000 - 7 * i));
  const Tensor t = Tensor::of_ints({n}, steps);
  const auto [whole, fraction, same] = m.split(x, t);
  ASSERT_EQ(whole.dtype(), kiln::rt::DType::i32);
  ASSERT_EQ(whole.shape(), (std::vector<int64_t>{n, 7}));
  ASSERT_EQ(same.dtype(), kiln::rt::DType::i32);
  for (int64_t i = 0; i < n * 7; ++i) {
    EXPECT_EQ(whole.ints()[i], int32_t(std::floor(x.data()[i])));
    EXPECT_EQ(fraction.data()[i], x.data()[i] - std::floor(x.data()[i]));
  }
  for (int64_t i = 0; i < n; ++i)
    EXPECT_EQ(same.ints()[i], steps[size_t(i)]);
  // 4096 n draws: integers in [0, 1000), mean 499.5 (sd of the mean
  // 289 / sqrt(4096 n) <= 4.5), every tenth of the range hit.
  const Tensor like({n, 4096});
  const Tensor d = run1(m, "draws", {&like});
  double mean = 0;
  std::vector<int> deciles(10, 0);
  for (int64_t i = 0; i < d.numel(); ++i) {
    const float t = d.data()[i];
    ASSERT_TRUE(t >= 0 && t < 1000 && t == std::floor(t)) << t;
    mean += t / double(d.numel());
    ++deciles[size_t(t / 100)];
  }
  EXPECT_NEAR(mean, 499.5, 25);
  for (int k = 0; k < 10; ++k)
    EXPECT_GT(deciles[size_t(k)], d.numel() / 20) << k;
}

INSTANTIATE_TEST_SUITE_P(Batches, DiffusionOps, ::testing::Values(1, 3));

} // namespace
