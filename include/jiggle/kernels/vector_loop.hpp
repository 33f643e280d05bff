#pragma once
// The loops outside the products compiled again for the vector instructions the CPU has, as the
// products' kernels are: MaxPool2D's windows, Conv2D's col2im at stride 1 with 'same' padding,
// BatchNorm's passes over a plane, ReLU, Dense's bias and its gradient, and the batch gather. A
// program built with GCC's plain -O2 and no -march would otherwise run them on SSE2, or a value
// at a time: its cost model vectorises no loop that needs a remainder or a check that two
// pointers do not overlap.
//
// run_vectorised hands its loop to a copy of itself compiled for AVX-512 or AVX2, which inlines
// every call beneath it (flatten), so the loop's code is generated for that instruction set.
// JIGGLE_OMP(simd) before a loop in it tells the compiler the loop's iterations are independent
// and must be vectorised whatever its cost model says; a build without OpenMP leaves it out.
#include <algorithm>
#include <type_traits>

#include "jiggle/kernels/isa.hpp"
#include "jiggle/parallel.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle::kernels {

namespace vector_loop_detail {

#ifdef JIGGLE_HAS_X86_KERNELS
template <class Loop>
__attribute__((target(JIGGLE_TARGET_AVX512), flatten)) void on_avx512(const Loop& loop) {
  loop();
}

template <class Loop>
__attribute__((target(JIGGLE_TARGET_AVX2), flatten)) void on_avx2(const Loop& loop) {
  loop();
}

// Runs `loop()` compiled for `isa`, which the caller has checked against cpu_isa().
template <class Loop>
void run_on(Isa isa, const Loop& loop) {
  if (isa >= Isa::avx512) {
    on_avx512(loop);
    return;
  }
  if (isa == Isa::avx2) {
    on_avx2(loop);
    return;
  }
  loop();
}
#else
template <class Loop>
void run_on(Isa /*isa*/, const Loop& loop) {
  loop();
}
#endif

}  // namespace vector_loop_detail

// Runs `loop()` compiled for `isa`, which must not exceed cpu_isa(). A loop's result may differ
// between instruction sets in its last bits, where a sum is split over lanes of another width or
// a multiply and an add are fused; on one CPU it is the same from run to run.
template <class Loop>
void run_vectorised(Isa isa, const Loop& loop) {
  require_cpu_runs(isa, "a loop");
  vector_loop_detail::run_on(isa, loop);
}

// The same on the best instructions this CPU runs, which needs no check: it is called per
// channel or per column in the hottest loops.
template <class Loop>
void run_vectorised(const Loop& loop) {
  vector_loop_detail::run_on(cpu_isa(), loop);
}

// An element-wise loop over [0, n): loop(first, last) on contiguous blocks, each vectorised, of
// at least kElementwiseBlock values, a few per thread (parallel_for_runs); one block at or below
// kElementwiseParallelThreshold. Blocks begin at multiples of kElementwiseAlignment values, 64
// bytes of floats, where Eigen aligns its arrays: each value of an aligned array is then computed
// by the same instructions however many blocks the loop is cut into, and a result does not
// depend on the thread count in its last bit.
inline constexpr Index kElementwiseBlock = 4096;
inline constexpr Index kElementwiseAlignment = 16;

template <class Loop>
void run_elementwise(Index n, const Loop& loop) {
  const Index groups = (n + kElementwiseAlignment - 1) / kElementwiseAlignment;
  const Index most_blocks = n > kElementwiseParallelThreshold ? n / kElementwiseBlock : 1;
  parallel_for_runs(groups, most_blocks, [&](Index first_group, Index end_group) {
    const Index first = first_group * kElementwiseAlignment;
    const Index last = std::min(end_group * kElementwiseAlignment, n);
    run_vectorised([&] { loop(first, last); });
  });
}

// Values [first, last) of a tensor's storage, as an array for element-wise arithmetic in a
// run_elementwise loop.
template <class Tensor>
auto values(Tensor& tensor, Index first, Index last) {
  using Array = Eigen::Array<typename Tensor::Scalar, Eigen::Dynamic, 1>;
  using Values = std::conditional_t<std::is_const_v<Tensor>, const Array, Array>;
  return Eigen::Map<Values>(tensor.data() + first, last - first);
}

}  // namespace jiggle::kernels
