#pragma once
// The eight matrix products of one training step of the flagship MLP, alone, written by Eigen
// into preallocated buffers: the floor a step's cost is measured against, and the allocations a
// step is allowed (Eigen's GEMM allocates its own packing workspace on every call).
#include "jiggle/random.hpp"
#include "jiggle/tensor.hpp"

struct MlpProducts {
  MlpProducts(jiggle::Rng& rng, jiggle::Index batch) {
    auto fill = [&](jiggle::Matrix<float>& m, jiggle::Index rows, jiggle::Index cols) {
      m.resize(rows, cols);
      for (jiggle::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(rng.normal() * 0.05);
    };
    fill(W1, 512, 784), fill(W2, 512, 512), fill(W3, 10, 512);
    fill(X, 784, batch), fill(dZ, 10, batch);
    H1.resize(512, batch), H2.resize(512, batch), Z.resize(10, batch);
    dH1.resize(512, batch), dH2.resize(512, batch);
    dW1.resize(512, 784), dW2.resize(512, 512), dW3.resize(10, 512);
  }

  // Three forward products, three weight gradients, and the input gradients of the two upper
  // layers (nobody needs the data's).
  void step() {
    H1.noalias() = W1 * X;
    H2.noalias() = W2 * H1;
    Z.noalias() = W3 * H2;
    dW3.noalias() = dZ * H2.transpose();
    dH2.noalias() = W3.transpose() * dZ;
    dW2.noalias() = dH2 * H1.transpose();
    dH1.noalias() = W2.transpose() * dH2;
    dW1.noalias() = dH1 * X.transpose();
  }

  jiggle::Matrix<float> W1, W2, W3, X, dZ, H1, H2, Z, dH1, dH2, dW1, dW2, dW3;
};
