#pragma once
// Classification accuracy and the confusion matrix of any classifier over a labelled data set.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "jiggle/error.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/tensor.hpp"
#include "jiggle/train/train_epoch.hpp"

namespace jiggle {

class Evaluation {
 public:
  explicit Evaluation(Index classes = 0)
      : classes_(classes), confusion_(static_cast<std::size_t>(classes * classes), Index{0}) {}

  Index classes() const { return classes_; }
  Index correct() const { return correct_; }
  Index total() const { return total_; }
  double accuracy() const { return total_ == 0 ? 0.0 : static_cast<double>(correct_) / static_cast<double>(total_); }

  // How many samples of class `truth` were predicted as `predicted`.
  Index confusion(Index truth, Index predicted) const { return confusion_[cell(truth, predicted)]; }

  // Every cell of the confusion matrix, truth by truth, and the evaluation those counts make:
  // what evaluations of parts of a data set are summed through.
  const std::vector<Index>& confusion_counts() const { return confusion_; }
  static Evaluation from_confusion_counts(Index classes, std::vector<Index> counts) {
    if (classes < 0 || counts.size() != static_cast<std::size_t>(classes * classes))
      throw Error("evaluate: " + std::to_string(counts.size()) + " counts do not make a confusion matrix of " +
                  std::to_string(classes) + " classes");
    Evaluation result(classes);
    result.confusion_ = std::move(counts);
    for (Index truth = 0; truth < classes; ++truth)
      for (Index predicted = 0; predicted < classes; ++predicted) {
        const Index count = result.confusion(truth, predicted);
        if (count < 0) throw Error("evaluate: a negative count in a confusion matrix");
        result.total_ += count;
        result.correct_ += truth == predicted ? count : 0;
      }
    return result;
  }

  void record(Index truth, Index predicted) {
    if (truth < 0 || truth >= classes_)
      throw Error("evaluate: label " + std::to_string(truth) + " is outside the model's " + std::to_string(classes_) +
                  " classes");
    ++confusion_[cell(truth, predicted)];
    correct_ += truth == predicted ? 1 : 0;
    ++total_;
  }

 private:
  std::size_t cell(Index truth, Index predicted) const {
    return static_cast<std::size_t>(truth * classes_ + predicted);
  }

  Index classes_;
  std::vector<Index> confusion_;
  Index correct_ = 0;
  Index total_ = 0;
};

// Runs every batch through `model` in evaluation mode and takes the arg-max of each output
// column as its prediction; the model's outputs are its classes. Use batches in a fixed order:
// evaluation looks at every sample exactly once.
template <Layer Model, BatchSource Source>
Evaluation evaluate(Model& model, Source& batches) {
  static_assert(Model::output_shape.fixed(), "evaluate needs a model whose output shape, its classes, is fixed");
  set_mode(model, Mode::evaluation);
  Evaluation result(Model::output_shape.size());
  for (Index b = 0; b < batches.count(); ++b) {
    const auto& batch = batches.batch(b);
    const Matrix<typename Model::Scalar>& outputs = model.forward(batch.inputs);
    if (outputs.rows() != result.classes())
      throw Error("evaluate: the model gives " + std::to_string(outputs.rows()) +
                  " outputs per sample, its shape says " + std::to_string(result.classes()));
    for (Index column = 0; column < outputs.cols(); ++column) {
      Index predicted = 0;
      outputs.col(column).maxCoeff(&predicted);
      result.record(static_cast<Index>(batch.targets[static_cast<std::size_t>(column)]), predicted);
    }
  }
  return result;
}

}  // namespace jiggle
