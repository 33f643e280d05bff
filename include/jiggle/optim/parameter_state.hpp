#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "jiggle/error.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// One tensor of optimiser state per parameter (a momentum buffer, a moment estimate), in the
// order the model visits its parameters, created as zeros at the first step.
template <class T>
class ParameterState {
 public:
  explicit ParameterState(std::string_view owner) : owner_(owner) {}

  // The state of the k-th parameter visited; the parameter must keep its shape from step to step.
  Matrix<T>& at(std::size_t k, const Parameter<T>& parameter) {
    if (k == tensors_.size()) tensors_.push_back(Matrix<T>::Zero(parameter.value.rows(), parameter.value.cols()));
    Matrix<T>& tensor = tensors_[k];
    if (tensor.rows() != parameter.value.rows() || tensor.cols() != parameter.value.cols())
      throw Error(std::string(owner_) + ": parameter " + parameter.path.to_string() + " is " +
                  dimensions(parameter.value.rows(), parameter.value.cols()) + ", its state from earlier steps is " +
                  dimensions(tensor.rows(), tensor.cols()));
    return tensor;
  }

  std::size_t size() const { return tensors_.size(); }

 private:
  std::string_view owner_;
  std::vector<Matrix<T>> tensors_;
};

}  // namespace jiggle
