#include "jiggle/train/running_statistics.hpp"

#include <cmath>
#include <cstdint>

#include "jiggle/data/labelled_images.hpp"
#include "jiggle/layers/batch_norm.hpp"
#include "support/catch.hpp"
#include "support/labelled_images.hpp"

namespace {

// 400 images of 1×2 pixels, the same 8 over and over, so that every batch of 8 has the same
// statistics: pixels (8i, 8i + 100)/255 for i = 0 … 7.
jiggle::LabelledImages repeated_images() {
  return test_support::images_by_rule(
      1, 2, 400, [](std::size_t image, std::size_t p) { return 8 * (image % 8) + 100 * p; },
      [](std::size_t) { return 0; });
}

struct BatchStatistics {
  double mean = 0.0;
  double unbiased_variance = 0.0;
};

// One batch's 16 values: (8i)/255 and (8i + 100)/255 for i = 0 … 7.
BatchStatistics statistics_of_a_batch() {
  BatchStatistics statistics;
  double values[16];
  for (int i = 0; i < 8; ++i) {
    values[2 * i] = 8.0 * i / 255.0;
    values[2 * i + 1] = (8.0 * i + 100.0) / 255.0;
  }
  for (const double value : values) statistics.mean += value / 16.0;
  for (const double value : values) statistics.unbiased_variance += std::pow(value - statistics.mean, 2) / 15.0;
  return statistics;
}

}  // namespace

TEST_CASE("refresh_running_statistics moves batch norm's running averages by one step a batch, for every batch",
          "[running_statistics]") {
  const jiggle::LabelledImages data = repeated_images();
  const BatchStatistics batch = statistics_of_a_batch();
  for (const jiggle::Index count : {jiggle::Index{5}, jiggle::Index{1000}}) {
    jiggle::BatchNorm<1> model;
    jiggle::Batches batches(data, 8, jiggle::Order::sequential);
    jiggle::refresh_running_statistics(model, batches, count);
    // From mean 0 and variance 1, n steps of momentum 0.1 toward the batch's statistics; 1000
    // asks for more batches than the 50 there are.
    const double kept = std::pow(0.9, static_cast<double>(std::min<jiggle::Index>(count, 50)));
    INFO(count << " batches asked for");
    REQUIRE(std::abs(model.running_mean(0) - (1.0 - kept) * batch.mean) < 1e-6);
    REQUIRE(std::abs(model.running_var(0) - (kept + (1.0 - kept) * batch.unbiased_variance)) < 1e-6);
  }
}

TEST_CASE("refresh_running_statistics leaves the model evaluating with the refreshed statistics",
          "[running_statistics]") {
  const jiggle::LabelledImages data = repeated_images();
  jiggle::BatchNorm<1> model;
  jiggle::Batches batches(data, 8, jiggle::Order::sequential);
  jiggle::refresh_running_statistics(model, batches, 50);
  // One image alone: in training mode its own statistics would map both pixels to ±1.
  const jiggle::Matrix<float> image{{0.0F}, {100.0F / 255.0F}};
  const jiggle::Matrix<float>& normalised = model.forward(image);
  const double deviation = std::sqrt(static_cast<double>(model.running_var(0)) + 1e-5);
  REQUIRE(std::abs(normalised(0, 0) - (0.0 - model.running_mean(0)) / deviation) < 1e-5);
  REQUIRE(std::abs(normalised(1, 0) - (100.0 / 255.0 - model.running_mean(0)) / deviation) < 1e-5);
}
