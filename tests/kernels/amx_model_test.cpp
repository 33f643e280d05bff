#include "jiggle/kernels/amx_model.hpp"

#include <array>
#include <cmath>
#include <cstdint>

#include "jiggle/random.hpp"
#include "support/catch.hpp"

namespace {

using jiggle::kernels::AmxModel;
using jiggle::kernels::from_bf16;
using jiggle::kernels::to_bf16;
using jiggle::kernels::amx_detail::kEveryTileFull;

// A left or right tile as the manual draws it: 16 rows of 32 bf16 values.
using Bf16Tile = std::array<std::array<std::uint16_t, 32>, 16>;
using SumTile = std::array<std::array<float, 16>, 16>;

// The model's tiles 0 (sum), 4 (left) and 6 (right) loaded, TDPBF16PS run once, the sum stored.
SumTile dot_on_model(const SumTile& initial, const Bf16Tile& left, const Bf16Tile& right) {
  AmxModel::configure(kEveryTileFull);
  AmxModel::load<0>(initial.data(), sizeof initial[0]);
  AmxModel::load<4>(left.data(), sizeof left[0]);
  AmxModel::load<6>(right.data(), sizeof right[0]);
  AmxModel::dot_bf16<0, 4, 6>();
  SumTile sum{};
  AmxModel::store<0>(sum.data(), sizeof sum[0]);
  AmxModel::release();
  return sum;
}

}  // namespace

TEST_CASE("The AMX model's TDPBF16PS pairs element 2q of a left row with element 2j of right row q", "[amx]") {
  // Small integers, so every sum is exact and only the pairing decides the result:
  // S[i][j] = S0[i][j] + Σ_q L[i][2q]·R[q][2j] + L[i][2q+1]·R[q][2j+1], from Intel's manual.
  jiggle::Rng rng(21);
  const auto small_integer = [&rng] { return std::floor(static_cast<float>(rng.uniform(-8.0, 8.0))); };
  Bf16Tile left{};
  Bf16Tile right{};
  SumTile initial{};
  for (auto& row : left)
    for (auto& value : row) value = to_bf16(small_integer());
  for (auto& row : right)
    for (auto& value : row) value = to_bf16(small_integer());
  for (auto& row : initial)
    for (auto& value : row) value = small_integer();
  const SumTile sum = dot_on_model(initial, left, right);
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j) {
      double expected = initial[i][j];
      for (int q = 0; q < 16; ++q)
        for (int half = 0; half < 2; ++half)
          expected += static_cast<double>(from_bf16(left[i][2 * q + half])) * from_bf16(right[q][2 * j + half]);
      INFO("S[" << i << "][" << j << "]");
      REQUIRE(sum[i][j] == expected);
      REQUIRE(sum[i][j] != 0.0F);
    }
}

TEST_CASE("The AMX model sums even and odd depths apart, rounding each product in depth order, then adds them",
          "[amx]") {
  // S[0][0]: 1 + (2⁻²⁴ + 2⁻²⁴) is 1 + 2⁻²³; added to the sum one by one, each 2⁻²⁴ would round
  // away (a tie, to even). S[1][1]: the even depths' 2²⁴, 1 and −2²⁴ give 0, the 1 rounded away
  // after the first product; summed exactly they would give 1.
  Bf16Tile left{};
  Bf16Tile right{};
  SumTile initial{};
  initial[0][0] = 1.0F;
  left[0][0] = left[0][1] = to_bf16(std::ldexp(1.0F, -12));
  right[0][0] = right[0][1] = to_bf16(std::ldexp(1.0F, -12));
  left[1][0] = to_bf16(std::ldexp(1.0F, 24));
  left[1][2] = to_bf16(1.0F);
  left[1][4] = to_bf16(-std::ldexp(1.0F, 24));
  right[0][2] = right[1][2] = right[2][2] = to_bf16(1.0F);
  const SumTile sum = dot_on_model(initial, left, right);
  REQUIRE(sum[0][0] == 1.0F + std::ldexp(1.0F, -23));
  REQUIRE(sum[1][1] == 0.0F);
}

TEST_CASE("The AMX model reads subnormal bf16 inputs as zero and flushes subnormal sums", "[amx]") {
  Bf16Tile left{};
  Bf16Tile right{};
  SumTile initial{};
  left[0][0] = 0x0001;  // the smallest subnormal
  right[0][0] = to_bf16(std::ldexp(1.0F, 100));
  left[1][0] = right[0][2] = to_bf16(std::ldexp(1.0F, -70));  // a product of 2⁻¹⁴⁰, subnormal in fp32
  left[2][0] = to_bf16(1.0F);
  right[0][4] = to_bf16(1.5F);
  const SumTile sum = dot_on_model(initial, left, right);
  REQUIRE(sum[0][0] == 0.0F);
  REQUIRE(sum[1][1] == 0.0F);
  REQUIRE(sum[2][2] == 1.5F);
}

TEST_CASE("The AMX model refuses tiles used before LDTILECFG and shapes TDPBF16PS cannot take", "[amx]") {
  AmxModel::release();
  REQUIRE_THROWS_WITH(AmxModel::zero<0>(), Catch::Contains("used before LDTILECFG"));
  jiggle::kernels::amx_detail::TileConfig narrow = kEveryTileFull;
  narrow.rows[6] = 8;  // 8 rows of depth pairs, where the left tile holds 16 pairs a row
  AmxModel::configure(narrow);
  REQUIRE_THROWS_WITH((AmxModel::dot_bf16<0, 4, 6>()), Catch::Contains("shapes disagree"));
  jiggle::kernels::amx_detail::TileConfig too_wide = kEveryTileFull;
  too_wide.bytes_per_row[2] = 128;
  REQUIRE_THROWS_WITH(AmxModel::configure(too_wide), Catch::Contains("beyond 16 rows of 64 bytes"));
  AmxModel::release();
}
