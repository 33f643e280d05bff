#pragma once
// The eight matrix products of one training step of the flagship MLP, alone, into preallocated
// buffers: the floor a step's cost is measured against, written by Eigen or by jiggle's kernels
// (in a precision).
#include "jiggle/multiply.hpp"
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
  void step_on_eigen() {
    H1.noalias() = W1 * X;
    H2.noalias() = W2 * H1;
    Z.noalias() = W3 * H2;
    dW3.noalias() = dZ * H2.transpose();
    dH2.noalias() = W3.transpose() * dZ;
    dW2.noalias() = dH2 * H1.transpose();
    dH1.noalias() = W2.transpose() * dH2;
    dW1.noalias() = dH1 * X.transpose();
  }

  void step_on_kernels(jiggle::Precision precision) {
    jiggle::multiply(H1, W1, X, precision);
    jiggle::multiply(H2, W2, H1, precision);
    jiggle::multiply(Z, W3, H2, precision);
    jiggle::multiply(dW3, dZ, H2.transpose(), precision);
    jiggle::multiply(dH2, W3.transpose(), dZ, precision);
    jiggle::multiply(dW2, dH2, H1.transpose(), precision);
    jiggle::multiply(dH1, W2.transpose(), dH2, precision);
    jiggle::multiply(dW1, dH1, X.transpose(), precision);
  }

  jiggle::Matrix<float> W1, W2, W3, X, dZ, H1, H2, Z, dH1, dH2, dW1, dW2, dW3;
};
