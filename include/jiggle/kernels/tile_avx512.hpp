#pragma once
// The AVX-512 fp32 tile: a 32×12 block of C in 24 zmm registers, one rank-1 update per step of
// the depth (two loads of A, twelve broadcasts of B, 24 fused multiply-adds). Compiled for
// AVX-512 by its target attribute alone, so it exists in every build and runs only where
// cpu_isa() says the CPU has AVX-512. A tile at the edge of C runs a narrower copy (16 rows, or
// 4 or 8 columns), so the padding costs fewer multiply-adds.
#include "jiggle/kernels/isa.hpp"
#include "jiggle/kernels/pack.hpp"
#include "jiggle/kernels/pack_across_avx512.hpp"
#include "jiggle/tensor.hpp"

#ifdef JIGGLE_HAS_X86_KERNELS
#include <immintrin.h>
#endif

namespace jiggle::kernels {

#ifdef JIGGLE_HAS_X86_KERNELS

namespace tile_detail {

// Rows [first, first + 16) of a tile with `rows` valid rows, as a load and store mask.
inline __mmask16 row_mask(int rows, int first) { return across_detail::first_lanes(rows - first); }

// C[0:rows, 0:cols] ← α·acc + β·C from Halves·16 × Columns accumulators; C is not read when
// β = 0. Inlined into each tile, so the accumulators never leave their registers.
template <int Halves, int Columns>
__attribute__((always_inline, target(JIGGLE_TARGET_AVX512))) inline void store_tile(
    const __m512 (&acc)[Halves][Columns], float* c, Index ldc, int rows, int cols, float alpha, float beta) {
  const __m512 scale = _mm512_set1_ps(alpha);
  const __m512 keep = _mm512_set1_ps(beta);
  __mmask16 masks[Halves];
#pragma GCC unroll 2
  for (int h = 0; h < Halves; ++h) masks[h] = row_mask(rows, 16 * h);
#pragma GCC unroll 12
  for (int j = 0; j < Columns; ++j) {
    if (j >= cols) break;
    float* column = c + j * ldc;
#pragma GCC unroll 2
    for (int h = 0; h < Halves; ++h) {
      __m512 value = _mm512_mul_ps(acc[h][j], scale);
      if (beta != 0.0F) value = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(masks[h], column + Index{16} * h), keep, value);
      _mm512_mask_storeu_ps(column + Index{16} * h, masks[h], value);
    }
  }
}

// The variant of a 32×12 tile that covers rows × cols with the fewest multiply-adds.
template <class Run>
inline void run_narrowest(int rows, int cols, Run&& run) {
  if (rows > 16) {
    if (cols > 8) return run.template operator()<2, 12>();
    if (cols > 4) return run.template operator()<2, 8>();
    return run.template operator()<2, 4>();
  }
  if (cols > 8) return run.template operator()<1, 12>();
  if (cols > 4) return run.template operator()<1, 8>();
  return run.template operator()<1, 4>();
}

// What the AVX-512 tiles (fp32 and bf16) share: panels 32 rows tall and 12 columns wide, packed
// with AVX-512 (packing needs nothing of AVX512_BF16), and for a tile at C's edge the narrowest
// variant that covers it. Tile supplies multiply_part<Halves, Columns>.
template <class Tile>
struct Avx512Panels {
  static constexpr int kRows = 32;
  static constexpr int kColumns = 12;

  template <class Packed>
  __attribute__((target(JIGGLE_TARGET_AVX512))) static void pack(PanelSide side, const float* data, Index ld,
                                                                 bool width_runs_down, Index extent, Index depth,
                                                                 Packed* out) {
    if (side == PanelSide::rows)
      pack_detail::pack_panels<kRows, Packed, across_detail::Avx512Blocks>(data, ld, width_runs_down, extent, depth,
                                                                           out);
    else
      pack_detail::pack_panels<kColumns, Packed, across_detail::Avx512Blocks>(data, ld, width_runs_down, extent, depth,
                                                                              out);
  }

  template <class Packed>
  static void multiply(Index steps, const Packed* a, const Packed* b, float* c, Index ldc, int rows, int cols,
                       float alpha, float beta) {
    run_narrowest(rows, cols, [&]<int Halves, int Columns>() {
      Tile::template multiply_part<Halves, Columns>(steps, a, b, c, ldc, rows, cols, alpha, beta);
    });
  }
};

}  // namespace tile_detail

// a: steps × 32 values (the tile's rows at each depth), b: steps × 12 (its columns).
// C[0:rows, 0:cols] ← α·(a-panelᵀ b-panel) + β·C; C is not read when β = 0.
struct Avx512Tile : tile_detail::Avx512Panels<Avx512Tile> {
  using Packed = float;
  static constexpr int kDepthPerStep = 1;

  template <int Halves, int Columns>
  __attribute__((target(JIGGLE_TARGET_AVX512))) static void multiply_part(Index steps, const float* a, const float* b,
                                                                          float* c, Index ldc, int rows, int cols,
                                                                          float alpha, float beta) {
    __m512 acc[Halves][Columns];
#pragma GCC unroll 12
    for (int j = 0; j < Columns; ++j)
#pragma GCC unroll 2
      for (int h = 0; h < Halves; ++h) acc[h][j] = _mm512_setzero_ps();
    for (Index p = 0; p < steps; ++p) {
      __m512 column_of_a[Halves];
#pragma GCC unroll 2
      for (int h = 0; h < Halves; ++h) column_of_a[h] = _mm512_loadu_ps(a + Index{16} * h);
#pragma GCC unroll 12
      for (int j = 0; j < Columns; ++j) {
        const __m512 bj = _mm512_set1_ps(b[j]);
#pragma GCC unroll 2
        for (int h = 0; h < Halves; ++h) acc[h][j] = _mm512_fmadd_ps(column_of_a[h], bj, acc[h][j]);
      }
      a += kRows;
      b += kColumns;
    }
    tile_detail::store_tile<Halves, Columns>(acc, c, ldc, rows, cols, alpha, beta);
  }
};

#endif

}  // namespace jiggle::kernels
