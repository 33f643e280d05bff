#pragma once
// The AVX2 fp32 tile: a 16×6 block of C in 12 ymm registers (AVX2 has 16), one rank-1 update per
// step of the depth. For x86-64 CPUs without AVX-512; compiled by its target attribute alone.
#include <cmath>

#include "jiggle/kernels/isa.hpp"
#include "jiggle/kernels/pack.hpp"
#include "jiggle/kernels/pack_across_avx2.hpp"
#include "jiggle/tensor.hpp"

#ifdef JIGGLE_HAS_X86_KERNELS
#include <immintrin.h>
#endif

namespace jiggle::kernels {

#ifdef JIGGLE_HAS_X86_KERNELS

// a: steps × 16 values, b: steps × 6. C[0:rows, 0:cols] ← α·(a-panelᵀ b-panel) + β·C; C is not
// read when β = 0.
struct Avx2Tile {
  using Packed = float;
  static constexpr int kRows = 16;
  static constexpr int kColumns = 6;
  static constexpr int kDepthPerStep = 1;

  // The panels this tile reads, packed with its instructions.
  __attribute__((target(JIGGLE_TARGET_AVX2))) static void pack(PanelSide side, const float* data, Index ld,
                                                               bool width_runs_down, Index extent, Index depth,
                                                               Packed* out) {
    if (side == PanelSide::rows)
      pack_detail::pack_panels<kRows, Packed, across_detail::Avx2Blocks>(data, ld, width_runs_down, extent, depth, out);
    else
      pack_detail::pack_panels<kColumns, Packed, across_detail::Avx2Blocks>(data, ld, width_runs_down, extent, depth,
                                                                            out);
  }

  __attribute__((target(JIGGLE_TARGET_AVX2))) static void multiply(Index steps, const float* a, const float* b,
                                                                   float* c, Index ldc, int rows, int cols, float alpha,
                                                                   float beta) {
    __m256 acc[2][kColumns];
#pragma GCC unroll 6
    for (int j = 0; j < kColumns; ++j) acc[0][j] = acc[1][j] = _mm256_setzero_ps();
    for (Index p = 0; p < steps; ++p) {
      const __m256 a0 = _mm256_loadu_ps(a);
      const __m256 a1 = _mm256_loadu_ps(a + 8);
#pragma GCC unroll 6
      for (int j = 0; j < kColumns; ++j) {
        const __m256 bj = _mm256_broadcast_ss(b + j);
        acc[0][j] = _mm256_fmadd_ps(a0, bj, acc[0][j]);
        acc[1][j] = _mm256_fmadd_ps(a1, bj, acc[1][j]);
      }
      a += kRows;
      b += kColumns;
    }
    // A full tile is written straight from the registers; a partial one goes through a copy.
    const __m256 scale = _mm256_set1_ps(alpha);
    if (rows == kRows) {
      const __m256 keep = _mm256_set1_ps(beta);
#pragma GCC unroll 6
      for (int j = 0; j < kColumns; ++j) {
        if (j >= cols) break;
        float* column = c + j * ldc;
        __m256 low = _mm256_mul_ps(acc[0][j], scale);
        __m256 high = _mm256_mul_ps(acc[1][j], scale);
        if (beta != 0.0F) {
          low = _mm256_fmadd_ps(_mm256_loadu_ps(column), keep, low);
          high = _mm256_fmadd_ps(_mm256_loadu_ps(column + 8), keep, high);
        }
        _mm256_storeu_ps(column, low);
        _mm256_storeu_ps(column + 8, high);
      }
      return;
    }
    alignas(32) float tile[kColumns][kRows];
#pragma GCC unroll 6
    for (int j = 0; j < kColumns; ++j) {
      _mm256_store_ps(tile[j], _mm256_mul_ps(acc[0][j], scale));
      _mm256_store_ps(tile[j] + 8, _mm256_mul_ps(acc[1][j], scale));
    }
    for (int j = 0; j < cols; ++j) {
      float* column = c + j * ldc;
      for (int i = 0; i < rows; ++i) column[i] = beta != 0.0F ? std::fma(beta, column[i], tile[j][i]) : tile[j][i];
    }
  }
};

#endif

}  // namespace jiggle::kernels
