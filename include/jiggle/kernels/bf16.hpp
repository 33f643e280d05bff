#pragma once
// bfloat16: fp32's sign, exponent and top 7 mantissa bits. Rounding to it keeps fp32's range and
// gives a unit roundoff of 2⁻⁸.
#include <bit>
#include <cstdint>

namespace jiggle::kernels {

// Round to nearest, ties to even; a NaN stays a (quiet) NaN, and what overflows becomes ±∞.
inline std::uint16_t to_bf16(float value) {
  auto bits = std::bit_cast<std::uint32_t>(value);
  if ((bits & 0x7FFF'FFFFU) > 0x7F80'0000U) return static_cast<std::uint16_t>((bits >> 16U) | 0x0040U);
  bits += 0x7FFFU + ((bits >> 16U) & 1U);
  return static_cast<std::uint16_t>(bits >> 16U);
}

inline float from_bf16(std::uint16_t value) { return std::bit_cast<float>(static_cast<std::uint32_t>(value) << 16U); }

}  // namespace jiggle::kernels
