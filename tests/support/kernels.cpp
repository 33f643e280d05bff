// The product kernels, compiled once for a whole test program: every test file is compiled with
// JIGGLE_SEPARATE_KERNELS, which leaves it the declarations alone.
#define JIGGLE_DEFINE_KERNELS
#include "jiggle/kernels/gemm.hpp"
