// 16-bit floats as files store them (safetensors F16/BF16, numpy '<f2'),
// widened to float exactly: every half and bfloat16 is a float.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace kiln::rt {

inline float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h >> 15) << 31;
  const uint32_t exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  if (exponent == 0) { // zero or subnormal: mantissa * 2^-24
    const float v = std::ldexp(float(mantissa), -24);
    return sign ? -v : v;
  }
  if (exponent == 31) // infinity or NaN
    return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  return std::bit_cast<float>(sign | ((exponent + 112) << 23) |
                              (mantissa << 13));
}

inline float bfloat16_to_float(uint16_t h) {
  return std::bit_cast<float>(uint32_t(h) << 16);
}

} // namespace kiln::rt
