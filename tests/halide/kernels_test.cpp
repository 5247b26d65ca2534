// Runs the AOT-compiled kernels of test_kernels.cpp (one schedule per test
// program) against naive double-precision references.
//
// Tolerance: max |kernel - reference| <= 1e-5 * max |reference| (+1e-30).
// Inputs are uniform in [-1, 1]; a float32 dot product of length K has a
// rounding error well below K * 2^-24 * sum|a_k b_k| (about 1e-6 of the
// largest output at K = 784, measured 1.3e-6 at 1024^3), so 1e-5 leaves
// room for the reassociation the autoschedulers do (rfactor, split k) while
// any indexing or tail bug, which is O(1) relative, still fails.
//
// The heuristic schedules must handle every size. Autoscheduled kernels
// (KILN_TEST_SCHEDULE != "heuristic") tile for the estimates (128 per
// symbolic dim) and reject smaller buffers with a Halide bounds error; such
// a size is reported as skipped, with the error, not as a failure. A kernel
// that runs must still be right.
#include "kiln_halide_test_kernels.h"

#include <HalideBuffer.h>
#include <HalideRuntime.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Halide::Runtime::Buffer;

constexpr double kTolerance = 1e-5;
constexpr bool kAutoscheduled =
    std::string_view(KILN_TEST_SCHEDULE) != "heuristic";

// Halide's default error handler aborts; keep the message instead.
std::string g_last_error;
void record_error(void *, const char *msg) { g_last_error = msg; }

// Runs a kernel call; false (and the test skipped) when an autoscheduled
// kernel refuses a size it was not tiled for.
#define KILN_RUN_KERNEL(call)                                                  \
  do {                                                                         \
    g_last_error.clear();                                                      \
    const int status = (call);                                                 \
    if (status != 0 && kAutoscheduled) {                                       \
      GTEST_SKIP() << KILN_TEST_SCHEDULE                                       \
                   << " kernel rejects this size: " << g_last_error;           \
    }                                                                          \
    ASSERT_EQ(status, 0) << g_last_error;                                      \
  } while (0)

class ErrorHandlerEnvironment : public testing::Environment {
  void SetUp() override { halide_set_error_handler(record_error); }
};
const auto *const kEnvironment =
    testing::AddGlobalTestEnvironment(new ErrorHandlerEnvironment);

// Dense row-major tensor [rows, cols] as the Halide buffer (cols, rows).
Buffer<float> random_matrix(int rows, int cols, uint32_t seed) {
  Buffer<float> b(cols, rows);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  b.for_each_value([&](float &v) { v = dist(rng); });
  return b;
}

Buffer<float> random_vector(int n, uint32_t seed) {
  Buffer<float> b(n);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  b.for_each_value([&](float &v) { v = dist(rng); });
  return b;
}

// Error of `got` against `want` (same shape), relative to max |want|.
template <typename Want>
double relative_error(const Buffer<float> &got, const Want &want) {
  double max_err = 0, max_ref = 1e-30;
  got.for_each_element([&](const int *pos) {
    const double ref = want(pos);
    max_err = std::max(max_err, std::abs(ref - got(pos)));
    max_ref = std::max(max_ref, std::abs(ref));
  });
  return max_err / max_ref;
}

struct GemmShape {
  int m, n, k;
};

std::string shape_name(const testing::TestParamInfo<GemmShape> &info) {
  return std::to_string(info.param.m) + "x" + std::to_string(info.param.n) +
         "x" + std::to_string(info.param.k);
}

using GemmKernel = int (*)(halide_buffer_t *, halide_buffer_t *,
                           halide_buffer_t *);

// C = op(A) op(B) of `shape` against a double reference, op(A)[i, p] and
// op(B)[p, j] read from buffers stored per the layout.
void expect_gemm(GemmShape shape, bool ta, bool tb, GemmKernel kernel) {
  const auto [m, n, k] = shape;
  Buffer<float> a = ta ? random_matrix(k, m, 1) : random_matrix(m, k, 1);
  Buffer<float> b = tb ? random_matrix(n, k, 2) : random_matrix(k, n, 2);
  Buffer<float> c(n, m);
  KILN_RUN_KERNEL(kernel(a, b, c));
  auto ref = [&](const int *pos) {
    const int j = pos[0], i = pos[1];
    double s = 0;
    for (int p = 0; p < k; ++p) {
      s += double(ta ? a(i, p) : a(p, i)) * double(tb ? b(p, j) : b(j, p));
    }
    return s;
  };
  EXPECT_LT(relative_error(c, ref), kTolerance) << m << "x" << n << "x" << k;
}

class GemmTest : public testing::TestWithParam<GemmShape> {
protected:
  void check(bool ta, bool tb, GemmKernel kernel) {
    expect_gemm(GetParam(), ta, tb, kernel);
  }
};

TEST_P(GemmTest, NN) { check(false, false, kiln_test_gemm_nn); }
TEST_P(GemmTest, TN) { check(true, false, kiln_test_gemm_tn); }
TEST_P(GemmTest, NT) { check(false, true, kiln_test_gemm_nt); }
TEST_P(GemmTest, TT) { check(true, true, kiln_test_gemm_tt); }

// relu(x w^T + bias) in double, for y = kernel(x, w, bias).
auto linear_relu_ref(const Buffer<float> &x, const Buffer<float> &w,
                     const Buffer<float> &bias, int k) {
  return [&x, &w, &bias, k](const int *pos) {
    const int j = pos[0], i = pos[1];
    double s = bias(j);
    for (int p = 0; p < k; ++p) {
      s += double(x(p, i)) * double(w(p, j));
    }
    return std::max(s, 0.0);
  };
}

TEST_P(GemmTest, LinearRelu) {
  const auto [m, n, k] = GetParam();
  Buffer<float> x = random_matrix(m, k, 3), w = random_matrix(n, k, 4);
  Buffer<float> bias = random_vector(n, 5), y(n, m);
  KILN_RUN_KERNEL(kiln_test_linear_relu(x, w, bias, y));
  EXPECT_LT(relative_error(y, linear_relu_ref(x, w, bias, k)), kTolerance);
}

// Sizes from the brief: trivial, odd and smaller than any block, odd and
// just past block multiples, and the first VAE encoder layer (batch 128,
// 784 -> 512) plus its mirror.
INSTANTIATE_TEST_SUITE_P(Shapes, GemmTest,
                         testing::Values(GemmShape{1, 1, 1},
                                         GemmShape{7, 13, 5},
                                         GemmShape{129, 257, 65},
                                         GemmShape{128, 512, 784},
                                         GemmShape{128, 784, 512}),
                         shape_name);

// Weight gradients with static M x N and a long symbolic K (the K-blocked
// schedule): K below, at and past a chunk (128), and long with a tail.
class WeightGradTest : public testing::TestWithParam<int> {
protected:
  void check(int m, int n, bool tb, GemmKernel kernel) {
    expect_gemm({m, n, GetParam()}, true, tb, kernel);
  }
};

TEST_P(WeightGradTest, OddRows) {
  check(13, 70, false, kiln_test_weight_grad_odd);
}
TEST_P(WeightGradTest, OddRowsTransposedB) {
  check(13, 70, true, kiln_test_weight_grad_odd_t);
}
TEST_P(WeightGradTest, WholeBlocks) {
  check(48, 128, false, kiln_test_weight_grad_wide);
}
TEST_P(WeightGradTest, WholeFourRowBlocks) {
  check(32, 64, false, kiln_test_weight_grad_four_row_blocks);
}

INSTANTIATE_TEST_SUITE_P(K, WeightGradTest,
                         testing::Values(1, 7, 128, 129, 1000, 2051),
                         [](const testing::TestParamInfo<int> &info) {
                           return "k" + std::to_string(info.param);
                         });

// Static K = 65 and N = 257; the batch symbolic (every size must work) or
// static (1 and 3: the GEMV schedule).
void check_linear_static(int m,
                         int (*kernel)(halide_buffer_t *, halide_buffer_t *,
                                       halide_buffer_t *, halide_buffer_t *)) {
  const int n = 257, k = 65;
  Buffer<float> x = random_matrix(m, k, 10), w = random_matrix(n, k, 11);
  Buffer<float> bias = random_vector(n, 12), y(n, m);
  KILN_RUN_KERNEL(kernel(x, w, bias, y));
  EXPECT_LT(relative_error(y, linear_relu_ref(x, w, bias, k)), kTolerance);
}

class BatchTest : public testing::TestWithParam<int> {};

TEST_P(BatchTest, LinearReluStatic) {
  check_linear_static(GetParam(), kiln_test_linear_relu_static);
}

INSTANTIATE_TEST_SUITE_P(Batches, BatchTest,
                         testing::Values(1, 2, 5, 6, 7, 12, 128, 129),
                         [](const testing::TestParamInfo<int> &info) {
                           return "batch" + std::to_string(info.param);
                         });

TEST(StaticBatch, LinearReluBatch1) {
  check_linear_static(1, kiln_test_linear_relu_b1);
}
TEST(StaticBatch, LinearReluBatch3) {
  check_linear_static(3, kiln_test_linear_relu_b3);
}

// Vectorizable math against libm in double, per element: softplus must stay
// accurate where it is tiny (x << 0), tanh near 0 and at the clamp.
// Subnormal results (sigmoid, softplus below x = -87) flush to zero, as
// Halide's exp does; errors smaller than FLT_MIN count as none.
TEST(Math, TanhSigmoidSoftplus) {
  const int n = 40001;
  Buffer<float> x(n), y(n, 3);
  for (int i = 0; i < n; ++i) {
    x(i) = -100.0f + 200.0f * i / (n - 1); // [-100, 100], step 0.005
  }
  KILN_RUN_KERNEL(kiln_test_math(x, y));
  double worst[3] = {0, 0, 0};
  for (int i = 0; i < n; ++i) {
    const double v = x(i);
    const double want[3] = {std::tanh(v), 1.0 / (1.0 + std::exp(-v)),
                            std::max(v, 0.0) +
                                std::log1p(std::exp(-std::abs(v)))};
    for (int f = 0; f < 3; ++f) {
      const double diff = std::abs(y(i, f) - want[f]);
      const double err =
          diff < FLT_MIN ? 0.0 : diff / std::max(std::abs(want[f]), 1e-300);
      worst[f] = std::max(worst[f], err);
    }
  }
  EXPECT_LT(worst[0], 1e-6) << "tanh";
  EXPECT_LT(worst[1], 1e-6) << "sigmoid";
  EXPECT_LT(worst[2], 2e-6) << "softplus";
}

class RowsColsTest : public testing::TestWithParam<std::pair<int, int>> {};

TEST_P(RowsColsTest, Pointwise) {
  const auto [rows, cols] = GetParam();
  Buffer<float> x = random_matrix(rows, cols, 6), s = random_vector(cols, 7);
  Buffer<float> y(cols, rows);
  KILN_RUN_KERNEL(kiln_test_pointwise(x, s, y));
  auto ref = [&](const int *pos) {
    return std::tanh(double(x(pos[0], pos[1]))) * s(pos[0]) + 0.5;
  };
  EXPECT_LT(relative_error(y, ref), kTolerance);
}

TEST_P(RowsColsTest, RowSumSquares) {
  const auto [rows, cols] = GetParam();
  Buffer<float> x = random_matrix(rows, cols, 8), y(rows);
  KILN_RUN_KERNEL(kiln_test_row_sum_squares(x, y));
  auto ref = [&](const int *pos) {
    double s = 0;
    for (int j = 0; j < cols; ++j) {
      s += double(x(j, pos[0])) * x(j, pos[0]);
    }
    return s;
  };
  EXPECT_LT(relative_error(y, ref), kTolerance);
}

TEST_P(RowsColsTest, ColumnMean) {
  const auto [rows, cols] = GetParam();
  Buffer<float> x = random_matrix(rows, cols, 9), y(cols);
  KILN_RUN_KERNEL(kiln_test_column_mean(x, y));
  auto ref = [&](const int *pos) {
    double s = 0;
    for (int i = 0; i < rows; ++i) {
      s += x(pos[0], i);
    }
    return 2.0 * s / rows + 1.0;
  };
  EXPECT_LT(relative_error(y, ref), kTolerance);
}

// Per-channel mean and max of [N, C, H, W] against loops in double, on the
// GAN's shapes and odd ones (rows of 3, 7, 14 and 33 floats).
class ChannelStatsTest : public testing::TestWithParam<std::array<int, 4>> {
}; // N, C, H, W

TEST_P(ChannelStatsTest, MeanAndMax) {
  const auto [n, c, h, w] = GetParam();
  Buffer<float> x(w, h, c, n), y(c, 2);
  std::mt19937 rng(12);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  x.for_each_value([&](float &v) { v = dist(rng); });
  KILN_RUN_KERNEL(kiln_test_channel_stats(x, y));
  auto ref = [&](const int *pos) {
    double sum = 0, max = -1e300;
    for (int b = 0; b < n; ++b)
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j) {
          sum += x(j, i, pos[0], b);
          max = std::max(max, double(x(j, i, pos[0], b)));
        }
    return pos[1] == 0 ? sum / (double(n) * h * w) : max;
  };
  EXPECT_LT(relative_error(y, ref), kTolerance);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ChannelStatsTest,
    testing::Values(std::array<int, 4>{64, 64, 14, 14},
                    std::array<int, 4>{64, 128, 7, 7},
                    std::array<int, 4>{1, 3, 5, 3},
                    std::array<int, 4>{5, 17, 2, 33},
                    std::array<int, 4>{3, 1, 1, 1}),
    [](const testing::TestParamInfo<std::array<int, 4>> &info) {
      const auto &p = info.param;
      return std::to_string(p[0]) + "x" + std::to_string(p[1]) + "x" +
             std::to_string(p[2]) + "x" + std::to_string(p[3]);
    });

INSTANTIATE_TEST_SUITE_P(
    Shapes, RowsColsTest,
    // Rows of 2, 3, 7, 13 and 14 take the pointwise schedule's masked
    // narrow-vector paths (widths 4, 8, 16; 2 is scalar).
    testing::Values(std::pair{1, 1}, std::pair{5, 2}, std::pair{9, 3},
                    std::pair{64, 7}, std::pair{7, 13}, std::pair{33, 14},
                    std::pair{129, 257}, std::pair{128, 784},
                    std::pair{3, 100000}),
    [](const testing::TestParamInfo<std::pair<int, int>> &info) {
      return std::to_string(info.param.first) + "x" +
             std::to_string(info.param.second);
    });

} // namespace
