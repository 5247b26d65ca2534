// In-graph random numbers (kiln.random_normal) compiled end to end: the
// values follow the documented counter-based generator exactly (an
// independent implementation in reference.h, from its description), do not
// depend on the thread count, advance with each call, and are standard
// normal.
#include "noise.h"
#include "reference.h"

#include "kiln/runtime/threads.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

namespace {

/// kiln.random_normal: Box-Muller on the documented uniforms.
double expected(uint64_t seed, uint32_t counter, uint32_t stream,
                uint32_t index) {
  const auto [u1, u2] =
      kiln::test::documentedUniforms(seed, counter, stream, index);
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
}

TEST(Random, FollowsTheDocumentedGenerator) {
  const uint64_t seed = 0x123456789abcdefULL;
  kiln::models::noise::Model model(seed);
  kiln::rt::Tensor x({5, 64});
  for (uint32_t call = 0; call < 3; ++call) {
    auto [a, b] = model.noise(x);
    for (uint32_t i = 0; i < 5 * 64; ++i) {
      ASSERT_NEAR(a.data()[i], expected(seed, call, 0, i), 2e-5) << i;
      ASSERT_NEAR(b.data()[i], expected(seed, call, 1, i), 2e-5) << i;
    }
  }
}

// Each run against the documented generator, not only one against the
// other: Halide's pool cannot shrink, so once an earlier test of this
// process has run kernels on 2 threads the "1 thread" run uses 2 as well.
TEST(Random, SameOnOneAndTwoThreads) {
  kiln::rt::Tensor x({256, 64});
  std::vector<std::vector<float>> runs;
  for (int threads : {1, 2}) {
    kiln::rt::set_num_threads(threads);
    auto [a, b] = kiln::models::noise::Model(7).noise(x);
    runs.emplace_back(a.values().begin(), a.values().end());
    for (uint32_t i = 0; i < 256 * 64; ++i) {
      ASSERT_NEAR(a.data()[i], expected(7, 0, 0, i), 2e-5)
          << i << " on " << threads << " threads";
      ASSERT_NEAR(b.data()[i], expected(7, 0, 1, i), 2e-5)
          << i << " on " << threads << " threads";
    }
  }
  kiln::rt::set_num_threads(0);
  EXPECT_EQ(runs[0], runs[1]); // bit for bit, whatever the split
}

TEST(Random, IsStandardNormal) {
  kiln::models::noise::Model model(3);
  kiln::rt::Tensor x({1024, 64});
  auto [a, b] = model.noise(x);
  double sum = 0, sq = 0, cross = 0;
  const double n = double(a.numel());
  for (int64_t i = 0; i < a.numel(); ++i) {
    sum += a.data()[i];
    sq += double(a.data()[i]) * a.data()[i];
    cross += double(a.data()[i]) * b.data()[i];
  }
  double mean = sum / n, var = sq / n - mean * mean;
  // 65536 samples: the standard error of the mean is 0.004.
  EXPECT_NEAR(mean, 0, 0.02);
  EXPECT_NEAR(var, 1, 0.03);
  EXPECT_NEAR(cross / n, 0, 0.02) << "streams are correlated";
}

} // namespace
