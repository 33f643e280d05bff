#pragma once
// An optimiser's update of a parameter large enough to be shared among the threads: two steps with
// known gradients, checked value by value against the update's formula, on 1, 2 and 3 threads,
// which must agree bit for bit.
#include <cstdint>
#include <vector>

#include "jiggle/layers/dense.hpp"
#include "jiggle/parallel.hpp"
#include "support/catch.hpp"
#include "support/random_matrix.hpp"
#include "support/thread_count.hpp"

namespace test_support {

// make_optimizer() gives a fresh optimiser; formula(w, g1, g2) is a weight after its two steps
// from w with gradients g1 then g2, in double. `tolerance` is relative to 1 + |expected|.
template <class MakeOptimizer, class Formula>
void check_two_steps_on_threads(const MakeOptimizer& make_optimizer, const Formula& formula, double tolerance,
                                std::uint64_t seed) {
  const ThreadCountKept kept;
  const jiggle::Matrix<double> g1 = random_matrix<double>(100, 203, seed + 1);
  const jiggle::Matrix<double> g2 = random_matrix<double>(100, 203, seed + 2);
  std::vector<jiggle::Matrix<double>> weights;
  for (const int threads : {1, 2, 3}) {
    jiggle::set_thread_count(threads);
    jiggle::Rng rng(seed);
    jiggle::Dense<203, 100, double> layer(rng);  // 20,300 weights, more than one thread's loop
    const jiggle::Matrix<double> w0 = layer.W;
    auto optimizer = make_optimizer();
    layer.dW = g1;
    optimizer.step(layer);
    layer.dW = g2;
    optimizer.step(layer);
    jiggle::Matrix<double> expected(100, 203);
    for (jiggle::Index i = 0; i < w0.size(); ++i)
      expected.data()[i] = formula(w0.data()[i], g1.data()[i], g2.data()[i]);
    REQUIRE(((layer.W - expected).array().abs() <= tolerance * (1.0 + expected.array().abs())).all());
    weights.push_back(layer.W);
  }
  REQUIRE(weights[1] == weights[0]);
  REQUIRE(weights[2] == weights[0]);
}

}  // namespace test_support
