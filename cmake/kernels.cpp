// The product kernels, compiled once for all of jiggle's own programs of one set of flags (the
// tests; the examples and benchmarks): every file of theirs is compiled with
// JIGGLE_SEPARATE_KERNELS, which leaves it the declarations alone.
#define JIGGLE_DEFINE_KERNELS
#include "jiggle/kernels/gemm.hpp"
