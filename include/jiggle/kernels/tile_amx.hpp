#pragma once
// The AMX bf16 tile: a 32×32 block of C summed in four of AMX's eight tile registers, each 16×16
// fp32. One TDPBF16PS multiplies a 16×32 bf16 tile by a 32×16 one into a sum tile: 16,384
// multiply-adds, where an AVX512_BF16 instruction does 32.
//
// What the instruction computes, for a sum tile S, a left tile L and a right tile R:
//   S[i][j] += Σ_q L[i][2q]·R[q][2j] + L[i][2q+1]·R[q][2j+1]   for q = 0 … 15
// (the order of its roundings is in amx_model.hpp), so L's row i holds 16 depth pairs of one vector, and R's row q
// holds depth pair q of 16 vectors side by side. jiggle's row panels are already R's layout (each step a bf16 pair for
// 32 rows of op(A), see pack_panels), so op(A) is the right side, and op(B)'s columns, each packed with its depth pairs
// in a row, the left. A sum tile is then a block of Cᵀ: its rows are C's columns, which lie contiguous in C.
//
// A panel's steps are padded with zeros to whole tiles (16 steps, 32 depths), and depth blocks
// are cut in multiples of 32 depths so that only a product's last block is padded. Rows and
// columns past C's edge are packed as zeros; a tile at the edge skips the halves it does not
// reach, and writes only what lies inside C.
//
// Instructions is AmxInstructions, the hardware, or AmxModel (amx_model.hpp), the same
// instructions in plain C++, against which this file's packing, tiling and edges are tested on
// any CPU. Runs on the hardware only where cpu_isa() is Isa::amx_bf16, which means the operating
// system has granted the tile state.
#include <algorithm>
#include <cstdint>
#include <utility>

#include "jiggle/kernels/isa.hpp"
#include "jiggle/kernels/pack.hpp"
#include "jiggle/kernels/pack_across_avx512.hpp"
#include "jiggle/parallel.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle::kernels {

namespace amx_detail {

inline constexpr int kTileCount = 8;
inline constexpr int kTileRows = 16;
inline constexpr Index kTileRowBytes = 64;
inline constexpr Index kStepsPerTile = 16;  // a tile row: 16 bf16 pairs, or 16 fp32 sums

// LDTILECFG's 64 bytes: palette 1 (8 tiles of up to 16 rows of 64 bytes), then each tile's bytes
// per row and rows; a tile left at zero is unused.
struct alignas(64) TileConfig {
  std::uint8_t palette = 1;
  std::uint8_t start_row = 0;
  std::uint8_t reserved[14] = {};
  std::uint16_t bytes_per_row[16] = {};
  std::uint8_t rows[16] = {};
};
static_assert(sizeof(TileConfig) == 64);

// Tiles 0–3 sum C (sum_tile(column half, row half)); 4–5 hold two halves of op(B)'s columns, the
// left side; 6–7 two halves of op(A)'s rows, the right side. Every tile is 16 rows of 64 bytes.
inline constexpr int kFirstLeft = 4;
inline constexpr int kFirstRight = 6;
constexpr int sum_tile(int column_half, int row_half) { return 2 * column_half + row_half; }

inline constexpr TileConfig kEveryTileFull = [] {
  TileConfig config;
  for (int tile = 0; tile < kTileCount; ++tile) {
    config.bytes_per_row[tile] = kTileRowBytes;
    config.rows[tile] = kTileRows;
  }
  return config;
}();

// Calls body.operator()<0>() … <Count − 1>(): a tile is named by a constant, so loops over tiles
// are unrolled at compile time.
template <int Count, class Body>
inline void unrolled(Body&& body) {
  [&]<int... I>(std::integer_sequence<int, I...>) { (body.template operator()<I>(), ...); }
  (std::make_integer_sequence<int, Count>{});
}

// Columns [0, extent) of op(B) and depths [0, depth), as left tiles' rows: for each column, its
// depth pairs in order, `panel_steps` of them with zeros past the depth, in panels of 32
// columns, zero past the last column. Element (column c, depth d) is at data[c + d·ld] when the
// columns run down the stored ones, else at data[d + c·ld].
inline void pack_depth_rows(const float* data, Index ld, bool columns_run_down, Index extent, Index depth,
                            Index panel_steps, std::uint32_t* out) {
  constexpr Index kWidth = 32;
  const Index whole_steps = depth / 2;
  for (Index first = 0; first < extent; first += kWidth) {
    const Index valid = std::min(kWidth, extent - first);
    std::fill(out, out + kWidth * panel_steps, std::uint32_t{0});
    if (columns_run_down) {
      const float* panel = data + first;
      for (Index q = 0; q < whole_steps; ++q) {
        const float* low = panel + 2 * q * ld;
        for (Index c = 0; c < valid; ++c) out[c * panel_steps + q] = pack_detail::bf16_pair(low[c], low[c + ld]);
      }
    } else {
      for (Index c = 0; c < valid; ++c) {
        const float* column = data + (first + c) * ld;
        std::uint32_t* row = out + c * panel_steps;
        JIGGLE_OMP(simd)
        for (Index q = 0; q < whole_steps; ++q) row[q] = pack_detail::bf16_pair(column[2 * q], column[2 * q + 1]);
      }
    }
    // An odd depth: the last step holds the last depth and a zero.
    if (depth % 2 != 0)
      for (Index c = 0; c < valid; ++c) {
        const Index last = depth - 1;
        out[c * panel_steps + whole_steps] = pack_detail::bf16_pair(
            columns_run_down ? data[first + c + last * ld] : data[last + (first + c) * ld], 0.0F);
      }
    out += kWidth * panel_steps;
  }
}

// Rows [0, extent) of op(A) as right tiles: pack_panels' layout, 32 rows wide, each panel's steps
// padded with zeros to `panel_steps`. Blocks is how pack_panels packs across (see pack.hpp).
template <class Blocks>
__attribute__((always_inline)) inline void pack_pair_rows(const float* data, Index ld, bool rows_run_down, Index extent,
                                                          Index depth, Index panel_steps, std::uint32_t* out) {
  constexpr Index kWidth = 32;
  const Index steps = (depth + 1) / 2;
  for (Index first = 0; first < extent; first += kWidth) {
    const Index valid = std::min(kWidth, extent - first);
    pack_detail::pack_panels<kWidth, std::uint32_t, Blocks>(rows_run_down ? data + first : data + first * ld, ld,
                                                            rows_run_down, valid, depth, out);
    std::fill(out + kWidth * steps, out + kWidth * panel_steps, std::uint32_t{0});
    out += kWidth * panel_steps;
  }
}

// A block's sums, a 32×32 block of Cᵀ (row j is column j of C), into C:
// C[0:rows, 0:cols] ← α·sums + β·C. C is not read when β = 0, so it may hold NaN.
__attribute__((always_inline)) inline void write_sums(const float (&sums)[32][32], float* c, Index ldc, int rows,
                                                      int cols, float alpha, float beta) {
  if (beta == 0.0F)
    for (int j = 0; j < cols; ++j) std::fill_n(c + j * ldc, rows, 0.0F);
  for (int j = 0; j < cols; ++j) {
    float* column = c + j * ldc;
    const float* sum = sums[j];
    JIGGLE_OMP(simd)
    for (int i = 0; i < rows; ++i) column[i] = alpha * sum[i] + beta * column[i];
  }
}

}  // namespace amx_detail

#ifdef JIGGLE_HAS_X86_KERNELS
// The instructions themselves. GCC's intrinsics paste a tile's number into the instruction's
// text, so a template parameter cannot name the tile; here the number is an immediate operand
// (%c prints it bare), which GCC and Clang both assemble. Run them only where cpu_isa() is
// Isa::amx_bf16.
struct AmxInstructions {
  static constexpr bool kHardware = true;

  static void configure(const amx_detail::TileConfig& config) { asm volatile("ldtilecfg %0" : : "m"(config)); }
  // Returns the tiles to their initial state, so a thread that sleeps saves no tile data.
  static void release() { asm volatile("tilerelease" : : : "memory"); }

  template <int Tile>
  static void zero() {
    asm volatile("tilezero %%tmm%c0" : : "i"(Tile));
  }
  template <int Tile>
  static void load(const void* data, Index stride_bytes) {
    asm volatile("tileloadd (%0,%1,1), %%tmm%c2" : : "r"(data), "r"(stride_bytes), "i"(Tile) : "memory");
  }
  template <int Tile>
  static void store(void* data, Index stride_bytes) {
    asm volatile("tilestored %%tmm%c2, (%0,%1,1)" : : "r"(data), "r"(stride_bytes), "i"(Tile) : "memory");
  }
  // Sum += Left·Right, as the top of this file says.
  template <int Sum, int Left, int Right>
  static void dot_bf16() {
    asm volatile("tdpbf16ps %%tmm%c2, %%tmm%c1, %%tmm%c0" : : "i"(Sum), "i"(Left), "i"(Right));
  }

  // A block's sums into C, in AVX-512 (a CPU with AMX has it).
  __attribute__((target(JIGGLE_TARGET_AVX512))) static void write_sums(const float (&sums)[32][32], float* c, Index ldc,
                                                                       int rows, int cols, float alpha, float beta) {
    amx_detail::write_sums(sums, c, ldc, rows, cols, alpha, beta);
  }

  // op(A)'s right tiles, packed across with AVX-512's transposes (a CPU with AMX has AVX-512).
  __attribute__((target(JIGGLE_TARGET_AVX512))) static void pack_right(const float* data, Index ld, bool rows_run_down,
                                                                       Index extent, Index depth, Index panel_steps,
                                                                       std::uint32_t* out) {
    amx_detail::pack_pair_rows<across_detail::Avx512Blocks>(data, ld, rows_run_down, extent, depth, panel_steps, out);
  }
};
#endif

// a: right tiles from a 32-row panel of op(A) (steps × 32 pairs); b: left tiles from a
// 32-column panel of op(B) (32 × steps pairs); steps a multiple of 16.
// C[0:rows, 0:cols] ← α·(op(A) op(B)) + β·C; C is not read when β = 0.
template <class Instructions>
struct AmxBf16Tile {
  using Packed = std::uint32_t;
  static constexpr int kRows = 32;
  static constexpr int kColumns = 32;
  static constexpr int kDepthPerStep = 2;
  static constexpr Index kDepthGranule = 2 * amx_detail::kStepsPerTile;

  static constexpr Index panel_steps(Index steps) { return pack_detail::round_up(steps, amx_detail::kStepsPerTile); }

  // Around each thread's share of a product: each thread configures its own tiles.
  static void configure() { Instructions::configure(amx_detail::kEveryTileFull); }
  static void release() { Instructions::release(); }

  static void pack(PanelSide side, const float* data, Index ld, bool width_runs_down, Index extent, Index depth,
                   Packed* out) {
    const Index steps = panel_steps((depth + 1) / 2);
    if (side == PanelSide::columns)
      amx_detail::pack_depth_rows(data, ld, width_runs_down, extent, depth, steps, out);
    else
      Instructions::pack_right(data, ld, width_runs_down, extent, depth, steps, out);
  }

  static void multiply(Index steps, const Packed* a, const Packed* b, float* c, Index ldc, int rows, int cols,
                       float alpha, float beta) {
    const auto run = [&]<int RowHalves, int ColumnHalves>() {
      multiply_part<RowHalves, ColumnHalves>(steps, a, b, c, ldc, rows, cols, alpha, beta);
    };
    if (rows > 16) {
      if (cols > 16) return run.template operator()<2, 2>();
      return run.template operator()<2, 1>();
    }
    if (cols > 16) return run.template operator()<1, 2>();
    run.template operator()<1, 1>();
  }

 private:
  template <int RowHalves, int ColumnHalves>
  static void multiply_part(Index steps, const Packed* a, const Packed* b, float* c, Index ldc, int rows, int cols,
                            float alpha, float beta) {
    using amx_detail::kFirstLeft;
    using amx_detail::kFirstRight;
    using amx_detail::kStepsPerTile;
    using amx_detail::sum_tile;
    using amx_detail::unrolled;
    constexpr Index kHalf = 16;                                    // rows or columns of a tile
    constexpr Index kRightStride = kRows * Index{sizeof(Packed)};  // bytes from one step to the next
    const Index left_stride = steps * Index{sizeof(Packed)};       // bytes from one column to the next

    unrolled<ColumnHalves>(
        [&]<int J>() { unrolled<RowHalves>([&]<int I>() { Instructions::template zero<sum_tile(J, I)>(); }); });
    for (Index step = 0; step < steps; step += kStepsPerTile) {
      unrolled<RowHalves>(
          [&]<int I>() { Instructions::template load<kFirstRight + I>(a + step * kRows + kHalf * I, kRightStride); });
      unrolled<ColumnHalves>(
          [&]<int J>() { Instructions::template load<kFirstLeft + J>(b + kHalf * J * steps + step, left_stride); });
      unrolled<ColumnHalves>([&]<int J>() {
        unrolled<RowHalves>(
            [&]<int I>() { Instructions::template dot_bf16<sum_tile(J, I), kFirstLeft + J, kFirstRight + I>(); });
      });
    }

    // The sums as a 32×32 block of Cᵀ: row j is column j of C's block.
    alignas(64) float sums[kColumns][kRows];
    unrolled<ColumnHalves>([&]<int J>() {
      unrolled<RowHalves>([&]<int I>() {
        Instructions::template store<sum_tile(J, I)>(&sums[kHalf * J][kHalf * I], Index{sizeof(sums[0])});
      });
    });
    Instructions::write_sums(sums, c, ldc, rows, cols, alpha, beta);
  }
};

#ifdef JIGGLE_HAS_X86_KERNELS
using AmxTile = AmxBf16Tile<AmxInstructions>;
#endif

}  // namespace jiggle::kernels
