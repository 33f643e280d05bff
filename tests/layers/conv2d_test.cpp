#include "jiggle/layers/conv2d.hpp"

#include <limits>
#include <string>
#include <vector>

#include "jiggle/chain.hpp"
#include "support/catch.hpp"
#include "support/gradcheck_matchers.hpp"
#include "support/gradients.hpp"
#include "support/precision_agreement.hpp"
#include "support/random_matrix.hpp"
#include "support/thread_count.hpp"

using jiggle::Conv2D;
using jiggle::Index;
using jiggle::Matrix;
using jiggle::Padding;
using jiggle::Shape;

namespace {

using test_support::kGradients;

// torch_default draws a nonzero bias, so the bias takes part in every check below.
template <class L>
L make_layer(std::uint64_t seed) {
  jiggle::Rng rng(seed);
  return L(rng, jiggle::Init::torch_default);
}

// The definition, one multiply-add at a time:
//   Y[co, oy, ox] = b[co] + Σ W[co, ci, ky, kx] · X[ci, oy·S + ky − pad, ox·S + kx − pad].
template <class L>
Matrix<double> direct_convolution(const L& layer, const Matrix<double>& X, int K, int stride, int pad) {
  constexpr Shape in = L::input_shape;
  constexpr Shape out = L::output_shape;
  Matrix<double> Y(out.size(), X.cols());
  for (Index s = 0; s < X.cols(); ++s)
    for (int co = 0; co < out.channels; ++co)
      for (int oy = 0; oy < out.height; ++oy)
        for (int ox = 0; ox < out.width; ++ox) {
          double sum = layer.b(co);
          for (int ci = 0; ci < in.channels; ++ci)
            for (int ky = 0; ky < K; ++ky)
              for (int kx = 0; kx < K; ++kx) {
                const int iy = oy * stride + ky - pad;
                const int ix = ox * stride + kx - pad;
                if (iy < 0 || iy >= in.height || ix < 0 || ix >= in.width) continue;
                sum += layer.W(co, (ci * K + ky) * K + kx) * X((ci * in.height + iy) * in.width + ix, s);
              }
          Y((co * out.height + oy) * out.width + ox, s) = sum;
        }
  return Y;
}

template <class L>
void check_against_definition(int K, int stride, int pad, std::uint64_t seed) {
  auto layer = make_layer<L>(seed);
  const Matrix<double> X = random_matrix(L::input_shape.size(), 3, seed + 1);
  REQUIRE(layer.forward(X).isApprox(direct_convolution(layer, X, K, stride, pad), 1e-13));
}

template <class L>
void check_vjps(std::uint64_t seed) {
  auto layer = make_layer<L>(seed);
  const Matrix<double> X = random_matrix(L::input_shape.size(), 3, seed + 1);
  const auto report = jiggle::check_vjp(layer, X);
  REQUIRE_GRADCHECK_PASSES(report);
  REQUIRE(report.entries_checked == X.size() + jiggle::parameter_count(layer));
  REQUIRE_GRADCHECK_PASSES(jiggle::check_vjp_direction(layer, X));
}

using SameStride1 = Conv2D<Shape{2, 5, 5}, 3, 3, 1, Padding::same, double>;
using SameStride2 = Conv2D<Shape{2, 5, 5}, 3, 3, 2, Padding::same, double>;
using ValidStride1 = Conv2D<Shape{2, 5, 5}, 3, 3, 1, Padding::valid, double>;
using ValidStride2 = Conv2D<Shape{2, 5, 5}, 3, 3, 2, Padding::valid, double>;
using Oblong = Conv2D<Shape{3, 6, 4}, 2, 3, 2, Padding::same, double>;
using Wide = Conv2D<Shape{1, 7, 6}, 4, 5, 1, Padding::same, double>;
using Pointwise = Conv2D<Shape{3, 4, 4}, 2, 1, 1, Padding::valid, double>;
// Planes the kernel reaches beyond: some taps read no row of them at all.
using Row = Conv2D<Shape{2, 1, 6}, 2, 3, 1, Padding::same, double>;
using Column = Conv2D<Shape{1, 3, 1}, 2, 5, 1, Padding::same, double>;
using Tiny = Conv2D<Shape{2, 2, 2}, 3, 5, 1, Padding::same, double>;

}  // namespace

TEST_CASE("Conv2D output shapes follow PyTorch's floor((H + 2 pad - K) / S) + 1", "[conv2d]") {
  STATIC_REQUIRE(SameStride1::output_shape == Shape{3, 5, 5});
  STATIC_REQUIRE(SameStride2::output_shape == Shape{3, 3, 3});
  STATIC_REQUIRE(ValidStride1::output_shape == Shape{3, 3, 3});
  STATIC_REQUIRE(ValidStride2::output_shape == Shape{3, 2, 2});
  STATIC_REQUIRE(Oblong::output_shape == Shape{2, 3, 2});
  STATIC_REQUIRE(Conv2D<Shape{1, 28, 28}, 32, 3>::output_shape == Shape{32, 28, 28});
  STATIC_REQUIRE(jiggle::Layer<Conv2D<Shape{1, 28, 28}, 32, 3>>);
  using Stack = jiggle::Chain<Conv2D<Shape{1, 8, 8}, 4, 3, 2>, Conv2D<Shape{4, 4, 4}, 2, 3, 1, Padding::valid>>;
  STATIC_REQUIRE(Stack::output_shape == Shape{2, 2, 2});
}

TEST_CASE("Conv2D forward of a hand-computed 3x3 example", "[conv2d]") {
  jiggle::Rng rng(0);
  Conv2D<Shape{1, 3, 3}, 1, 3, 1, Padding::same, double> layer(rng);
  // Kernel [[0, 1, 0], [1, -4, 1], [0, 1, 0]] (the discrete Laplacian), bias 0.5.
  layer.W << 0, 1, 0, 1, -4, 1, 0, 1, 0;
  layer.b << 0.5;
  Matrix<double> X(9, 1);
  X << 1, 2, 3,  //
      4, 5, 6,   //
      7, 8, 9;
  Matrix<double> expected(9, 1);
  // Each output: the 4 neighbours inside the image minus 4 times the centre, plus the bias.
  expected << (2 + 4 - 4 * 1) + 0.5, (1 + 3 + 5 - 4 * 2) + 0.5, (2 + 6 - 4 * 3) + 0.5,      //
      (1 + 5 + 7 - 4 * 4) + 0.5, (2 + 4 + 6 + 8 - 4 * 5) + 0.5, (3 + 5 + 9 - 4 * 6) + 0.5,  //
      (4 + 8 - 4 * 7) + 0.5, (5 + 7 + 9 - 4 * 8) + 0.5, (6 + 8 - 4 * 9) + 0.5;
  REQUIRE(layer.forward(X).isApprox(expected, 1e-15));
}

TEST_CASE("Conv2D forward with stride 2 and no padding picks every other window", "[conv2d]") {
  jiggle::Rng rng(0);
  Conv2D<Shape{1, 4, 4}, 2, 2, 2, Padding::valid, double> layer(rng);
  layer.W << 1, 0, 0, 0,  // output channel 0: the window's top-left pixel
      0, 0, 0, 1;         // output channel 1: its bottom-right pixel
  layer.b << 0, 100;
  Matrix<double> X(16, 1);
  for (Index i = 0; i < 16; ++i) X(i) = static_cast<double>(i);
  Matrix<double> expected(8, 1);
  expected << 0, 2, 8, 10, 105, 107, 113, 115;
  REQUIRE(layer.forward(X) == expected);
}

TEST_CASE("Conv2D forward matches the definition for each stride and padding", "[conv2d]") {
  check_against_definition<SameStride1>(3, 1, 1, 10);
  check_against_definition<SameStride2>(3, 2, 1, 11);
  check_against_definition<ValidStride1>(3, 1, 0, 12);
  check_against_definition<ValidStride2>(3, 2, 0, 13);
  check_against_definition<Oblong>(3, 2, 1, 14);
  check_against_definition<Wide>(5, 1, 2, 15);
  check_against_definition<Pointwise>(1, 1, 0, 16);
  check_against_definition<Row>(3, 1, 1, 17);
  check_against_definition<Column>(5, 1, 2, 18);
  check_against_definition<Tiny>(5, 1, 2, 19);
}

TEST_CASE("Conv2D VJP matches central differences (dX, dW, db), same padding, stride 1", "[conv2d][vjp]") {
  check_vjps<SameStride1>(20);
}

TEST_CASE("Conv2D VJP matches central differences (dX, dW, db), same padding, stride 2", "[conv2d][vjp]") {
  check_vjps<SameStride2>(21);
}

TEST_CASE("Conv2D VJP matches central differences (dX, dW, db), valid padding, stride 1", "[conv2d][vjp]") {
  check_vjps<ValidStride1>(22);
}

TEST_CASE("Conv2D VJP matches central differences (dX, dW, db), valid padding, stride 2", "[conv2d][vjp]") {
  check_vjps<ValidStride2>(23);
}

TEST_CASE("Conv2D VJP matches central differences on oblong images, 5x5 and 1x1 kernels", "[conv2d][vjp]") {
  check_vjps<Oblong>(24);
  check_vjps<Wide>(25);
  check_vjps<Pointwise>(26);
}

TEST_CASE("Conv2D VJP matches central differences on planes smaller than the kernel's reach", "[conv2d][vjp]") {
  check_vjps<Row>(27);
  check_vjps<Column>(28);
  check_vjps<Tiny>(29);
}

TEST_CASE("Conv2D gradients are written, not accumulated, and equal the sums over samples", "[conv2d]") {
  auto layer = make_layer<SameStride2>(30);
  const Matrix<double> X = random_matrix(50, 4, 31);
  const Matrix<double> dY = random_matrix(27, 4, 32);
  layer.forward(X);
  layer.backward(X, dY, kGradients);
  const Matrix<double> first_dW = layer.dW;
  const jiggle::Vector<double> first_db = layer.db;
  layer.forward(X);
  layer.backward(X, dY, kGradients);
  REQUIRE(layer.dW == first_dW);
  REQUIRE(layer.db == first_db);
  // db[co] is the sum of dY over every position of channel co and every sample.
  for (int co = 0; co < 3; ++co) REQUIRE(layer.db(co) == Approx(dY.middleRows(Index{co} * 9, 9).sum()).margin(1e-12));
  // Each sample's share adds up: the batch's dW is the sum of single-sample dWs.
  Matrix<double> summed = Matrix<double>::Zero(3, 18);
  for (Index s = 0; s < 4; ++s) {
    layer.forward(X.col(s));
    layer.backward(X.col(s), dY.col(s), kGradients);
    summed += layer.dW;
  }
  REQUIRE(summed.isApprox(first_dW, 1e-13));
}

TEST_CASE("Conv2D with a descent-step target steps W and b after taking dX from W before the step",
          "[conv2d][target]") {
  auto layer = make_layer<SameStride1>(40);
  const Matrix<double> X = random_matrix(50, 3, 41);
  const Matrix<double> dY = random_matrix(75, 3, 42);
  const Matrix<double> W_before = layer.W;
  const jiggle::Vector<double> b_before = layer.b;
  layer.forward(X);
  const Matrix<double> dX = layer.backward(X, dY, kGradients);
  const Matrix<double> dW = layer.dW;
  const jiggle::Vector<double> db = layer.db;
  layer.dW.setConstant(42.0);
  layer.db.setConstant(42.0);
  const Matrix<double> fused_dX = layer.backward(X, dY, jiggle::GradientTarget<double>::descent_step(0.25));
  REQUIRE(fused_dX.isApprox(dX, 1e-14));
  REQUIRE(layer.W.isApprox(W_before - 0.25 * dW, 1e-14));
  REQUIRE(layer.b.isApprox(b_before - 0.25 * db, 1e-14));
  REQUIRE((layer.dW.array() == 42.0).all());
  REQUIRE((layer.db.array() == 42.0).all());
}

TEST_CASE("Conv2D writes alpha times the gradient plus beta times the target, or over NaN at beta 0",
          "[conv2d][target]") {
  auto layer = make_layer<ValidStride1>(50);
  const Matrix<double> X = random_matrix(50, 2, 51);
  const Matrix<double> dY = random_matrix(27, 2, 52);
  layer.forward(X);
  layer.backward(X, dY, kGradients);
  const Matrix<double> dW = layer.dW;
  const jiggle::Vector<double> db = layer.db;
  jiggle::GradientTarget<double> target;
  target.alpha = 3.0;
  target.beta = 0.5;
  layer.dW.setConstant(2.0);
  layer.db.setConstant(2.0);
  layer.backward(X, dY, target);
  REQUIRE(layer.dW.isApprox(3.0 * dW + Matrix<double>::Constant(3, 18, 1.0), 1e-14));
  REQUIRE(layer.db.isApprox(3.0 * db + jiggle::Vector<double>::Constant(3, 1.0), 1e-14));
  target.beta = 0.0;
  layer.dW.setConstant(std::numeric_limits<double>::quiet_NaN());
  layer.db.setConstant(std::numeric_limits<double>::quiet_NaN());
  layer.backward(X, dY, target);
  REQUIRE(layer.dW.isApprox(3.0 * dW, 1e-14));
  REQUIRE(layer.db.isApprox(3.0 * db, 1e-14));
}

TEST_CASE("Conv2D computes no dX when none is asked for, and still writes its gradients", "[conv2d][target]") {
  auto layer = make_layer<SameStride1>(60);
  const Matrix<double> X = random_matrix(50, 3, 61);
  const Matrix<double> dY = random_matrix(75, 3, 62);
  layer.forward(X);
  layer.backward(X, dY, kGradients);
  const Matrix<double> dW = layer.dW;
  layer.dW.setZero();
  REQUIRE(layer.backward(X, dY, kGradients.without_input_gradient()).size() == 0);
  REQUIRE(layer.dW == dW);
}

TEST_CASE("Conv2D gives the same bits on one thread or two, run after run", "[conv2d]") {
  const test_support::ThreadCountKept kept;
  const Matrix<float> X = random_matrix<float>(324, 37, 71);
  const Matrix<float> dY = random_matrix<float>(405, 37, 72);
  std::vector<Matrix<float>> results;
  for (const int count : {1, 2, 2, 1}) {
    jiggle::set_thread_count(count);
    auto layer = make_layer<Conv2D<Shape{4, 9, 9}, 5, 3, 1, Padding::same, float>>(70);
    results.push_back(layer.forward(X));
    results.push_back(layer.backward(X, dY, jiggle::GradientTarget<float>::gradients()));
    results.push_back(layer.dW);
    results.emplace_back(layer.db);
  }
  for (std::size_t k = 4; k < results.size(); ++k) REQUIRE(results[k] == results[k % 4]);
}

TEST_CASE("Conv2D names its weight [Cout, Cin, K, K] and bias [Cout] as nn.Conv2d", "[conv2d]") {
  auto layer = make_layer<Oblong>(80);
  std::vector<std::string> names;
  std::vector<std::string> shapes;
  jiggle::visit_parameters(layer, [&](jiggle::Parameter<double>& p) {
    names.push_back(p.path.to_string());
    shapes.push_back(p.shape.to_string());
  });
  REQUIRE(names == std::vector<std::string>{"weight", "bias"});
  REQUIRE(shapes == std::vector<std::string>{"[2, 3, 3, 3]", "[2]"});
  REQUIRE(jiggle::parameter_count(layer) == 2 * 3 * 3 * 3 + 2);
}

TEST_CASE("Conv2D initialises as PyTorch does by default: W and b within 1/sqrt(Cin K K)", "[conv2d]") {
  jiggle::Rng rng(90);
  Conv2D<Shape{32, 28, 28}, 32, 3, 1, Padding::same, double> layer(rng);
  const double bound = 1.0 / std::sqrt(32.0 * 9.0);
  REQUIRE(layer.W.cwiseAbs().maxCoeff() <= bound);
  REQUIRE(layer.W.cwiseAbs().maxCoeff() > 0.99 * bound);
  REQUIRE(layer.b.cwiseAbs().maxCoeff() <= bound);
  REQUIRE(layer.b.cwiseAbs().maxCoeff() > 0.5 * bound);
}

TEST_CASE("Conv2D rejects inputs and output gradients of the wrong shape, naming them", "[conv2d][misuse]") {
  auto layer = make_layer<SameStride2>(100);
  REQUIRE_THROWS_WITH(
      layer.forward(Matrix<double>::Zero(49, 2)),
      Catch::Contains("Conv2D<2×5×5, 3, 3, 2, same>") && Catch::Contains("49 rows (values per sample), expected 50"));
  const Matrix<double> X = Matrix<double>::Zero(50, 2);
  REQUIRE_THROWS_WITH(layer.backward(X, Matrix<double>::Zero(27, 2), kGradients),
                      Catch::Contains("backward before any forward"));
  layer.forward(X);
  REQUIRE_THROWS_WITH(layer.backward(X, Matrix<double>::Zero(27, 3), kGradients),
                      Catch::Contains("output gradient is 27×3, but the last forward gave 27×2"));
  REQUIRE_THROWS_WITH(layer.backward(Matrix<double>::Zero(50, 3), Matrix<double>::Zero(27, 2), kGradients),
                      Catch::Contains("input of 50×3, but the last forward ran on 50×2"));
}

TEST_CASE("Conv2D in float on the kernels agrees with Conv2D in double, in fp32 and bf16", "[conv2d][precision]") {
  jiggle::Rng rng(21);
  Conv2D<Shape{5, 9, 7}, 13, 3, 1, Padding::same, double> reference(rng);
  Conv2D<Shape{5, 9, 7}, 13, 3, 1, Padding::same, float> single(rng);
  const Matrix<double> X = random_matrix(5 * 9 * 7, 6, 22);
  const Matrix<double> dY = random_matrix(13 * 9 * 7, 6, 23);
  REQUIRE(largest_relative_difference(single, reference, X, dY) < 1e-5);
  if (jiggle::kernels::cpu_isa() >= jiggle::kernels::Isa::avx512_bf16) {
    jiggle::set_precision(single, jiggle::Precision::bf16);
    const double difference = largest_relative_difference(single, reference, X, dY);
    REQUIRE(difference < 0.03);
    REQUIRE(difference > 1e-5);
  } else {
    // The layer's own setter refuses too: the products it would reach run where an error
    // cannot be thrown.
    REQUIRE_THROWS_WITH(single.set_precision(jiggle::Precision::bf16),
                        Catch::Contains("bf16 products need a CPU with AVX512_BF16"));
  }
}

TEST_CASE("Conv2D built without drawing holds zeros", "[conv2d]") {
  const SameStride1 convolution(jiggle::without_drawing);
  REQUIRE(convolution.W.isZero(0.0));
  REQUIRE(convolution.b.isZero(0.0));
}
