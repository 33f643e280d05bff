#pragma once
// The reference framework's logged curves (reference/ablation_curves.csv, whose README names their
// source): each MNIST row's training loss per epoch and, where its log gives one, its test
// accuracy on the first 9,984 test images. The report draws them beside jiggle's runs.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "jiggle/error.hpp"

struct ReferenceEpoch {
  int epoch = 0;
  double train_loss = 0.0;
  std::optional<double> test_accuracy;  // a fraction
};

// Each row's epochs, in order from epoch 1.
using ReferenceCurves = std::map<std::string, std::vector<ReferenceEpoch>, std::less<>>;

// Where the program finds the curves: the copy in its source tree.
inline std::filesystem::path reference_curves_path() { return JIGGLE_REFERENCE_CURVES; }

namespace reference_curves_detail {

inline constexpr std::string_view kHeader = "row,epoch,train_loss,test_correct,test_total";

// The next comma-separated field of `line`, which moves past it.
inline std::string_view next_field(std::string_view& line) {
  const auto comma = line.find(',');
  const std::string_view field = line.substr(0, comma);
  line = comma == std::string_view::npos ? std::string_view{} : line.substr(comma + 1);
  return field;
}

template <class Number>
bool parse_number(std::string_view field, Number& value) {
  const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
  return error == std::errc() && end == field.data() + field.size();
}

}  // namespace reference_curves_detail

// Every row's curve; a file that is not one names itself, the line and what is wrong.
inline ReferenceCurves read_reference_curves(const std::filesystem::path& path) {
  namespace detail = reference_curves_detail;
  std::ifstream in(path);
  if (!in) throw jiggle::Error(path.string() + ": cannot be read");
  std::string line;
  if (!std::getline(in, line) || line != detail::kHeader)
    throw jiggle::Error(path.string() + ": line 1 is not the header '" + std::string(detail::kHeader) + "'");
  ReferenceCurves curves;
  for (int number = 2; std::getline(in, line); ++number) {
    const auto fail = [&](const std::string& what) {
      return jiggle::Error(path.string() + ": line " + std::to_string(number) + ": " + what);
    };
    std::string_view rest = line;
    const std::string_view row = detail::next_field(rest);
    const std::string_view epoch_field = detail::next_field(rest);
    const std::string_view loss_field = detail::next_field(rest);
    const std::string_view correct_field = detail::next_field(rest);
    const std::string_view total_field = detail::next_field(rest);
    ReferenceEpoch epoch;
    if (std::count(line.begin(), line.end(), ',') != 4 || row.empty() ||
        !detail::parse_number(epoch_field, epoch.epoch) || !detail::parse_number(loss_field, epoch.train_loss))
      throw fail("is not " + std::string(detail::kHeader) + ": '" + line.substr(0, 80) + "'");
    if (!(std::isfinite(epoch.train_loss) && epoch.train_loss >= 0.0))
      throw fail("the training loss is not a number of 0 or more");
    if (!correct_field.empty() || !total_field.empty()) {
      long correct = -1;
      long total = -1;
      if (!detail::parse_number(correct_field, correct) || !detail::parse_number(total_field, total) || total <= 0 ||
          correct < 0 || correct > total)
        throw fail("the test counts are not two whole numbers, correct ≤ total");
      epoch.test_accuracy = static_cast<double>(correct) / static_cast<double>(total);
    }
    std::vector<ReferenceEpoch>& epochs = curves[std::string(row)];
    if (epoch.epoch != static_cast<int>(epochs.size()) + 1)
      throw fail("is epoch " + std::to_string(epoch.epoch) + " of " + std::string(row) + ", expected " +
                 std::to_string(epochs.size() + 1));
    epochs.push_back(epoch);
  }
  return curves;
}

// How far a run's training-loss curve lies from the reference's: the gap |loss − reference| /
// reference at epoch 1, and the largest one over the later epochs both have.
struct CurveGap {
  double first_epoch = 0.0;
  double largest_later = 0.0;
  int largest_later_epoch = 0;  // 0: the curves share no epoch after the first
};

inline CurveGap curve_gap(const std::vector<double>& losses, const std::vector<ReferenceEpoch>& reference) {
  CurveGap gap;
  const std::size_t shared = std::min(losses.size(), reference.size());
  for (std::size_t e = 0; e < shared; ++e) {
    const double relative = std::abs(losses[e] - reference[e].train_loss) / reference[e].train_loss;
    if (e == 0) {
      gap.first_epoch = relative;
    } else if (gap.largest_later_epoch == 0 || relative > gap.largest_later) {
      gap.largest_later = relative;
      gap.largest_later_epoch = static_cast<int>(e) + 1;
    }
  }
  return gap;
}

// The epochs at which no seed's training loss comes within the tolerance of the reference's (15 %
// at epoch 1, 10 % after it) and the reference's loss lies outside the range of the seeds' losses:
// the deviations that the spread between seeds does not explain.
inline std::vector<int> unexplained_epochs(const std::vector<std::vector<double>>& losses_by_seed,
                                           const std::vector<ReferenceEpoch>& reference) {
  std::vector<int> epochs;
  for (std::size_t e = 0; e < reference.size(); ++e) {
    const double tolerance = e == 0 ? 0.15 : 0.10;
    const double target = reference[e].train_loss;
    bool within_tolerance = false;
    double lowest = std::numeric_limits<double>::infinity();
    double highest = -std::numeric_limits<double>::infinity();
    std::size_t seeds_at_e = 0;
    for (const std::vector<double>& losses : losses_by_seed) {
      if (e >= losses.size()) continue;
      ++seeds_at_e;
      within_tolerance = within_tolerance || std::abs(losses[e] - target) <= tolerance * target;
      lowest = std::min(lowest, losses[e]);
      highest = std::max(highest, losses[e]);
    }
    if (seeds_at_e > 0 && !within_tolerance && !(lowest <= target && target <= highest))
      epochs.push_back(static_cast<int>(e) + 1);
  }
  return epochs;
}
