// The product kernels compiled once: the source of jiggle::kernels (cmake/JiggleKernels.cmake)
// and of the object jiggle's own programs of one set of flags share. Every other file of the
// program is compiled with JIGGLE_SEPARATE_KERNELS, which leaves it the declarations alone.
#define JIGGLE_DEFINE_KERNELS
#include "jiggle/kernels/gemm.hpp"
