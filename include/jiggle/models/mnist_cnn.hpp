#pragma once
// The convolutional networks for 28×28 digits, as nn.Sequential stacks: parameters and buffers are
// named by position (layers.0.weight, layers.1.running_mean) in PyTorch's layouts, so checkpoints
// move between the two. Convolutions are 3×3 with 'same' padding and start as PyTorch's do
// (Init::torch_default); the Dense layers take their own default unless the Chain is given one.
#include "jiggle/chain.hpp"
#include "jiggle/layers/batch_norm.hpp"
#include "jiggle/layers/conv2d.hpp"
#include "jiggle/layers/dense.hpp"
#include "jiggle/layers/flatten.hpp"
#include "jiggle/layers/global_avg_pool2d.hpp"
#include "jiggle/layers/max_pool2d.hpp"
#include "jiggle/layers/relu.hpp"
#include "jiggle/shape.hpp"

namespace jiggle {

// cnn-nobn: two 32-channel convolutions, one pooling, three dense layers; 3,489,130 parameters.
template <class T = float>
using MnistCnn = Chain<Conv3x3Same<1, 32, 28, T>, ReLU<T>,   //
                       Conv3x3Same<32, 32, 28, T>, ReLU<T>,  //
                       MaxPool2D<Shape{32, 28, 28}, 2, 2, T>, Flatten<Shape{32, 14, 14}, T>, Dense<6272, 512, T>,
                       ReLU<T>, Dense<512, 512, T>, ReLU<T>, Dense<512, 10, T>>;

// cnn-bn: [conv, batch norm, ReLU] twice at 32 channels, pool, twice at 64, pool, two dense layers;
// 1,676,650 parameters.
// The convolutions keep their bias, as nn.Conv2d does by default: batch norm subtracts it again
// (its gradient is 0 up to rounding), and it costs nothing measurable. Each batch norm carries
// its ReLU (BatchNormReLU), and the tensors keep nn.Sequential's names of the unfused stack.
template <class T = float>
using MnistCnnBn = Chain<Conv3x3Same<1, 32, 28, T>, BatchNormReLU<32, T>,   //
                         Conv3x3Same<32, 32, 28, T>, BatchNormReLU<32, T>,  //
                         MaxPool2D<Shape{32, 28, 28}, 2, 2, T>,             //
                         Conv3x3Same<32, 64, 14, T>, BatchNormReLU<64, T>,  //
                         Conv3x3Same<64, 64, 14, T>, BatchNormReLU<64, T>,  //
                         MaxPool2D<Shape{64, 14, 14}, 2, 2, T>, Flatten<Shape{64, 7, 7}, T>, Dense<3136, 512, T>,
                         ReLU<T>, Dense<512, 10, T>>;

// width-cnn-f<F>: two F-channel convolutions, one pooling, a 128-unit hidden layer.
template <int F, class T = float>
using MnistWidthCnn = Chain<Conv3x3Same<1, F, 28, T>, ReLU<T>,  //
                            Conv3x3Same<F, F, 28, T>, ReLU<T>,  //
                            MaxPool2D<Shape{F, 28, 28}, 2, 2, T>, Flatten<Shape{F, 14, 14}, T>, Dense<F * 196, 128, T>,
                            ReLU<T>, Dense<128, 10, T>>;

// cnn-lite-nobn: two 128-channel convolutions, one pooling, global average pooling, one dense
// layer; 150,154 parameters. The pooling before the average is the reference's: its logged runs
// had it, so the average is over 14×14 maxima of 2×2 windows.
template <class T = float>
using MnistCnnLite = Chain<Conv3x3Same<1, 128, 28, T>, ReLU<T>,     //
                           Conv3x3Same<128, 128, 28, T>, ReLU<T>,   //
                           MaxPool2D<Shape{128, 28, 28}, 2, 2, T>,  //
                           GlobalAvgPool2D<Shape{128, 14, 14}, T>, Dense<128, 10, T>>;

// cnn-lite-bn: the same with batch norm after each convolution; 150,666 parameters, the
// reference's 150,410 and the convolutions' 256 biases.
template <class T = float>
using MnistCnnLiteBn = Chain<Conv3x3Same<1, 128, 28, T>, BatchNormReLU<128, T>,    //
                             Conv3x3Same<128, 128, 28, T>, BatchNormReLU<128, T>,  //
                             MaxPool2D<Shape{128, 28, 28}, 2, 2, T>,               //
                             GlobalAvgPool2D<Shape{128, 14, 14}, T>, Dense<128, 10, T>>;

}  // namespace jiggle
