// Its own program: Eigen's malloc guard (EIGEN_RUNTIME_NO_MALLOC) changes Eigen's inline
// functions, so it must not share a binary with translation units built without it.
#include <atomic>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <vector>

namespace {
// Atomic: Eigen's parallel products allocate from both threads at once.
std::atomic<long> eigen_heap_allocations{0};
}  // namespace

#define EIGEN_RUNTIME_NO_MALLOC
// With the guard on, Eigen reports each heap allocation through eigen_assert: count them (Release
// builds would otherwise compile the assertion away).
#define eigen_assert(condition) \
  if (!(condition)) ++eigen_heap_allocations

#include "jiggle/chain.hpp"
#include "jiggle/data/batches.hpp"
#include "jiggle/layers/batch_norm.hpp"
#include "jiggle/layers/conv2d.hpp"
#include "jiggle/layers/dense.hpp"
#include "jiggle/layers/flatten.hpp"
#include "jiggle/layers/max_pool2d.hpp"
#include "jiggle/layers/relu.hpp"
#include "jiggle/layers/residual.hpp"
#include "jiggle/losses/softmax_cross_entropy.hpp"
#include "jiggle/models/mnist_mlp.hpp"
#include "jiggle/optim/adam.hpp"
#include "jiggle/optim/sgd.hpp"
#include "jiggle/train/train_epoch.hpp"
#include "jiggle/train/train_step.hpp"
#include "support/catch.hpp"

namespace {
std::atomic<long> allocations{0};

// Eigen heap allocations made while `work` runs.
template <class Work>
long eigen_allocations_during(Work&& work) {
  const long before = eigen_heap_allocations.load();
  Eigen::internal::set_is_malloc_allowed(false);
  work();
  Eigen::internal::set_is_malloc_allowed(true);
  return eigen_heap_allocations - before;
}
}  // namespace

// Every allocation through operator new in this program is counted; Eigen's own (malloc) are
// caught by its guard above. Every form is replaced, so that new and delete stay paired.
namespace {
void* counted_allocation(std::size_t size) {
  ++allocations;
  return std::malloc(size == 0 ? 1 : size);
}
}  // namespace

// These replacements pair malloc with free themselves; g++ cannot see that and warns that free
// meets memory from operator new.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t size) {
  if (void* memory = counted_allocation(size)) return memory;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  if (void* memory = counted_allocation(size)) return memory;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return counted_allocation(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return counted_allocation(size); }
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete(void* memory, const std::nothrow_t&) noexcept { std::free(memory); }
void operator delete[](void* memory, const std::nothrow_t&) noexcept { std::free(memory); }

// The products pack their operands into buffers each thread grows once: after the first step a
// step allocates nothing at all, through operator new or Eigen, in fp32 and, where the CPU has
// it, bf16.
TEST_CASE("A training step of the MLP allocates nothing at all", "[train][allocation]") {
  jiggle::LabelledImages data;
  data.rows = data.cols = 28;
  data.pixels.assign(std::size_t{128} * 8 * 784, 0);
  for (std::size_t i = 0; i < data.pixels.size(); ++i) data.pixels[i] = static_cast<std::uint8_t>(i * 31 % 256);
  for (std::size_t i = 0; i < std::size_t{128} * 8; ++i) data.labels.push_back(static_cast<std::uint8_t>(i % 10));

  jiggle::Rng rng(0);
  jiggle::MnistMlp<> model(rng);
  jiggle::SoftmaxCrossEntropy<float> loss;
  jiggle::Sgd sgd(0.1);
  jiggle::Batches<float> batches(data, 128);
  auto step = [&](jiggle::Index b) {
    const auto& batch = batches.batch(b);
    jiggle::train_step(model, loss, sgd, batch.inputs, batch.targets);
  };
  std::vector<jiggle::Precision> precisions{jiggle::Precision::fp32};
  if (jiggle::kernels::cpu_isa() >= jiggle::kernels::Isa::avx512_bf16) precisions.push_back(jiggle::Precision::bf16);
  for (const jiggle::Precision precision : precisions) {
    model.set_precision(precision);
    step(0);  // sizes every buffer

    long eigen = 0;
    const long new_before = allocations.load();
    for (jiggle::Index b = 1; b < batches.count(); ++b) eigen += eigen_allocations_during([&] { step(b); });
    const long new_after = allocations.load();  // read before Catch itself allocates
    INFO(jiggle::to_string(precision));
    REQUIRE(new_after == new_before);
    REQUIRE(eigen == 0);
  }

  // The counter is live: an Eigen allocation is seen, and so is one through operator new.
  REQUIRE(eigen_allocations_during([] { jiggle::Matrix<float> m(64, 64); }) == 1);
  const long new_count = allocations.load();
  const std::vector<int> probe(16);
  REQUIRE(allocations.load() == new_count + 1);
}

// Every layer kind of the convolutional networks: a step allocates nothing at all, through
// operator new or Eigen, on two threads, with the fused SGD step and with SGD reading gradients.
TEST_CASE("A training step of a small CNN allocates nothing at all", "[train][allocation][cnn]") {
  using jiggle::Padding;
  using jiggle::Shape;
  using SmallCnn = jiggle::Chain<jiggle::Conv2D<Shape{2, 8, 8}, 4, 3>, jiggle::BatchNorm<4>, jiggle::ReLU<>,
                                 jiggle::MaxPool2D<Shape{4, 8, 8}, 2>, jiggle::Conv2D<Shape{4, 4, 4}, 6, 3, 2>,
                                 jiggle::BatchNorm<6>, jiggle::ReLU<>, jiggle::Flatten<Shape{6, 2, 2}>,
                                 jiggle::Dense<24, 8>, jiggle::BatchNorm<8>, jiggle::ReLU<>, jiggle::Dense<8, 3>>;
  const int threads = jiggle::thread_count();
  jiggle::set_thread_count(2);
  jiggle::Rng rng(1);
  jiggle::Matrix<float> inputs(128, 16);
  for (jiggle::Index i = 0; i < inputs.size(); ++i) inputs.data()[i] = static_cast<float>(rng.normal());
  std::vector<std::int32_t> targets(16);
  for (std::size_t i = 0; i < targets.size(); ++i) targets[i] = static_cast<std::int32_t>(i % 3);

  SmallCnn model(rng);
  jiggle::SoftmaxCrossEntropy<float> loss;
  for (const double momentum : {0.0, 0.9}) {
    jiggle::Sgd<float> sgd({.learning_rate = 0.01, .momentum = momentum});
    auto step = [&] { jiggle::train_step(model, loss, sgd, inputs, targets); };
    step();  // sizes every buffer, and the momentum
    const long new_before = allocations.load();
    long eigen = 0;
    for (int s = 0; s < 4; ++s) eigen += eigen_allocations_during(step);
    const long new_after = allocations.load();
    INFO("momentum " << momentum);
    REQUIRE(new_after == new_before);
    REQUIRE(eigen == 0);
  }
  jiggle::set_thread_count(threads);
}

// A residual block, Adam, and batches of colour images shifted and flipped: a step, batch
// included, allocates nothing at all.
TEST_CASE("A training step of a residual network on augmented colour images allocates nothing at all",
          "[train][allocation][residual]") {
  using jiggle::Shape;
  using Block = jiggle::Residual<jiggle::Chain<jiggle::Conv3x3Same<4, 4, 8>, jiggle::BatchNorm<4>>>;
  using SmallResidualNetwork = jiggle::Chain<jiggle::Conv3x3Same<3, 4, 8>, jiggle::BatchNormReLU<4>, Block,
                                             jiggle::ReLU<>, jiggle::Flatten<Shape{4, 8, 8}>, jiggle::Dense<256, 10>>;
  jiggle::LabelledImages data;
  data.channels = 3;
  data.rows = data.cols = 8;
  for (std::size_t i = 0; i < std::size_t{64} * 5; ++i) {
    for (int p = 0; p < 192; ++p) data.pixels.push_back(static_cast<std::uint8_t>((i * 7 + p * 13) % 256));
    data.labels.push_back(static_cast<std::uint8_t>(i % 10));
  }
  jiggle::Batches<float> batches(data, 64);
  batches.set_augmentation({.max_shift = 2, .horizontal_flip = true});
  jiggle::Rng rng(2);
  SmallResidualNetwork model(rng);
  jiggle::SoftmaxCrossEntropy<float> loss;
  jiggle::Adam<float> adam({.learning_rate = 1e-3});
  auto step = [&](jiggle::Index b) {
    const auto& batch = batches.batch(b);
    jiggle::train_step(model, loss, adam, batch.inputs, batch.targets);
  };
  step(0);  // sizes every buffer and Adam's moments
  const long new_before = allocations.load();
  long eigen = 0;
  for (jiggle::Index b = 1; b < batches.count(); ++b) eigen += eigen_allocations_during([&] { step(b); });
  const long new_after = allocations.load();
  REQUIRE(new_after == new_before);
  REQUIRE(eigen == 0);
}
