#pragma once
// Packing across, with AVX2: the AVX2 tile's panels of an operand whose rows lie along its stored
// columns (see pack_across_avx512.hpp), in blocks of 8 rows by 8 steps, each an 8×8 transpose of
// floats in registers. The portable loop stores one value at a time, a row's steps Width values
// apart, and on an AVX2 CPU (AMD EPYC, Zen 3) it cost a convolution's weight gradient a third of
// its speed against oneDNN. fp32 only: the tile has no bf16.
#include <type_traits>

#include "jiggle/kernels/isa.hpp"
#include "jiggle/tensor.hpp"

#ifdef JIGGLE_HAS_X86_KERNELS
#include <immintrin.h>
#endif

#ifdef JIGGLE_HAS_X86_KERNELS

namespace jiggle::kernels::across_detail {

// v[i] lane j ← v[j] lane i: pairs of rows interleaved, then fours, then the 128-bit halves.
__attribute__((always_inline, target(JIGGLE_TARGET_AVX2))) inline void transpose_8x8(__m256 (&v)[8]) {
  __m256 pairs[8];
#pragma GCC unroll 4
  for (int i = 0; i < 8; i += 2) {
    pairs[i] = _mm256_unpacklo_ps(v[i], v[i + 1]);
    pairs[i + 1] = _mm256_unpackhi_ps(v[i], v[i + 1]);
  }
  // fours[4h + c], each 128-bit half L: column 4L + c of rows 4h to 4h + 3.
  __m256 fours[8];
#pragma GCC unroll 2
  for (int h = 0; h < 8; h += 4) {
    fours[h] = _mm256_shuffle_ps(pairs[h], pairs[h + 2], 0x44);
    fours[h + 1] = _mm256_shuffle_ps(pairs[h], pairs[h + 2], 0xEE);
    fours[h + 2] = _mm256_shuffle_ps(pairs[h + 1], pairs[h + 3], 0x44);
    fours[h + 3] = _mm256_shuffle_ps(pairs[h + 1], pairs[h + 3], 0xEE);
  }
#pragma GCC unroll 4
  for (int c = 0; c < 4; ++c) {
    v[c] = _mm256_permute2f128_ps(fours[c], fours[4 + c], 0x20);
    v[4 + c] = _mm256_permute2f128_ps(fours[c], fours[4 + c], 0x31);
  }
}

// The first `Count` (1 to 7) floats of `values` to `out`.
template <int Count>
__attribute__((always_inline, target(JIGGLE_TARGET_AVX2))) inline void store_first(float* out, __m256 values) {
  static_assert(Count > 0 && Count < 8);
  if constexpr (Count == 6) {
    _mm_storeu_ps(out, _mm256_castps256_ps128(values));
    _mm_storel_pi(reinterpret_cast<__m64*>(out + 4), _mm256_extractf128_ps(values, 1));
  } else {
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, values);
    for (int i = 0; i < Count; ++i) out[i] = lanes[i];
  }
}

// What pack_panels calls (see pack_detail::NoBlocks): steps [0, 8·⌊steps/8⌋) of a panel's `valid`
// rows, row r's depths at rows + r·ld, into out[q·Width + r]; rows from `valid` to Width get
// zeros. Returns how many steps it packed. Packing down is a copy the loop vectorises.
struct Avx2Blocks {
  template <int Width, class Packed>
  __attribute__((target(JIGGLE_TARGET_AVX2))) static Index pack_across(const float* rows, Index ld, Index valid,
                                                                       Index steps, Packed* out) {
    if constexpr (!std::is_same_v<Packed, float>) {
      return 0;
    } else {
      const Index blocked = steps / 8 * 8;
      for (Index first_step = 0; first_step < blocked; first_step += 8) {
        pack_group<Width, 0>(rows, ld, valid, first_step, out);
        if constexpr (Width > 8) pack_group<Width, 8>(rows, ld, valid, first_step, out);
        static_assert(Width <= 16, "a panel of at most two groups of 8 rows");
      }
      return blocked;
    }
  }

  template <int Width, class Packed>
  static Index pack_down(const float* /*data*/, Index /*ld*/, Index /*valid*/, Index /*steps*/, Packed* /*out*/) {
    return 0;
  }

 private:
  // Rows [Group, Group + 8) of the panel, steps [first_step, first_step + 8).
  template <int Width, int Group>
  __attribute__((always_inline, target(JIGGLE_TARGET_AVX2))) static void pack_group(const float* rows, Index ld,
                                                                                    Index valid, Index first_step,
                                                                                    float* out) {
    __m256 v[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i)
      v[i] = Group + i < valid ? _mm256_loadu_ps(rows + (Group + i) * ld + first_step) : _mm256_setzero_ps();
    transpose_8x8(v);
    constexpr int kLanes = Width - Group;
#pragma GCC unroll 8
    for (int q = 0; q < 8; ++q) {
      float* step = out + (first_step + q) * Width + Group;
      if constexpr (kLanes >= 8)
        _mm256_storeu_ps(step, v[q]);
      else
        store_first<kLanes>(step, v[q]);
    }
  }
};

}  // namespace jiggle::kernels::across_detail

#endif
