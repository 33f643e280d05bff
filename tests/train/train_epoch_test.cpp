#include "jiggle/train/train_epoch.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "jiggle/data/batches.hpp"
#include "jiggle/losses/mean_squared_error.hpp"
#include "jiggle/losses/softmax_cross_entropy.hpp"
#include "jiggle/models/mnist_mlp.hpp"
#include "jiggle/optim/adam.hpp"
#include "jiggle/optim/sgd.hpp"
#include "jiggle/parallel.hpp"
#include "jiggle/train/evaluate.hpp"
#include "support/catch.hpp"
#include "support/learnable_images.hpp"

namespace {

using test_support::learnable_images;

double train_and_report_loss(const jiggle::LabelledImages& data, int threads) {
  jiggle::set_thread_count(threads);
  jiggle::Rng rng(3);
  jiggle::MnistMlp<> model(rng);
  jiggle::SoftmaxCrossEntropy<float> loss;
  jiggle::Sgd sgd(0.1);
  jiggle::Batches batches(data, 128, jiggle::Order::shuffled, 4);
  jiggle::train_epoch(model, loss, sgd, batches);
  return jiggle::train_epoch(model, loss, sgd, batches);
}

}  // namespace

TEST_CASE("train_epoch lowers the loss and learns a learnable task", "[train]") {
  const auto data = learnable_images(1000);
  jiggle::Rng rng(1);
  jiggle::MnistMlp<> model(rng);
  jiggle::SoftmaxCrossEntropy<float> loss;
  jiggle::Sgd sgd(0.1);
  jiggle::Batches batches(data, 100, jiggle::Order::shuffled, 2);
  std::vector<double> batch_losses;
  const double first = jiggle::train_epoch(model, loss, sgd, batches,
                                           [&](const jiggle::BatchReport& r) { batch_losses.push_back(r.loss); });
  REQUIRE(batch_losses.size() == 10);
  const double second = jiggle::train_epoch(model, loss, sgd, batches);
  REQUIRE(second < first);
  jiggle::Batches in_order(data, 250, jiggle::Order::sequential);
  const jiggle::Evaluation result = jiggle::evaluate(model, in_order);
  REQUIRE(result.total() == 1000);
  REQUIRE(result.accuracy() > 0.9);
  jiggle::Index confusion_total = 0;
  for (jiggle::Index truth = 0; truth < 10; ++truth)
    for (jiggle::Index predicted = 0; predicted < 10; ++predicted)
      confusion_total += result.confusion(truth, predicted);
  REQUIRE(confusion_total == 1000);
}

TEST_CASE("train_epoch throws DivergedError before stepping on a non-finite loss", "[train]") {
  const auto data = learnable_images(512);
  jiggle::Rng rng(1);
  jiggle::MnistMlp<> model(rng);
  jiggle::SoftmaxCrossEntropy<float> loss;
  jiggle::Sgd sgd(1e6);
  jiggle::Batches batches(data, 128);
  REQUIRE_THROWS_AS(jiggle::train_epoch(model, loss, sgd, batches), jiggle::DivergedError);
  REQUIRE_THROWS_WITH(jiggle::train_epoch(model, loss, sgd, batches), Catch::Contains("training diverged"));
}

TEST_CASE("A fixed seed and thread count give a bit-identical loss", "[train]") {
  const auto data = learnable_images(1000);
  const int threads = jiggle::thread_count();
  for (int count : {1, 2}) {
    INFO(count << " threads");
    const double first = train_and_report_loss(data, count);
    const double second = train_and_report_loss(data, count);
    REQUIRE(std::bit_cast<std::uint64_t>(first) == std::bit_cast<std::uint64_t>(second));
    REQUIRE(std::isfinite(first));
  }
  jiggle::set_thread_count(threads);
}

TEST_CASE("A double-precision model trains end to end through train_epoch", "[train][full-size]") {
  const auto data = learnable_images(600);
  jiggle::Rng rng(5);
  jiggle::MnistMlp<double> model(rng);
  jiggle::SoftmaxCrossEntropy<double> loss;
  jiggle::Sgd<double> sgd(0.1);
  jiggle::Batches<double> batches(data, 100, jiggle::Order::shuffled, 6);
  const double first = jiggle::train_epoch(model, loss, sgd, batches);
  const double second = jiggle::train_epoch(model, loss, sgd, batches);
  REQUIRE(second < first);
  jiggle::Batches<double> in_order(data, 600, jiggle::Order::sequential);
  REQUIRE(jiggle::evaluate(model, in_order).accuracy() > 0.9);
}

namespace {

// A regression task: y = A x for a fixed A, one sample per column.
struct RegressionBatches {
  struct Batch {
    jiggle::Matrix<double> inputs;
    jiggle::Matrix<double> targets;
  };
  std::vector<Batch> batches;
  jiggle::Index count() const { return static_cast<jiggle::Index>(batches.size()); }
  const Batch& batch(jiggle::Index b) const { return batches[static_cast<std::size_t>(b)]; }
  void next_epoch() {}
};

}  // namespace

TEST_CASE("Mean squared error trains a regression through train_epoch with SGD and Adam", "[train]") {
  jiggle::Rng rng(7);
  const jiggle::Matrix<double> A = jiggle::Matrix<double>::Random(2, 4);
  RegressionBatches data;
  for (int b = 0; b < 8; ++b) {
    jiggle::Matrix<double> X = jiggle::Matrix<double>::Random(4, 16);
    jiggle::Matrix<double> Y = A * X;
    data.batches.push_back({X, Y});
  }
  auto train = [&](auto optimizer) {
    jiggle::Rng init(8);
    jiggle::Chain<jiggle::Dense<4, 2, double>> model(init);
    jiggle::MeanSquaredError<double> loss;
    const double first = jiggle::train_epoch(model, loss, optimizer, data);
    double last = first;
    for (int epoch = 0; epoch < 30; ++epoch) last = jiggle::train_epoch(model, loss, optimizer, data);
    INFO("first epoch " << first << ", last " << last);
    REQUIRE(last < 0.05 * first);
  };
  train(jiggle::Sgd<double>(0.1));
  train(jiggle::Adam<double>({.learning_rate = 0.05}));
}

TEST_CASE("An epoch stopped by its callback and continued from its progress equals one never stopped", "[train]") {
  const auto data = learnable_images(500);
  auto fresh = [&](jiggle::MnistMlp<>& model) { return model.layer<0>().W; };
  jiggle::Rng rng_whole(3);
  jiggle::MnistMlp<> whole(rng_whole);
  jiggle::Rng rng_parts(3);
  jiggle::MnistMlp<> parts(rng_parts);
  REQUIRE(fresh(whole) == fresh(parts));
  jiggle::SoftmaxCrossEntropy<float> loss;
  jiggle::Sgd sgd_whole(0.1);
  jiggle::Sgd sgd_parts(0.1);
  jiggle::Batches batches_whole(data, 64, jiggle::Order::shuffled, 4);
  jiggle::Batches batches_parts(data, 64, jiggle::Order::shuffled, 4);
  double weighted_sum = 0.0;
  jiggle::Index samples_before = 0;
  const double mean_loss =
      jiggle::train_epoch(whole, loss, sgd_whole, batches_whole, [&](const jiggle::BatchReport& r) {
        weighted_sum += r.loss * static_cast<double>(r.samples_done - samples_before);
        samples_before = r.samples_done;
      });
  REQUIRE(mean_loss == Approx(weighted_sum / 500.0).epsilon(1e-12));

  jiggle::EpochProgress progress;
  int calls = 0;
  auto stop_at_three = [&](const jiggle::BatchReport&) {
    return ++calls == 3 ? jiggle::Continuation::stop : jiggle::Continuation::proceed;
  };
  REQUIRE_FALSE(jiggle::continue_epoch(parts, loss, sgd_parts, batches_parts, progress, stop_at_three));
  REQUIRE(progress.batches_done == 3);
  REQUIRE(progress.samples_done == 192);
  REQUIRE(batches_parts.epoch() == 0);
  REQUIRE(jiggle::continue_epoch(parts, loss, sgd_parts, batches_parts, progress, stop_at_three));
  REQUIRE(progress.batches_done == 8);
  REQUIRE(batches_parts.epoch() == 1);
  REQUIRE(progress.mean_loss() == mean_loss);
  REQUIRE(parts.layer<4>().W == whole.layer<4>().W);
}
