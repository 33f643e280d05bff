#pragma once
// Finite-difference checks of hand-derived VJPs, public so that a user who writes a layer can
// check it with one call:
//
//   jiggle::Rng rng(0);
//   MyLayer<double> layer(rng);
//   auto report = jiggle::check_vjp(layer, X);          // every entry of dX and each gradient
//   if (!report.passed) std::cerr << report.message();  // names the worst entry
//
// A layer f is turned into the scalar L(X, θ) = ⟨dY, f(X; θ)⟩ for a fixed random dY, so that
// dL/dX is exactly the VJP backward(dY) must return, and each entry is compared with the central
// difference (L(x + h) − L(x − h)) / 2h. Two ways such checks lie are closed: an entry passes only
// within an absolute *and* relative margin (a purely relative test fails near zero), and a
// tensor whose gradient is zero on both sides fails unless allowed (a zero checks nothing).
#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "jiggle/layer.hpp"
#include "jiggle/loss.hpp"
#include "jiggle/random.hpp"
#include "jiggle/tensor.hpp"

namespace jiggle {

struct GradcheckOptions {
  double step = 1e-6;                // h of the central difference
  double relative_tolerance = 1e-6;  // |analytic − numeric| ≤ absolute + relative·max(|a|, |n|)
  double absolute_tolerance = 1e-8;
  Index max_entries_per_tensor = 0;  // 0: every entry; otherwise a random sample of this many
  bool allow_zero_gradient = false;  // a tensor whose gradient is zero on both sides fails
  std::uint64_t seed = 0;            // draws dY, directions and sampled entries
};

struct GradcheckReport {
  bool passed = true;
  Index entries_checked = 0;
  // The entry furthest outside its tolerance (or closest to it, when all pass).
  std::string worst_tensor;
  Index worst_index = -1;
  double worst_analytic = 0.0;
  double worst_numeric = 0.0;
  double worst_ratio = 0.0;  // |a − n| / tolerance; above 1 fails
  std::vector<std::string> problems;

  std::string message() const {
    std::ostringstream text;
    text.precision(10);
    text << (passed ? "gradient check passed" : "gradient check FAILED") << " over " << entries_checked
         << " entries; worst: " << worst_tensor << "[" << worst_index << "] analytic " << worst_analytic
         << " vs numeric " << worst_numeric << " (" << worst_ratio << " × tolerance)";
    for (const auto& problem : problems) text << "\n  " << problem;
    return text.str();
  }
};

namespace gradcheck_detail {

inline std::vector<Index> entries_to_check(Index size, const GradcheckOptions& options, Rng& rng) {
  std::vector<Index> entries;
  if (options.max_entries_per_tensor <= 0 || options.max_entries_per_tensor >= size) {
    for (Index i = 0; i < size; ++i) entries.push_back(i);
  } else {
    for (Index i = 0; i < options.max_entries_per_tensor; ++i)
      entries.push_back(static_cast<Index>(rng.below(static_cast<std::uint64_t>(size))));
  }
  return entries;
}

inline void record(GradcheckReport& report, const std::string& tensor, Index index, double analytic, double numeric,
                   const GradcheckOptions& options) {
  const double tolerance =
      options.absolute_tolerance + options.relative_tolerance * std::max(std::abs(analytic), std::abs(numeric));
  const double ratio = std::abs(analytic - numeric) / tolerance;
  ++report.entries_checked;
  if (!(ratio <= 1.0)) report.passed = false;  // a NaN fails too
  if (!(ratio <= report.worst_ratio) || report.worst_index < 0) {
    report.worst_tensor = tensor;
    report.worst_index = index;
    report.worst_analytic = analytic;
    report.worst_numeric = numeric;
    report.worst_ratio = ratio;
  }
}

inline Matrix<double> random_like(Index rows, Index cols, Rng& rng) {
  Matrix<double> m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = rng.normal();
  return m;
}

// The layer linearised at X: a random output direction dY and the VJP's answers for it, dX and
// every parameter gradient, copied before any finite difference runs the layer again.
struct Linearisation {
  Matrix<double> dY;
  Matrix<double> dX;
  std::vector<Matrix<double>> parameter_gradients;
};

template <class L>
Linearisation linearise(L& layer, const Matrix<double>& X, Rng& rng) {
  Linearisation at;
  const Matrix<double> Y = layer.forward(X);
  at.dY = random_like(Y.rows(), Y.cols(), rng);
  at.dX = layer.backward(X, at.dY, GradientTarget<double>::gradients());
  visit_parameters(layer, [&](Parameter<double>& p) { at.parameter_gradients.emplace_back(p.gradient); });
  return at;
}

}  // namespace gradcheck_detail

// Compares `analytic` with central differences of `loss()` while entries of `x` are nudged in
// place (and restored). The building block of the checks below; use it for any scalar function.
template <class ScalarFunction>
requires std::invocable<ScalarFunction&> && std::convertible_to < std::invoke_result_t<ScalarFunction&>,
double > void check_gradient(const std::string& tensor, Eigen::Map<Matrix<double>> x, const Matrix<double>& analytic,
                             ScalarFunction&& loss, const GradcheckOptions& options, GradcheckReport& report,
                             Rng& rng) {
  if (analytic.rows() != x.rows() || analytic.cols() != x.cols()) {
    report.passed = false;
    report.problems.push_back(tensor + ": gradient is " + dimensions(analytic.rows(), analytic.cols()) +
                              ", tensor is " + dimensions(x.rows(), x.cols()));
    return;
  }
  double largest = 0.0;
  for (const Index i : gradcheck_detail::entries_to_check(x.size(), options, rng)) {
    const double saved = x.data()[i];
    x.data()[i] = saved + options.step;
    const double above = loss();
    x.data()[i] = saved - options.step;
    const double below = loss();
    x.data()[i] = saved;
    const double numeric = (above - below) / (2.0 * options.step);
    const double value = analytic.data()[i];
    largest = std::max({largest, std::abs(value), std::abs(numeric)});
    gradcheck_detail::record(report, tensor, i, value, numeric, options);
  }
  if (largest == 0.0 && !options.allow_zero_gradient) {
    report.passed = false;
    report.problems.push_back(tensor + ": every checked entry is zero on both sides, which proves nothing");
  }
}

// Every entry (or a sample, see options) of dX and of each parameter gradient of `layer` at X.
template <Layer L>
GradcheckReport check_vjp(L& layer, const Matrix<double>& X, const GradcheckOptions& options = {}) {
  static_assert(std::same_as<typename L::Scalar, double>, "finite differences need a Layer<double>");
  Rng rng(options.seed);
  GradcheckReport report;
  const gradcheck_detail::Linearisation at = gradcheck_detail::linearise(layer, X, rng);
  Matrix<double> X_nudged = X;
  auto loss_at_nudged_input = [&] { return (at.dY.array() * layer.forward(X_nudged).array()).sum(); };
  check_gradient("dX", Eigen::Map<Matrix<double>>(X_nudged.data(), X.rows(), X.cols()), at.dX, loss_at_nudged_input,
                 options, report, rng);

  auto loss = [&] { return (at.dY.array() * layer.forward(X).array()).sum(); };
  std::size_t k = 0;
  visit_parameters(layer, [&](Parameter<double>& p) {
    std::string tensor = "d";  // appended, not "d" + ...: g++ 12 warns falsely (-Wrestrict) on that
    tensor += p.path.to_string();
    check_gradient(tensor, p.value, at.parameter_gradients[k++], loss, options, report, rng);
  });
  return report;
}

// The directional identity ⟨dY, J u⟩ = ⟨Jᵀ dY, u⟩ for random dY and a random direction u through
// the input and every parameter at once: one number that catches a VJP which is right entry by
// entry on the sampled entries but wrong elsewhere.
template <Layer L>
GradcheckReport check_vjp_direction(L& layer, const Matrix<double>& X, const GradcheckOptions& options = {}) {
  static_assert(std::same_as<typename L::Scalar, double>, "finite differences need a Layer<double>");
  Rng rng(options.seed);
  GradcheckReport report;
  const gradcheck_detail::Linearisation at = gradcheck_detail::linearise(layer, X, rng);
  const Matrix<double> u_X = gradcheck_detail::random_like(X.rows(), X.cols(), rng);
  double vjp_dot_u = (at.dX.array() * u_X.array()).sum();
  std::vector<Matrix<double>> u_parameters;
  visit_parameters(layer, [&](Parameter<double>& p) {
    u_parameters.push_back(gradcheck_detail::random_like(p.value.rows(), p.value.cols(), rng));
    vjp_dot_u += (at.parameter_gradients[u_parameters.size() - 1].array() * u_parameters.back().array()).sum();
  });

  auto loss_at = [&](double t) {
    std::size_t k = 0;
    visit_parameters(layer, [&](Parameter<double>& p) { p.value += t * u_parameters[k++]; });
    const Matrix<double> X_moved = X + t * u_X;
    const double value = (at.dY.array() * layer.forward(X_moved).array()).sum();
    k = 0;
    visit_parameters(layer, [&](Parameter<double>& p) { p.value -= t * u_parameters[k++]; });
    return value;
  };
  const double jvp = (loss_at(options.step) - loss_at(-options.step)) / (2.0 * options.step);
  gradcheck_detail::record(report, "<dY, J u>", 0, vjp_dot_u, jvp, options);
  if (vjp_dot_u == 0.0 && jvp == 0.0 && !options.allow_zero_gradient) {
    report.passed = false;
    report.problems.emplace_back("<dY, J u> is zero on both sides, which proves nothing");
  }
  return report;
}

// dL/dZ of a loss (softmax cross-entropy, mean squared error, a user's own) at Z.
template <class LossFunction, class Targets>
requires Loss<LossFunction, double, Targets> GradcheckReport check_loss_gradient(LossFunction& loss,
                                                                                 const Matrix<double>& Z,
                                                                                 const Targets& targets,
                                                                                 const GradcheckOptions& options = {}) {
  Rng rng(options.seed);
  GradcheckReport report;
  loss.forward(Z, targets);
  const Matrix<double> dZ = loss.backward();
  Matrix<double> Z_nudged = Z;
  check_gradient(
      "dZ", Eigen::Map<Matrix<double>>(Z_nudged.data(), Z.rows(), Z.cols()), dZ,
      [&] { return loss.forward(Z_nudged, targets); }, options, report, rng);
  return report;
}

}  // namespace jiggle
