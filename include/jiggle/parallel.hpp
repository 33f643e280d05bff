#pragma once
// OpenMP behind one macro: a bare `#pragma omp` breaks the -Wall -Werror build of a user who
// compiles without -fopenmp (-Wunknown-pragmas), so the pragma exists only where OpenMP does.
#include <Eigen/Core>

#include "jiggle/tensor.hpp"

#ifdef _OPENMP
#include <omp.h>
#define JIGGLE_PRAGMA(text) _Pragma(#text)
#define JIGGLE_OMP(directive) JIGGLE_PRAGMA(omp directive)
#else
#define JIGGLE_OMP(directive)
#endif

namespace jiggle {

// One pool for everything: Eigen's products and jiggle's element-wise loops share OpenMP's
// threads, sized once here, so no two pools ever compete for the same cores.
inline void set_thread_count(int threads) {
#ifdef _OPENMP
  omp_set_num_threads(threads);
#endif
  Eigen::setNbThreads(threads);
}

// Below this many elements an element-wise loop runs on one thread: waking the second costs
// more than it saves. One threshold for every loop, so they all behave alike.
inline constexpr Index kElementwiseParallelThreshold = 16384;

inline int thread_count() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

// Which thread of the enclosing parallel region runs this: 0 to thread_count() - 1, the index of
// the scratch a thread owns. 0 outside a parallel region.
inline int thread_index() {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

// Whether this runs inside a parallel region already, where a product must not start another.
inline bool in_parallel_region() {
#ifdef _OPENMP
  return omp_in_parallel() != 0;
#else
  return false;
#endif
}

}  // namespace jiggle
