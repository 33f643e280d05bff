#pragma once
// C ← α·op(A)·op(B) + β·C for column-major fp32 matrices, on the best tile this CPU runs.
//
// The blocking is the usual one (Goto and van de Geijn): a block of op(B), kc deep and up to nc
// wide, is packed into panels of the tile's width; for each block of op(A), mc tall, packed into
// panels of the tile's height, the tile walks every panel pair. A packed B panel (kc × 12 values,
// 12 KB) stays in L1 while the A panels stream from L2 (mc × kc = 256 KB). Packing also converts
// to bf16 when the tile takes bf16, so each input is rounded once per block.
//
// kc depends on k alone and every element of C is summed by one tile in the same order however
// the work is shared out, so the result is the same bit for bit on any number of threads.
//
// Every file that multiplies floats compiles the kernels, as header-only code does. A program of
// many files may compile them once instead: JIGGLE_SEPARATE_KERNELS defined for every file (on the
// command line, so no file goes without it) leaves only the five declarations below, and one
// file, which also defines JIGGLE_DEFINE_KERNELS before its first include, holds their
// definitions. The five are templates of the one type they take, float or double, so that a file
// that multiplies no matrix of that type never instantiates them.

#include "jiggle/kernels/isa.hpp"
#include "jiggle/kernels/pack.hpp"
#include "jiggle/precision.hpp"
#include "jiggle/tensor.hpp"

#if defined(JIGGLE_DEFINE_KERNELS) && !defined(JIGGLE_SEPARATE_KERNELS)
#error "JIGGLE_DEFINE_KERNELS goes with JIGGLE_SEPARATE_KERNELS, defined for every file of the program"
#endif
#include <concepts>

namespace jiggle::kernels {

// Makes every thread's packing buffers now, outside any step. A parallel loop that hands work to
// whichever thread is free (Conv2D's samples) may reach a thread for the first time at any step,
// and would allocate there.
template <std::same_as<float> Float = float>
void reserve_workspaces(Precision precision);

// C[0:m, 0:n] ← α·op(A)·op(B) + β·C (ldc ≥ m), with op(A) m×k and op(B) k×n, on the kernels of
// `isa`, which must not exceed cpu_isa(); bf16 needs Isa::avx512_bf16 or Isa::amx_bf16. C is not
// read when β = 0.
template <std::same_as<float> Float>
void multiply_with(Isa isa, Precision precision, const Operand& A, const Operand& B, Index m, Index n, Index k,
                   Float alpha, Float beta, Float* c, Index ldc);

// The same on the best kernels this CPU runs.
template <std::same_as<float> Float>
void multiply(Precision precision, const Operand& A, const Operand& B, Index m, Index n, Index k, Float alpha,
              Float beta, Float* c, Index ldc);

// The same in double, on Eigen's own product on one thread: a model in double (a gradient check)
// multiplies so. It is here for its cost, not its speed: Eigen's product costs each file that
// instantiates it seconds of compiling, and a program that compiles the kernels apart compiles it
// once.
template <std::same_as<double> Float>
void multiply_in_double(const StoredOperand<Float>& A, const StoredOperand<Float>& B, Index m, Index n, Index k,
                        Float alpha, Float beta, Float* c, Index ldc);

// The same in bf16 on the AMX kernel with its tile instructions modelled in plain C++
// (amx_model.hpp): the kernel's packing, blocking and edges, checked on any CPU, about a thousand
// times slower than the hardware.
template <std::same_as<float> Float>
void multiply_on_amx_model(const Operand& A, const Operand& B, Index m, Index n, Index k, Float alpha, Float beta,
                           Float* c, Index ldc);

}  // namespace jiggle::kernels

#if !defined(JIGGLE_SEPARATE_KERNELS) || defined(JIGGLE_DEFINE_KERNELS)
#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

#include "jiggle/error.hpp"
#include "jiggle/kernels/amx_model.hpp"
#include "jiggle/kernels/tile_amx.hpp"
#include "jiggle/kernels/tile_avx2.hpp"
#include "jiggle/kernels/tile_avx512.hpp"
#include "jiggle/kernels/tile_avx512_bf16.hpp"
#include "jiggle/parallel.hpp"

namespace jiggle::kernels {

namespace gemm_detail {

using pack_detail::round_up;

inline constexpr Index kDepthBlock = 256;    // kc, at most
inline constexpr Index kRowBlock = 256;      // mc
inline constexpr Index kColumnBlock = 1536;  // nc, a multiple of every tile's width

// Below this many multiply-adds a product runs on one thread: waking the other costs more.
inline constexpr Index kParallelWork = Index{1} << 18;

// Rows [0, rows) and depths [0, depth) of op(A), in panels of the tile's height.
template <class Tile>
void pack_rows(const Operand& A, Index rows, Index depth, typename Tile::Packed* out) {
  Tile::pack(PanelSide::rows, A.data, A.ld, !A.transposed, rows, depth, out);
}

// Depths [0, depth) and columns [0, columns) of op(B), in panels of the tile's width.
template <class Tile>
void pack_columns(const Operand& B, Index depth, Index columns, typename Tile::Packed* out) {
  Tile::pack(PanelSide::columns, B.data, B.ld, B.transposed, columns, depth, out);
}

// Each thread's packing buffers, made at their largest the first time the thread multiplies
// (1.8 MB of fp32), so whichever thread later takes whichever product, a step allocates nothing.
template <class Packed>
struct Workspace {
  std::vector<Packed> rows = std::vector<Packed>(static_cast<std::size_t>(kRowBlock * kDepthBlock));
  std::vector<Packed> columns = std::vector<Packed>(static_cast<std::size_t>(kColumnBlock * kDepthBlock));
};

template <class Packed>
Workspace<Packed>& workspace() {
  thread_local Workspace<Packed> buffers;
  return buffers;
}

// k split into equal blocks of at most kDepthBlock, in multiples of `granule`, even so bf16
// pairs never straddle two.
inline Index depth_block(Index k, Index granule) {
  const Index blocks = (k + kDepthBlock - 1) / kDepthBlock;
  return round_up((k + blocks - 1) / blocks, granule);
}

// What a tile may add to the others' protocol: a depth block in multiples of its own granule
// (else 2); panels whose steps it pads (panel_steps); tiles it sets up for a thread's share of a
// product and releases after (configure, release).
template <class Tile>
constexpr Index depth_granule() {
  if constexpr (requires { Tile::kDepthGranule; })
    return Tile::kDepthGranule;
  else
    return 2;
}
template <class Tile>
constexpr Index panel_steps(Index steps) {
  if constexpr (requires { Tile::panel_steps(steps); })
    return Tile::panel_steps(steps);
  else
    return steps;
}
template <class Tile>
concept ConfiguresItsTiles = requires {
  Tile::configure();
  Tile::release();
};

// One thread's share: C[0:m, 0:n] ← α·op(A)·op(B) + β·C with k > 0.
template <class Tile>
void multiply_on_one_thread(const Operand& A, const Operand& B, Index m, Index n, Index k, float alpha, float beta,
                            float* c, Index ldc) {
  using Packed = typename Tile::Packed;
  constexpr Index kStep = Tile::kDepthPerStep;
  Workspace<Packed>& buffers = workspace<Packed>();
  const Index kc = depth_block(k, depth_granule<Tile>());
  if constexpr (ConfiguresItsTiles<Tile>) Tile::configure();

  for (Index jc = 0; jc < n; jc += kColumnBlock) {
    const Index nb = std::min(kColumnBlock, n - jc);
    for (Index pc = 0; pc < k; pc += kc) {
      const Index kb = std::min(kc, k - pc);
      const Index steps = panel_steps<Tile>((kb + kStep - 1) / kStep);
      pack_columns<Tile>(B.from_row(pc).from_column(jc), kb, nb, buffers.columns.data());
      const float block_beta = pc == 0 ? beta : 1.0F;
      for (Index ic = 0; ic < m; ic += kRowBlock) {
        const Index mb = std::min(kRowBlock, m - ic);
        pack_rows<Tile>(A.from_row(ic).from_column(pc), mb, kb, buffers.rows.data());
        for (Index jr = 0; jr < nb; jr += Tile::kColumns)
          for (Index ir = 0; ir < mb; ir += Tile::kRows)
            Tile::multiply(steps, buffers.rows.data() + ir * steps, buffers.columns.data() + jr * steps,
                           c + (ic + ir) + (jc + jr) * ldc, ldc,
                           static_cast<int>(std::min<Index>(Tile::kRows, mb - ir)),
                           static_cast<int>(std::min<Index>(Tile::kColumns, nb - jr)), alpha, block_beta);
      }
    }
  }
  if constexpr (ConfiguresItsTiles<Tile>) Tile::release();
}

// C ← β·C, for a product with nothing to sum (k = 0); C is not read when β = 0.
inline void scale(Index m, Index n, float beta, float* c, Index ldc) {
  for (Index j = 0; j < n; ++j)
    for (Index i = 0; i < m; ++i) c[i + j * ldc] = beta == 0.0F ? 0.0F : beta * c[i + j * ldc];
}

// Does a product with no element of C, or with nothing to sum (C ← β·C), and says whether it did.
inline bool done_without_kernels(Index m, Index n, Index k, float beta, float* c, Index ldc) {
  if (m == 0 || n == 0) return true;
  if (k == 0) {
    scale(m, n, beta, c, ldc);
    return true;
  }
  return false;
}

// Outside a parallel loop, C is cut along its longer side, in whole tiles, into a few blocks per
// thread (parallel_for_runs), claimed as threads become free. The operand that is not cut,
// packed again for every block, is the smaller one.
//
// C[0:m, 0:n] ← α·op(A)·op(B) + β·C, with `on_one_thread` taking each block of C, of whole
// `unit`s of rows or columns.
template <class OneThread>
void multiply_on_threads(const OneThread& on_one_thread, Index unit, const Operand& A, const Operand& B, Index m,
                         Index n, Index k, float alpha, float beta, float* c, Index ldc) {
  if (thread_count() == 1 || in_parallel_region() || m * n * k < kParallelWork) {
    on_one_thread(A, B, m, n, k, alpha, beta, c, ldc);
    return;
  }
  const bool by_columns = n >= m;
  const Index extent = by_columns ? n : m;
  const Index units = (extent + unit - 1) / unit;
  parallel_for_runs(units, [&](Index first_unit, Index end_unit) {
    const Index first = first_unit * unit;
    const Index size = std::min(end_unit * unit, extent) - first;
    if (by_columns)
      on_one_thread(A, B.from_column(first), m, size, k, alpha, beta, c + first * ldc, ldc);
    else
      on_one_thread(A.from_row(first), B, size, n, k, alpha, beta, c + first, ldc);
  });
}

template <class Tile>
void multiply_on_threads(const Operand& A, const Operand& B, Index m, Index n, Index k, float alpha, float beta,
                         float* c, Index ldc) {
  const Index unit = n >= m ? Tile::kColumns : Tile::kRows;
  multiply_on_threads(multiply_on_one_thread<Tile>, unit, A, B, m, n, k, alpha, beta, c, ldc);
}

// The blocks of C that Eigen's product takes on each thread: multiples of its own tiles.
inline constexpr Index kPortableUnit = 16;

// Eigen's own product, on one thread (parallel.hpp): what every CPU without AVX2 runs, and the
// reference the tiles agree with to rounding.
template <class Float>
void multiply_portably(const StoredOperand<Float>& A, const StoredOperand<Float>& B, Index m, Index n, Index k,
                       Float alpha, Float beta, Float* c, Index ldc) {
  using Stored = Eigen::Map<const Matrix<Float>, 0, Eigen::OuterStride<>>;
  const Stored a_stored(A.data, A.transposed ? k : m, A.transposed ? m : k, Eigen::OuterStride<>(A.ld));
  const Stored b_stored(B.data, B.transposed ? n : k, B.transposed ? k : n, Eigen::OuterStride<>(B.ld));
  Eigen::Map<Matrix<Float>, 0, Eigen::OuterStride<>> C(c, m, n, Eigen::OuterStride<>(ldc));
  const auto update = [&](const auto& a, const auto& b) { scale_and_add(C, a * b, alpha, beta); };
  if (A.transposed && B.transposed)
    update(a_stored.transpose(), b_stored.transpose());
  else if (A.transposed)
    update(a_stored.transpose(), b_stored);
  else if (B.transposed)
    update(a_stored, b_stored.transpose());
  else
    update(a_stored, b_stored);
}

}  // namespace gemm_detail

template <std::same_as<float> Float>
void reserve_workspaces(Precision precision) {
  static std::atomic<int> reserved_for[2] = {0, 0};  // threads whose buffers exist, per precision
  std::atomic<int>& reserved = reserved_for[precision == Precision::bf16 ? 1 : 0];
  const int threads = thread_count();
  // A CPU without AVX2 runs Eigen's products, which pack into buffers of their own.
  if (cpu_isa() < Isa::avx2 || in_parallel_region() || reserved.load() >= threads) return;
  on_each_thread([&] {
    if (precision == Precision::bf16)
      gemm_detail::workspace<std::uint32_t>();
    else
      gemm_detail::workspace<float>();
  });
  reserved = threads;
}

template <std::same_as<float> Float>
void multiply_with(Isa isa, Precision precision, const Operand& A, const Operand& B, Index m, Index n, Index k,
                   Float alpha, Float beta, Float* c, Index ldc) {
  require_cpu_runs(isa, "the kernels");
  if (precision == Precision::bf16 && isa < Isa::avx512_bf16)
    throw Error("jiggle: bf16 products need the AVX512_BF16 or AMX kernels, not " + to_string(isa));
  if (gemm_detail::done_without_kernels(m, n, k, beta, c, ldc)) return;
#ifdef JIGGLE_HAS_X86_KERNELS
  reserve_workspaces<Float>(precision);
  if (precision == Precision::bf16) {
    if (isa == Isa::amx_bf16 && tile_state_granted())
      gemm_detail::multiply_on_threads<AmxTile>(A, B, m, n, k, alpha, beta, c, ldc);
    else
      gemm_detail::multiply_on_threads<Avx512Bf16Tile>(A, B, m, n, k, alpha, beta, c, ldc);
    return;
  }
  if (isa >= Isa::avx512) {
    gemm_detail::multiply_on_threads<Avx512Tile>(A, B, m, n, k, alpha, beta, c, ldc);
    return;
  }
  if (isa == Isa::avx2) {
    gemm_detail::multiply_on_threads<Avx2Tile>(A, B, m, n, k, alpha, beta, c, ldc);
    return;
  }
#endif
  gemm_detail::multiply_on_threads(gemm_detail::multiply_portably<Float>, gemm_detail::kPortableUnit, A, B, m, n, k,
                                   alpha, beta, c, ldc);
}

template <std::same_as<float> Float>
void multiply(Precision precision, const Operand& A, const Operand& B, Index m, Index n, Index k, Float alpha,
              Float beta, Float* c, Index ldc) {
  multiply_with(cpu_isa(), precision, A, B, m, n, k, alpha, beta, c, ldc);
}

template <std::same_as<double> Float>
void multiply_in_double(const StoredOperand<Float>& A, const StoredOperand<Float>& B, Index m, Index n, Index k,
                        Float alpha, Float beta, Float* c, Index ldc) {
  gemm_detail::multiply_portably(A, B, m, n, k, alpha, beta, c, ldc);
}

template <std::same_as<float> Float>
void multiply_on_amx_model(const Operand& A, const Operand& B, Index m, Index n, Index k, Float alpha, Float beta,
                           Float* c, Index ldc) {
  if (gemm_detail::done_without_kernels(m, n, k, beta, c, ldc)) return;
  gemm_detail::multiply_on_threads<AmxBf16Tile<AmxModel>>(A, B, m, n, k, alpha, beta, c, ldc);
}

#ifdef JIGGLE_DEFINE_KERNELS
// The one definition of each for the whole program.
template void reserve_workspaces<float>(Precision);
template void multiply_with<float>(Isa, Precision, const Operand&, const Operand&, Index, Index, Index, float, float,
                                   float*, Index);
template void multiply<float>(Precision, const Operand&, const Operand&, Index, Index, Index, float, float, float*,
                              Index);
template void multiply_on_amx_model<float>(const Operand&, const Operand&, Index, Index, Index, float, float, float*,
                                           Index);
template void multiply_in_double<double>(const StoredOperand<double>&, const StoredOperand<double>&, Index, Index,
                                         Index, double, double, double*, Index);
#endif

}  // namespace jiggle::kernels

#endif
