// Built by CTest, not by `all`: with JIGGLE_MISMATCHED_CHAIN it must fail to compile.
#include "jiggle/chain.hpp"
#include "jiggle/layers/dense.hpp"
#include "jiggle/layers/relu.hpp"

#ifdef JIGGLE_MISMATCHED_CHAIN
constexpr int kSecondInput = 256;
#else
constexpr int kSecondInput = 512;
#endif

int main() {
  jiggle::Rng rng(0);
  jiggle::Chain<jiggle::Dense<784, 512>, jiggle::ReLU<>, jiggle::Dense<kSecondInput, 10>> model(rng);
  return static_cast<int>(jiggle::parameter_count(model) % 2);
}
