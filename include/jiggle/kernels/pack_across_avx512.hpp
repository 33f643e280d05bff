#pragma once
// Packing across, with AVX-512: the panels of an operand whose rows lie along its stored columns
// (op(A) = Aᵀ, or op(B) = B), where each row's depths are contiguous and the panel wants the
// rows side by side, so packing is a transpose. It goes in blocks of 16 rows by 16 steps, each a
// 16×16 transpose of 32-bit values (a float, or a bf16 pair) in registers, where the portable
// loop moves one value at a time: the weight gradient of a convolution and the dX of a dense
// layer pack this way.
#include <cstdint>
#include <type_traits>

#include "jiggle/kernels/isa.hpp"
#include "jiggle/tensor.hpp"

#ifdef JIGGLE_HAS_X86_KERNELS
#include <immintrin.h>
#endif

#ifdef JIGGLE_HAS_X86_KERNELS

namespace jiggle::kernels::across_detail {

// All lanes: the shuffles and shifts below take their masked forms with every lane selected, the
// same instructions, because GCC 12 warns of an uninitialised value inside the unmasked forms'
// definitions once they are inlined here.
inline constexpr __mmask16 kEvery32 = 0xFFFF;
inline constexpr __mmask8 kEvery64 = 0xFF;

// The first `count` of 16 lanes as a load and store mask: all of them from 16 on, none below 1.
inline __mmask16 first_lanes(Index count) {
  if (count >= 16) return static_cast<__mmask16>(0xFFFF);
  if (count <= 0) return 0;
  return static_cast<__mmask16>((1U << static_cast<unsigned>(count)) - 1U);
}

// v[i] lane j ← v[j] lane i: pairs of rows interleaved by 32 bits, then by 64, then the 128-bit
// lanes of four rows at a time.
__attribute__((always_inline, target(JIGGLE_TARGET_AVX512))) inline void transpose_16x16(__m512i (&v)[16]) {
  __m512i t[16];
#pragma GCC unroll 8
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_maskz_unpacklo_epi32(kEvery32, v[i], v[i + 1]);
    t[i + 1] = _mm512_maskz_unpackhi_epi32(kEvery32, v[i], v[i + 1]);
  }
  // v[4g + c], 128-bit lane L: column 4L + c of rows 4g to 4g + 3.
#pragma GCC unroll 4
  for (int g = 0; g < 16; g += 4) {
    v[g] = _mm512_maskz_unpacklo_epi64(kEvery64, t[g], t[g + 2]);
    v[g + 1] = _mm512_maskz_unpackhi_epi64(kEvery64, t[g], t[g + 2]);
    v[g + 2] = _mm512_maskz_unpacklo_epi64(kEvery64, t[g + 1], t[g + 3]);
    v[g + 3] = _mm512_maskz_unpackhi_epi64(kEvery64, t[g + 1], t[g + 3]);
  }
  // Column 4L + c gathers lane L of v[c], v[4 + c], v[8 + c] and v[12 + c].
#pragma GCC unroll 4
  for (int c = 0; c < 4; ++c) {
    const __m512i low_lanes_top = _mm512_maskz_shuffle_i32x4(kEvery32, v[c], v[4 + c], 0x44);
    const __m512i high_lanes_top = _mm512_maskz_shuffle_i32x4(kEvery32, v[c], v[4 + c], 0xEE);
    const __m512i low_lanes_bottom = _mm512_maskz_shuffle_i32x4(kEvery32, v[8 + c], v[12 + c], 0x44);
    const __m512i high_lanes_bottom = _mm512_maskz_shuffle_i32x4(kEvery32, v[8 + c], v[12 + c], 0xEE);
    t[c] = _mm512_maskz_shuffle_i32x4(kEvery32, low_lanes_top, low_lanes_bottom, 0x88);
    t[4 + c] = _mm512_maskz_shuffle_i32x4(kEvery32, low_lanes_top, low_lanes_bottom, 0xDD);
    t[8 + c] = _mm512_maskz_shuffle_i32x4(kEvery32, high_lanes_top, high_lanes_bottom, 0x88);
    t[12 + c] = _mm512_maskz_shuffle_i32x4(kEvery32, high_lanes_top, high_lanes_bottom, 0xDD);
  }
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) v[i] = t[i];
}

// to_bf16 of 16 floats, each left in the low half of its lane: the same integer rounding, so a
// value packs to the same bits whichever way it is packed. vcvtne2ps2bf16 would differ from it on
// subnormals, which it flushes to zero (vdpbf16ps reads them as zero anyway, so the choice is
// about identical packing, not about the product).
__attribute__((always_inline, target(JIGGLE_TARGET_AVX512))) inline __m512i to_bf16_lanes(__m512 values) {
  const __m512i bits = _mm512_castps_si512(values);
  const __m512i top = _mm512_maskz_srli_epi32(kEvery32, bits, 16);
  const __m512i bias = _mm512_add_epi32(_mm512_set1_epi32(0x7FFF), _mm512_and_si512(top, _mm512_set1_epi32(1)));
  const __m512i rounded = _mm512_maskz_srli_epi32(kEvery32, _mm512_add_epi32(bits, bias), 16);
  const __mmask16 nan =
      _mm512_cmpgt_epu32_mask(_mm512_and_si512(bits, _mm512_set1_epi32(0x7FFF'FFFF)), _mm512_set1_epi32(0x7F80'0000));
  return _mm512_mask_mov_epi32(rounded, nan, _mm512_or_si512(top, _mm512_set1_epi32(0x0040)));
}

// The bf16 pairs of 32 consecutive depths: lane t holds depth 2t low and depth 2t + 1 high.
__attribute__((always_inline, target(JIGGLE_TARGET_AVX512))) inline __m512i to_bf16_pairs(const float* depths) {
  alignas(64) static constexpr std::uint16_t kLowHalves[32] = {0,  2,  4,  6,  8,  10, 12, 14, 16, 18, 20,
                                                               22, 24, 26, 28, 30, 32, 34, 36, 38, 40, 42,
                                                               44, 46, 48, 50, 52, 54, 56, 58, 60, 62};
  const __m512i first = to_bf16_lanes(_mm512_loadu_ps(depths));
  const __m512i second = to_bf16_lanes(_mm512_loadu_ps(depths + 16));
  return _mm512_permutex2var_epi16(first, _mm512_load_si512(kLowHalves), second);
}

// What pack_panels calls to pack across (see pack_detail::NoBlocks): steps [0, 16·⌊steps/16⌋)
// of a panel's `valid` rows, row r's depths at rows + r·ld, into out[q·Width + r]; rows from
// `valid` to Width get zeros. Returns how many steps it packed.
struct Avx512Blocks {
  template <int Width, class Packed>
  __attribute__((target(JIGGLE_TARGET_AVX512))) static Index pack_across(const float* rows, Index ld, Index valid,
                                                                         Index steps, Packed* out) {
    constexpr bool kPairs = std::is_same_v<Packed, std::uint32_t>;
    constexpr Index kDepthPerStep = kPairs ? 2 : 1;
    const Index blocked = steps / 16 * 16;
    for (Index first_step = 0; first_step < blocked; first_step += 16)
      for (int group = 0; group < Width; group += 16) {
        __m512i v[16];
#pragma GCC unroll 16
        for (int i = 0; i < 16; ++i) {
          const Index r = group + i;
          if (r >= valid) {
            v[i] = _mm512_setzero_si512();
            continue;
          }
          const float* depths = rows + r * ld + first_step * kDepthPerStep;
          if constexpr (kPairs)
            v[i] = to_bf16_pairs(depths);
          else
            v[i] = _mm512_castps_si512(_mm512_loadu_ps(depths));
        }
        transpose_16x16(v);
        const __mmask16 lanes = first_lanes(Width - group);
#pragma GCC unroll 16
        for (int q = 0; q < 16; ++q) _mm512_mask_storeu_epi32(out + (first_step + q) * Width + group, lanes, v[q]);
      }
    return blocked;
  }

  // What pack_panels calls to pack down (see pack_detail::NoBlocks): bf16 pairs of steps
  // [0, steps), depth d of row r at data[r + d·ld], into out[q·Width + r], for the `valid` rows;
  // returns how many steps it packed. Written out because a target attribute without -march
  // tunes for no CPU in particular, and GCC then gathers the pairs a value at a time; fp32 is a
  // copy, vectorised either way, and left to the loop.
  template <int Width, class Packed>
  __attribute__((target(JIGGLE_TARGET_AVX512))) static Index pack_down(const float* data, Index ld, Index valid,
                                                                       Index steps, Packed* out) {
    if constexpr (!std::is_same_v<Packed, std::uint32_t>) {
      return 0;
    } else {
      for (Index q = 0; q < steps; ++q) {
        const float* low = data + 2 * q * ld;  // depth 2q; depth 2q + 1 is a column further
        for (Index group = 0; group < valid; group += 16) {
          const __mmask16 lanes = first_lanes(valid - group);
          const __m512i first = to_bf16_lanes(_mm512_maskz_loadu_ps(lanes, low + group));
          const __m512i second = to_bf16_lanes(_mm512_maskz_loadu_ps(lanes, low + ld + group));
          const __m512i pairs = _mm512_or_si512(first, _mm512_maskz_slli_epi32(kEvery32, second, 16));
          _mm512_mask_storeu_epi32(out + q * Width + group, lanes, pairs);
        }
      }
      return steps;
    }
  }
};

}  // namespace jiggle::kernels::across_detail

#endif
