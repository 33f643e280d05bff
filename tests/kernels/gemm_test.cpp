#include "jiggle/kernels/gemm.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "jiggle/random.hpp"
#include "support/catch.hpp"
#include "support/random_matrix.hpp"
#include "support/thread_count.hpp"

namespace {

using jiggle::Index;
using jiggle::Matrix;
using jiggle::Precision;
using jiggle::kernels::Isa;
using jiggle::kernels::Operand;

struct ProductShape {
  Index m, n, k;
};

// Degenerate, prime, one past a tile or a depth block, past a column block (1536), and every
// product of the MLP and CNNs at batch 128 (per sample for the convolutions).
const std::vector<ProductShape> kShapes = {
    {1, 1, 1},      {1, 1, 2},       {2, 1, 1},      {7, 13, 17},    {31, 37, 41},    {33, 13, 5},
    {17, 25, 257},  {32, 12, 513},   {65, 29, 1000}, {8, 3100, 40},  {512, 128, 784}, {10, 128, 512},
    {512, 128, 10}, {784, 512, 128}, {784, 32, 9},   {784, 32, 288}, {196, 64, 288},  {196, 64, 576},
    {32, 288, 784}, {64, 576, 196},  {784, 288, 32}, {196, 576, 64}};

// Small enough for the model of AMX's instructions, unoptimised: degenerate, prime, one past a
// tile half (16) or a tile (32), two depth blocks with an odd tail, and a shape with every edge.
const std::vector<ProductShape> kModelShapes = {{1, 1, 1},    {1, 1, 2},    {2, 1, 1},     {7, 13, 17},
                                                {31, 37, 41}, {33, 13, 5},  {17, 25, 257}, {16, 16, 32},
                                                {32, 32, 64}, {49, 81, 97}, {10, 40, 512}};

// A way to run C[0:m, 0:n] ← α·op(A)·op(B) + β·C, and its name in a failure's report.
struct Kernel {
  std::string name;
  std::function<void(const Operand&, const Operand&, Index, Index, Index, float, float, float*, Index)> multiply;
};

Kernel kernel_of(Isa isa, Precision precision) {
  return {jiggle::kernels::to_string(isa) + ", " + jiggle::to_string(precision),
          [isa, precision](const Operand& A, const Operand& B, Index m, Index n, Index k, float alpha, float beta,
                           float* c, Index ldc) {
            jiggle::kernels::multiply_with(isa, precision, A, B, m, n, k, alpha, beta, c, ldc);
          }};
}

// The AMX tile's packing, blocking and edges, on the model of its instructions.
const Kernel kAmxModel{"AMX tile on the model of its instructions, bf16",
                       jiggle::kernels::multiply_on_amx_model<float>};

std::vector<Kernel> fp32_kernels_of_this_cpu() {
  std::vector<Kernel> kernels{kernel_of(Isa::portable, Precision::fp32)};
  if (jiggle::kernels::cpu_isa() >= Isa::avx2) kernels.push_back(kernel_of(Isa::avx2, Precision::fp32));
  if (jiggle::kernels::cpu_isa() >= Isa::avx512) kernels.push_back(kernel_of(Isa::avx512, Precision::fp32));
  return kernels;
}

// γ_n = n·u / (1 − n·u): the bound on n roundings of unit roundoff u, compounded.
double gamma(double n, double u) { return n * u / (1.0 - n * u); }

struct Transposes {
  bool a;
  bool b;
};

// op(A)·op(B) and |op(A)|·|op(B)| in double, summed in plain loops: unlike Eigen's products they
// stay quick without optimisation, as the mutation script builds this file.
struct ExactProduct {
  Matrix<double> exact, magnitude;
};
ExactProduct product_in_double(const Matrix<double>& op_a, const Matrix<double>& op_b) {
  ExactProduct result{Matrix<double>::Zero(op_a.rows(), op_b.cols()), Matrix<double>::Zero(op_a.rows(), op_b.cols())};
  const Index m = op_a.rows();
  for (Index j = 0; j < op_b.cols(); ++j) {
    double* exact = result.exact.col(j).data();
    double* magnitude = result.magnitude.col(j).data();
    for (Index p = 0; p < op_a.cols(); ++p) {
      const double* a = op_a.col(p).data();
      const double b = op_b(p, j);
      for (Index i = 0; i < m; ++i) {
        exact[i] += a[i] * b;
        magnitude[i] += std::abs(a[i] * b);
      }
    }
  }
  return result;
}

// Random A, B and C₀, and the product of A and B in double, which every kernel and every (α, β) is
// checked against: computed once, it keeps the check quick under the sanitizers and unoptimised.
struct Product {
  ProductShape shape;
  Transposes transposes;
  Matrix<float> a, b;
  ExactProduct reference;
  Matrix<float> initial_c;  // C₀, stored with 3 rows more than C, which a product must leave alone

  Product(const ProductShape& shape_, Transposes transposes_, jiggle::Rng& rng)
      : shape(shape_),
        transposes(transposes_),
        a(uniform_matrix<float>(rng, transposes.a ? shape.k : shape.m, transposes.a ? shape.m : shape.k)),
        b(uniform_matrix<float>(rng, transposes.b ? shape.n : shape.k, transposes.b ? shape.k : shape.n)),
        reference(product_in_double(transposes.a ? Matrix<double>(a.cast<double>().transpose()) : a.cast<double>(),
                                    transposes.b ? Matrix<double>(b.cast<double>().transpose()) : b.cast<double>())),
        initial_c(uniform_matrix<float>(rng, shape.m + 3, shape.n)) {}

  // The same op(A) and op(B), stored as `transposes_` says: their product in double, the slow part
  // without optimisation, is not summed again.
  Product(const Product& drawn, Transposes transposes_)
      : shape(drawn.shape),
        transposes(transposes_),
        a(transposes.a == drawn.transposes.a ? drawn.a : Matrix<float>(drawn.a.transpose())),
        b(transposes.b == drawn.transposes.b ? drawn.b : Matrix<float>(drawn.b.transpose())),
        reference(drawn.reference),
        initial_c(drawn.initial_c) {}
};

// Runs the product on `kernel` in `precision` and checks every entry against the product in double:
// |C − C*| ≤ bound·(|α|·Σ|a||b| + |β|·|C₀|), with C stored inside a larger matrix whose other
// rows must stay untouched, and C₀ all NaN when β = 0, which must then never be read.
void check_against_double(const Kernel& kernel, Precision precision, const Product& product, float alpha, float beta) {
  const auto [m, n, k] = product.shape;
  const Index ldc = product.initial_c.rows();
  Matrix<float> stored = product.initial_c;
  if (beta == 0.0F) stored.topRows(m).setConstant(std::numeric_limits<float>::quiet_NaN());

  // fp32: k − 1 additions, α, β and the sum of the depth blocks, each rounded once per term.
  // bf16: both inputs of every product also rounded to 8 significant bits (u = 2⁻⁸).
  const double fp32 = gamma(static_cast<double>(k) + 3.0, std::ldexp(1.0, -24));
  const double rounding = std::ldexp(1.0, -8);
  const double bound = precision == Precision::fp32
                           ? fp32
                           : 2.0 * rounding + rounding * rounding + fp32 * (1.0 + rounding) * (1.0 + rounding);

  kernel.multiply(Operand{product.a.data(), product.a.rows(), product.transposes.a},
                  Operand{product.b.data(), product.b.rows(), product.transposes.b}, m, n, k, alpha, beta,
                  stored.data(), ldc);

  INFO(kernel.name << ": " << m << "×" << n << "×" << k << (product.transposes.a ? " Aᵀ" : " A")
                   << (product.transposes.b ? " Bᵀ" : " B") << " α " << alpha << " β " << beta);
  REQUIRE(stored.bottomRows(ldc - m) == product.initial_c.bottomRows(ldc - m));
  double worst = 0.0;  // the largest error as a share of its bound
  for (Index j = 0; j < n; ++j) {
    const float* result = stored.col(j).data();
    const double* exact = product.reference.exact.col(j).data();
    const double* magnitude = product.reference.magnitude.col(j).data();
    const float* initial_c = product.initial_c.col(j).data();
    for (Index i = 0; i < m; ++i) {
      const double initial = beta == 0.0F ? 0.0 : static_cast<double>(initial_c[i]);
      const double expected = static_cast<double>(alpha) * exact[i] + static_cast<double>(beta) * initial;
      const double scale =
          std::abs(static_cast<double>(alpha)) * magnitude[i] + std::abs(static_cast<double>(beta)) * std::abs(initial);
      const double error = std::abs(static_cast<double>(result[i]) - expected);
      const double allowed = bound * scale + std::numeric_limits<float>::denorm_min();
      worst = std::max(worst, std::isfinite(error) ? error / allowed : std::numeric_limits<double>::infinity());
    }
  }
  REQUIRE(worst <= 1.0);
}

// Every shape, in every transpose, with (α, β) = (1, 0), (−0.5, 1) and (2, −0.75), on each kernel.
void check_every_case(const std::vector<Kernel>& kernels, Precision precision, jiggle::Rng& rng,
                      const std::vector<ProductShape>& shapes = kShapes) {
  for (const ProductShape& shape : shapes) {
    const Product drawn(shape, {false, false}, rng);
    for (const bool transpose_a : {false, true})
      for (const bool transpose_b : {false, true}) {
        const Product product(drawn, {transpose_a, transpose_b});
        for (const Kernel& kernel : kernels)
          for (const auto& [alpha, beta] : {std::pair{1.0F, 0.0F}, {-0.5F, 1.0F}, {2.0F, -0.75F}})
            check_against_double(kernel, precision, product, alpha, beta);
      }
  }
}

}  // namespace

TEST_CASE("The portable fp32 kernel matches the product in double within the fp32 error bound", "[kernels]") {
  jiggle::Rng rng(11);
  check_every_case({kernel_of(Isa::portable, Precision::fp32)}, Precision::fp32, rng);
}

TEST_CASE("The AVX2 fp32 kernel matches the product in double within the fp32 error bound", "[kernels]") {
  if (jiggle::kernels::cpu_isa() < Isa::avx2) JIGGLE_SKIP("this CPU has no AVX2");
  jiggle::Rng rng(11);
  check_every_case({kernel_of(Isa::avx2, Precision::fp32)}, Precision::fp32, rng);
}

TEST_CASE("The AVX-512 fp32 kernel matches the product in double within the fp32 error bound", "[kernels]") {
  if (jiggle::kernels::cpu_isa() < Isa::avx512) JIGGLE_SKIP("this CPU has no AVX-512");
  jiggle::Rng rng(11);
  check_every_case({kernel_of(Isa::avx512, Precision::fp32)}, Precision::fp32, rng);
}

// On several threads a product is cut into blocks narrower than a column block, so one thread
// takes a product past it whole.
TEST_CASE("A product past a column block, on one thread, matches the product in double", "[kernels]") {
  const test_support::ThreadCountKept kept;
  jiggle::set_thread_count(1);
  jiggle::Rng rng(14);
  const Product product({8, 3100, 40}, {false, false}, rng);
  for (const Kernel& kernel : fp32_kernels_of_this_cpu())
    check_against_double(kernel, Precision::fp32, product, -0.5F, 1.0F);
  check_against_double(kAmxModel, Precision::bf16, product, -0.5F, 1.0F);
}

TEST_CASE("The AVX512_BF16 kernel matches the product in double within the bf16 error bound", "[kernels]") {
  if (jiggle::kernels::cpu_isa() < Isa::avx512_bf16) JIGGLE_SKIP("this CPU has no AVX512_BF16");
  jiggle::Rng rng(12);
  check_every_case({kernel_of(Isa::avx512_bf16, Precision::bf16)}, Precision::bf16, rng);
}

TEST_CASE("The AMX tile's packing, tiling and edges, on the model of its instructions, match the product in double",
          "[amx]") {
  jiggle::Rng rng(15);
  check_every_case({kAmxModel}, Precision::bf16, rng, kModelShapes);
}

TEST_CASE("The AMX tile on the model is the same bit for bit on one thread and on two", "[amx]") {
  const test_support::ThreadCountKept kept;
  jiggle::Rng rng(16);
  const Index m = 70;
  const Index n = 96;
  const Index k = 70;
  const Matrix<float> a = uniform_matrix<float>(rng, m, k);
  const Matrix<float> b = uniform_matrix<float>(rng, k, n);
  Matrix<float> results[2];
  for (const int t : {1, 2}) {
    jiggle::set_thread_count(t);
    results[t - 1].resize(m, n);
    kAmxModel.multiply(Operand{a.data(), m, false}, Operand{b.data(), k, false}, m, n, k, 1.0F, 0.0F,
                       results[t - 1].data(), m);
  }
  REQUIRE(results[0] == results[1]);
}

TEST_CASE("The AMX kernel matches the product in double within the bf16 error bound", "[kernels]") {
  jiggle::kernels::tile_state_granted();
  if (jiggle::kernels::cpu_isa() < Isa::amx_bf16)
    JIGGLE_SKIP("no AMX: this CPU runs " + jiggle::kernels::to_string(jiggle::kernels::cpu_isa()) +
                (jiggle::kernels::cpu_isa_note().empty() ? "" : "; " + jiggle::kernels::cpu_isa_note()));
  jiggle::Rng rng(17);
  check_every_case({kernel_of(Isa::amx_bf16, Precision::bf16)}, Precision::bf16, rng);
}

TEST_CASE("bf16 products round their inputs: a product of values bf16 cannot hold differs from fp32", "[kernels]") {
  if (jiggle::kernels::cpu_isa() < Isa::avx512_bf16) JIGGLE_SKIP("this CPU has no AVX512_BF16");
  // 1 + 2⁻¹⁰ rounds to 1 in bf16, so the bf16 product of it with itself is exactly 1.
  const float value = 1.0F + std::ldexp(1.0F, -10);
  float product = 0.0F;
  jiggle::kernels::multiply_with(Isa::avx512_bf16, Precision::bf16, Operand{&value, 1, false},
                                 Operand{&value, 1, false}, 1, 1, 1, 1.0F, 0.0F, &product, 1);
  REQUIRE(product == 1.0F);
  jiggle::kernels::multiply_with(Isa::avx512_bf16, Precision::fp32, Operand{&value, 1, false},
                                 Operand{&value, 1, false}, 1, 1, 1, 1.0F, 0.0F, &product, 1);
  REQUIRE(product == value * value);
}

TEST_CASE("A product is the same bit for bit on one thread and on two", "[kernels]") {
  const test_support::ThreadCountKept kept;
  jiggle::Rng rng(13);
  for (const ProductShape shape :
       {ProductShape{512, 128, 784}, ProductShape{784, 512, 128}, ProductShape{10, 128, 512}}) {
    const Matrix<float> a = uniform_matrix<float>(rng, shape.m, shape.k);
    const Matrix<float> b = uniform_matrix<float>(rng, shape.k, shape.n);
    std::vector<Precision> precisions{Precision::fp32};
    if (jiggle::kernels::cpu_isa() >= Isa::avx512_bf16) precisions.push_back(Precision::bf16);
    for (const Precision precision : precisions) {
      Matrix<float> results[2];
      for (const int t : {1, 2}) {
        jiggle::set_thread_count(t);
        Matrix<float>& c = results[t - 1];
        c.resize(shape.m, shape.n);
        jiggle::kernels::multiply(precision, Operand{a.data(), a.rows(), false}, Operand{b.data(), b.rows(), false},
                                  shape.m, shape.n, shape.k, 1.0F, 0.0F, c.data(), c.rows());
      }
      INFO(shape.m << "×" << shape.n << "×" << shape.k << " " << jiggle::to_string(precision));
      REQUIRE(results[0] == results[1]);
    }
  }
}

TEST_CASE("A product with nothing to sum scales C by β, and never reads it when β = 0", "[kernels]") {
  Matrix<float> c = Matrix<float>::Constant(3, 2, 4.0F);
  jiggle::kernels::multiply(Precision::fp32, Operand{nullptr, 3, false}, Operand{nullptr, 1, false}, 3, 2, 0, 1.0F,
                            0.5F, c.data(), 3);
  REQUIRE(c == Matrix<float>::Constant(3, 2, 2.0F));
  c.setConstant(std::numeric_limits<float>::quiet_NaN());
  jiggle::kernels::multiply(Precision::fp32, Operand{nullptr, 3, false}, Operand{nullptr, 1, false}, 3, 2, 0, 1.0F,
                            0.0F, c.data(), 3);
  REQUIRE(c == Matrix<float>::Zero(3, 2));
}

TEST_CASE("Kernels this CPU cannot run are refused with a message, never run", "[kernels]") {
  float value = 1.0F;
  const Operand one{&value, 1, false};
  if (jiggle::kernels::cpu_isa() < Isa::avx512_bf16)
    REQUIRE_THROWS_WITH(
        jiggle::kernels::multiply_with(Isa::avx512_bf16, Precision::fp32, one, one, 1, 1, 1, 1.0F, 0.0F, &value, 1),
        Catch::Matchers::Contains("cannot run on this CPU"));
  REQUIRE_THROWS_WITH(
      jiggle::kernels::multiply_with(Isa::portable, Precision::bf16, one, one, 1, 1, 1, 1.0F, 0.0F, &value, 1),
      Catch::Matchers::Contains("bf16 products need the AVX512_BF16 or AMX kernels"));
}

TEST_CASE("An operand packs to the same bits whether it is stored transposed or not", "[kernels]") {
  // Values at every rounding corner: bf16 ties to even and to odd, just either side of a tie,
  // subnormals, and ordinary values; k = 83 gives five blocks of 16 steps (in bf16, of 32
  // depths) and a tail, with an odd depth at the end.
  jiggle::Rng rng(14);
  const auto corner_value = [&rng]() {
    const auto sign = rng.uniform(0.0, 1.0) < 0.5 ? 0U : 0x8000'0000U;
    // The top 16 bits of a normal between 2⁻³¹ and 2³¹, so no sum overflows.
    const auto top = static_cast<std::uint32_t>(rng.uniform(0.0, 1.0) * 0x1F00) + 0x3000U;
    const std::uint32_t lows[] = {0x8000U, 0x7FFFU, 0x8001U, 0x0000U,
                                  static_cast<std::uint32_t>(rng.uniform(0.0, 1.0) * 0xFFFF)};
    const auto pick = static_cast<std::size_t>(rng.uniform(0.0, 1.0) * 6.0);
    if (pick >= 5) return std::bit_cast<float>(sign | static_cast<std::uint32_t>(rng.uniform(0.0, 1.0) * 0x7F'FFFF));
    return std::bit_cast<float>(sign | (top << 16U) | lows[pick]);
  };
  const Index m = 45;
  const Index n = 29;
  const Index k = 83;
  Matrix<float> a(m, k);
  Matrix<float> b(k, n);
  for (Index i = 0; i < a.size(); ++i) a.data()[i] = corner_value();
  for (Index i = 0; i < b.size(); ++i) b.data()[i] = corner_value();
  const Matrix<float> a_transposed = a.transpose();
  const Matrix<float> b_transposed = b.transpose();
  // Every fp32 tile this CPU runs, each packing across its own way, and bf16 on the CPU's own tile.
  std::vector<std::pair<Isa, Precision>> kernels{{Isa::portable, Precision::fp32}};
  if (jiggle::kernels::cpu_isa() >= Isa::avx2) kernels.emplace_back(Isa::avx2, Precision::fp32);
  if (jiggle::kernels::cpu_isa() >= Isa::avx512) kernels.emplace_back(Isa::avx512, Precision::fp32);
  if (jiggle::kernels::cpu_isa() >= Isa::avx512_bf16) kernels.emplace_back(jiggle::kernels::cpu_isa(), Precision::bf16);
  for (const auto& [isa, precision] : kernels) {
    Matrix<float> results[4];
    for (int transposes = 0; transposes < 4; ++transposes) {
      const bool transpose_a = (transposes & 1) != 0;
      const bool transpose_b = (transposes & 2) != 0;
      results[transposes].resize(m, n);
      jiggle::kernels::multiply_with(isa, precision,
                                     transpose_a ? Operand{a_transposed.data(), k, true} : Operand{a.data(), m, false},
                                     transpose_b ? Operand{b_transposed.data(), n, true} : Operand{b.data(), k, false},
                                     m, n, k, 1.0F, 0.0F, results[transposes].data(), m);
    }
    INFO(jiggle::kernels::to_string(isa) << ", " << jiggle::to_string(precision));
    for (int transposes = 1; transposes < 4; ++transposes) {
      INFO("Aᵀ " << ((transposes & 1) != 0) << ", Bᵀ " << ((transposes & 2) != 0));
      REQUIRE(std::memcmp(results[transposes].data(), results[0].data(), sizeof(float) * m * n) == 0);
    }
  }
}

TEST_CASE("A NaN whose high mantissa bits are zero stays NaN through bf16 packing, whichever way it is packed",
          "[kernels]") {
  // A signalling NaN with only its lowest bit set: rounded like a number, it would carry into the
  // exponent and give infinity. k = 70 puts NaNs in a whole block of steps and in the depth's
  // tail, and m, n > 16 put them in a row group past the first.
  if (jiggle::kernels::cpu_isa() < Isa::avx512_bf16) JIGGLE_SKIP("this CPU has no AVX512_BF16");
  const float low_nan = std::bit_cast<float>(0x7F80'0001U);
  const Index m = 37;
  const Index n = 21;
  const Index k = 70;
  Matrix<float> a = Matrix<float>::Constant(m, k, 0.5F);
  Matrix<float> b = Matrix<float>::Constant(k, n, 0.25F);
  a(3, 5) = low_nan;    // row 3 of C, from a block
  a(20, 68) = low_nan;  // row 20 of C, from the tail of the depth
  b(40, 18) = low_nan;  // column 18 of C
  const Matrix<float> a_transposed = a.transpose();
  const Matrix<float> b_transposed = b.transpose();
  for (int transposes = 0; transposes < 4; ++transposes) {
    const bool transpose_a = (transposes & 1) != 0;
    const bool transpose_b = (transposes & 2) != 0;
    INFO("Aᵀ " << transpose_a << ", Bᵀ " << transpose_b);
    Matrix<float> c(m, n);
    jiggle::kernels::multiply(Precision::bf16,
                              transpose_a ? Operand{a_transposed.data(), k, true} : Operand{a.data(), m, false},
                              transpose_b ? Operand{b_transposed.data(), n, true} : Operand{b.data(), k, false}, m, n,
                              k, 1.0F, 0.0F, c.data(), m);
    for (Index j = 0; j < n; ++j)
      for (Index i = 0; i < m; ++i) {
        INFO("C(" << i << ", " << j << ") = " << c(i, j));
        REQUIRE(std::isnan(c(i, j)) == (i == 3 || i == 20 || j == 18));
      }
  }
}
