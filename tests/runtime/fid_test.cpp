// FID's linear algebra (runtime/fid.h): feature statistics, the Jacobi
// eigendecomposition, PSD square roots, and the Fréchet distance against
// closed forms and values worked out by hand.
#include "test_files.h"

#include "kiln/runtime/fid.h"
#include "kiln/runtime/random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

using kiln::rt::FeatureStats;
using kiln::rt::Tensor;

namespace {

FeatureStats stats(std::vector<double> mean, std::vector<double> cov) {
  FeatureStats s;
  s.dim = static_cast<int64_t>(mean.size());
  s.count = 100;
  s.mean = std::move(mean);
  s.covariance = std::move(cov);
  return s;
}

// n x d normal features, then x -> x A^T + b (so the covariance is A A^T).
Tensor features(int64_t n, int64_t d, uint64_t seed, double scale = 1.0,
                double shift = 0.0) {
  Tensor t({n, d});
  kiln::rt::fill_normal(t.values(), seed, 7, shift, scale);
  return t;
}

std::vector<double> matmul(const std::vector<double> &a,
                           const std::vector<double> &b, int64_t n) {
  std::vector<double> c(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < n; ++j)
        c[static_cast<size_t>(i * n + j)] += a[static_cast<size_t>(i * n + k)] *
                                             b[static_cast<size_t>(k * n + j)];
  return c;
}

// A random symmetric PSD n x n matrix G G^T / n.
std::vector<double> random_psd(int64_t n, uint64_t seed) {
  Tensor g({n, n});
  kiln::rt::fill_normal(g.values(), seed, 3, 0.0, 1.0);
  std::vector<double> a(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t k = 0; k < n; ++k)
        a[static_cast<size_t>(i * n + j)] +=
            double(g.data()[i * n + k]) * g.data()[j * n + k] / double(n);
  return a;
}

double max_abs_diff(const std::vector<double> &a,
                    const std::vector<double> &b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i)
    m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

TEST(FeatureStats, MeanAndUnbiasedCovariance) {
  // Rows (1, 2), (3, 6), (5, 4): mean (3, 4); deviations (-2, -2), (0, 2),
  // (2, 0); sums of products 8, 4, 8, divided by n - 1 = 2.
  const FeatureStats s =
      kiln::rt::feature_stats(Tensor({3, 2}, {1, 2, 3, 6, 5, 4}));
  EXPECT_EQ(s.count, 3);
  EXPECT_EQ(s.dim, 2);
  EXPECT_EQ(s.mean, (std::vector<double>{3, 4}));
  EXPECT_EQ(s.covariance, (std::vector<double>{4, 2, 2, 4}));
}

TEST(FeatureStats, RejectsTooFewRowsAndNonFinite) {
  EXPECT_NE(kiln::test::error_of([] {
              kiln::rt::feature_stats(Tensor({1, 3}));
            }),
            "");
  EXPECT_NE(kiln::test::error_of([] {
              kiln::rt::feature_stats(Tensor({2, 1}, {1.0f, NAN}));
            }),
            "");
}

TEST(FeatureStats, ShiftChangesTheMeanOnly) {
  // Multiples of 1/64 below 2^8 in size: x + 1000 is exact in float.
  Tensor x = features(500, 6, 1);
  for (float &v : x.values())
    v = std::round(v * 64) / 64;
  Tensor shifted = x;
  for (float &v : shifted.values())
    v += 1000.0f;
  const FeatureStats a = kiln::rt::feature_stats(x);
  const FeatureStats b = kiln::rt::feature_stats(shifted);
  for (size_t k = 0; k < a.mean.size(); ++k)
    EXPECT_NEAR(b.mean[k] - a.mean[k], 1000.0, 1e-9);
  // Double rounding of the mean is the only difference.
  EXPECT_LT(max_abs_diff(a.covariance, b.covariance), 1e-12);
}

TEST(FeatureStats, RowOrderDoesNotMatter) {
  const Tensor x = features(300, 5, 2);
  Tensor reversed({300, 5});
  for (int64_t i = 0; i < 300; ++i)
    std::copy_n(x.data() + (299 - i) * 5, 5, reversed.data() + i * 5);
  const FeatureStats a = kiln::rt::feature_stats(x);
  const FeatureStats b = kiln::rt::feature_stats(reversed);
  EXPECT_LT(max_abs_diff(a.mean, b.mean), 1e-12);
  EXPECT_LT(max_abs_diff(a.covariance, b.covariance), 1e-12);
  EXPECT_NEAR(kiln::rt::frechet_distance(a, b).distance, 0.0, 1e-10);
}

TEST(SymmetricEigen, ReconstructsTheMatrix) {
  for (int64_t n : {1, 2, 5, 40}) {
    const std::vector<double> a = random_psd(n, static_cast<uint64_t>(n));
    const kiln::rt::SymmetricEigen e = kiln::rt::symmetric_eigen(a, n);
    std::vector<double> r(static_cast<size_t>(n * n), 0.0);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t k = 0; k < n; ++k)
          r[static_cast<size_t>(i * n + j)] +=
              e.vectors[static_cast<size_t>(i * n + k)] *
              e.values[static_cast<size_t>(k)] *
              e.vectors[static_cast<size_t>(j * n + k)];
    EXPECT_LT(max_abs_diff(a, r), 1e-12) << "n = " << n;
  }
  // 2 x 2 by hand: [[2, 1], [1, 2]] has eigenvalues 1 and 3.
  kiln::rt::SymmetricEigen e = kiln::rt::symmetric_eigen({{2, 1, 1, 2}}, 2);
  std::sort(e.values.begin(), e.values.end());
  EXPECT_NEAR(e.values[0], 1.0, 1e-15);
  EXPECT_NEAR(e.values[1], 3.0, 1e-15);
}

TEST(SqrtPsd, SquaresBackAndClampsNegatives) {
  const int64_t n = 30;
  const std::vector<double> a = random_psd(n, 9);
  int64_t clamped = 0;
  const std::vector<double> r = kiln::rt::sqrt_psd(a, n, &clamped);
  EXPECT_LT(max_abs_diff(matmul(r, r, n), a), 1e-12);
  EXPECT_EQ(clamped, 0);
  // diag(4, -1e-18): the negative eigenvalue (rounding noise) becomes 0.
  clamped = 0;
  const std::vector<double> d =
      kiln::rt::sqrt_psd({{4, 0, 0, -1e-18}}, 2, &clamped);
  EXPECT_EQ(d, (std::vector<double>{2, 0, 0, 0}));
  EXPECT_EQ(clamped, 1);
}

TEST(Frechet, DiagonalCovariancesHaveAClosedForm) {
  // Diagonal: |mu_a - mu_b|^2 + sum_k (sqrt(a_k) - sqrt(b_k))^2.
  const std::vector<double> va = {1, 4, 9, 0.25}, vb = {4, 1, 9, 1};
  std::vector<double> ca(16, 0.0), cb(16, 0.0);
  double expected = 1 + 4 + 0 + 0.25; // means (0,0,0,0) vs (1,2,0,-0.5)
  for (size_t k = 0; k < 4; ++k) {
    ca[k * 5] = va[k];
    cb[k * 5] = vb[k];
    expected += std::pow(std::sqrt(va[k]) - std::sqrt(vb[k]), 2);
  }
  const kiln::rt::FrechetDistance f = kiln::rt::frechet_distance(
      stats({0, 0, 0, 0}, ca), stats({1, 2, 0, -0.5}, cb));
  EXPECT_NEAR(f.distance, expected, 1e-12);
  EXPECT_NEAR(f.mean_term, 5.25, 1e-15);
  EXPECT_NEAR(f.trace_a, 14.25, 1e-15);
  EXPECT_NEAR(f.trace_b, 15, 1e-15);
}

TEST(Frechet, NonDiagonalTwoByTwoByHand) {
  // S_a = I, S_b = [[2, 1], [1, 2]] (eigenvalues 3, 1):
  // tr S_a + tr S_b - 2 tr S_b^1/2 = 2 + 4 - 2 (sqrt 3 + 1) = 4 - 2 sqrt 3.
  kiln::rt::FrechetDistance f = kiln::rt::frechet_distance(
      stats({0, 0}, {1, 0, 0, 1}), stats({0, 0}, {2, 1, 1, 2}));
  EXPECT_NEAR(f.distance, 4 - 2 * std::sqrt(3.0), 1e-14);
  // S_a = [[2, 1], [1, 2]], S_b = [[2, -1], [-1, 2]]: the same eigenvectors
  // (1, 1) and (1, -1) with eigenvalues (3, 1) and (1, 3), so
  // (S_a^1/2 S_b S_a^1/2)^1/2 has eigenvalues sqrt 3, sqrt 3:
  // 4 + 4 - 2 (2 sqrt 3) = 8 - 4 sqrt 3; plus |(1, 2) - (0, 0)|^2 = 5.
  f = kiln::rt::frechet_distance(stats({1, 2}, {2, 1, 1, 2}),
                                 stats({0, 0}, {2, -1, -1, 2}));
  EXPECT_NEAR(f.distance, 5 + 8 - 4 * std::sqrt(3.0), 1e-13);
  EXPECT_NEAR(f.trace_sqrt, 2 * std::sqrt(3.0), 1e-14);
  // Symmetric in its arguments.
  EXPECT_NEAR(kiln::rt::frechet_distance(stats({0, 0}, {2, -1, -1, 2}),
                                         stats({1, 2}, {2, 1, 1, 2}))
                  .distance,
              f.distance, 1e-13);
}

TEST(Frechet, IdenticalSetsAreAtZero) {
  const FeatureStats s = kiln::rt::feature_stats(features(400, 16, 5, 3.0));
  const kiln::rt::FrechetDistance f = kiln::rt::frechet_distance(s, s);
  EXPECT_NEAR(f.distance, 0.0, 1e-9 * f.trace_a);
  EXPECT_GE(f.distance, 0.0);
  // Singular covariances (fewer vectors than dimensions, as when a small
  // set is scored) still give 0 for identical sets: tiny negative
  // eigenvalues are clamped.
  const FeatureStats t = kiln::rt::feature_stats(features(10, 32, 6));
  const kiln::rt::FrechetDistance g = kiln::rt::frechet_distance(t, t);
  EXPECT_NEAR(g.distance, 0.0, 1e-8 * g.trace_a);
}

TEST(Frechet, ShiftedSetsDifferByTheSquaredShift) {
  const Tensor x = features(1000, 8, 11);
  Tensor y = x;
  for (int64_t i = 0; i < 1000; ++i)
    for (int64_t k = 0; k < 8; ++k)
      y.data()[i * 8 + k] += static_cast<float>(k) * 0.5f; // |shift|^2 = 35
  const kiln::rt::FrechetDistance f = kiln::rt::frechet_distance(
      kiln::rt::feature_stats(x), kiln::rt::feature_stats(y));
  EXPECT_NEAR(f.distance, 35.0, 1e-5);
  EXPECT_NEAR(f.mean_term, 35.0, 1e-5);
}

TEST(Frechet, GeneralCovariancesAgreeWithTheOtherOrder) {
  // Random dense PSD covariances: tr (S_a^1/2 S_b S_a^1/2)^1/2 must equal
  // tr (S_b^1/2 S_a S_b^1/2)^1/2 (both are tr (S_a S_b)^1/2), computed here
  // by a separate route.
  const int64_t d = 12;
  const std::vector<double> a = random_psd(d, 21), b = random_psd(d, 22);
  const kiln::rt::FrechetDistance f =
      kiln::rt::frechet_distance(stats(std::vector<double>(d, 0.0), a),
                                 stats(std::vector<double>(d, 0.0), b));
  const std::vector<double> rb = kiln::rt::sqrt_psd(b, d);
  const kiln::rt::SymmetricEigen e =
      kiln::rt::symmetric_eigen(matmul(matmul(rb, a, d), rb, d), d);
  double trace_sqrt = 0;
  for (double v : e.values)
    trace_sqrt += std::sqrt(std::max(v, 0.0));
  EXPECT_NEAR(f.trace_sqrt, trace_sqrt, 1e-10);
  double ta = 0, tb = 0;
  for (int64_t k = 0; k < d; ++k) {
    ta += a[static_cast<size_t>(k * d + k)];
    tb += b[static_cast<size_t>(k * d + k)];
  }
  EXPECT_NEAR(f.distance, ta + tb - 2 * trace_sqrt, 1e-10);
  EXPECT_GT(f.distance, 0.0);
}

TEST(Frechet, RejectsDifferentDimensions) {
  EXPECT_NE(kiln::test::error_of([] {
              kiln::rt::frechet_distance(stats({0}, {1}),
                                         stats({0, 0}, {1, 0, 0, 1}));
            }),
            "");
}

} // namespace
