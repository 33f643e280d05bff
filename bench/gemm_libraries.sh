#!/usr/bin/env bash
# Builds bench/gemm_libraries.cpp against oneDNN (libdnnl-dev) and libxsmm (libxsmm-dev, with
# the BLAS it falls back to), whichever are installed, as a user's -O2 build without -march, and
# runs it: bench/gemm_libraries.sh [THREADS] [REPEATS]
source "$(dirname "$0")/bench_support.sh"
flags=(-std=c++20 -O2 -fopenmp -isystem /usr/include/eigen3 -Iinclude -Ibench -Iapps/common)
libraries=()
if [[ -f /usr/include/oneapi/dnnl/dnnl.hpp ]]; then
  flags+=(-DJIGGLE_BENCH_ONEDNN)
  libraries+=(-ldnnl)
else
  echo "oneDNN not installed (apt-get install libdnnl-dev): left out"
fi
if [[ -f /usr/include/libxsmm.h ]]; then
  flags+=(-DJIGGLE_BENCH_LIBXSMM)
  libraries+=(-lxsmm -lblas -ldl -lpthread)
else
  echo "libxsmm not installed (apt-get install libxsmm-dev): left out"
fi
g++ "${flags[@]}" bench/gemm_libraries.cpp -o "$work/gemm_libraries" "${libraries[@]}" -lz
# OpenBLAS's threads would otherwise spin after each product and slow whichever runs next.
OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=${1:-2} OPENBLAS_THREAD_TIMEOUT=4 "$work/gemm_libraries" "$@"
