// Every pointwise op of the DSL (tests/e2e/models/pointwise_ops.def),
// compiled end to end, against the table's double-precision reference.
#include "pointwise.h"
#include "reference.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>

namespace {

constexpr int64_t kBatch = 5, kWidth = 37;

/// Values in [lo, hi], negated at random when `mixed` (the table's ranges).
kiln::rt::Tensor sample(std::vector<int64_t> shape, double lo, double hi,
                        bool mixed, uint32_t seed) {
  kiln::rt::Tensor t(std::move(shape));
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::bernoulli_distribution negate(0.5);
  for (float &v : t.values())
    v = float(mixed && negate(gen) ? -u(gen) : u(gen));
  return t;
}

/// |got - want| within `tol` of max(1, |want|) for every element, where
/// want = reference(inputs at the element's broadcast index).
void expectClose(const std::string &op, const kiln::rt::Tensor &got,
                 const std::function<double(int64_t, int64_t)> &want,
                 double tol = 2e-6) {
  ASSERT_EQ(got.shape(), (std::vector<int64_t>{kBatch, kWidth})) << op;
  double worst = 0;
  for (int64_t i = 0; i < kBatch; ++i)
    for (int64_t j = 0; j < kWidth; ++j) {
      double w = want(i, j), g = got.data()[i * kWidth + j];
      ASSERT_TRUE(std::isfinite(g)) << op << " at " << i << "," << j;
      worst = std::max(worst, std::fabs(g - w) / std::max(1.0, std::fabs(w)));
    }
  EXPECT_LT(worst, tol) << op;
}

struct Row {
  const char *op;
  int arity;
  std::function<double(double, double)> reference;
  double lo, hi;
  bool mixed;
};

void PrintTo(const Row &r, std::ostream *os) { *os << r.op; }

std::vector<Row> rows() {
  return {
#define KILN_UNARY(name, ref, lo, hi, mixed)                                   \
  {#name, 1, [](double x, double) { return ref; }, lo, hi, mixed},
#define KILN_BINARY(name, ref, lo, hi, mixed)                                  \
  {#name, 2, [](double a, double b) { return ref; }, lo, hi, mixed},
#include "models/pointwise_ops.def"
  };
}

class PointwiseKernel : public ::testing::TestWithParam<Row> {};

TEST_P(PointwiseKernel, MatchesDoubleReference) {
  const Row &row = GetParam();
  kiln::models::pointwise::Model model;
  kiln::rt::Tensor a = sample({kBatch, kWidth}, row.lo, row.hi, row.mixed, 1);
  if (row.arity == 1) {
    std::array<const kiln::rt::Tensor *, 1> in{&a};
    auto out = model.session().run(row.op, in);
    expectClose(row.op, out[0], [&](int64_t i, int64_t j) {
      return row.reference(a.data()[i * kWidth + j], 0);
    });
    return;
  }
  kiln::rt::Tensor b = sample({kWidth}, row.lo, row.hi, row.mixed, 2);
  // Ties in every third column of the first row: comparisons and max/min
  // meet equal operands too.
  for (int64_t j = 0; j < kWidth; j += 3)
    b.data()[j] = a.data()[j];
  std::array<const kiln::rt::Tensor *, 2> in{&a, &b};
  auto out = model.session().run(row.op, in);
  expectClose(row.op, out[0], [&](int64_t i, int64_t j) {
    return row.reference(a.data()[i * kWidth + j], b.data()[j]);
  });
}

INSTANTIATE_TEST_SUITE_P(Table, PointwiseKernel, ::testing::ValuesIn(rows()),
                         [](const auto &info) { return info.param.op; });

// GELU is computed as x / (1 + exp(-2u)). Far below zero -2u passes what
// Halide 14's exp handles (it converts the exponent to int32: exp(2e9) is
// 0, not inf), so the exponent is clamped: the result must be 0 there,
// not x; and x^3 overflowing float must not give a NaN.
TEST(PointwiseKernel, GeluAtExtremeInputs) {
  const double values[] = {-1e13, -1e5, -3000, -2900, -1000, -100, -10.2,
                           -9.5,  -5,   -1,    -0.01, 0,     0.01, 1,
                           5,     10,   100,   3000,  1e5,   1e13};
  kiln::rt::Tensor a({kBatch, kWidth});
  for (int64_t i = 0; i < kBatch * kWidth; ++i)
    a.data()[i] = float(values[i % std::size(values)]);
  const auto all = rows();
  const auto gelu = std::find_if(all.begin(), all.end(), [](const Row &r) {
    return std::string(r.op) == "gelu";
  });
  ASSERT_NE(gelu, all.end());
  kiln::models::pointwise::Model model;
  std::array<const kiln::rt::Tensor *, 1> in{&a};
  auto out = model.session().run("gelu", in);
  expectClose("gelu", out[0], [&](int64_t i, int64_t j) {
    return gelu->reference(a.data()[i * kWidth + j], 0);
  });
}

// d/dx of PyTorch's tanh GELU, in double: 0 far below zero and 1 far
// above (1 - tanh^2 underflows to exactly 0 there).
double geluDerivative(double x) {
  const double k = std::sqrt(2 / M_PI), a = 0.044715;
  const double t = std::tanh(k * (x + a * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * a * x * x);
}

// The gradient's float kernel where its clamp of x to [-20, 20] matters:
// past it the derivative is exactly 0 or 1. Unclamped, the exponent -2u
// passes what Halide 14's exp handles below x ~ -2750 (it gives 0, not inf:
// a gradient of 1 instead of 0), and the formula's x^3 terms overflow float
// past ~1.2e13 (+-1e30 here). Batch 1, so the offset's gradient is GELU's
// at each input.
TEST(PointwiseKernel, GeluGradientAtExtremeInputs) {
  const double values[] = {
      -1e30, -1e13, -1e5, -3000, -100, -20.5, -19.5, -10.2, -5,  -1,   -0.01, 0,
      0.01,  1,     5,    10.2,  19.5, 20.5,  100,   3000,  1e5, 1e13, 1e30};
  kiln::rt::Tensor x({1, kWidth});
  for (int64_t j = 0; j < kWidth; ++j)
    x.data()[j] = float(values[j % std::size(values)]);
  kiln::models::pointwise::Model model;
  std::array<const kiln::rt::Tensor *, 1> in{&x};
  model.session().run("gelu_grad", in);
  const kiln::rt::Tensor &offset = model.session().params().get("offset");
  double worst = 0;
  for (int64_t j = 0; j < kWidth; ++j) {
    const double got = -offset.data()[j];
    ASSERT_TRUE(std::isfinite(got)) << "at x = " << x.data()[j];
    worst = std::max(worst, std::fabs(got - geluDerivative(x.data()[j])));
  }
  EXPECT_LT(worst, 1e-5);
}

TEST(PointwiseKernel, WhereSelectsByAComparisonInTheKernel) {
  kiln::models::pointwise::Model model;
  kiln::rt::Tensor a = sample({kBatch, kWidth}, 0.5, 1.5, true, 3);
  kiln::rt::Tensor b = sample({kWidth}, 0.5, 1.5, true, 4);
  kiln::rt::Tensor got = model.where_greater(a, b);
  int picked_a = 0;
  expectClose("where_greater", got, [&](int64_t i, int64_t j) {
    double x = a.data()[i * kWidth + j], y = b.data()[j];
    picked_a += x > y;
    return x > y ? x : y;
  });
  EXPECT_GT(picked_a, 0);
  EXPECT_LT(picked_a, kBatch * kWidth);
}

TEST(PointwiseKernel, WhereBroadcastsTheConditionAndAScalar) {
  kiln::models::pointwise::Model model;
  kiln::rt::Tensor c({kBatch, 1}, {1, 0, -2, 0, 0.5});
  kiln::rt::Tensor a = sample({kBatch, kWidth}, 0.5, 1.5, true, 5);
  kiln::rt::Tensor got = model.where_scalar(c, a);
  expectClose("where_scalar", got, [&](int64_t i, int64_t j) {
    return c.data()[i] != 0 ? a.data()[i * kWidth + j] : 0.25;
  });
}

} // namespace
