#pragma once
// AMX's tile instructions in plain C++, for AmxBf16Tile<AmxModel>: the AMX kernel's packing,
// tiling and edges then run, and are tested, on any CPU. Each thread has its own eight tiles, as
// on the hardware, and the model refuses what the hardware would fault on: a tile used before
// LDTILECFG, a configuration beyond palette 1, and a TDPBF16PS whose tiles' shapes disagree.
//
// TDPBF16PS as Intel's manual defines it (its Operation section): for each sum, the products of
// the even depths and those of the odd depths are summed apart, from zero, each by fused
// multiply-adds in depth order, rounded to nearest even in fp32; the two are then added, and
// that is added to the sum. bf16 inputs that are subnormal count as zero, and subnormal results
// are flushed to zero, whatever MXCSR says.
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "jiggle/error.hpp"
#include "jiggle/kernels/bf16.hpp"
#include "jiggle/kernels/tile_amx.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle::kernels {

struct AmxModel {
  static constexpr bool kHardware = false;

  static void configure(const amx_detail::TileConfig& config) {
    if (config.palette != 1 || config.start_row != 0) throw Error("AMX model: only palette 1 from row 0 is modelled");
    for (int tile = 0; tile < amx_detail::kTileCount; ++tile)
      if (config.rows[tile] > amx_detail::kTileRows || config.bytes_per_row[tile] > amx_detail::kTileRowBytes ||
          config.bytes_per_row[tile] % 4 != 0)
        throw Error("AMX model: tile " + std::to_string(tile) + " is configured beyond 16 rows of 64 bytes");
    Registers& state = registers();
    state.config = config;
    state.configured = true;
    state.tiles = {};
  }
  static void release() {
    Registers& state = registers();
    state.configured = false;
    state.tiles = {};
  }

  template <int Tile>
  static void zero() {
    configured_tile<Tile>() = {};
  }
  template <int Tile>
  static void load(const void* data, Index stride_bytes) {
    TileData& tile = configured_tile<Tile>();
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    tile = {};
    for (int row = 0; row < rows<Tile>(); ++row)
      std::memcpy(tile[row].data(), bytes + row * stride_bytes, static_cast<std::size_t>(bytes_per_row<Tile>()));
  }
  template <int Tile>
  static void store(void* data, Index stride_bytes) {
    const TileData& tile = configured_tile<Tile>();
    auto* bytes = static_cast<std::uint8_t*>(data);
    for (int row = 0; row < rows<Tile>(); ++row)
      std::memcpy(bytes + row * stride_bytes, tile[row].data(), static_cast<std::size_t>(bytes_per_row<Tile>()));
  }

  // Sum[i][j] += Σ_q Left[i][2q]·Right[q][2j] + Σ_q Left[i][2q+1]·Right[q][2j+1], the two sums
  // apart (see the top of this file).
  template <int Sum, int Left, int Right>
  static void dot_bf16() {
    static_assert(Sum != Left && Sum != Right && Left != Right, "TDPBF16PS takes three different tiles");
    const TileData& left = configured_tile<Left>();
    const TileData& right = configured_tile<Right>();
    TileData& sum = configured_tile<Sum>();
    const int pairs = bytes_per_row<Left>() / 4;
    const int columns = bytes_per_row<Sum>() / 4;
    if (rows<Sum>() != rows<Left>() || bytes_per_row<Sum>() != bytes_per_row<Right>() || rows<Right>() != pairs)
      throw Error("AMX model: TDPBF16PS on tiles whose shapes disagree");
    for (int i = 0; i < rows<Sum>(); ++i)
      for (int j = 0; j < columns; ++j) {
        float halves[2] = {0.0F, 0.0F};  // the even depths' products, the odd depths'
        for (int q = 0; q < pairs; ++q)
          for (int half = 0; half < 2; ++half)
            halves[half] =
                flushed(std::fma(bf16_as_input(element<std::uint16_t>(left, i, 4 * q + 2 * half)),
                                 bf16_as_input(element<std::uint16_t>(right, q, 4 * j + 2 * half)), halves[half]));
        const float total = flushed(element<float>(sum, i, 4 * j) + flushed(halves[0] + halves[1]));
        std::memcpy(&sum[i][std::size_t{4} * j], &total, sizeof total);
      }
  }

  // A block's sums into C, by the portable loop.
  static void write_sums(const float (&sums)[32][32], float* c, Index ldc, int rows, int cols, float alpha,
                         float beta) {
    amx_detail::write_sums(sums, c, ldc, rows, cols, alpha, beta);
  }

  // A panel of op(A) as right tiles, by the portable loops.
  static void pack_right(const float* data, Index ld, bool rows_run_down, Index extent, Index depth, Index panel_steps,
                         std::uint32_t* out) {
    amx_detail::pack_pair_rows<pack_detail::NoBlocks>(data, ld, rows_run_down, extent, depth, panel_steps, out);
  }

 private:
  using TileData = std::array<std::array<std::uint8_t, amx_detail::kTileRowBytes>, amx_detail::kTileRows>;
  struct Registers {
    amx_detail::TileConfig config;
    bool configured = false;
    std::array<TileData, amx_detail::kTileCount> tiles{};
  };
  static Registers& registers() {
    thread_local Registers state;
    return state;
  }

  template <int Tile>
  static TileData& configured_tile() {
    static_assert(0 <= Tile && Tile < amx_detail::kTileCount, "AMX has eight tiles");
    Registers& state = registers();
    if (!state.configured || state.config.rows[Tile] == 0)
      throw Error("AMX model: tile " + std::to_string(Tile) + " used before LDTILECFG configured it");
    return state.tiles[Tile];
  }
  template <int Tile>
  static int rows() {
    return registers().config.rows[Tile];
  }
  template <int Tile>
  static int bytes_per_row() {
    return registers().config.bytes_per_row[Tile];
  }

  template <class Value>
  static Value element(const TileData& tile, int row, int byte) {
    Value value;
    std::memcpy(&value, &tile[row][byte], sizeof value);
    return value;
  }
  static float bf16_as_input(std::uint16_t bits) { return flushed(from_bf16(bits)); }
  static float flushed(float value) {
    return std::fpclassify(value) == FP_SUBNORMAL ? std::copysign(0.0F, value) : value;
  }
};

}  // namespace jiggle::kernels
