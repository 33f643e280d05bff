// Writes what jiggle computes for two small networks of every convolutional layer kind, in double:
// the input, the parameters, the output, the output gradient, the input gradient, every parameter
// gradient, the running statistics after one training forward, and the evaluation-mode output.
// The second network's records carry the prefix "pooled.", the third's "residual.". cnn_layers.py
// reads them and compares them with PyTorch. Not part of the build or of CI.
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

// Global average pooling over a plane that is not square; it stands for nn.AdaptiveAvgPool2d(1)
// and nn.Flatten, so the Dense is nn.Sequential's module 4.
using PooledModel = jiggle::Chain<jiggle::Conv2D<Shape{3, 6, 5}, 4, 3, 1, Padding::same, double>,  // 0
                                  jiggle::ReLU<double>,                                            // 1
                                  jiggle::GlobalAvgPool2D<Shape{4, 6, 5}, double>,                 // 2, 3
                                  jiggle::Dense<4, 3, double>>;                                    // 4

// Two residual blocks: one with the identity shortcut around conv, batch norm, ReLU, conv; one
// that halves the plane and doubles the channels, with a strided 1×1 convolution as its shortcut.
// PyTorch names them as modules holding `body` (a module whose `layers` are an nn.Sequential) and
// `shortcut`: "layers.2.body.layers.0.weight", "layers.3.shortcut.weight".
using ResidualModel = jiggle::Chain<
    jiggle::Conv2D<Shape{3, 6, 6}, 4, 3, 1, Padding::same, double>,  // 0
    jiggle::ReLU<double>,                                            // 1
    jiggle::Residual<jiggle::Chain<jiggle::Conv2D<Shape{4, 6, 6}, 4, 3, 1, Padding::same, double>,
                                   jiggle::BatchNorm<4, double>, jiggle::ReLU<double>,
                                   jiggle::Conv2D<Shape{4, 6, 6}, 4, 3, 1, Padding::same, double>>>,  // 2
    jiggle::Residual<jiggle::Chain<jiggle::Conv2D<Shape{4, 6, 6}, 8, 3, 2, Padding::same, double>, jiggle::ReLU<double>,
                                   jiggle::Conv2D<Shape{8, 3, 3}, 8, 3, 1, Padding::same, double>>,
                     jiggle::Conv2D<Shape{4, 6, 6}, 8, 1, 2, Padding::valid, double>>,  // 3
    jiggle::GlobalAvgPool2D<Shape{8, 3, 3}, double>,                                    // 4, 5
    jiggle::Dense<8, 3, double>>;                                                       // 6

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

// Every record of one network at X and dY, each name after `prefix`.
template <class Network>
void write_network(std::ofstream& out, const std::string& prefix, Network& model, const Matrix<double>& X,
                   const Matrix<double>& dY) {
  write_batch(out, prefix + "input", X);
  jiggle::visit_parameters(
      model, [&](jiggle::Parameter<double>& p) { write_tensor(out, prefix + p.path.to_string(), p.value); });
  jiggle::visit_buffers(
      model, [&](jiggle::Buffer<double>& b) { write_tensor(out, prefix + "before." + b.path.to_string(), b.value); });
  write_batch(out, prefix + "output", model.forward(X));
  write_batch(out, prefix + "output_gradient", dY);
  write_batch(out, prefix + "input_gradient", model.backward(X, dY, jiggle::GradientTarget<double>::gradients()));
  jiggle::visit_parameters(model, [&](jiggle::Parameter<double>& p) {
    write_tensor(out, prefix + "grad." + p.path.to_string(), p.gradient);
  });
  jiggle::visit_buffers(model,
                        [&](jiggle::Buffer<double>& b) { write_tensor(out, prefix + b.path.to_string(), b.value); });
  jiggle::set_mode(model, jiggle::Mode::evaluation);
  write_batch(out, prefix + "evaluation_output", model.forward(X));
}

Matrix<double> normal_matrix(jiggle::Index rows, jiggle::Index cols, jiggle::Rng& rng) {
  Matrix<double> m(rows, cols);
  for (jiggle::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.normal();
  return m;
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
  const Matrix<double> X = normal_matrix(3 * 9 * 9, 6, rng);
  const Matrix<double> dY = normal_matrix(3, 6, rng);

  PooledModel pooled(rng, jiggle::Init::torch_default);
  const Matrix<double> pooled_X = normal_matrix(3 * 6 * 5, 4, rng);
  const Matrix<double> pooled_dY = normal_matrix(3, 4, rng);

  ResidualModel residual(rng, jiggle::Init::torch_default);
  const Matrix<double> residual_X = normal_matrix(3 * 6 * 6, 5, rng);
  const Matrix<double> residual_dY = normal_matrix(3, 5, rng);

  std::ofstream out(argv[1], std::ios::binary);
  write_network(out, "", model, X, dY);
  write_network(out, "pooled.", pooled, pooled_X, pooled_dY);
  write_network(out, "residual.", residual, residual_X, residual_dY);
  return out ? 0 : 1;
}
