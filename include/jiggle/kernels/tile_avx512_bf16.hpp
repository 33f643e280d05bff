#pragma once
// The AVX512_BF16 tile: a 32×12 block of C in 24 zmm registers of fp32, fed bf16 inputs two
// depths at a time. vdpbf16ps multiplies pairs of bf16 exactly and adds both products into an
// fp32 lane, so each instruction does twice an fp32 FMA's work at the same rate, and the sums
// stay fp32. It reads subnormal inputs as zero and flushes subnormal results, whatever MXCSR
// says: below 2⁻¹²⁶ a bf16 product is 0. Compiled by its target attribute alone; runs only where
// cpu_isa() finds AVX512_BF16.
#include <cstdint>

#include "jiggle/kernels/isa.hpp"
#include "jiggle/kernels/pack.hpp"
#include "jiggle/kernels/tile_avx512.hpp"
#include "jiggle/tensor.hpp"

#ifdef JIGGLE_HAS_X86_KERNELS
#include <immintrin.h>
#endif

namespace jiggle::kernels {

#ifdef JIGGLE_HAS_X86_KERNELS

// A step is two depths, each packed element a bf16 pair (see bf16_pair). a: steps × 32 rows,
// b: steps × 12 columns. C[0:rows, 0:cols] ← α·Σ a b + β·C in fp32; C is not read when β = 0.
struct Avx512Bf16Tile : tile_detail::Avx512Panels<Avx512Bf16Tile> {
  using Packed = std::uint32_t;
  static constexpr int kDepthPerStep = 2;

  template <int Halves, int Columns>
  __attribute__((target(JIGGLE_TARGET_AVX512_BF16))) static void multiply_part(Index steps, const std::uint32_t* a,
                                                                               const std::uint32_t* b, float* c,
                                                                               Index ldc, int rows, int cols,
                                                                               float alpha, float beta) {
    __m512 acc[Halves][Columns];
#pragma GCC unroll 12
    for (int j = 0; j < Columns; ++j)
#pragma GCC unroll 2
      for (int h = 0; h < Halves; ++h) acc[h][j] = _mm512_setzero_ps();
    // The casts only rename the bits: bf16 pairs arrive as integers.
    for (Index p = 0; p < steps; ++p) {
      __m512bh pairs_of_a[Halves];
#pragma GCC unroll 2
      for (int h = 0; h < Halves; ++h) pairs_of_a[h] = (__m512bh)_mm512_loadu_si512(a + Index{16} * h);
#pragma GCC unroll 12
      for (int j = 0; j < Columns; ++j) {
        const auto bj = (__m512bh)_mm512_set1_epi32(static_cast<int>(b[j]));
#pragma GCC unroll 2
        for (int h = 0; h < Halves; ++h) acc[h][j] = _mm512_dpbf16_ps(acc[h][j], pairs_of_a[h], bj);
      }
      a += kRows;
      b += kColumns;
    }
    tile_detail::store_tile<Halves, Columns>(acc, c, ldc, rows, cols, alpha, beta);
  }
};

#endif

}  // namespace jiggle::kernels
