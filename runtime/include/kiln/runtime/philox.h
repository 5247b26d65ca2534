// Philox4x32-10, the counter-based generator of Salmon et al., "Parallel
// random numbers: as easy as 1, 2, 3" (SC'11), as in Random123.
//
// Counter-based means the n-th random block is a pure function of
// (key, counter): any element of any stream can be computed directly, in
// any order, on any thread. That is what makes parameter initialisation
// independent of thread count and of the other parameters.
#pragma once

#include <array>
#include <cstdint>

namespace kiln::rt {

using PhiloxCounter = std::array<uint32_t, 4>;
using PhiloxKey = std::array<uint32_t, 2>;

namespace philox_detail {

inline constexpr uint32_t kMul0 = 0xD2511F53;
inline constexpr uint32_t kMul1 = 0xCD9E8D57;
// Weyl sequence constants for the key schedule: golden ratio and sqrt(3)-1.
inline constexpr uint32_t kWeyl0 = 0x9E3779B9;
inline constexpr uint32_t kWeyl1 = 0xBB67AE85;

constexpr PhiloxCounter round(const PhiloxCounter &c, const PhiloxKey &k) {
  const uint64_t p0 = uint64_t{kMul0} * c[0];
  const uint64_t p1 = uint64_t{kMul1} * c[2];
  const auto hi = [](uint64_t p) { return static_cast<uint32_t>(p >> 32); };
  const auto lo = [](uint64_t p) { return static_cast<uint32_t>(p); };
  return {hi(p1) ^ c[1] ^ k[0], lo(p1), hi(p0) ^ c[3] ^ k[1], lo(p0)};
}

} // namespace philox_detail

// One block of four 32-bit random words.
constexpr PhiloxCounter philox4x32_10(PhiloxCounter counter, PhiloxKey key) {
  for (int r = 0; r < 10; ++r) {
    if (r > 0) { // the key is bumped between rounds, not before the first
      key[0] += philox_detail::kWeyl0;
      key[1] += philox_detail::kWeyl1;
    }
    counter = philox_detail::round(counter, key);
  }
  return counter;
}

// Kiln's use of Philox: the key is the user's 64-bit seed and the counter is
// (block index, stream id), both 64-bit, low word first. Each stream is a
// sequence of 2^64 blocks that no other (seed, stream) pair ever produces.
constexpr PhiloxCounter philox_block(uint64_t seed, uint64_t stream,
                                     uint64_t block) {
  const auto lo = [](uint64_t v) { return static_cast<uint32_t>(v); };
  const auto hi = [](uint64_t v) { return static_cast<uint32_t>(v >> 32); };
  return philox4x32_10({lo(block), hi(block), lo(stream), hi(stream)},
                       {lo(seed), hi(seed)});
}

} // namespace kiln::rt
