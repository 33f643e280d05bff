// Writes what jiggle computes for a small network of every convolutional layer kind, in double:
// the input, the parameters, the output, the output gradient, the input gradient, every parameter
// gradient, the running statistics after one training forward, and the evaluation-mode output.
// cnn_layers.py reads it and compares it with PyTorch. Not part of the build or of CI.
//
//   cnn_layers OUTPUT_FILE      one record per tensor: name, element count, float64 values
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "jiggle/jiggle.hpp"

using jiggle::Matrix;
using jiggle::Padding;
using jiggle::Shape;

using Model = jiggle::Chain<jiggle::Conv2D<Shape{3, 9, 9}, 4, 3, 1, Padding::same, double>,   // 0
                            jiggle::BatchNorm<4, double>,                                     // 1
                            jiggle::ReLU<double>,                                             // 2
                            jiggle::MaxPool2D<Shape{4, 9, 9}, 2, 2, double>,                  // 3
                            jiggle::Conv2D<Shape{4, 4, 4}, 5, 3, 2, Padding::same, double>,   // 4
                            jiggle::Conv2D<Shape{5, 2, 2}, 6, 2, 1, Padding::valid, double>,  // 5
                            jiggle::Flatten<Shape{6, 1, 1}, double>,                          // 6
                            jiggle::Dense<6, 8, double>,                                      // 7
                            jiggle::BatchNorm<8, double>,                                     // 8
                            jiggle::Dense<8, 3, double>>;                                     // 9

namespace {

void write(std::ofstream& out, const std::string& name, const double* values, std::uint64_t count) {
  const auto length = static_cast<std::uint32_t>(name.size());
  out.write(reinterpret_cast<const char*>(&length), sizeof length);
  out.write(name.data(), length);
  out.write(reinterpret_cast<const char*>(&count), sizeof count);
  out.write(reinterpret_cast<const char*>(values), static_cast<std::streamsize>(count * sizeof(double)));
}

// A batch as NCHW: jiggle's columns are samples in CHW order, so its storage is that already.
void write_batch(std::ofstream& out, const std::string& name, const Matrix<double>& batch) {
  write(out, name, batch.data(), static_cast<std::uint64_t>(batch.size()));
}

// A tensor in PyTorch's row-major order: the row-major order of the matrix that holds it.
void write_tensor(std::ofstream& out, const std::string& name, const Eigen::Map<Matrix<double>>& tensor) {
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> row_major = tensor;
  write(out, name, row_major.data(), static_cast<std::uint64_t>(row_major.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: cnn_layers OUTPUT_FILE\n");
    return 2;
  }
  jiggle::Rng rng(3);
  Model model(rng, jiggle::Init::torch_default);
  // Non-trivial batch-norm parameters and running statistics, so each takes part.
  jiggle::visit_parameters(model, [&](jiggle::Parameter<double>& p) {
    if (p.shape.rank() == 1) p.value = p.value.unaryExpr([&](double v) { return v + 0.3 * rng.normal(); });
  });
  model.layer<1>().running_mean.setConstant(0.2);
  model.layer<1>().running_var.setConstant(1.5);
  Matrix<double> X(3 * 9 * 9, 6);
  for (jiggle::Index i = 0; i < X.size(); ++i) X.data()[i] = rng.normal();
  Matrix<double> dY(3, 6);
  for (jiggle::Index i = 0; i < dY.size(); ++i) dY.data()[i] = rng.normal();

  std::ofstream out(argv[1], std::ios::binary);
  write_batch(out, "input", X);
  jiggle::visit_parameters(model,
                           [&](jiggle::Parameter<double>& p) { write_tensor(out, p.path.to_string(), p.value); });
  jiggle::visit_buffers(model,
                        [&](jiggle::Buffer<double>& b) { write_tensor(out, "before." + b.path.to_string(), b.value); });
  write_batch(out, "output", model.forward(X));
  write_batch(out, "output_gradient", dY);
  write_batch(out, "input_gradient", model.backward(X, dY, jiggle::GradientTarget<double>::gradients()));
  jiggle::visit_parameters(
      model, [&](jiggle::Parameter<double>& p) { write_tensor(out, "grad." + p.path.to_string(), p.gradient); });
  jiggle::visit_buffers(model, [&](jiggle::Buffer<double>& b) { write_tensor(out, b.path.to_string(), b.value); });
  jiggle::set_mode(model, jiggle::Mode::evaluation);
  write_batch(out, "evaluation_output", model.forward(X));
  return out ? 0 : 1;
}
