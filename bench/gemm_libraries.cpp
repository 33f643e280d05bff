// jiggle's product kernels against the two kernel libraries Debian offers, on the products of the
// networks here: oneDNN 2.6 (dnnl_sgemm in fp32; its matmul primitive in bf16, given inputs
// already in bf16, which spares it the rounding jiggle does as it packs, and "bf16+r", from fp32
// inputs rounded by its reorder primitive) and libxsmm 1.17
// (libxsmm_sgemm: its own code for small products, the BLAS it is linked with for larger ones).
// Each product runs REPEATS rounds, the implementations interleaved within a round; the figure
// is the median round's GFLOP/s. Not part of the CMake build: bench/gemm_libraries.sh builds it
// against whichever of the two libraries is installed.
//   gemm_libraries [THREADS] [REPEATS]
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "bench_support.hpp"
#include "jiggle/kernels/bf16.hpp"
#include "jiggle/kernels/gemm.hpp"
#include "jiggle/parallel.hpp"
#include "jiggle/random.hpp"

#ifdef JIGGLE_BENCH_ONEDNN
#include <oneapi/dnnl/dnnl.h>

#include <oneapi/dnnl/dnnl.hpp>
#endif
#ifdef JIGGLE_BENCH_LIBXSMM
#include <libxsmm.h>
#endif

namespace {

using jiggle::Index;

struct Product {
  const char* name;
  Index m, n, k;
  bool transpose_a, transpose_b;
};

// The MLP's three products per layer at batch 128, and the convolutions' per-sample products.
const std::vector<Product> kProducts = {
    {"MLP forward, 512x784 W by 784x128 X", 512, 128, 784, false, false},
    {"MLP forward, 512x512 W by 512x128 X", 512, 128, 512, false, false},
    {"MLP dX = W^T dY, 784x512^T by 512x128", 784, 128, 512, true, false},
    {"MLP dW = dY X^T, 512x128 by 784x128^T", 512, 784, 128, false, true},
    {"conv 1->32 at 28x28, cols 784x9 by 9x32", 784, 32, 9, false, false},
    {"conv 32->32 at 28x28, cols 784x288 by 288x32", 784, 32, 288, false, false},
    {"conv 32->64 at 14x14, cols 196x288 by 288x64", 196, 64, 288, false, false},
    {"conv dW, 288x784 cols^T by 784x32 dY", 288, 32, 784, true, false},
};

std::vector<float> random_values(Index count, jiggle::Rng& rng) {
  std::vector<float> values(static_cast<std::size_t>(count));
  for (float& value : values) value = static_cast<float>(rng.uniform(-1.0, 1.0));
  return values;
}

struct Contender {
  Contender(std::string name_, std::function<void()> run_) : name(std::move(name_)), run(std::move(run_)) {}
  std::string name;
  std::function<void()> run;
  std::vector<double> seconds;
};

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 7;
  if (threads < 1 || threads > 1024 || repeats < 1 || repeats > 1000) {
    std::fprintf(stderr, "usage: gemm_libraries [THREADS 1..1024] [REPEATS 1..1000]\n");
    return 2;
  }
  jiggle::set_thread_count(threads);
  omp_set_num_threads(threads);
#ifdef JIGGLE_BENCH_LIBXSMM
  libxsmm_init();
#endif
  std::printf("%d threads, median of %d rounds, GFLOP/s (CPU: %s kernels)\n", threads, repeats,
              jiggle::kernels::to_string(jiggle::kernels::cpu_isa()).c_str());
  jiggle::Rng rng(1);
  for (const Product& p : kProducts) {
    const Index rows_a = p.transpose_a ? p.k : p.m, cols_a = p.transpose_a ? p.m : p.k;
    const Index rows_b = p.transpose_b ? p.n : p.k, cols_b = p.transpose_b ? p.k : p.n;
    const std::vector<float> a = random_values(rows_a * cols_a, rng), b = random_values(rows_b * cols_b, rng);
    std::vector<float> c(static_cast<std::size_t>(p.m * p.n));
    // Column-major, as jiggle stores its matrices.
    const jiggle::kernels::Operand op_a{a.data(), rows_a, p.transpose_a}, op_b{b.data(), rows_b, p.transpose_b};
    std::vector<Contender> contenders;
    contenders.emplace_back("jiggle fp32", [&] {
      jiggle::kernels::multiply(jiggle::Precision::fp32, op_a, op_b, p.m, p.n, p.k, 1.0F, 0.0F, c.data(), p.m);
    });
    if (jiggle::kernels::cpu_isa() >= jiggle::kernels::Isa::avx512_bf16)
      contenders.emplace_back("jiggle bf16", [&] {
        jiggle::kernels::multiply(jiggle::Precision::bf16, op_a, op_b, p.m, p.n, p.k, 1.0F, 0.0F, c.data(), p.m);
      });
    // On a CPU with AMX, the AVX512_BF16 tile it would run without.
    if (jiggle::kernels::cpu_isa() == jiggle::kernels::Isa::amx_bf16)
      contenders.emplace_back("jiggle bf16 (AVX512_BF16)", [&] {
        jiggle::kernels::multiply_with(jiggle::kernels::Isa::avx512_bf16, jiggle::Precision::bf16, op_a, op_b, p.m, p.n,
                                       p.k, 1.0F, 0.0F, c.data(), p.m);
      });
#ifdef JIGGLE_BENCH_ONEDNN
    // Row-major, as dnnl_sgemm takes them: the column-major Cᵀ = op(B)ᵀ·op(A)ᵀ.
    contenders.emplace_back("oneDNN fp32", [&] {
      dnnl_sgemm(p.transpose_b ? 'T' : 'N', p.transpose_a ? 'T' : 'N', p.n, p.m, p.k, 1.0F, b.data(), rows_b, a.data(),
                 rows_a, 0.0F, c.data(), p.m);
    });
    // bf16 beside jiggle's bf16 only: without AVX512_BF16, oneDNN 2.6 has no bf16 matmul either.
    const bool bf16 = jiggle::kernels::cpu_isa() >= jiggle::kernels::Isa::avx512_bf16;
    dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    dnnl::stream stream(engine);
    using tag = dnnl::memory::format_tag;
    using dt = dnnl::memory::data_type;
    // C (m×n, column-major) as oneDNN's row-major n×m = op(B)ᵀ (n×k) by op(A)ᵀ (k×m).
    const dnnl::memory::desc src_md({p.n, p.k}, dt::bf16, p.transpose_b ? tag::ba : tag::ab);
    const dnnl::memory::desc weights_md({p.k, p.m}, dt::bf16, p.transpose_a ? tag::ba : tag::ab);
    const dnnl::memory::desc dst_md({p.n, p.m}, dt::f32, tag::ab);
    const dnnl::matmul matmul =
        bf16 ? dnnl::matmul(dnnl::matmul::primitive_desc(dnnl::matmul::desc(src_md, weights_md, dst_md), engine))
             : dnnl::matmul();
    std::vector<std::uint16_t> a16(a.size()), b16(b.size());
    for (std::size_t i = 0; i < a.size(); ++i) a16[i] = jiggle::kernels::to_bf16(a[i]);
    for (std::size_t i = 0; i < b.size(); ++i) b16[i] = jiggle::kernels::to_bf16(b[i]);
    dnnl::memory src(src_md, engine, b16.data()), weights(weights_md, engine, a16.data()),
        dst(dst_md, engine, c.data());
    if (bf16)
      contenders.emplace_back("oneDNN bf16", [&] {
        matmul.execute(stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}});
        stream.wait();
      });
    // The same from fp32 inputs, rounded by oneDNN's own reorder first, as jiggle rounds its
    // inputs while packing them.
    dnnl::memory src32({{p.n, p.k}, dt::f32, p.transpose_b ? tag::ba : tag::ab}, engine, const_cast<float*>(b.data()));
    dnnl::memory weights32({{p.k, p.m}, dt::f32, p.transpose_a ? tag::ba : tag::ab}, engine,
                           const_cast<float*>(a.data()));
    const dnnl::reorder round_src(src32, src), round_weights(weights32, weights);
    if (bf16)
      contenders.emplace_back("oneDNN bf16+r", [&] {
        round_src.execute(stream, {{DNNL_ARG_FROM, src32}, {DNNL_ARG_TO, src}});
        round_weights.execute(stream, {{DNNL_ARG_FROM, weights32}, {DNNL_ARG_TO, weights}});
        matmul.execute(stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}});
        stream.wait();
      });
#endif
#ifdef JIGGLE_BENCH_LIBXSMM
    contenders.emplace_back("libxsmm fp32", [&] {
      const char ta = p.transpose_a ? 'T' : 'N', tb = p.transpose_b ? 'T' : 'N';
      const auto blas = [](Index value) { return static_cast<libxsmm_blasint>(value); };  // all below 2³¹
      const libxsmm_blasint m = blas(p.m), n = blas(p.n), k = blas(p.k), lda = blas(rows_a), ldb = blas(rows_b),
                            ldc = blas(p.m);
      const float alpha = 1.0F, beta = 0.0F;
      libxsmm_sgemm(&ta, &tb, &m, &n, &k, &alpha, a.data(), &lda, b.data(), &ldb, &beta, c.data(), &ldc);
    });
#endif
    // Each round runs every contender long enough to time (at least 20 ms), in turn.
    const double flops = 2.0 * static_cast<double>(p.m * p.n * p.k);
    // Warm (buffers, JIT, threads), and checked against jiggle's fp32 result: a figure for the
    // wrong product would mean nothing.
    contenders.front().run();
    const std::vector<float> expected = c;
    double largest = 0.0;
    for (const float value : expected) largest = std::max(largest, static_cast<double>(std::abs(value)));
    for (Contender& contender : contenders) {
      std::fill(c.begin(), c.end(), std::numeric_limits<float>::quiet_NaN());
      contender.run();
      double difference = 0.0;
      for (std::size_t i = 0; i < c.size(); ++i)
        difference = std::max(difference, std::abs(static_cast<double>(c[i]) - static_cast<double>(expected[i])));
      if (!(difference <= 0.02 * largest)) {
        std::fprintf(stderr, "%s: %s differs from jiggle fp32 by %g (largest value %g)\n", p.name,
                     contender.name.c_str(), difference, largest);
        return 1;
      }
    }
    for (int round = 0; round < repeats; ++round)
      for (Contender& contender : contenders) {
        const auto start = std::chrono::steady_clock::now();
        long calls = 0;
        do {
          contender.run();
          ++calls;
        } while (bench_support::seconds_since(start) < 0.02);
        contender.seconds.push_back(bench_support::seconds_since(start) / static_cast<double>(calls));
      }
    std::printf("%s (m %lld, n %lld, k %lld)\n", p.name, static_cast<long long>(p.m), static_cast<long long>(p.n),
                static_cast<long long>(p.k));
    for (const Contender& contender : contenders)
      std::printf("  %-14s %7.1f\n", contender.name.c_str(), flops / median(contender.seconds) / 1e9);
  }
#ifdef JIGGLE_BENCH_LIBXSMM
  libxsmm_finalize();
#endif
  return 0;
}
