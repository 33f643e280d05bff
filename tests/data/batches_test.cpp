#include "jiggle/data/batches.hpp"

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "jiggle/data/mnist.hpp"
#include "support/catch.hpp"
#include "support/labelled_images.hpp"

namespace {

// 10 images of 4 pixels; image i has every pixel equal to 20·i and label i.
jiggle::LabelledImages ten_images() {
  return test_support::images_by_rule(
      2, 2, 10, [](std::size_t i, std::size_t) { return 20 * i; }, [](std::size_t i) { return i; });
}

std::vector<int> labels_of_epoch(jiggle::Batches<float>& batches) {
  std::vector<int> seen;
  for (jiggle::Index b = 0; b < batches.count(); ++b) {
    const auto& batch = batches.batch(b);
    for (auto label : batch.targets) seen.push_back(label);
  }
  return seen;
}

}  // namespace

TEST_CASE("Batches cover every image once per epoch, the last partial batch included", "[batches]") {
  const auto data = ten_images();
  jiggle::Batches batches(data, 4, jiggle::Order::shuffled, 7);
  REQUIRE(batches.count() == 3);
  REQUIRE(batches.batch(0).inputs.cols() == 4);
  REQUIRE(batches.batch(2).inputs.cols() == 2);
  auto seen = labels_of_epoch(batches);
  REQUIRE(seen != std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  std::sort(seen.begin(), seen.end());
  REQUIRE(seen == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}

TEST_CASE("Batches that drop the partial batch give whole batches of distinct images, other ones each epoch",
          "[batches]") {
  const auto data = ten_images();
  jiggle::Batches batches(data, 4, jiggle::Order::shuffled, 7);
  batches.set_partial_batch(jiggle::PartialBatch::dropped);
  REQUIRE(batches.count() == 2);
  std::vector<std::vector<int>> left_out;
  for (int epoch = 0; epoch < 4; ++epoch, batches.next_epoch()) {
    for (jiggle::Index b = 0; b < batches.count(); ++b) REQUIRE(batches.batch(b).inputs.cols() == 4);
    auto seen = labels_of_epoch(batches);
    REQUIRE(seen.size() == 8);
    std::sort(seen.begin(), seen.end());
    REQUIRE(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
    std::vector<int> missing;
    for (int label = 0; label < 10; ++label)
      if (!std::binary_search(seen.begin(), seen.end(), label)) missing.push_back(label);
    left_out.push_back(missing);
  }
  std::sort(left_out.begin(), left_out.end());
  REQUIRE(std::unique(left_out.begin(), left_out.end()) - left_out.begin() > 1);  // not the same two every epoch
  REQUIRE_THROWS_WITH(batches.batch(2), Catch::Contains("batch 2 of 2 does not exist"));

  jiggle::Batches sequential(data, 4, jiggle::Order::sequential);
  sequential.set_partial_batch(jiggle::PartialBatch::dropped);
  REQUIRE(labels_of_epoch(sequential) == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7});
  sequential.set_partial_batch(jiggle::PartialBatch::kept);
  REQUIRE(sequential.count() == 3);
}

TEST_CASE("Batches refuse to drop the partial batch when no batch is whole, and shard whole batches", "[batches]") {
  const auto data = ten_images();
  jiggle::Batches too_large(data, 11, jiggle::Order::sequential);
  REQUIRE_THROWS_WITH(too_large.set_partial_batch(jiggle::PartialBatch::dropped),
                      Catch::Contains("10 samples do not make one whole batch of 11"));
  REQUIRE(too_large.count() == 1);
  // Three batches of 3 and a last of 1 cannot be shared by 2 processes; dropped, they can, evenly.
  jiggle::Batches batches(data, 3, jiggle::Order::sequential);
  REQUIRE_THROWS(batches.set_shard(0, 2));
  batches.set_partial_batch(jiggle::PartialBatch::dropped);
  batches.set_shard(1, 3);
  REQUIRE(batches.count() == 3);
  REQUIRE(batches.splits_evenly());
  REQUIRE(batches.batch(2).targets == std::vector<std::int32_t>{7});  // batch 2 is images 6, 7, 8
  // Keeping the last image again would leave two of the three shards without one: refused, and
  // the batches stay as they were.
  REQUIRE_THROWS_WITH(batches.set_partial_batch(jiggle::PartialBatch::kept),
                      Catch::Contains("cannot share batches of 1 samples between 3 processes"));
  REQUIRE(batches.partial_batch() == jiggle::PartialBatch::dropped);
  REQUIRE(batches.count() == 3);
  REQUIRE(batches.batch(2).targets == std::vector<std::int32_t>{7});
}

TEST_CASE("Batches put image and label in the same column, scaled to x/255", "[batches]") {
  const auto data = ten_images();
  jiggle::Batches batches(data, 3, jiggle::Order::shuffled, 1);
  const auto& batch = batches.batch(1);
  REQUIRE(batch.inputs.rows() == 4);
  for (jiggle::Index c = 0; c < batch.inputs.cols(); ++c) {
    const float expected = static_cast<float>(20 * batch.targets[static_cast<std::size_t>(c)]) / 255.0f;
    REQUIRE((batch.inputs.col(c).array() - expected).abs().maxCoeff() <= 1e-6f);
  }
}

TEST_CASE("Batches standardize pixels with MNIST's mean and deviation when asked", "[batches]") {
  auto data = ten_images();
  data.scaling = jiggle::PixelScaling::standardized(jiggle::kMnistPixelStatistics);
  jiggle::Batches batches(data, 10, jiggle::Order::sequential, 0);
  const auto& batch = batches.batch(0);
  REQUIRE(batch.inputs(0, 0) == Approx(-0.1307 / 0.3081).epsilon(1e-6));
  REQUIRE(batch.inputs(0, 9) == Approx((180.0 / 255.0 - 0.1307) / 0.3081).epsilon(1e-6));
}

TEST_CASE("Batches shuffle by seed, anew each epoch, and not at all when sequential", "[batches]") {
  const auto data = ten_images();
  jiggle::Batches first(data, 4, jiggle::Order::shuffled, 3);
  jiggle::Batches same(data, 4, jiggle::Order::shuffled, 3);
  jiggle::Batches other(data, 4, jiggle::Order::shuffled, 4);
  const auto epoch_one = labels_of_epoch(first);
  REQUIRE(epoch_one == labels_of_epoch(same));
  REQUIRE(epoch_one != labels_of_epoch(other));
  first.next_epoch();
  REQUIRE(labels_of_epoch(first) != epoch_one);
  jiggle::Batches in_order(data, 4, jiggle::Order::sequential);
  in_order.next_epoch();
  REQUIRE(labels_of_epoch(in_order) == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}

TEST_CASE("Batches take each epoch's order from the caller's function of the epoch, and refuse a non-permutation",
          "[batches]") {
  const auto data = ten_images();
  jiggle::Batches batches(data, 4, jiggle::Order::shuffled, 3);
  const auto seeded = labels_of_epoch(batches);
  // Epoch e: the samples rotated left by e places.
  batches.set_epoch_order([](std::uint64_t epoch, std::span<std::uint32_t> order) {
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = static_cast<std::uint32_t>((k + epoch) % order.size());
  });
  REQUIRE(labels_of_epoch(batches) == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  batches.next_epoch();
  REQUIRE(labels_of_epoch(batches) == std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 0});
  batches.set_epoch(3);
  REQUIRE(labels_of_epoch(batches) == std::vector<int>{3, 4, 5, 6, 7, 8, 9, 0, 1, 2});
  batches.set_epoch(0);
  batches.set_epoch_order({});
  REQUIRE(labels_of_epoch(batches) == seeded);

  const auto twice = [](std::uint64_t, std::span<std::uint32_t> order) {
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = static_cast<std::uint32_t>(k / 2);
  };
  REQUIRE_THROWS_WITH(batches.set_epoch_order(twice),
                      "the order of epoch 0 is no permutation of the 10 samples: sample 0 comes twice");
  const auto beyond = [](std::uint64_t, std::span<std::uint32_t> order) {
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = static_cast<std::uint32_t>(k + 1);
  };
  REQUIRE_THROWS_WITH(batches.set_epoch_order(beyond),
                      "the order of epoch 0 is no permutation of the 10 samples: sample 10 does not exist");
  REQUIRE(labels_of_epoch(batches) == seeded);
}

TEST_CASE("Batches reject a batch size of zero and a batch index out of range", "[batches]") {
  const auto data = ten_images();
  REQUIRE_THROWS_AS(jiggle::Batches(data, 0), jiggle::Error);
  jiggle::Batches batches(data, 4);
  REQUIRE_THROWS_WITH(batches.batch(3), Catch::Contains("batch 3 of 3 does not exist"));
}

TEST_CASE("Batches refuse images whose sizes disagree with their labels, before reading a pixel", "[batches]") {
  jiggle::LabelledImages two_labels_one_image;
  two_labels_one_image.rows = two_labels_one_image.cols = 28;
  two_labels_one_image.pixels.assign(784, 0);
  two_labels_one_image.labels = {3, 4};
  REQUIRE_THROWS_WITH(jiggle::Batches(two_labels_one_image, 2),
                      Catch::Contains("2 labels need as many images of 28×28 pixels, but 784 pixels are given"));
  auto no_width = ten_images();
  no_width.cols = 0;
  REQUIRE_THROWS_WITH(jiggle::Batches(no_width, 2), Catch::Contains("of 2×0 pixels cannot be read"));
  auto overflowing = ten_images();
  overflowing.rows = overflowing.cols = std::size_t{1} << 33;
  REQUIRE_THROWS_WITH(jiggle::Batches(overflowing, 2), Catch::Contains("cannot be read"));
  auto extra_pixel = ten_images();
  extra_pixel.pixels.push_back(0);
  REQUIRE_THROWS_AS(jiggle::Batches(extra_pixel, 2), jiggle::Error);
}

TEST_CASE("Batches larger than the data set give one batch of everything", "[batches]") {
  const auto data = ten_images();
  jiggle::Batches batches(data, 128);
  REQUIRE(batches.count() == 1);
  REQUIRE(batches.batch(0).inputs.cols() == 10);
}

TEST_CASE("Augmentation translates each image by at most the shift, filling with background", "[batches]") {
  // One 5×5 image with a single lit pixel in the middle.
  jiggle::LabelledImages data = test_support::images_by_rule(
      5, 5, 64, [](std::size_t, std::size_t p) { return p == 12 ? 255 : 0; }, [](std::size_t i) { return i % 10; });
  jiggle::Batches batches(data, 64, jiggle::Order::sequential, 5);
  batches.set_augmentation({.max_shift = 2});
  const auto& batch = batches.batch(0);
  std::vector<int> seen_positions(25, 0);
  for (jiggle::Index column = 0; column < 64; ++column) {
    const auto image = batch.inputs.col(column);
    REQUIRE(image.sum() == Approx(1.0f));  // the lit pixel stays inside: shifts are at most 2
    jiggle::Index lit = 0;
    image.maxCoeff(&lit);
    ++seen_positions[static_cast<std::size_t>(lit)];
  }
  int distinct = 0;
  for (int count : seen_positions) distinct += count > 0 ? 1 : 0;
  REQUIRE(distinct > 10);  // 64 draws over 25 positions land in many of them
  jiggle::Batches same(data, 64, jiggle::Order::sequential, 5);
  same.set_augmentation({.max_shift = 2});
  REQUIRE(same.batch(0).inputs == batch.inputs);
  REQUIRE_THROWS_AS(batches.set_augmentation({.max_shift = 5}), jiggle::Error);

  // Standardised, the background is what pixel 0 becomes, and a shift brings in that, not 0.
  data.scaling = jiggle::PixelScaling::standardized(jiggle::kMnistPixelStatistics);
  jiggle::Batches standardised(data, 64, jiggle::Order::sequential, 5);
  standardised.set_augmentation({.max_shift = 2});
  const auto shifted = standardised.batch(0).inputs.array();
  const float background = data.scaling.apply<float>(0);
  const float lit = data.scaling.apply<float>(255);
  REQUIRE((shifted == background).count() == 24 * 64);
  REQUIRE((shifted == lit).count() == 64);
}

TEST_CASE("Batches gather into the model's scalar type", "[batches]") {
  const auto data = ten_images();
  jiggle::Batches<double> batches(data, 10, jiggle::Order::sequential);
  STATIC_REQUIRE(std::is_same_v<decltype(batches.batch(0).inputs), jiggle::Matrix<double>>);
  REQUIRE(batches.batch(0).inputs(0, 9) == Approx(180.0 / 255.0).epsilon(1e-7));
}

TEST_CASE("Batches of an epoch reached by set_epoch are those next_epoch reaches, augmentation included", "[batches]") {
  const jiggle::LabelledImages data = test_support::images_by_rule(
      5, 5, 30, [](std::size_t i, std::size_t p) { return (i * 37 + p * 11) % 256; },
      [](std::size_t i) { return i % 10; });
  jiggle::Batches walked(data, 8, jiggle::Order::shuffled, 11);
  walked.set_augmentation({.max_shift = 1});
  for (int epoch = 0; epoch < 3; ++epoch) walked.next_epoch();
  REQUIRE(walked.epoch() == 3);

  jiggle::Batches jumped(data, 8, jiggle::Order::shuffled, 11);
  jumped.set_augmentation({.max_shift = 1});
  jumped.set_epoch(3);
  // Batch 2 first, then batch 1: a batch depends on (seed, epoch, index) alone, not on the
  // batches gathered before it.
  const jiggle::Matrix<float> second = jumped.batch(2).inputs;
  const jiggle::Matrix<float> first = jumped.batch(1).inputs;
  REQUIRE(walked.batch(1).inputs == first);
  REQUIRE(walked.batch(2).inputs == second);

  jiggle::Batches earlier(data, 8, jiggle::Order::shuffled, 11);
  earlier.set_augmentation({.max_shift = 1});
  earlier.set_epoch(2);
  REQUIRE(earlier.batch(1).inputs != first);
}
