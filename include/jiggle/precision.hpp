#pragma once
// The precision of a layer's matrix products. fp32 throughout, or bf16 mixed precision: the
// products' inputs rounded to bfloat16 and their sums kept in fp32, while weights, optimiser
// state, losses and batch statistics stay fp32.
#include <string>

namespace jiggle {

enum class Precision { fp32, bf16 };

inline std::string to_string(Precision precision) { return precision == Precision::fp32 ? "fp32" : "bf16"; }

}  // namespace jiggle
