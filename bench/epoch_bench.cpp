// epoch_bench: how close one training epoch of the flagship MLP comes to the cost of its bare
// matrix products, measured in one process. Prints each figure as the median of --repeats runs,
// then one JSON line with all of them.
//
//   epoch_bench [--threads N] [--repeats N] [--data DIR] [--precision fp32|bf16]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "bench_support.hpp"
#include "command_line.hpp"
#include "jiggle/jiggle.hpp"
#include "jiggle/train/peak_memory.hpp"
#include "mlp_products.hpp"

namespace {

using bench_support::kBatch;

// Multiply-adds of one training step at batch b: three forward products, three weight
// gradients, and the input gradients of the two upper layers (nobody needs the data's).
double step_flops(double b) {
  const double forward = 784.0 * 512 + 512.0 * 512 + 512.0 * 10;
  const double input_gradients = 512.0 * 512 + 512.0 * 10;
  return 2.0 * b * (2.0 * forward + input_gradients);
}

}  // namespace

int main(int argc, char** argv) {
  int threads = jiggle::thread_count();
  int repeats = 5;
  std::filesystem::path folder = jiggle::data_folder(JIGGLE_MNIST_DIR);
  CommandLine line("epoch_bench", "Times an epoch of the MNIST MLP, its bare products and inference.");
  line.add_integer("--threads", "threads (default: $OMP_NUM_THREADS, else every core)", threads, 1, 1024);
  line.add_integer("--repeats", "runs of each figure, reported as their median", repeats, 3, 1000);
  line.add_text("--data", "DIR", "the MNIST folder (random images of the same shape if absent)", folder);
  jiggle::Precision precision = jiggle::Precision::fp32;
  line.add_choice("--precision", "P", "fp32 or bf16: the model's and the kernels' bare products", precision,
                  {{"fp32", jiggle::Precision::fp32}, {"bf16", jiggle::Precision::bf16}});
  line.parse(argc, argv);
  jiggle::set_thread_count(threads);

  bool synthetic = false;
  const jiggle::Mnist mnist = bench_support::mnist_or_stand_in(folder, synthetic);
  jiggle::Batches<float> training(mnist.train, kBatch, jiggle::Order::shuffled, 1);
  jiggle::Batches<float> test(mnist.test, 1000, jiggle::Order::sequential);
  jiggle::Rng rng(0);
  jiggle::MnistMlp<> model(rng);
  model.set_precision(precision);
  jiggle::SoftmaxCrossEntropy<float> loss;
  jiggle::Sgd<float> sgd(0.1);
  const jiggle::Index steps = training.count();
  const jiggle::Index tail = static_cast<jiggle::Index>(mnist.train.size()) - (steps - 1) * kBatch;
  const double epoch_flops =
      static_cast<double>(steps - 1) * step_flops(kBatch) + step_flops(static_cast<double>(tail));

  std::printf("epoch_bench: %d threads, %d repeats, %s data, %lld steps of batch %d, %s products on the %s kernels\n",
              threads, repeats, synthetic ? "synthetic" : "MNIST", static_cast<long long>(steps), kBatch,
              jiggle::to_string(precision).c_str(), jiggle::kernels::to_string(jiggle::kernels::cpu_isa()).c_str());

  std::vector<double> epoch_seconds, gemm_seconds, eigen_seconds, inference_seconds;
  MlpProducts gemms(rng, kBatch);
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    jiggle::train_epoch(model, loss, sgd, training);
    epoch_seconds.push_back(bench_support::seconds_since(start));

    start = std::chrono::steady_clock::now();
    for (jiggle::Index s = 0; s < steps; ++s) gemms.step_on_kernels(precision);
    gemm_seconds.push_back(bench_support::seconds_since(start));

    start = std::chrono::steady_clock::now();
    for (jiggle::Index s = 0; s < steps; ++s) gemms.step_on_eigen();
    eigen_seconds.push_back(bench_support::seconds_since(start));

    start = std::chrono::steady_clock::now();
    jiggle::evaluate(model, test);
    inference_seconds.push_back(bench_support::seconds_since(start));
    std::printf("  repeat %d: epoch %.3f s, bare products %.3f s, Eigen's %.3f s, inference %.3f s\n", r + 1,
                epoch_seconds.back(), gemm_seconds.back(), eigen_seconds.back(), inference_seconds.back());
  }

  const double epoch = median(epoch_seconds);
  const double gemm = median(gemm_seconds);
  const double eigen = median(eigen_seconds);
  const double inference = median(inference_seconds);
  const double images_per_second = static_cast<double>(mnist.train.size()) / epoch;
  const double inference_images_per_second = static_cast<double>(mnist.test.size()) / inference;
  std::printf("epoch:      %.3f s  %.0f images/s  %.1f GFLOP/s (%.1f GFLOP)\n", epoch, images_per_second,
              epoch_flops / epoch / 1e9, epoch_flops / 1e9);
  const double product_flops = static_cast<double>(steps) * step_flops(kBatch);
  std::printf("bare products: %.3f s  %.1f GFLOP/s  (8 products x %lld steps at batch %d, jiggle's kernels)\n", gemm,
              product_flops / gemm / 1e9, static_cast<long long>(steps), kBatch);
  std::printf("Eigen's:    %.3f s  %.1f GFLOP/s  (the same products, fp32)\n", eigen, product_flops / eigen / 1e9);
  std::printf("overhead:   %.3f (epoch / bare products)\n", epoch / gemm);
  std::printf("inference:  %.0f images/s over %zu test images\n", inference_images_per_second, mnist.test.size());
  std::printf("peak memory: %.0f MB\n", static_cast<double>(jiggle::peak_resident_bytes()) / 1e6);
  std::printf(
      "{\"threads\": %d, \"repeats\": %d, \"data\": \"%s\", \"precision\": \"%s\", \"epoch_seconds\": %.4f, "
      "\"images_per_second\": %.0f, \"gflops\": %.2f, \"gemm_seconds\": %.4f, \"eigen_gemm_seconds\": %.4f, "
      "\"overhead_factor\": %.4f, \"inference_images_per_second\": %.0f, \"peak_rss_mb\": %.1f}\n",
      threads, repeats, synthetic ? "synthetic" : "mnist", jiggle::to_string(precision).c_str(), epoch,
      images_per_second, epoch_flops / epoch / 1e9, gemm, eigen, epoch / gemm, inference_images_per_second,
      static_cast<double>(jiggle::peak_resident_bytes()) / 1e6);
  return 0;
}
