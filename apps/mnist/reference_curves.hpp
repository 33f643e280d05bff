#pragma once
// The reference framework's logged curves (reference/ablation_curves.csv, whose README names their
// source): each MNIST row's training loss per epoch and, where its log gives one, its test
// accuracy on the first 9,984 test images. The report draws them beside jiggle's runs.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csv_fields.hpp"
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

inline constexpr std::string_view kReferenceCurvesHeader = "row,epoch,train_loss,test_correct,test_total";

// Every row's curve; a file that is not one names itself, the line and what is wrong.
inline ReferenceCurves read_reference_curves(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw jiggle::Error(path.string() + ": cannot be read");
  std::string line;
  if (!std::getline(in, line) || line != kReferenceCurvesHeader)
    throw jiggle::Error(path.string() + ": line 1 is not the header '" + std::string(kReferenceCurvesHeader) + "'");
  ReferenceCurves curves;
  for (int number = 2; std::getline(in, line); ++number) {
    const auto fail = [&](const std::string& what) {
      return jiggle::Error(path.string() + ": line " + std::to_string(number) + " " + what);
    };
    const std::vector<std::string_view> fields = csv_fields(line);
    const auto epoch = fields.size() == 5 ? csv_number<int>(fields[1]) : std::nullopt;
    const auto loss = fields.size() == 5 ? csv_number<double>(fields[2]) : std::nullopt;
    if (!epoch || !loss || fields[0].empty())
      throw fail("is not " + std::string(kReferenceCurvesHeader) + ": '" + line.substr(0, 80) + "'");
    if (!(*loss > 0.0) || !std::isfinite(*loss)) throw fail("holds a training loss that is not above 0");
    ReferenceEpoch reference_epoch{.epoch = *epoch, .train_loss = *loss, .test_accuracy = std::nullopt};
    if (!fields[3].empty() || !fields[4].empty()) {
      const auto correct = csv_number<long>(fields[3]);
      const auto total = csv_number<long>(fields[4]);
      if (!correct || !total || *total <= 0 || *correct < 0 || *correct > *total)
        throw fail("holds test counts that are not two whole numbers with 0 <= correct <= total, total > 0");
      reference_epoch.test_accuracy = static_cast<double>(*correct) / static_cast<double>(*total);
    }
    std::vector<ReferenceEpoch>& epochs = curves[std::string(fields[0])];
    if (reference_epoch.epoch != static_cast<int>(epochs.size()) + 1)
      throw fail("is epoch " + std::to_string(reference_epoch.epoch) + " of " + std::string(fields[0]) + ", expected " +
                 std::to_string(epochs.size() + 1));
    epochs.push_back(reference_epoch);
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
