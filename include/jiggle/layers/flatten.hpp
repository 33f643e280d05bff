#pragma once
#include <string>

#include "jiggle/layer.hpp"
#include "jiggle/shape.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// Flatten (nn.Flatten): a C×H×W sample becomes C·H·W features, Y = X and dX = dY.
// X, Y, dY, dX: C·H·W × B
//
// A sample is already one column in CHW order, PyTorch's order for flattening NCHW, so only the
// compile-time shape changes and no value is copied: forward returns X itself and backward dY
// itself. Each is therefore valid exactly as long as the matrix it is: the previous layer's
// output in a Chain, which keeps it until the next forward (Chain hands the layer after a
// Flatten at its front the Chain's own input again at backward, never a stored address of it).
template <Shape In, class T = float>
class Flatten {
  static_assert(In.fixed() && In.size() > 0, "Flatten needs a fixed input shape");

 public:
  using Scalar = T;
  static constexpr Shape input_shape = In;
  static constexpr Shape output_shape = vector_shape(In.size());

  const Matrix<T>& forward(const Matrix<T>& X) {
    check_input_rows(name, X.rows(), In.size());
    return X;
  }

  const Matrix<T>& backward(const Matrix<T>& X, const Matrix<T>& dY, const GradientTarget<T>& target) {
    check_input_rows(name, X.rows(), In.size());
    if (dY.rows() != In.size() || dY.cols() != X.cols())
      throw Error(name() + ": the output gradient is " + dimensions(dY.rows(), dY.cols()) + ", expected " +
                  dimensions(In.size(), X.cols()));
    return target.input_gradient ? dY : no_input_gradient<T>();
  }

 private:
  static std::string name() { return "Flatten<" + to_string(In) + ">"; }
};

}  // namespace jiggle
