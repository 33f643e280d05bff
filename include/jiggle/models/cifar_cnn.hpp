#pragma once
// The convolutional networks for 32×32 colour images (CIFAR-10) of the reference's chapter 3, as
// nn.Sequential stacks named by position in PyTorch's layouts, like the MNIST ones
// (models/mnist_cnn.hpp). Convolutions are 3×3 with 'same' padding; each pooling halves the side.
#include "jiggle/chain.hpp"
#include "jiggle/layers/batch_norm.hpp"
#include "jiggle/layers/conv2d.hpp"
#include "jiggle/layers/dense.hpp"
#include "jiggle/layers/flatten.hpp"
#include "jiggle/layers/max_pool2d.hpp"
#include "jiggle/layers/relu.hpp"
#include "jiggle/shape.hpp"

namespace jiggle {

// cifar-nobn: convolutions 3→32, 32→32, pool, 32→64, 64→64, pool, dense 4096→512→512→10;
// 2,431,018 parameters.
template <class T = float>
using CifarCnn = Chain<Conv3x3Same<3, 32, 32, T>, ReLU<T>, Conv3x3Same<32, 32, 32, T>, ReLU<T>,   //
                       MaxPool2D<Shape{32, 32, 32}, 2, 2, T>,                                     //
                       Conv3x3Same<32, 64, 16, T>, ReLU<T>, Conv3x3Same<64, 64, 16, T>, ReLU<T>,  //
                       MaxPool2D<Shape{64, 16, 16}, 2, 2, T>, Flatten<Shape{64, 8, 8}, T>,        //
                       Dense<4096, 512, T>, ReLU<T>, Dense<512, 512, T>, ReLU<T>, Dense<512, 10, T>>;

// [conv, batch norm, ReLU] 3→F, F→F, pool, F→2F, 2F→2F, pool, flattened to 2F·64 values, then
// the dense layers `Head`.
template <int F, class T, class... Head>
using CifarConvBnThen = Chain<Conv3x3Same<3, F, 32, T>, BatchNormReLU<F, T>,              //
                              Conv3x3Same<F, F, 32, T>, BatchNormReLU<F, T>,              //
                              MaxPool2D<Shape{F, 32, 32}, 2, 2, T>,                       //
                              Conv3x3Same<F, 2 * F, 16, T>, BatchNormReLU<2 * F, T>,      //
                              Conv3x3Same<2 * F, 2 * F, 16, T>, BatchNormReLU<2 * F, T>,  //
                              MaxPool2D<Shape{2 * F, 16, 16}, 2, 2, T>, Flatten<Shape{2 * F, 8, 8}, T>, Head...>;

// width-cifar-f<F>: the stack at width F, dense 2F·64→512→10; 534,322 parameters at F = 8,
// 1,071,066 at 16, 2,168,746 at 32, 4,460,874 at 64.
template <int F, class T = float>
using CifarWidthCnn = CifarConvBnThen<F, T, Dense<2 * F * 64, 512, T>, ReLU<T>, Dense<512, 10, T>>;

// cifar-bn: cifar-nobn with [conv, batch norm, ReLU] blocks, dense 4096→512→512→10; 2,431,402
// parameters.
template <class T = float>
using CifarCnnBn = CifarConvBnThen<32, T, Dense<4096, 512, T>, ReLU<T>, Dense<512, 512, T>, ReLU<T>, Dense<512, 10, T>>;

}  // namespace jiggle
