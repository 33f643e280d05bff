#pragma once
// The precision of a layer's matrix products. fp32 throughout, or bf16 mixed precision: the
// products' inputs rounded to bfloat16 and their sums kept in fp32, while weights, optimiser
// state, losses and batch statistics stay fp32.
#include <string>

#include "jiggle/error.hpp"
#include "jiggle/kernels/isa.hpp"

namespace jiggle {

enum class Precision { fp32, bf16 };

inline std::string to_string(Precision precision) { return precision == Precision::fp32 ? "fp32" : "bf16"; }

// bf16 products run on AVX512_BF16 alone: asking for them elsewhere is an error raised here, at
// set-up, never an illegal instruction later.
inline void require_supported(Precision precision) {
  if (precision == Precision::bf16 && kernels::cpu_isa() != kernels::Isa::avx512_bf16)
    throw Error("bf16 products need a CPU with AVX512_BF16; this one offers " + kernels::to_string(kernels::cpu_isa()) +
                " (use fp32)");
}

}  // namespace jiggle
