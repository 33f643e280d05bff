#pragma once
// Classification accuracy and the confusion matrix of a model over a labelled data set.
#include <array>
#include <cstdint>
#include <string>

#include "jiggle/data/batches.hpp"
#include "jiggle/layer.hpp"

namespace jiggle {

struct Evaluation {
  static constexpr int kClasses = 10;
  Index correct = 0;
  Index total = 0;
  // confusion[true label][predicted label]
  std::array<std::array<Index, kClasses>, kClasses> confusion{};

  double accuracy() const { return total == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(total); }
};

// Runs `batches` in order through `model` and takes the arg-max of each output column as its
// prediction. Use Order::sequential batches: evaluation looks at every image exactly once.
template <Layer Model>
Evaluation evaluate(Model& model, Batches& batches) {
  Evaluation result;
  for (Index b = 0; b < batches.count(); ++b) {
    const Batches::Batch& batch = batches.batch(b);
    const auto& outputs = model.forward(batch.images);
    if (outputs.rows() != Evaluation::kClasses)
      throw Error("evaluate: the model gives " + std::to_string(outputs.rows()) + " outputs per image, expected 10");
    for (Index column = 0; column < outputs.cols(); ++column) {
      Index predicted = 0;
      outputs.col(column).maxCoeff(&predicted);
      const auto truth = batch.labels[static_cast<std::size_t>(column)];
      ++result.confusion[static_cast<std::size_t>(truth)][static_cast<std::size_t>(predicted)];
      result.correct += predicted == truth ? 1 : 0;
      ++result.total;
    }
  }
  return result;
}

}  // namespace jiggle
