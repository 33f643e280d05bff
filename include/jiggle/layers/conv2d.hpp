#pragma once
#include <algorithm>
#include <array>
#include <string>
#include <type_traits>
#include <vector>

#include "jiggle/init.hpp"
#include "jiggle/kernels/isa.hpp"
#include "jiggle/kernels/vector_loop.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/multiply.hpp"
#include "jiggle/parallel.hpp"
#include "jiggle/precision.hpp"
#include "jiggle/random.hpp"
#include "jiggle/shape.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

// How many zeros border the input on each side: none (`valid`), or K/2 (`same`, PyTorch's
// padding=K//2), which keeps the size at stride 1 and gives ceil(H/2) rows at stride 2.
enum class Padding { valid, same };

// Conv2D (nn.Conv2d, square kernel, zero padding):
//   Y[co, oy, ox] = b[co] + Σ_{ci, ky, kx} W[co, ci, ky, kx] · X[ci, oy·S + ky − pad, ox·S + kx − pad]
// One sample is a column in CHW order. Seen as a column-major matrix of P = Ho·Wo rows and one
// column per channel, it is exactly Cout channel planes, so for each sample, with its im2col
// matrix cols (P × Cin·K·K, one column per kernel tap holding the input under that tap):
//   forward   Y_s = cols Wᵀ + 1 bᵀ                                  Y_s: P × Cout
//   backward  dW = Σ_s dY_sᵀ cols     db = Σ_s dY_sᵀ 1     dX_s = col2im(dY_s W)
// X: Cin·H·W × B   W: Cout × Cin·K·K (PyTorch's [Cout, Cin, K, K])   b: Cout   Y: Cout·Ho·Wo × B
//
// Samples are shared out among the threads, each with its own cols, one sample at a time, so the
// scratch is threads × P × Cin·K·K values plus kChunks partial dW whatever the batch (2.4 MB for
// 32→32 channels at 28×28 on two threads), where a whole-batch im2col would take 115 MB at batch
// 128. Inside the parallel region the products run on the calling thread. dW and db are
// summed over a fixed split of the batch into at most kChunks runs of samples, taken by
// whichever thread is free, and the runs' sums are added in order: the result is the same bit
// for bit on any number of threads, and a thread slowed by another process holds nobody up.
template <Shape In, int Cout, int K, int Stride = 1, Padding Pad = Padding::same, class T = float>
class Conv2D {
  static_assert(In.fixed() && In.size() > 0, "Conv2D needs a fixed input shape");
  static_assert(Cout > 0 && K > 0 && Stride > 0, "Conv2D sizes must be positive");
  static_assert(Pad == Padding::valid || K % 2 == 1, "'same' padding needs an odd kernel size");

  static constexpr int kPad = Pad == Padding::same ? K / 2 : 0;
  static constexpr int kCin = In.channels;
  static constexpr int kHeight = In.height;
  static constexpr int kWidth = In.width;
  static constexpr int kOutHeight = (kHeight + 2 * kPad - K) / Stride + 1;
  static constexpr int kOutWidth = (kWidth + 2 * kPad - K) / Stride + 1;
  static_assert(kHeight + 2 * kPad >= K && kWidth + 2 * kPad >= K, "Conv2D: the kernel is larger than the input");
  static constexpr Index kPositions = Index{kOutHeight} * kOutWidth;  // P
  static constexpr Index kTaps = Index{kCin} * K * K;                 // Cin·K·K

 public:
  using Scalar = T;
  static constexpr Shape input_shape = In;
  static constexpr Shape output_shape{Cout, kOutHeight, kOutWidth};

  // PyTorch's default: W and b ~ U(±1/sqrt(Cin·K·K)).
  static constexpr Init default_init = Init::torch_default;

  static constexpr Index kChunks = 16;

  explicit Conv2D(Rng& rng, Init init = default_init) { initialize(init, W, b, rng); }
  explicit Conv2D(WithoutDrawing) {
    W.setZero();
    b.setZero();
  }

  // Y_s = cols Wᵀ + 1 bᵀ, one sample per iteration.
  const Matrix<T>& forward(const Matrix<T>& X) {
    check_input_rows(name, X.rows(), In.size());
    Y_.resize(output_shape.size(), X.cols());
    reserve_scratch();
    const Index batch = X.cols();
    parallel_for(batch, [&](Index s) {
      Matrix<T>& cols = cols_[static_cast<std::size_t>(thread_index())];
      im2col(X.col(s).data(), cols);
      SampleMap Y_s(Y_.col(s).data(), kPositions, Cout);
      for (int c = 0; c < Cout; ++c) Y_s.col(c).setConstant(b(c));
      multiply(Y_s, cols, W.transpose(), precision_, T(1), T(1));
    });
    return Y_;
  }

  // dW = Σ_s dY_sᵀ cols,  db = Σ_s dY_sᵀ 1,  dX_s = col2im(dY_s W), dX from W before the step a
  // fused target may take. cols is rebuilt from X rather than kept from the forward.
  const Matrix<T>& backward(const Matrix<T>& X, const Matrix<T>& dY, const GradientTarget<T>& target) {
    check_backward_arguments(name, X, In.size(), dY, Y_);
    reserve_scratch();
    const bool input_gradient = target.input_gradient;
    if (input_gradient) dX_.resize(In.size(), dY.cols());
    const Index batch = dY.cols();
    const Index chunks = std::min(batch, kChunks);
    parallel_for(chunks, [&](Index chunk) {
      Matrix<T>& cols = cols_[static_cast<std::size_t>(thread_index())];
      Sums& sums = chunk_sums_[static_cast<std::size_t>(chunk)];
      sums.dW.setZero();
      sums.db.setZero();
      for (Index s = chunk * batch / chunks; s < (chunk + 1) * batch / chunks; ++s) {
        const ConstSampleMap dY_s(dY.col(s).data(), kPositions, Cout);
        im2col(X.col(s).data(), cols);
        multiply(sums.dW, dY_s.transpose(), cols, precision_, T(1), T(1));
        sums.db.noalias() += dY_s.colwise().sum().transpose();
        if (input_gradient) {
          multiply(cols, dY_s, W, precision_);  // dcols, in the cols it no longer needs
          col2im(cols, dX_.col(s).data());
        }
      }
    });
    Sums& total = chunk_sums_.front();
    kernels::run_elementwise(total.dW.size(), [&](Index first, Index last) {
      for (Index chunk = 1; chunk < chunks; ++chunk) {
        const Sums& sums = chunk_sums_[static_cast<std::size_t>(chunk)];
        kernels::values(total.dW, first, last) += kernels::values(sums.dW, first, last);
      }
    });
    for (Index chunk = 1; chunk < chunks; ++chunk) total.db += chunk_sums_[static_cast<std::size_t>(chunk)].db;
    target.write(target.select(W, dW), total.dW);
    target.write(target.select(b, db), total.db);
    return input_gradient ? dX_ : no_input_gradient<T>();
  }

  // Checked here and not at the products: they run inside a parallel region, where an error
  // cannot be thrown to the caller.
  void set_precision(Precision precision) {
    require_supported(precision);
    precision_ = precision;
  }

  template <class Visitor>
  void visit_parameters(Visitor&& visit, const ParameterPath& path) {
    Parameter<T> weight(path.with_leaf("weight"), TensorShape{Cout, kCin, K, K}, W, dW);
    visit(weight);
    Parameter<T> bias(path.with_leaf("bias"), TensorShape{Cout}, b, db);
    visit(bias);
  }

  // W(co, (ci·K + ky)·K + kx) = PyTorch's weight[co, ci, ky, kx].
  Matrix<T> W = Matrix<T>(Cout, kTaps);
  Vector<T> b = Vector<T>(Cout);
  Matrix<T> dW = Matrix<T>::Zero(Cout, kTaps);
  Vector<T> db = Vector<T>::Zero(Cout);

 private:
  using SampleMap = Eigen::Map<Matrix<T>>;
  using ConstSampleMap = Eigen::Map<const Matrix<T>>;

  struct Sums {
    Matrix<T> dW = Matrix<T>(Cout, kTaps);
    Vector<T> db = Vector<T>(Cout);
  };

  // The outputs [first, last) along one axis whose input o·S + k − pad lies inside the image,
  // for kernel offset k; the others read padding.
  struct Span {
    int first;
    int last;
  };
  static constexpr Span inside(int k, int extent, int outputs) {
    Span span{0, outputs};
    while (span.first < outputs && span.first * Stride + k - kPad < 0) ++span.first;
    while (span.last > span.first && (span.last - 1) * Stride + k - kPad >= extent) --span.last;
    return span;
  }
  static constexpr std::array<Span, K> spans(int extent, int outputs) {
    std::array<Span, K> result{};
    for (int k = 0; k < K; ++k) result[static_cast<std::size_t>(k)] = inside(k, extent, outputs);
    return result;
  }
  static constexpr std::array<Span, K> kRowSpans = spans(kHeight, kOutHeight);
  static constexpr std::array<Span, K> kColumnSpans = spans(kWidth, kOutWidth);

  // cols(p, j) = x[ci, oy·S + ky − pad, ox·S + kx − pad], 0 in the padding; p = oy·Wo + ox,
  // j = (ci·K + ky)·K + kx. x: one sample, Cin·H·W values.
  static void im2col(const T* x, Matrix<T>& cols) {
    if constexpr (kFlatShifts) {
      im2col_by_shifts(x, cols);
      return;
    }
    for (int ci = 0; ci < kCin; ++ci)
      for (int ky = 0; ky < K; ++ky)
        for (int kx = 0; kx < K; ++kx) {
          T* column = cols.col((Index{ci} * K + ky) * K + kx).data();
          const Span rows = kRowSpans[static_cast<std::size_t>(ky)];
          const Span columns = kColumnSpans[static_cast<std::size_t>(kx)];
          std::fill(column, column + Index{rows.first} * kOutWidth, T(0));
          for (int oy = rows.first; oy < rows.last; ++oy) {
            T* out = column + Index{oy} * kOutWidth;
            const Index row = (Index{ci} * kHeight + Index{oy} * Stride + ky - kPad) * kWidth + kx - kPad;
            std::fill(out, out + columns.first, T(0));
            for (int ox = columns.first; ox < columns.last; ++ox) out[ox] = x[row + Index{ox} * Stride];
            std::fill(out + columns.last, out + kOutWidth, T(0));
          }
          std::fill(column + Index{rows.last} * kOutWidth, column + kPositions, T(0));
        }
  }

  // At stride 1 with 'same' padding an output row is as long as an input row, so the input
  // under tap (ky, kx) is the channel's plane shifted by (ky − pad)·W + (kx − pad) in CHW order:
  // one contiguous copy per tap, then zeros where the shift wrapped round a row's end.
  static constexpr bool kFlatShifts = Stride == 1 && Pad == Padding::same;

  // Tap (ky, kx): the input of position p sits at p + shift of its plane, and the positions
  // [first, last) read inside the plane (the wrapped ones among them are zeroed separately).
  // Clamped, because a plane shorter than the kernel's reach (a row of 1×W, a 2×2 plane under a
  // 5×5 kernel) has taps that read no row of it: their range is empty, not reversed.
  struct Shift {
    Index shift;
    Index first;
    Index last;
  };
  static constexpr Shift shifted(int ky, int kx) {
    const Span rows = kRowSpans[static_cast<std::size_t>(ky)];
    const Index shift = Index{ky - kPad} * kWidth + (kx - kPad);
    const Index first = std::clamp(std::max(Index{rows.first} * kWidth, -shift), Index{0}, kPositions);
    const Index last = std::clamp(std::min(Index{rows.last} * kWidth, kPositions - shift), first, kPositions);
    return {shift, first, last};
  }

  static void im2col_by_shifts(const T* x, Matrix<T>& cols) {
    for (int ci = 0; ci < kCin; ++ci)
      for (int ky = 0; ky < K; ++ky)
        for (int kx = 0; kx < K; ++kx) {
          T* column = cols.col((Index{ci} * K + ky) * K + kx).data();
          const T* plane = x + Index{ci} * kHeight * kWidth;
          const auto [shift, first, last] = shifted(ky, kx);
          std::fill(column, column + first, T(0));
          std::copy(plane + first + shift, plane + last + shift, column + first);
          std::fill(column + last, column + kPositions, T(0));
          zero_wrapped(column, ky, kx);
        }
  }

  // Zeroes the positions of tap (ky, kx)'s column whose flat shift wrapped round a row's end:
  // on each row the tap reads, the output columns before and after those that read inside.
  static void zero_wrapped(T* column, int ky, int kx) {
    const Span rows = kRowSpans[static_cast<std::size_t>(ky)];
    const Span columns = kColumnSpans[static_cast<std::size_t>(kx)];
    for (int oy = rows.first; oy < rows.last; ++oy) {
      T* row = column + Index{oy} * kWidth;
      std::fill(row, row + columns.first, T(0));
      std::fill(row + columns.last, row + kWidth, T(0));
    }
  }

  // The adjoint of im2col_by_shifts: each tap's column added onto its plane shifted back, once
  // the entries that wrapped round a row's end are zeroed (dcols is scratch).
  static void col2im_by_shifts(Matrix<T>& dcols, T* dx) {
    for (int ci = 0; ci < kCin; ++ci)
      for (int ky = 0; ky < K; ++ky)
        for (int kx = 0; kx < K; ++kx) {
          T* dcolumn = dcols.col((Index{ci} * K + ky) * K + kx).data();
          T* plane = dx + Index{ci} * kHeight * kWidth;
          const auto [shift, first, last] = shifted(ky, kx);
          zero_wrapped(dcolumn, ky, kx);
          kernels::run_vectorised([&, shift = shift, first = first, last = last] {
            JIGGLE_OMP(simd)
            for (Index p = first; p < last; ++p) plane[p + shift] += dcolumn[p];
          });
        }
  }

  // The adjoint of im2col: dx[ci, iy, ix] = Σ of dcols(p, j) over the (p, j) that read it.
  static void col2im(Matrix<T>& dcols, T* dx) {
    std::fill(dx, dx + In.size(), T(0));
    if constexpr (kFlatShifts) {
      col2im_by_shifts(dcols, dx);
      return;
    }
    for (int ci = 0; ci < kCin; ++ci)
      for (int ky = 0; ky < K; ++ky)
        for (int kx = 0; kx < K; ++kx) {
          const T* column = dcols.col((Index{ci} * K + ky) * K + kx).data();
          const Span rows = kRowSpans[static_cast<std::size_t>(ky)];
          const Span columns = kColumnSpans[static_cast<std::size_t>(kx)];
          for (int oy = rows.first; oy < rows.last; ++oy) {
            const T* in = column + Index{oy} * kOutWidth;
            const Index row = (Index{ci} * kHeight + Index{oy} * Stride + ky - kPad) * kWidth + kx - kPad;
            for (int ox = columns.first; ox < columns.last; ++ox) dx[row + Index{ox} * Stride] += in[ox];
          }
        }
  }

  // A cols for each thread the parallel loops may run on, and the sums of each run, made once.
  void reserve_scratch() {
    const auto threads = static_cast<std::size_t>(thread_count());
    if (cols_.size() < threads) cols_.resize(threads, Matrix<T>(kPositions, kTaps));
    if (chunk_sums_.empty()) chunk_sums_.resize(kChunks);
    if constexpr (std::is_same_v<T, float>) kernels::reserve_workspaces(precision_);
  }

  static std::string name() {
    return "Conv2D<" + to_string(In) + ", " + std::to_string(Cout) + ", " + std::to_string(K) + ", " +
           std::to_string(Stride) + ", " + (Pad == Padding::same ? "same" : "valid") + ">";
  }

  Precision precision_ = Precision::fp32;
  Matrix<T> Y_;
  Matrix<T> dX_;
  std::vector<Matrix<T>> cols_;
  std::vector<Sums> chunk_sums_;
};

// The convolution of most CNNs: 3×3, stride 1, 'same' padding, over Size×Size images.
template <int Cin, int Cout, int Size, class T = float>
using Conv3x3Same = Conv2D<Shape{Cin, Size, Size}, Cout, 3, 1, Padding::same, T>;

}  // namespace jiggle
