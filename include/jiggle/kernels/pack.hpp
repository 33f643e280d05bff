#pragma once
// Packing: the operands of a product copied into the panels a tile reads in order, rounded to
// the tile's input type on the way.
#include <algorithm>

#include "jiggle/kernels/bf16.hpp"
#include "jiggle/parallel.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle::kernels {

// op(M) for a column-major M with leading dimension `ld`: M itself, or its transpose.
struct Operand {
  const float* data;
  Index ld;
  bool transposed;

  Operand from_row(Index row) const { return {transposed ? data + row * ld : data + row, ld, transposed}; }
  Operand from_column(Index column) const { return {transposed ? data + column : data + column * ld, ld, transposed}; }
};

// Which operand a panel comes from: rows of op(A), as tall as the tile, or columns of op(B), as
// wide as it.
enum class PanelSide { rows, columns };

namespace pack_detail {

inline constexpr Index round_up(Index value, Index multiple) { return (value + multiple - 1) / multiple * multiple; }

template <class Packed>
Packed packed_value(float value) {
  if constexpr (sizeof(Packed) == sizeof(float))
    return value;
  else
    return to_bf16(value);
}

// Where depth p of row (or column) r of a panel `width` wide lands: steps of kDepthPerStep
// depths, each holding the panel's rows side by side, every row's depths together.
template <int DepthPerStep>
constexpr Index packed_index(Index width, Index r, Index p) {
  return (p / DepthPerStep) * DepthPerStep * width + r * DepthPerStep + p % DepthPerStep;
}

// Packs `extent` rows of op(A), or columns of op(B), and `depth` depths into panels `Width`
// wide, zero beyond both ends so a tile never reads past them. Element (r, p) is at
// data[r + p·ld] when the panel's width runs down the stored columns, else at data[p + r·ld];
// each case reads its memory in order. Inlined into each tile's pack, so it is compiled for the
// tile's instructions rather than for the plain x86-64 a program may be built for; its loops are
// marked simd because -O2 alone would leave them scalar.
template <int Width, int DepthPerStep, class Packed>
__attribute__((always_inline)) inline void pack_panels(const float* data, Index ld, bool width_runs_down, Index extent,
                                                       Index depth, Packed* out) {
  const Index padded_depth = round_up(depth, DepthPerStep);
  for (Index first = 0; first < extent; first += Width) {
    const Index valid = std::min<Index>(Width, extent - first);
    if (valid < Width || padded_depth > depth) std::fill(out, out + padded_depth * Width, Packed{});
    if (width_runs_down) {
      for (Index p = 0; p < depth; ++p) {
        const float* source = data + first + p * ld;
        JIGGLE_OMP(simd)
        for (Index r = 0; r < valid; ++r)
          out[packed_index<DepthPerStep>(Width, r, p)] = packed_value<Packed>(source[r]);
      }
    } else {
      // In strips of depth, so a strip of every row stays in L1. fp32 copies each row's strip in
      // order; bf16, whose steps pair two depths, gathers each depth across the rows, which
      // measured faster there.
      constexpr Index kStrip = 64;
      const float* rows = data + first * ld;
      for (Index strip = 0; strip < depth; strip += kStrip) {
        const Index end = std::min(depth, strip + kStrip);
        if constexpr (DepthPerStep == 1) {
          for (Index r = 0; r < valid; ++r) {
            JIGGLE_OMP(simd)
            for (Index p = strip; p < end; ++p) out[p * Width + r] = packed_value<Packed>(rows[r * ld + p]);
          }
        } else {
          for (Index p = strip; p < end; ++p) {
            JIGGLE_OMP(simd)
            for (Index r = 0; r < valid; ++r)
              out[packed_index<DepthPerStep>(Width, r, p)] = packed_value<Packed>(rows[r * ld + p]);
          }
        }
      }
    }
    out += padded_depth * Width;
  }
}

}  // namespace pack_detail

}  // namespace jiggle::kernels
