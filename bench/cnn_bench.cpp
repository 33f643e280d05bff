// cnn_bench: training speed of the two convolutional networks, cnn-nobn and cnn-bn, at batch 128
// with plain SGD (fused into the products). For each, the median over --repeats runs of
// --batches training steps through train_epoch, extrapolated to an epoch of 60,000 images; then
// one profiled pass over the same number of steps that times each layer's forward and backward,
// summed by kind of layer. One JSON line per network at the end.
//
//   cnn_bench [--threads N] [--repeats N] [--batches N] [--data DIR] [--precision fp32|bf16]
#include <cxxabi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>
#include <vector>

#include "bench_support.hpp"
#include "command_line.hpp"
#include "jiggle/jiggle.hpp"

namespace {

using bench_support::kBatch;
constexpr double kEpochImages = 60000.0;

// The first `count` batches of an epoch, as a batch source of their own.
struct FirstBatches {
  jiggle::Batches<float>& batches;
  jiggle::Index limit;
  jiggle::Index count() const { return std::min(limit, batches.count()); }
  const auto& batch(jiggle::Index b) const { return batches.batch(b); }
  void next_epoch() { batches.next_epoch(); }
};

// "Conv2D" for jiggle::Conv2D<...>: what the profile sums times by.
template <class L>
std::string kind_of() {
  int status = 0;
  const std::unique_ptr<char, decltype(&std::free)> name(
      abi::__cxa_demangle(typeid(L).name(), nullptr, nullptr, &status), &std::free);
  std::string text = status == 0 ? name.get() : typeid(L).name();
  text = text.substr(0, text.find('<'));
  const auto colon = text.rfind(':');
  return colon == std::string::npos ? text : text.substr(colon + 1);
}

// One training step walked layer by layer, as Chain walks it, with a clock around each call.
template <class Model, std::size_t... I>
void profiled_step(Model& model, const jiggle::Matrix<float>& X, const std::vector<std::int32_t>& targets,
                   jiggle::SoftmaxCrossEntropy<float>& loss, float learning_rate,
                   std::map<std::string, double>& seconds, std::index_sequence<I...>) {
  constexpr std::size_t kCount = sizeof...(I);
  std::array<const jiggle::Matrix<float>*, kCount + 1> inputs{&X};
  auto forward = [&]<std::size_t J>() {
    const auto start = std::chrono::steady_clock::now();
    inputs[J + 1] = &model.template layer<J>().forward(*inputs[J]);
    seconds[kind_of<std::remove_cvref_t<decltype(model.template layer<J>())>>()] += bench_support::seconds_since(start);
  };
  (forward.template operator()<I>(), ...);
  auto start = std::chrono::steady_clock::now();
  loss.forward(*inputs[kCount], targets);
  const jiggle::Matrix<float>* dY = &loss.backward();
  seconds["loss"] += bench_support::seconds_since(start);
  auto backward = [&]<std::size_t J>() {
    auto target = jiggle::GradientTarget<float>::descent_step(learning_rate);
    target.input_gradient = J > 0;
    const auto begin = std::chrono::steady_clock::now();
    dY = &model.template layer<J>().backward(*inputs[J], *dY, target);
    seconds[kind_of<std::remove_cvref_t<decltype(model.template layer<J>())>>()] += bench_support::seconds_since(begin);
  };
  (backward.template operator()<kCount - 1 - I>(), ...);
}

template <class Model, class... Layers>
constexpr std::size_t layer_count(const jiggle::Chain<Layers...>*) {
  return sizeof...(Layers);
}

template <class Model>
void bench(const char* label, const jiggle::LabelledImages& images, int repeats, jiggle::Index steps, int threads,
           const char* data, jiggle::Precision precision) {
  jiggle::Rng rng(0);
  Model model(rng);
  model.set_precision(precision);
  jiggle::SoftmaxCrossEntropy<float> loss;
  constexpr float kLearningRate = 0.01f;
  jiggle::Sgd<float> sgd(kLearningRate);
  jiggle::Batches<float> batches(images, kBatch, jiggle::Order::shuffled, 1);
  FirstBatches source{batches, steps};
  jiggle::train_epoch(model, loss, sgd, source);  // sizes every buffer

  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    jiggle::train_epoch(model, loss, sgd, source);
    times.push_back(bench_support::seconds_since(start));
    std::printf("  %s repeat %d: %lld steps in %.3f s\n", label, r + 1, static_cast<long long>(source.count()),
                times.back());
  }
  const double images_per_second = static_cast<double>(source.count() * kBatch) / median(times);

  std::map<std::string, double> seconds;
  jiggle::set_mode(model, jiggle::Mode::training);
  constexpr std::size_t kLayers = layer_count<Model>(static_cast<Model*>(nullptr));
  for (jiggle::Index b = 0; b < source.count(); ++b) {
    const auto& batch = batches.batch(b);
    profiled_step(model, batch.inputs, batch.targets, loss, kLearningRate, seconds,
                  std::make_index_sequence<kLayers>{});
  }
  double total = 0.0;
  for (const auto& entry : seconds) total += entry.second;

  std::printf("%s: %.0f images/s, %.2f s per epoch of 60,000 (median of %d)\n", label, images_per_second,
              kEpochImages / images_per_second, repeats);
  std::string shares;
  for (const auto& [kind, time] : seconds) {
    std::printf("  %-12s %5.1f%%\n", kind.c_str(), 100.0 * time / total);
    shares += (shares.empty() ? "" : ", ") + ("\"" + kind + "\": ") + std::to_string(time / total);
  }
  std::printf(
      "{\"network\": \"%s\", \"precision\": \"%s\", \"threads\": %d, \"repeats\": %d, \"steps\": %lld, "
      "\"data\": \"%s\", \"images_per_second\": %.0f, \"epoch_seconds\": %.3f, \"share\": {%s}}\n",
      label, jiggle::to_string(precision).c_str(), threads, repeats, static_cast<long long>(source.count()), data,
      images_per_second, kEpochImages / images_per_second, shares.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  int threads = jiggle::thread_count();
  int repeats = 3;
  jiggle::Index steps = 60;
  std::filesystem::path folder = jiggle::data_folder(JIGGLE_MNIST_DIR);
  CommandLine line("cnn_bench", "Times training steps of cnn-nobn and cnn-bn at batch 128.");
  line.add_integer("--threads", "threads (default: $OMP_NUM_THREADS, else every core)", threads, 1, 1024);
  line.add_integer("--repeats", "runs of each figure, reported as their median", repeats, 1, 1000);
  line.add_integer<jiggle::Index>("--batches", "steps timed in each run", steps, 1, 100'000);
  line.add_text("--data", "DIR", "the MNIST folder (random images of the same shape if absent)", folder);
  jiggle::Precision precision = jiggle::Precision::fp32;
  line.add_choice("--precision", "P", "fp32 or bf16: the models' products", precision,
                  {{"fp32", jiggle::Precision::fp32}, {"bf16", jiggle::Precision::bf16}});
  line.parse(argc, argv);
  jiggle::set_thread_count(threads);
  bool synthetic = false;
  const jiggle::LabelledImages images = bench_support::mnist_or_stand_in(folder, synthetic).train;
  const char* data = synthetic ? "synthetic" : "mnist";
  std::printf("cnn_bench: %d threads, %d repeats of %lld steps of batch %d, %s data, %s\n", threads, repeats,
              static_cast<long long>(steps), kBatch, data, jiggle::to_string(precision).c_str());
  bench<jiggle::MnistCnn<>>("cnn-nobn", images, repeats, steps, threads, data, precision);
  bench<jiggle::MnistCnnBn<>>("cnn-bn", images, repeats, steps, threads, data, precision);
  return 0;
}
