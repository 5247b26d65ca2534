// Uniform and normal fills: bounds, moments, determinism, and independence
// from thread count and length.
#include "kiln/runtime/error.h"
#include "kiln/runtime/random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace kiln::rt;

namespace {

struct Moments {
  double mean = 0, std = 0;
};

Moments moments(const std::vector<float> &v) {
  double sum = 0, squares = 0;
  for (float x : v)
    sum += x;
  const double mean = sum / static_cast<double>(v.size());
  for (float x : v)
    squares += (x - mean) * (x - mean);
  return {mean, std::sqrt(squares / static_cast<double>(v.size()))};
}

} // namespace

TEST(Random, UniformStaysInHalfOpenInterval) {
  std::vector<float> v(1 << 20);
  fill_uniform(v, 1, 0, -0.25, 0.75);
  float lo = 1, hi = -1;
  for (float x : v) {
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  EXPECT_GE(lo, -0.25f);
  EXPECT_LT(hi, 0.75f);
  // With 2^20 draws the extremes come within 1e-4 of the bounds.
  EXPECT_LT(lo, -0.25f + 1e-4f);
  EXPECT_GT(hi, 0.75f - 1e-4f);
  const Moments m = moments(v);
  EXPECT_NEAR(m.mean, 0.25, 2e-3); // sigma/sqrt(n) ~ 3e-4
  EXPECT_NEAR(m.std, 1.0 / std::sqrt(12.0), 2e-3);
}

TEST(Random, UniformNeverRoundsUpToTheUpperBound) {
  // A tiny interval where float rounding of a + (b-a)u would hit b.
  std::vector<float> v(1 << 16);
  fill_uniform(v, 3, 0, 1.0, 1.0 + 1e-7);
  for (float x : v)
    ASSERT_LT(x, static_cast<float>(1.0 + 1e-7));
}

TEST(Random, NormalHasRequestedMoments) {
  std::vector<float> v(1 << 21);
  fill_normal(v, 42, 5, 1.5, 0.5);
  const Moments m = moments(v);
  EXPECT_NEAR(m.mean, 1.5, 3e-3); // sigma/sqrt(n) ~ 3.5e-4
  EXPECT_NEAR(m.std, 0.5, 3e-3);
  // About 68.27% within one sigma.
  size_t inside = 0;
  for (float x : v)
    inside += std::abs(x - 1.5f) < 0.5f;
  EXPECT_NEAR(static_cast<double>(inside) / v.size(), 0.6827, 3e-3);
}

TEST(Random, SameSeedSameValuesDifferentSeedDifferent) {
  std::vector<float> a(1000), b(1000), c(1000), d(1000);
  fill_normal(a, 9, 0, 0, 1);
  fill_normal(b, 9, 0, 0, 1);
  fill_normal(c, 10, 0, 0, 1);
  fill_normal(d, 9, 1, 0, 1);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, d);
}

TEST(Random, ThreadCountDoesNotChangeValues) {
  // Large enough to be split, and not a multiple of 4 or of the split.
  std::vector<float> one(3'000'001), many(3'000'001), defaulted(3'000'001);
  fill_normal(one, 5, 2, 0, 1, 1);
  fill_normal(many, 5, 2, 0, 1, 3);
  fill_normal(defaulted, 5, 2, 0, 1);
  EXPECT_EQ(one, many);
  EXPECT_EQ(one, defaulted);
  fill_uniform(one, 5, 2, 0, 1, 1);
  fill_uniform(many, 5, 2, 0, 1, 7);
  EXPECT_EQ(one, many);
}

TEST(Random, APrefixOfALongerFillIsTheShorterFill) {
  std::vector<float> short_fill(5), long_fill(11);
  fill_normal(short_fill, 1, 1, 0, 1);
  fill_normal(long_fill, 1, 1, 0, 1);
  EXPECT_TRUE(
      std::equal(short_fill.begin(), short_fill.end(), long_fill.begin()));
}

TEST(Random, BadParametersAreErrors) {
  std::vector<float> v(4);
  EXPECT_THROW(fill_uniform(v, 0, 0, 1, 0), Error);
  EXPECT_THROW(fill_normal(v, 0, 0, 0, -1), Error);
  EXPECT_THROW(fill_normal(v, 0, 0, NAN, 1), Error);
}
