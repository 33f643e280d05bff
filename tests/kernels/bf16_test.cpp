#include "jiggle/kernels/bf16.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "support/catch.hpp"

using jiggle::kernels::from_bf16;
using jiggle::kernels::to_bf16;

TEST_CASE("bf16 keeps values it can hold exactly", "[kernels][bf16]") {
  for (const float value : {0.0F, -0.0F, 1.0F, -2.5F, 0.15625F, 3.0e38F, std::ldexp(1.0F, -126)}) {
    const float held = from_bf16(to_bf16(from_bf16(to_bf16(value))));
    REQUIRE(held == from_bf16(to_bf16(value)));
  }
  REQUIRE(from_bf16(to_bf16(1.0F)) == 1.0F);
  REQUIRE(from_bf16(to_bf16(-2.5F)) == -2.5F);
  REQUIRE(std::signbit(from_bf16(to_bf16(-0.0F))));
}

TEST_CASE("bf16 rounds to nearest with ties to even", "[kernels][bf16]") {
  const float ulp = std::ldexp(1.0F, -7);  // bf16's spacing just above 1
  REQUIRE(from_bf16(to_bf16(1.0F + 0.25F * ulp)) == 1.0F);
  REQUIRE(from_bf16(to_bf16(1.0F + 0.75F * ulp)) == 1.0F + ulp);
  REQUIRE(from_bf16(to_bf16(1.0F + 0.5F * ulp)) == 1.0F);               // tie: 1 is even
  REQUIRE(from_bf16(to_bf16(1.0F + 1.5F * ulp)) == 1.0F + 2.0F * ulp);  // tie: 1 + 2ulp is even
  REQUIRE(from_bf16(to_bf16(-(1.0F + 0.75F * ulp))) == -(1.0F + ulp));
  // Every fp32 value lands within half a bf16 spacing: relative error at most 2⁻⁸.
  for (float value = 0.001F; value < 1000.0F; value *= 1.0137F)
    REQUIRE(std::abs(from_bf16(to_bf16(value)) - value) <= std::ldexp(value, -8));
}

TEST_CASE("bf16 overflows to infinity and keeps NaN a NaN", "[kernels][bf16]") {
  REQUIRE(from_bf16(to_bf16(std::numeric_limits<float>::max())) == std::numeric_limits<float>::infinity());
  REQUIRE(from_bf16(to_bf16(-std::numeric_limits<float>::infinity())) == -std::numeric_limits<float>::infinity());
  REQUIRE(std::isnan(from_bf16(to_bf16(std::numeric_limits<float>::quiet_NaN()))));
  // A NaN whose payload sits only in the low bits must not round into infinity.
  const float low_payload_nan = std::bit_cast<float>(std::uint32_t{0x7F800001U});
  REQUIRE(std::isnan(from_bf16(to_bf16(low_payload_nan))));
}
