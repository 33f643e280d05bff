#pragma once
// The fully connected networks for 28×28 digits, named as nn.Sequential names the same stacks
// (layers.0.weight, …) in nn.Linear's layouts.
#include "jiggle/chain.hpp"
#include "jiggle/layers/dense.hpp"
#include "jiggle/layers/relu.hpp"

namespace jiggle {

// The flagship model: 784 → 512 → 512 → 10 with ReLUs between, 669,706 parameters.
// Its parameters are named layers.0.*, layers.2.*, layers.4.*.
template <class T = float>
using MnistMlp = Chain<Dense<784, 512, T>, ReLU<T>, Dense<512, 512, T>, ReLU<T>, Dense<512, 10, T>>;

// Multinomial logistic regression, 784 → 10: 7,850 parameters.
template <class T = float>
using MnistLinear = Chain<Dense<784, 10, T>>;

// One hidden layer of `Hidden` ReLU units, 784 → Hidden → 10: 795·Hidden + 10 parameters.
template <int Hidden, class T = float>
using MnistShallow = Chain<Dense<784, Hidden, T>, ReLU<T>, Dense<Hidden, 10, T>>;

}  // namespace jiggle
