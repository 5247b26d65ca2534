#include "kiln/runtime/random.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/philox.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <thread>
#include <vector>

namespace kiln::rt {
namespace {

// Fills blocks [first, last) of `out` (4 values per block, the last block
// possibly partial) with gen(block, values[4]).
template <class Gen>
void fill_blocks(std::span<float> out, size_t first, size_t last,
                 const Gen &gen) {
  float values[4];
  for (size_t block = first; block < last; ++block) {
    gen(block, values);
    const size_t begin = block * 4;
    const size_t n = std::min<size_t>(4, out.size() - begin);
    std::copy_n(values, n, out.begin() + static_cast<ptrdiff_t>(begin));
  }
}

// Splits the blocks over threads. Each block's values depend only on its
// index, so the split cannot change the result.
template <class Gen>
void parallel_fill(std::span<float> out, int threads, const Gen &gen) {
  const size_t blocks = (out.size() + 3) / 4;
  // Below about a million values a thread costs more than it saves.
  constexpr size_t kBlocksPerThread = size_t{1} << 18;
  if (threads <= 0)
    threads = static_cast<int>(
        std::clamp(std::thread::hardware_concurrency(), 1u, 16u));
  const size_t n = std::clamp<size_t>(blocks / kBlocksPerThread, 1,
                                      static_cast<size_t>(threads));
  if (n == 1) {
    fill_blocks(out, 0, blocks, gen);
    return;
  }
  std::vector<std::jthread> pool;
  for (size_t t = 0; t < n; ++t)
    pool.emplace_back([&, t] {
      fill_blocks(out, blocks * t / n, blocks * (t + 1) / n, gen);
    });
}

// 24 high bits as a float in [0, 1): exact, evenly spaced.
float unit_float(uint32_t word) {
  return static_cast<float>(word >> 8) * 0x1p-24f;
}

} // namespace

void fill_uniform(std::span<float> out, uint64_t seed, uint64_t stream,
                  double a, double b, int threads) {
  if (!(a <= b) || !std::isfinite(a) || !std::isfinite(b))
    throw Error(
        fmt::format("uniform({}, {}): bounds must be finite, a <= b", a, b));
  const float lo = static_cast<float>(a), hi = static_cast<float>(b);
  const double width = b - a;
  parallel_fill(out, threads, [&](uint64_t block, float *values) {
    const PhiloxCounter words = philox_block(seed, stream, block);
    for (int i = 0; i < 4; ++i) {
      float v = static_cast<float>(a + width * unit_float(words[i]));
      // Rounding to float can land on b itself; the interval is half-open.
      if (v >= hi && lo < hi)
        v = std::nextafter(hi, lo);
      values[i] = v;
    }
  });
}

void fill_normal(std::span<float> out, uint64_t seed, uint64_t stream,
                 double mean, double stddev, int threads) {
  if (!(stddev >= 0) || !std::isfinite(mean) || !std::isfinite(stddev))
    throw Error(fmt::format(
        "normal({}, {}): mean must be finite and std finite and >= 0", mean,
        stddev));
  parallel_fill(out, threads, [&](uint64_t block, float *values) {
    const PhiloxCounter w = philox_block(seed, stream, block);
    for (int pair = 0; pair < 2; ++pair) {
      // u1 in (0, 1] keeps log() finite; u2 in [0, 1). 32 bits each.
      const double u1 = (w[2 * pair] + 1.0) * 0x1p-32;
      const double u2 = w[2 * pair + 1] * 0x1p-32;
      const double r = std::sqrt(-2.0 * std::log(u1));
      const double theta = 2.0 * std::numbers::pi * u2;
      values[2 * pair] =
          static_cast<float>(mean + stddev * r * std::cos(theta));
      values[2 * pair + 1] =
          static_cast<float>(mean + stddev * r * std::sin(theta));
    }
  });
}

} // namespace kiln::rt
