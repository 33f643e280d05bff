#include "jiggle/data/data_set.hpp"

#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "jiggle/data/batches.hpp"
#include "jiggle/data/in_memory.hpp"
#include "jiggle/data/labelled_images.hpp"
#include "jiggle/random.hpp"
#include "support/catch.hpp"

// What resume and data-parallel training rest on, for every data set jiggle provides: a batch is
// a function of (seed, epoch, batch) alone, and the shards of a batch are the batch.
namespace {

// 3×6×6 colour images, every pixel its own value, with shifts and flips.
struct ColourImages {
  using Data = jiggle::LabelledImages;
  static Data make() {
    jiggle::Rng rng(4);
    Data data;
    data.channels = 3;
    data.rows = data.cols = 6;
    for (int i = 0; i < 50; ++i) {
      for (int p = 0; p < 108; ++p) data.pixels.push_back(static_cast<std::uint8_t>(rng.below(256)));
      data.labels.push_back(static_cast<std::uint8_t>(rng.below(10)));
    }
    return data;
  }
  static constexpr jiggle::Augmentation augmentation{.max_shift = 2, .horizontal_flip = true};
};

std::vector<float> random_values(std::size_t count, std::uint64_t seed) {
  jiggle::Rng rng(seed);
  std::vector<float> values(count);
  for (auto& value : values) value = static_cast<float>(rng.normal());
  return values;
}

struct InMemoryClasses {
  using Data = jiggle::ClassificationData;
  static Data make() {
    std::vector<std::int32_t> labels(50);
    for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::int32_t>(i % 7);
    return Data(random_values(50 * 5, 1), jiggle::vector_shape(5), labels);
  }
  static constexpr jiggle::Augmentation augmentation{};
};

struct InMemoryRegression {
  using Data = jiggle::RegressionData;
  static Data make() { return Data(random_values(50 * 4, 2), jiggle::Shape{1, 2, 2}, random_values(50 * 3, 3), 3); }
  // Shifts and flips apply to any sample with a height and width, whatever it holds.
  static constexpr jiggle::Augmentation augmentation{.max_shift = 1, .horizontal_flip = true};
};

template <class Batch>
bool same_targets(const Batch& slice, const Batch& whole, jiggle::Index first) {
  if constexpr (std::is_same_v<std::remove_cvref_t<decltype(slice.targets)>, std::vector<std::int32_t>>) {
    for (std::size_t i = 0; i < slice.targets.size(); ++i)
      if (slice.targets[i] != whole.targets[static_cast<std::size_t>(first) + i]) return false;
    return true;
  } else {
    return slice.targets == whole.targets.middleCols(first, slice.targets.cols());
  }
}

}  // namespace

TEMPLATE_TEST_CASE("For every data set, the shards of a batch are the batch", "[data_set][batches]", ColourImages,
                   InMemoryClasses, InMemoryRegression) {
  const typename TestType::Data data = TestType::make();
  for (const int shards : {2, 3, 4}) {
    jiggle::Batches<double, typename TestType::Data> whole(data, 15, jiggle::Order::shuffled, 7);
    whole.set_augmentation(TestType::augmentation);
    std::vector<jiggle::Batches<double, typename TestType::Data>> parts;
    for (int shard = 0; shard < shards; ++shard) {
      parts.emplace_back(data, 15, jiggle::Order::shuffled, 7);
      parts.back().set_augmentation(TestType::augmentation);
      parts.back().set_shard(shard, shards);
    }
    for (int epoch = 0; epoch < 2; ++epoch) {
      for (jiggle::Index b = 0; b < whole.count(); ++b) {
        const auto& batch = whole.batch(b);
        jiggle::Index column = 0;
        for (auto& part : parts) {
          const auto& slice = part.batch(b);
          INFO(shards << " shards, epoch " << epoch << ", batch " << b);
          REQUIRE(slice.inputs == batch.inputs.middleCols(column, slice.inputs.cols()));
          REQUIRE(same_targets(slice, batch, column));
          column += slice.inputs.cols();
        }
        REQUIRE(column == batch.inputs.cols());
      }
      whole.next_epoch();
      for (auto& part : parts) part.next_epoch();
    }
  }
}

TEMPLATE_TEST_CASE("For every data set, a batch depends on (seed, epoch, batch) alone", "[data_set][batches]",
                   ColourImages, InMemoryClasses, InMemoryRegression) {
  const typename TestType::Data data = TestType::make();
  jiggle::Batches<float, typename TestType::Data> walked(data, 16, jiggle::Order::shuffled, 3);
  jiggle::Batches<float, typename TestType::Data> jumped(data, 16, jiggle::Order::shuffled, 3);
  walked.set_augmentation(TestType::augmentation);
  jumped.set_augmentation(TestType::augmentation);
  for (int epoch = 0; epoch < 3; ++epoch) walked.next_epoch();
  jumped.set_epoch(3);
  for (jiggle::Index b = walked.count() - 1; b >= 0; --b) {  // any order of batches
    const jiggle::Matrix<float> walked_inputs = walked.batch(b).inputs;
    const auto& batch = jumped.batch(b);
    REQUIRE(batch.inputs == walked_inputs);
    REQUIRE(same_targets(batch, walked.batch(b), 0));
  }
  jiggle::Batches<float, typename TestType::Data> other_seed(data, 16, jiggle::Order::shuffled, 4);
  other_seed.set_augmentation(TestType::augmentation);
  other_seed.set_epoch(3);
  REQUIRE_FALSE(other_seed.batch(0).inputs == jumped.batch(0).inputs);
}

TEST_CASE("In-memory data gathers each sample's features and targets into its column", "[data_set][in_memory]") {
  const jiggle::RegressionData data = InMemoryRegression::make();
  jiggle::Batches<double, jiggle::RegressionData> batches(data, 8, jiggle::Order::sequential);
  const auto& batch = batches.batch(2);
  REQUIRE(batch.inputs.rows() == 4);
  REQUIRE(batch.targets.rows() == 3);
  const std::vector<float> targets = random_values(50 * 3, 3);
  for (jiggle::Index column = 0; column < 8; ++column) {
    const auto sample = static_cast<std::size_t>(16 + column);
    for (jiggle::Index i = 0; i < 4; ++i)
      REQUIRE(batch.inputs(i, column) == static_cast<double>(data.features(sample)[static_cast<std::size_t>(i)]));
    for (jiggle::Index i = 0; i < 3; ++i)
      REQUIRE(batch.targets(i, column) == static_cast<double>(targets[sample * 3 + static_cast<std::size_t>(i)]));
  }
}

TEST_CASE("In-memory data refuses sizes that disagree and values that are not finite, naming the sample",
          "[data_set][in_memory][misuse]") {
  REQUIRE_THROWS_WITH(jiggle::ClassificationData(std::vector<float>(10), jiggle::vector_shape(3), {0, 1, 2}),
                      Catch::Contains("3 samples of 3 features need 3 × 3 values, but 10 are given"));
  REQUIRE_THROWS_WITH(jiggle::ClassificationData(std::vector<float>(6), jiggle::vector_shape(3), {0, -1}),
                      Catch::Contains("sample 1 has the negative label -1"));
  REQUIRE_THROWS_WITH(jiggle::ClassificationData(std::vector<float>(6), jiggle::vector_shape(0), {0, 1}),
                      Catch::Contains("is not one"));
  std::vector<float> features(6);
  features[4] = std::numeric_limits<float>::quiet_NaN();
  REQUIRE_THROWS_WITH(jiggle::ClassificationData(features, jiggle::vector_shape(3), {0, 1}),
                      Catch::Contains("sample 1, feature 1 is not finite"));
  REQUIRE_THROWS_WITH(jiggle::RegressionData(std::vector<float>(6), jiggle::vector_shape(3), std::vector<float>(5), 2),
                      Catch::Contains("5 targets are not a whole number of samples of 2"));
  REQUIRE_THROWS_WITH(jiggle::RegressionData(std::vector<float>(6), jiggle::vector_shape(3),
                                             {0.0f, std::numeric_limits<float>::infinity()}, 1),
                      Catch::Contains("sample 1, target 0 is not finite"));
  REQUIRE_THROWS_WITH(jiggle::RegressionData(std::vector<float>(6), jiggle::vector_shape(3), std::vector<float>(2), 0),
                      Catch::Contains("target size must be positive"));
}
