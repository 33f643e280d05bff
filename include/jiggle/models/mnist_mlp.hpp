#pragma once
#include "jiggle/chain.hpp"
#include "jiggle/layers/dense.hpp"
#include "jiggle/layers/relu.hpp"

namespace jiggle {

// The flagship model: 784 → 512 → 512 → 10 with ReLUs between, 669,706 parameters.
// Its parameters are named layers.0.*, layers.2.*, layers.4.*, as nn.Sequential names them.
template <class T = float>
using MnistMlp = Chain<Dense<784, 512, T>, ReLU<T>, Dense<512, 512, T>, ReLU<T>, Dense<512, 10, T>>;

}  // namespace jiggle
