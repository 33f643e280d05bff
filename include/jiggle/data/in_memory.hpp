#pragma once
// A data set (data/data_set.hpp) over a caller's own float features in memory, with a class label
// or real-valued targets per sample: what a CSV (data/csv.hpp) or a program's own arrays become.
//
//   jiggle::InMemoryData<jiggle::RealTargets> data(features, jiggle::vector_shape(3), targets, 1);
//   jiggle::Batches batches(data, 32);
//
// Features are stored sample after sample (one sample's values together, as a row of a CSV);
// targets likewise. The constructor checks that the sizes agree and that every value is finite,
// so a bad buffer is refused where it is handed over, naming the sample, not deep in training.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "jiggle/data/data_set.hpp"
#include "jiggle/error.hpp"
#include "jiggle/parallel.hpp"
#include "jiggle/shape.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

template <class TargetKind>
class InMemoryData {
  static_assert(std::is_same_v<TargetKind, ClassLabels> || std::is_same_v<TargetKind, RealTargets>,
                "InMemoryData holds ClassLabels or RealTargets");

 public:
  using Targets = TargetKind;

  // Samples of `sample_shape` with one class label each (0, 1, 2, ...).
  InMemoryData(std::vector<float> features, Shape sample_shape,
               std::vector<std::int32_t> labels) requires std::is_same_v<TargetKind, ClassLabels>
      : features_(std::move(features)), shape_(sample_shape), labels_(std::move(labels)) {
    check_features(labels_.size());
    for (std::size_t sample = 0; sample < labels_.size(); ++sample) {
      if (labels_[sample] < 0)
        throw Error("in-memory data: sample " + std::to_string(sample) + " has the negative label " +
                    std::to_string(labels_[sample]));
    }
  }

  // Samples of `sample_shape` with `target_size` real targets each.
  InMemoryData(std::vector<float> features, Shape sample_shape, std::vector<float> targets,
               Index target_size) requires std::is_same_v<TargetKind, RealTargets>
      : features_(std::move(features)), shape_(sample_shape), targets_(std::move(targets)), target_size_(target_size) {
    if (target_size_ <= 0)
      throw Error("in-memory data: the target size must be positive, got " + std::to_string(target_size_));
    const auto per_sample = static_cast<std::size_t>(target_size_);
    if (targets_.size() % per_sample != 0)
      throw Error("in-memory data: " + std::to_string(targets_.size()) +
                  " targets are not a whole number of samples of " + std::to_string(target_size_));
    check_features(targets_.size() / per_sample);
    check_finite(targets_, per_sample, "target");
  }

  std::size_t size() const { return sample_count_; }
  Shape sample_shape() const { return shape_; }
  Index target_size() const requires std::is_same_v<TargetKind, RealTargets> { return target_size_; }
  // The constructor has checked everything, and nothing can change since.
  void require_consistent() const {}

  // Sample `sample`'s features.
  std::span<const float> features(std::size_t sample) const {
    const auto width = static_cast<std::size_t>(shape_.size());
    return std::span<const float>(features_).subspan(sample * width, width);
  }

  template <class T>
  void gather(std::span<const std::uint32_t> samples, Matrix<T>& inputs,
              BatchTargetsOf<InMemoryData, T>& targets) const {
    const Index width = shape_.size();
    parallel_for(static_cast<Index>(samples.size()), static_cast<Index>(samples.size()) * width, [&](Index column) {
      const std::size_t sample = samples[static_cast<std::size_t>(column)];
      const float* source = features_.data() + sample * static_cast<std::size_t>(width);
      T* target = inputs.col(column).data();
      for (Index i = 0; i < width; ++i) target[i] = static_cast<T>(source[i]);
      if constexpr (std::is_same_v<TargetKind, ClassLabels>) {
        targets[static_cast<std::size_t>(column)] = labels_[sample];
      } else {
        const float* values = targets_.data() + sample * static_cast<std::size_t>(target_size_);
        for (Index i = 0; i < target_size_; ++i) targets(i, column) = static_cast<T>(values[i]);
      }
    });
  }

 private:
  void check_features(std::size_t samples) {
    if (shape_.channels <= 0 || shape_.height <= 0 || shape_.width <= 0 ||
        shape_.channels > std::numeric_limits<int>::max() / shape_.height ||
        shape_.channels * shape_.height > std::numeric_limits<int>::max() / shape_.width)
      throw Error("in-memory data: a sample shape of " + std::to_string(shape_.channels) + "×" +
                  std::to_string(shape_.height) + "×" + std::to_string(shape_.width) + " is not one");
    const auto width = static_cast<std::size_t>(shape_.size());
    if (features_.size() / width != samples || features_.size() % width != 0)
      throw Error("in-memory data: " + std::to_string(samples) + " samples of " + std::to_string(width) +
                  " features need " + std::to_string(samples) + " × " + std::to_string(width) + " values, but " +
                  std::to_string(features_.size()) + " are given");
    sample_count_ = samples;
    check_finite(features_, width, "feature");
  }

  static void check_finite(const std::vector<float>& values, std::size_t per_sample, const char* what) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (!std::isfinite(values[i]))
        throw Error("in-memory data: sample " + std::to_string(i / per_sample) + ", " + what + " " +
                    std::to_string(i % per_sample) + " is not finite");
    }
  }

  std::vector<float> features_;
  Shape shape_;
  std::vector<std::int32_t> labels_;
  std::vector<float> targets_;
  Index target_size_ = 0;
  std::size_t sample_count_ = 0;
};

using ClassificationData = InMemoryData<ClassLabels>;
using RegressionData = InMemoryData<RealTargets>;

static_assert(DataSet<ClassificationData> && DataSet<RegressionData>);

}  // namespace jiggle
