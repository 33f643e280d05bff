#pragma once
// Packing: the operands of a product copied into the panels a tile reads in order, rounded to
// the tile's input type on the way.
#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "jiggle/kernels/bf16.hpp"
#include "jiggle/parallel.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle::kernels {

// op(M) for a column-major M with leading dimension `ld`: M itself, or its transpose.
template <class Float>
struct StoredOperand {
  const Float* data;
  Index ld;
  bool transposed;

  StoredOperand from_row(Index row) const { return {transposed ? data + row * ld : data + row, ld, transposed}; }
  StoredOperand from_column(Index column) const {
    return {transposed ? data + column : data + column * ld, ld, transposed};
  }
};

// What the kernels read.
using Operand = StoredOperand<float>;

// Which operand a panel comes from: rows of op(A), as tall as the tile, or columns of op(B), as
// wide as it.
enum class PanelSide { rows, columns };

namespace pack_detail {

inline constexpr Index round_up(Index value, Index multiple) { return (value + multiple - 1) / multiple * multiple; }

// The bf16 tile's packed element: a row's (or column's) two depths of one step, depth 2q in the
// low half and 2q + 1 in the high half, as vdpbf16ps pairs them.
inline std::uint32_t bf16_pair(float low, float high) {
  return static_cast<std::uint32_t>(to_bf16(low)) | (static_cast<std::uint32_t>(to_bf16(high)) << 16U);
}

// How a tile packs across and down (see pack_panels) before the loops below take the rest: here
// not at all. A tile with a faster way supplies its own pack_across and pack_down.
struct NoBlocks {
  template <int Width, class Packed>
  static Index pack_across(const float* /*rows*/, Index /*ld*/, Index /*valid*/, Index /*steps*/, Packed* /*out*/) {
    return 0;
  }
  template <int Width, class Packed>
  static Index pack_down(const float* /*data*/, Index /*ld*/, Index /*valid*/, Index /*steps*/, Packed* /*out*/) {
    return 0;
  }
};

// Packs `extent` rows of op(A), or columns of op(B), and `depth` depths into panels `Width`
// wide: one element per row and step of the tile's depth (a float; or for Packed = uint32, a
// bf16 pair), zero beyond the last row so a tile never reads past it. Element (r, p) is at
// data[r + p·ld] when the panel's width runs down the stored columns, else at data[p + r·ld]
// (packing across, a transpose: Blocks packs what steps it can first). Each case reads its
// memory in order. Inlined into each tile's pack, so it is compiled for the tile's instructions
// rather than for the plain x86-64 a program may be built for; its loops are marked simd because
// -O2 alone would leave them scalar.
template <int Width, class Packed, class Blocks = NoBlocks>
__attribute__((always_inline)) inline void pack_panels(const float* data, Index ld, bool width_runs_down, Index extent,
                                                       Index depth, Packed* out) {
  constexpr bool kPairs = std::is_same_v<Packed, std::uint32_t>;
  static_assert(kPairs || std::is_same_v<Packed, float>, "a tile packs floats or bf16 pairs");
  constexpr Index kDepthPerStep = kPairs ? 2 : 1;
  const Index steps = (depth + kDepthPerStep - 1) / kDepthPerStep;
  const Index whole_steps = depth / kDepthPerStep;  // the steps with every depth inside
  for (Index first = 0; first < extent; first += Width) {
    const Index valid = std::min<Index>(Width, extent - first);
    if (valid < Width) std::fill(out, out + steps * Width, Packed{});
    if (width_runs_down) {
      const Index packed = Blocks::template pack_down<Width>(data + first, ld, valid, whole_steps, out);
      for (Index q = packed; q < whole_steps; ++q) {
        const float* source = data + first + q * kDepthPerStep * ld;
        JIGGLE_OMP(simd)
        for (Index r = 0; r < valid; ++r) {
          if constexpr (kPairs)
            out[q * Width + r] = bf16_pair(source[r], source[r + ld]);
          else
            out[q * Width + r] = source[r];
        }
      }
    } else {
      // In strips of steps, so a strip of every row stays in L1. fp32 copies each row's strip in
      // order; bf16 gathers each pair across the rows, which measured faster there.
      constexpr Index kStrip = 64;
      const float* rows = data + first * ld;
      const Index blocked = Blocks::template pack_across<Width>(rows, ld, valid, whole_steps, out);
      for (Index strip = blocked; strip < whole_steps; strip += kStrip) {
        const Index end = std::min(whole_steps, strip + kStrip);
        if constexpr (kPairs) {
          for (Index q = strip; q < end; ++q) {
            JIGGLE_OMP(simd)
            for (Index r = 0; r < valid; ++r)
              out[q * Width + r] = bf16_pair(rows[r * ld + 2 * q], rows[r * ld + 2 * q + 1]);
          }
        } else {
          for (Index r = 0; r < valid; ++r) {
            JIGGLE_OMP(simd)
            for (Index q = strip; q < end; ++q) out[q * Width + r] = rows[r * ld + q];
          }
        }
      }
    }
    if constexpr (kPairs) {
      // An odd depth: the last step holds the last depth and a zero.
      if (steps > whole_steps)
        for (Index r = 0; r < valid; ++r) {
          const Index last = depth - 1;
          out[whole_steps * Width + r] =
              bf16_pair(width_runs_down ? data[first + r + last * ld] : data[(first + r) * ld + last], 0.0F);
        }
    }
    out += steps * Width;
  }
}

}  // namespace pack_detail

}  // namespace jiggle::kernels
