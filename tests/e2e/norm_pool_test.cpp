// BatchNorm and pooling compiled end to end from the DSL
// (tests/e2e/models/norm_pool.cpp through kiln_add_model: the model
// generator, kilnc, Halide kernels with the heuristic schedules, the
// runtime), against naive double-precision references written here from
// PyTorch's definitions.
//
// - BatchNorm1d/2d forward in Mode::eval (running statistics) and with the
//   batch statistics (Mode::train_no_stats_update), and a Mode::train step:
//   its loss, the running statistics after it (momentum 0.1, unbiased
//   variance; two steps, so that the state must persist between calls) and
//   the SGD update of weight and bias.
// - max_pool2d and avg_pool2d with kernels 2 and 3.
// - Gradients through BatchNorm and pooling: train entries with SGD lr 1
//   must move each parameter by minus the gradient, taken by central
//   differences of the double reference, for a convolution before
//   BatchNorm2d and both poolings, and a linear layer before BatchNorm1d.
//
// Shapes are odd on purpose: 3 and 17 channels (below and above one
// 16-lane vector), 5x7, 6x10 and 6x9 images, batches 1 and 5 (2 and 5 where
// training needs more than one value per channel, as PyTorch does).
// Weight, bias and running statistics are set to non-trivial values first,
// and one channel has a variance far below eps, so that where eps goes
// shows.
#include "norm_pool.h"
#include "reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <ostream>
#include <random>
#include <string>
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

constexpr double kEps = 1e-5, kMomentum = 0.1; // BatchNormOptions' defaults
// Forward results are a few f32 roundings from the double reference.
constexpr double kForwardTol = 1e-4;
// Running statistics: one mean and one variance in f32.
constexpr double kStatsTol = 1e-5;
// Gradients, relative to the largest component of the parameter's gradient.
constexpr double kGradTol = 2e-3;

// ---------------------------------------------------------------------------
// The reference, on x viewed as [N, C, S]: S = H * W values per sample and
// channel (1 for BatchNorm1d), which is NCHW's and NC's row-major order.

struct Dims {
  int64_t n = 0, c = 0, s = 1;
  size_t operator()(int64_t i, int64_t ch, int64_t k) const {
    return size_t((i * c + ch) * s + k);
  }
  size_t size() const { return size_t(n * c * s); }
};

struct Stats {
  Values mean, var; // per channel; var is the biased (1/n) variance
};

Stats batchStats(const Values &x, Dims d) {
  Stats st{Values(size_t(d.c)), Values(size_t(d.c))};
  const double count = double(d.n * d.s);
  for (int64_t ch = 0; ch < d.c; ++ch) {
    double sum = 0;
    for (int64_t i = 0; i < d.n; ++i)
      for (int64_t k = 0; k < d.s; ++k)
        sum += x[d(i, ch, k)];
    const double mean = sum / count;
    double sq = 0;
    for (int64_t i = 0; i < d.n; ++i)
      for (int64_t k = 0; k < d.s; ++k)
        sq += (x[d(i, ch, k)] - mean) * (x[d(i, ch, k)] - mean);
    st.mean[size_t(ch)] = mean;
    st.var[size_t(ch)] = sq / count;
  }
  return st;
}

/// y = (x - mean) / sqrt(var + eps) * weight + bias, per channel.
Values normalize(const Values &x, Dims d, const Stats &st, const Values &weight,
                 const Values &bias) {
  Values y(d.size());
  for (int64_t i = 0; i < d.n; ++i)
    for (int64_t ch = 0; ch < d.c; ++ch) {
      const size_t c = size_t(ch);
      for (int64_t k = 0; k < d.s; ++k)
        y[d(i, ch, k)] = (x[d(i, ch, k)] - st.mean[c]) /
                             std::sqrt(st.var[c] + kEps) * weight[c] +
                         bias[c];
    }
  return y;
}

/// One Mode::train update of the running statistics, as PyTorch's:
/// running = (1 - momentum) running + momentum batch, with the unbiased
/// variance var * n / (n - 1) of the n = N * S values per channel.
void updateRunning(Stats &running, const Stats &batch, Dims d) {
  const double count = double(d.n * d.s);
  for (size_t c = 0; c < running.mean.size(); ++c) {
    running.mean[c] =
        (1 - kMomentum) * running.mean[c] + kMomentum * batch.mean[c];
    running.var[c] = (1 - kMomentum) * running.var[c] +
                     kMomentum * batch.var[c] * count / (count - 1);
  }
}

/// y[n,o,i,j] = b[o] + sum x[n,c,i-1+u,j-1+v] w[o,c,u,v]: Conv2d(K 3, P 1).
Values conv3x3Same(const Values &x, Dims dx, int64_t h, int64_t w,
                   const Values &weight, const Values &bias, int64_t out) {
  Values y(size_t(dx.n * out * h * w));
  for (int64_t n = 0; n < dx.n; ++n)
    for (int64_t o = 0; o < out; ++o)
      for (int64_t i = 0; i < h; ++i)
        for (int64_t j = 0; j < w; ++j) {
          double s = bias[size_t(o)];
          for (int64_t c = 0; c < dx.c; ++c)
            for (int64_t u = 0; u < 3; ++u)
              for (int64_t v = 0; v < 3; ++v) {
                int64_t r = i - 1 + u, q = j - 1 + v;
                if (r >= 0 && r < h && q >= 0 && q < w)
                  s += x[size_t(((n * dx.c + c) * h + r) * w + q)] *
                       weight[size_t(((o * dx.c + c) * 3 + u) * 3 + v)];
              }
          y[size_t(((n * out + o) * h + i) * w + j)] = s;
        }
  return y;
}

enum class Pool { max, avg };

/// torch.nn.functional.max_pool2d / avg_pool2d(x, k) on [N, C, H, W] with
/// H and W multiples of k: windows k x k, stride k, no padding.
Values pool2d(const Values &x, int64_t n, int64_t c, int64_t h, int64_t w,
              int64_t k, Pool kind) {
  const int64_t oh = h / k, ow = w / k;
  Values y(size_t(n * c * oh * ow));
  for (int64_t b = 0; b < n * c; ++b)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        double m = -INFINITY, s = 0;
        for (int64_t u = 0; u < k; ++u)
          for (int64_t v = 0; v < k; ++v) {
            double e = x[size_t((b * h + i * k + u) * w + j * k + v)];
            m = std::max(m, e);
            s += e;
          }
        y[size_t((b * oh + i) * ow + j)] =
            kind == Pool::max ? m : s / double(k * k);
      }
  return y;
}

/// d loss / d p by central differences (loss reads p).
/// The largest, over channels, of max |got - want| / max |want| within the
/// channel, so that a wrong small channel is not hidden by a large one.
double channelwiseError(const Tensor &got, const Values &want, Dims d) {
  EXPECT_EQ(size_t(got.numel()), want.size());
  if (size_t(got.numel()) != want.size())
    return INFINITY;
  double worst = 0;
  for (int64_t ch = 0; ch < d.c; ++ch) {
    double err = 0, scale = 0;
    for (int64_t i = 0; i < d.n; ++i)
      for (int64_t k = 0; k < d.s; ++k) {
        size_t at = d(i, ch, k);
        err = std::max(err, std::abs(double(got.data()[at]) - want[at]));
        scale = std::max(scale, std::abs(want[at]));
      }
    worst = std::max(worst, err / std::max(scale, 1e-30));
  }
  return worst;
}

/// Elementwise max |got - want| / max |want| over a tensor.

Values uniform(size_t count, uint32_t seed, double lo, double hi) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  Values v(count);
  for (double &x : v)
    x = double(float(dist(gen))); // representable in f32: exact parameters
  return v;
}

/// Input for a BatchNorm: channel c is offset_c + scale_c * U(-1, 1).
/// Channel 0 has scale 1e-3 (variance ~3e-7, far below eps, so that
/// dropping or misplacing eps changes its output) and a small offset (so
/// that f32 rounding of the mean stays below its spread); the others have
/// scales in [0.5, 3] and means in [-2, 2].
Tensor bnInput(std::vector<int64_t> shape, uint32_t seed) {
  Tensor x = randomTensor(shape, seed);
  const int64_t channels = shape[1];
  const int64_t per = shape.size() == 4 ? shape[2] * shape[3] : 1;
  Values scale = uniform(size_t(channels), seed + 1000, 0.5, 3);
  Values offset = uniform(size_t(channels), seed + 2000, -2, 2);
  scale[0] = 1e-3;
  offset[0] = 0.05;
  for (int64_t i = 0; i < shape[0]; ++i)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t k = 0; k < per; ++k) {
        float &e = x.data()[(i * channels + c) * per + k];
        e = float(offset[size_t(c)] + scale[size_t(c)] * e);
      }
  return x;
}

/// A BatchNorm layer's four parameters, set to non-trivial values.
struct BnParams {
  Values weight, bias;
  Stats running;
};

BnParams setBnParams(kiln::rt::ParamStore &params, const std::string &prefix,
                     int64_t channels, uint32_t seed) {
  const size_t c = size_t(channels);
  BnParams p{uniform(c, seed, 0.5, 1.5),
             uniform(c, seed + 1, -0.5, 0.5),
             {uniform(c, seed + 2, -0.5, 0.5), uniform(c, seed + 3, 0.5, 2)}};
  // A running variance below eps: the eval output of channel 0 then
  // depends on eps by a factor of about 1.4.
  p.running.var[0] = 1e-5;
  assign(params.get(prefix + ".weight"), p.weight);
  assign(params.get(prefix + ".bias"), p.bias);
  assign(params.get(prefix + ".running_mean"), p.running.mean);
  assign(params.get(prefix + ".running_var"), p.running.var);
  return p;
}

void expectRunningStats(kiln::rt::ParamStore &params, const std::string &prefix,
                        const Stats &want, const std::string &when) {
  EXPECT_LT(relErr(params.get(prefix + ".running_mean"), want.mean), kStatsTol)
      << prefix << ".running_mean " << when;
  EXPECT_LT(relErr(params.get(prefix + ".running_var"), want.var), kStatsTol)
      << prefix << ".running_var " << when;
}

Tensor run(kiln::models::norm_pool::Model &model, const std::string &entry,
           const std::vector<const Tensor *> &in) {
  return std::move(model.session().run(entry, in)[0]);
}

// ---------------------------------------------------------------------------
// BatchNorm layers alone.

struct BnCase {
  const char *entry;      // entry points ENTRY_eval, ENTRY_batch, ENTRY_train
  const char *prefix;     // the layer's parameter names
  int64_t channels, h, w; // h = w = 0: BatchNorm1d
  int64_t batch;
  std::vector<int64_t> shape() const {
    if (h == 0)
      return {batch, channels};
    return {batch, channels, h, w};
  }
  Dims dims() const { return {batch, channels, h == 0 ? 1 : h * w}; }
};

// For gtest's messages: "bn2d17 [5, 17, 5, 7]" instead of the bytes.
void PrintTo(const BnCase &k, std::ostream *os) {
  *os << k.entry << " " << kiln::rt::shape_string(k.shape());
}

std::string caseName(const ::testing::TestParamInfo<BnCase> &info) {
  return std::string(info.param.entry) + "_batch" +
         std::to_string(info.param.batch);
}

// Each layer at batch 5 and at its smallest batch: 1, or for BatchNorm1d
// `smallest1d` (training needs two values per feature).
std::vector<BnCase> bnCases(int64_t smallest1d) {
  std::vector<BnCase> cases;
  for (BnCase layer : {BnCase{"bn1d3", "bn1a", 3, 0, 0, 0},
                       BnCase{"bn1d17", "bn1b", 17, 0, 0, 0},
                       BnCase{"bn2d3", "bn2a", 3, 5, 7, 0},
                       BnCase{"bn2d17", "bn2b", 17, 5, 7, 0}})
    for (int64_t batch : {layer.h == 0 ? smallest1d : int64_t(1), int64_t(5)}) {
      layer.batch = batch;
      cases.push_back(layer);
    }
  return cases;
}

class BatchNormEval : public ::testing::TestWithParam<BnCase> {};

TEST_P(BatchNormEval, UsesTheRunningStatistics) {
  const BnCase &k = GetParam();
  kiln::models::norm_pool::Model model(/*seed=*/3);
  BnParams p = setBnParams(model.params(), k.prefix, k.channels, 10);
  Tensor x = bnInput(k.shape(), 20);
  Tensor got = run(model, std::string(k.entry) + "_eval", {&x});
  ASSERT_EQ(got.shape(), k.shape());
  Values want = normalize(toDoubles(x), k.dims(), p.running, p.weight, p.bias);
  EXPECT_LT(channelwiseError(got, want, k.dims()), kForwardTol);
  // An infer entry point leaves the state alone.
  expectRunningStats(model.params(), k.prefix, p.running, "after eval");
}

INSTANTIATE_TEST_SUITE_P(Layers, BatchNormEval, ::testing::ValuesIn(bnCases(1)),
                         caseName);

class BatchNormTrain : public ::testing::TestWithParam<BnCase> {};

TEST_P(BatchNormTrain, BatchStatisticsWithoutUpdate) {
  const BnCase &k = GetParam();
  kiln::models::norm_pool::Model model(/*seed=*/4);
  BnParams p = setBnParams(model.params(), k.prefix, k.channels, 30);
  Tensor x = bnInput(k.shape(), 40);
  Tensor got = run(model, std::string(k.entry) + "_batch", {&x});
  ASSERT_EQ(got.shape(), k.shape());
  const Values xd = toDoubles(x);
  Values want =
      normalize(xd, k.dims(), batchStats(xd, k.dims()), p.weight, p.bias);
  EXPECT_LT(channelwiseError(got, want, k.dims()), kForwardTol);
  expectRunningStats(model.params(), k.prefix, p.running,
                     "after Mode::train_no_stats_update");
}

// Two Mode::train steps with SGD lr 1 on loss = sum(bn(x) * r), each on a
// new batch: the running statistics must chain from the first step's
// values, stored between the calls. The loss is linear in weight and bias
// (gradients sum(xhat * r) and sum(r) per channel), so the reference can
// follow the second step from its own double values.
TEST_P(BatchNormTrain, TwoStepsUpdateStatisticsWeightAndBias) {
  const BnCase &k = GetParam();
  const Dims d = k.dims();
  kiln::models::norm_pool::Model model(/*seed=*/5);
  BnParams p = setBnParams(model.params(), k.prefix, k.channels, 50);
  Stats running = p.running;
  for (uint32_t step = 0; step < 2; ++step) {
    Tensor x = bnInput(k.shape(), 60 + step),
           r = randomTensor(k.shape(), 70 + step);
    const Values xd = toDoubles(x), rd = toDoubles(r);
    const Stats batch = batchStats(xd, d);
    auto loss = [&] {
      return dot(normalize(xd, d, batch, p.weight, p.bias), rd);
    };

    Tensor got = run(model, std::string(k.entry) + "_train", {&x, &r});
    const Values y = normalize(xd, d, batch, p.weight, p.bias);
    double magnitude = 0; // sum |y r|: the scale of the rounding in the sum
    for (size_t i = 0; i < y.size(); ++i)
      magnitude += std::abs(y[i] * rd[i]);
    EXPECT_NEAR(got.data()[0], loss(), kForwardTol * magnitude)
        << "loss, step " << step;

    updateRunning(running, batch, d);
    expectRunningStats(model.params(), k.prefix, running,
                       "after step " + std::to_string(step));

    const std::string w = std::string(k.prefix) + ".weight",
                      b = std::string(k.prefix) + ".bias";
    Values gw = numericGradient(loss, p.weight);
    Values gb = numericGradient(loss, p.bias);
    EXPECT_LT(sgdStepError(p.weight, model.params().get(w), gw, maxAbs(gw)),
              kGradTol)
        << w << ", step " << step;
    EXPECT_LT(sgdStepError(p.bias, model.params().get(b), gb, maxAbs(gb)),
              kGradTol)
        << b << ", step " << step;
    for (size_t c = 0; c < gw.size(); ++c) {
      p.weight[c] -= gw[c];
      p.bias[c] -= gb[c];
    }
  }
}

// Training needs more than one value per channel (PyTorch raises
// otherwise): batch 1 only for BatchNorm2d, whose 5x7 images give 35.
INSTANTIATE_TEST_SUITE_P(Layers, BatchNormTrain,
                         ::testing::ValuesIn(bnCases(2)), caseName);

// ---------------------------------------------------------------------------
// Pooling.

class Pooling : public ::testing::TestWithParam<int64_t> {
protected:
  kiln::models::norm_pool::Model model{/*seed=*/6};
  void check(const char *entry, int64_t c, int64_t h, int64_t w, int64_t k,
             Pool kind, uint32_t seed) {
    const int64_t n = GetParam();
    Tensor x = randomTensor({n, c, h, w}, seed);
    Tensor got = run(model, entry, {&x});
    ASSERT_EQ(got.shape(), (std::vector<int64_t>{n, c, h / k, w / k})) << entry;
    Values want = pool2d(toDoubles(x), n, c, h, w, k, kind);
    if (kind == Pool::max)
      EXPECT_EQ(relErr(got, want), 0) << entry << ": max is exact";
    else
      EXPECT_LT(relErr(got, want), kForwardTol) << entry;
  }
};

TEST_P(Pooling, MaxKernel2) {
  check("max_pool_k2", 3, 6, 10, 2, Pool::max, 80);
}
TEST_P(Pooling, AvgKernel2) {
  check("avg_pool_k2", 3, 6, 10, 2, Pool::avg, 81);
}
TEST_P(Pooling, MaxKernel3) {
  check("max_pool_k3", 17, 6, 9, 3, Pool::max, 82);
}
TEST_P(Pooling, AvgKernel3) {
  check("avg_pool_k3", 17, 6, 9, 3, Pool::avg, 83);
}

INSTANTIATE_TEST_SUITE_P(Batches, Pooling, ::testing::Values(1, 5));

// ---------------------------------------------------------------------------
// Gradients through BatchNorm and pooling into the layer before them.

/// Parameters as double vectors, in the order of `names`.
std::vector<Values> readParams(kiln::rt::ParamStore &params,
                               const std::vector<std::string> &names) {
  std::vector<Values> p;
  for (const std::string &n : names)
    p.push_back(toDoubles(params.get(n)));
  return p;
}

/// After one SGD lr-1 step from `before`, each parameter must have moved by
/// minus the central-difference gradient of `loss` (which reads `before`).
/// A gradient that is zero in exact arithmetic (a bias that BatchNorm's
/// mean subtraction cancels) is measured against `zeroScale`'s gradient.
void expectSgdStep(kiln::rt::ParamStore &params,
                   const std::vector<std::string> &names,
                   std::vector<Values> &before,
                   const std::function<double()> &loss,
                   const std::vector<int> &zeroScale) {
  std::vector<Values> grads;
  for (Values &p : before)
    grads.push_back(numericGradient(loss, p));
  for (size_t i = 0; i < names.size(); ++i) {
    double scale = maxAbs(grads[i]);
    if (zeroScale[i] >= 0) {
      double other = maxAbs(grads[size_t(zeroScale[i])]);
      EXPECT_LT(scale, 1e-6 * other) << names[i] << ": BatchNorm cancels it";
      scale = other;
    } else {
      EXPECT_GT(scale, 1e-2) << names[i] << " has a gradient";
    }
    EXPECT_LT(sgdStepError(before[i], params.get(names[i]), grads[i], scale),
              kGradTol)
        << "gradient of " << names[i];
  }
}

// loss = sum(max_pool2d<3>(h) * rmax) + sum(avg_pool2d<3>(h) * ravg) with
// h = BatchNorm2d(Conv2d(3, 17, 3, p1)(x)) in Mode::train, on 6x9 images.
class ConvGradients : public ::testing::TestWithParam<int64_t> {};

TEST_P(ConvGradients, ThroughBatchNorm2dAndPooling) {
  const int64_t n = GetParam(), c = 17, h = 6, w = 9;
  kiln::models::norm_pool::Model model(/*seed=*/7);
  BnParams bn = setBnParams(model.params(), "net.1", c, 90);
  const std::vector<std::string> names = {"net.0.weight", "net.0.bias",
                                          "net.1.weight", "net.1.bias"};
  std::vector<Values> p = readParams(model.params(), names);
  Tensor x = randomTensor({n, 3, h, w}, 91);
  Tensor rmax = randomTensor({n, c, 2, 3}, 92),
         ravg = randomTensor({n, c, 2, 3}, 93);
  const Values xd = toDoubles(x), rmaxd = toDoubles(rmax),
               ravgd = toDoubles(ravg);
  const Dims dh{n, c, h * w};
  auto loss = [&] {
    Values conv = conv3x3Same(xd, {n, 3, h * w}, h, w, p[0], p[1], c);
    Values y = normalize(conv, dh, batchStats(conv, dh), p[2], p[3]);
    return dot(pool2d(y, n, c, h, w, 3, Pool::max), rmaxd) +
           dot(pool2d(y, n, c, h, w, 3, Pool::avg), ravgd);
  };

  Tensor got = run(model, "conv_bn_pool", {&x, &rmax, &ravg});
  const double want = loss();
  EXPECT_NEAR(got.data()[0], want, kForwardTol * std::max(1.0, std::abs(want)));

  Values conv = conv3x3Same(xd, {n, 3, h * w}, h, w, p[0], p[1], c);
  updateRunning(bn.running, batchStats(conv, dh), dh);
  expectRunningStats(model.params(), "net.1", bn.running, "after the step");

  expectSgdStep(model.params(), names, p, loss, {-1, 0, -1, -1});
}

// Batch 1 is legal here: 54 values per channel.
INSTANTIATE_TEST_SUITE_P(Batches, ConvGradients, ::testing::Values(1, 5));

// loss = sum(BatchNorm1d(Linear(4, 17)(z)) * r) in Mode::train.
class LinearGradients : public ::testing::TestWithParam<int64_t> {};

TEST_P(LinearGradients, ThroughBatchNorm1d) {
  const int64_t n = GetParam(), in = 4, c = 17;
  kiln::models::norm_pool::Model model(/*seed=*/8);
  BnParams bn = setBnParams(model.params(), "head.1", c, 100);
  const std::vector<std::string> names = {"head.0.weight", "head.0.bias",
                                          "head.1.weight", "head.1.bias"};
  std::vector<Values> p = readParams(model.params(), names);
  Tensor z = randomTensor({n, in}, 101), r = randomTensor({n, c}, 102);
  const Values zd = toDoubles(z), rd = toDoubles(r);
  const Dims dh{n, c, 1};
  auto hidden = [&] {
    Values y(size_t(n * c));
    for (int64_t i = 0; i < n; ++i)
      for (int64_t o = 0; o < c; ++o) {
        double s = p[1][size_t(o)];
        for (int64_t j = 0; j < in; ++j)
          s += zd[size_t(i * in + j)] * p[0][size_t(o * in + j)];
        y[size_t(i * c + o)] = s;
      }
    return y;
  };
  auto loss = [&] {
    Values a = hidden();
    return dot(normalize(a, dh, batchStats(a, dh), p[2], p[3]), rd);
  };

  Tensor got = run(model, "linear_bn", {&z, &r});
  const double want = loss();
  EXPECT_NEAR(got.data()[0], want, kForwardTol * std::max(1.0, std::abs(want)));

  updateRunning(bn.running, batchStats(hidden(), dh), dh);
  expectRunningStats(model.params(), "head.1", bn.running, "after the step");

  expectSgdStep(model.params(), names, p, loss, {-1, 0, -1, -1});
}

// Batch 1 would be one value per feature, which training rejects.
INSTANTIATE_TEST_SUITE_P(Batches, LinearGradients, ::testing::Values(2, 5));

// With a symbolic batch of one, BatchNorm1d in training mode would divide by
// n - 1 = 0 and store NaN running variances: the entry point refuses the
// call (kiln.minimums), naming the layer, and changes no parameter.
// BatchNorm2d over 5 x 7 images has 35 values per channel and accepts it.
TEST(BatchNormBatchOfOne, TrainingRefusesOneValuePerChannel) {
  kiln::models::norm_pool::Model model(7);
  Tensor x = kiln::test::randomTensor({1, 3}, 1),
         r = kiln::test::randomTensor({1, 3}, 2);
  const std::vector<double> before =
      kiln::test::toDoubles(model.params().get("bn1a.running_var"));
  for (const char *entry : {"bn1d3_train", "bn1d3_batch"}) {
    try {
      if (std::string(entry) == "bn1d3_train")
        run(model, entry, {&x, &r});
      else
        run(model, entry, {&x});
      ADD_FAILURE() << entry << " accepted a batch of 1";
    } catch (const kiln::rt::Error &e) {
      EXPECT_NE(std::string(e.what()).find("batch is 1 (input '"),
                std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find(
                    "but it must be at least 2: BatchNorm1d<3> 'bn1a' in "
                    "training mode (tests/e2e/models/norm_pool.cpp:"),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_EQ(kiln::test::toDoubles(model.params().get("bn1a.running_var")),
            before);
  Tensor x2d = kiln::test::randomTensor({1, 3, 5, 7}, 3);
  EXPECT_NO_THROW(run(model, "bn2d3_batch", {&x2d}));
}

} // namespace
