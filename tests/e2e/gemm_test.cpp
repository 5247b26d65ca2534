// The generated GEMM kernel (models/gemm.cpp, every dimension symbolic) on
// odd sizes, under every --schedule the build offers, against a naive
// double-precision product. Autoscheduled builds fall back to the hand
// schedule below their size estimates (docs/architecture.md).
#include "gemm_adams2019.h"
#include "gemm_heuristic.h"
#include "gemm_mullapudi2016.h"
#include "reference.h"

#include <gtest/gtest.h>

#include <tuple>

namespace {

using Size = std::tuple<int64_t, int64_t, int64_t>; // M, K, N

template <typename Model> void checkGemm(const Size &size) {
  auto [m, k, n] = size;
  Model model;
  kiln::rt::Tensor a = kiln::test::randomTensor({m, k}, 11);
  kiln::rt::Tensor b = kiln::test::randomTensor({k, n}, 12);
  kiln::rt::Tensor c = model.matmul(a, b);
  ASSERT_EQ(c.shape(), (std::vector<int64_t>{m, n}));
  auto want = kiln::test::matmul(kiln::test::toMatrix(a),
                                 kiln::test::toMatrix(b), false);
  EXPECT_LT(kiln::test::relativeError(c, want), 1e-5)
      << m << "x" << k << "x" << n;
}

class Gemm : public ::testing::TestWithParam<Size> {};

TEST_P(Gemm, Heuristic) {
  checkGemm<kiln::models::gemm_heuristic::Model>(GetParam());
}
TEST_P(Gemm, Adams2019) {
  checkGemm<kiln::models::gemm_adams2019::Model>(GetParam());
}
TEST_P(Gemm, Mullapudi2016) {
  checkGemm<kiln::models::gemm_mullapudi2016::Model>(GetParam());
}

INSTANTIATE_TEST_SUITE_P(OddSizes, Gemm,
                         ::testing::Values(Size{1, 1, 1}, Size{7, 13, 5},
                                           Size{129, 257, 65},
                                           Size{128, 784, 512},
                                           // Every size at least the
                                           // autoschedulers' estimate (128),
                                           // so their own kernels run, not
                                           // the hand-scheduled fallback.
                                           Size{129, 257, 131},
                                           Size{200, 130, 150}));

} // namespace
