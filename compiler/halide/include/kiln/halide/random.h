// In-kernel random numbers: a counter-based generator, so every element's
// value depends only on (seed, call counter, stream, element index), never
// on the schedule or the thread count.
//
// The mixing function is "lowbias32" (Chris Wellons' hash-prospector: an
// xorshift-multiply 32-bit integer hash with low avalanche bias). Keys are
// chained through it: key = H(seed_lo + H(seed_hi + H(counter + H(stream)))),
// then two words per element, a = H(key ^ H(2i)), b = H(key ^ H(2i + 1)),
// become uniforms u1 in (0, 1] and u2 in [0, 1) from their top 24 bits, and
// a standard normal by Box-Muller: sqrt(-2 ln u1) cos(2 pi u2);
// kiln.random_uniform's value is u2 itself.
// runtime/ has the same generator in plain C++ (kiln::rt::counter_normal)
// for tests and host-side sampling; docs/training.md states the contract.
#pragma once

#include <Halide.h>

#include <cstdint>

namespace kiln::halide {

inline Halide::Expr hash32(Halide::Expr x) {
  using Halide::cast;
  x = cast<uint32_t>(x);
  x = x ^ (x >> 16);
  x = x * Halide::Expr(uint32_t(0x7feb352d));
  x = x ^ (x >> 15);
  x = x * Halide::Expr(uint32_t(0x846ca68b));
  x = x ^ (x >> 16);
  return x;
}

inline Halide::Expr random_key(Halide::Expr seed_lo, Halide::Expr seed_hi,
                               Halide::Expr counter, uint32_t stream) {
  return hash32(
      seed_lo +
      hash32(seed_hi + hash32(counter + hash32(Halide::Expr(stream)))));
}

// u2 in [0, 1): the top 24 bits of the element's second word, times 2^-24
// (exact in float).
inline Halide::Expr random_u2(const Halide::Expr &key,
                              const Halide::Expr &index) {
  using Halide::cast;
  Halide::Expr i = cast<uint32_t>(index) * Halide::Expr(uint32_t(2));
  Halide::Expr b = hash32(key ^ hash32(i + Halide::Expr(uint32_t(1))));
  return cast<float>(b >> 8) * (1.0f / 16777216.0f);
}

// kiln.random_uniform: U[0, 1), the u2 of random_normal's generator.
template <typename T>
Halide::Expr random_uniform(Halide::Expr seed_lo, Halide::Expr seed_hi,
                            Halide::Expr counter, uint32_t stream,
                            Halide::Expr index) {
  return Halide::cast<T>(
      random_u2(random_key(seed_lo, seed_hi, counter, stream), index));
}

template <typename T>
Halide::Expr random_normal(Halide::Expr seed_lo, Halide::Expr seed_hi,
                           Halide::Expr counter, uint32_t stream,
                           Halide::Expr index) {
  using Halide::cast;
  Halide::Expr key = random_key(seed_lo, seed_hi, counter, stream);
  Halide::Expr i = cast<uint32_t>(index) * Halide::Expr(uint32_t(2));
  Halide::Expr a = hash32(key ^ hash32(i));
  const float scale = 1.0f / 16777216.0f; // 2^-24
  Halide::Expr u1 = (cast<float>(a >> 8) + 1.0f) * scale;
  Halide::Expr u2 = random_u2(key, index);
  Halide::Expr z = Halide::sqrt(-2.0f * Halide::log(u1)) *
                   Halide::cos(6.283185307179586f * u2);
  return cast<T>(z);
}

} // namespace kiln::halide
