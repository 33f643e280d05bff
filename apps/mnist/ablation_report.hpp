#pragma once
// The report of a results folder: a Markdown table with a line per row of the ablation table
// that ran (its accuracy beside the reference's, over every seed it ran with), a table of each
// reference row's training-loss curve against the reference's logged one, and, per family of
// rows, an SVG of training loss and test accuracy by epoch with the reference's curves dashed.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "jiggle/io/safe_file.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/random.hpp"
#include "median.hpp"
#include "networks.hpp"
#include "reference_curves.hpp"
#include "results_folder.hpp"
#include "seed_statistics.hpp"
#include "svg_plot.hpp"
#include "training_configs.hpp"

namespace report_detail {

inline jiggle::Index parameters_of(std::string_view network) {
  return with_network(network, []<class Model>(std::type_identity<Model>, const NetworkInfo&) {
    jiggle::Rng rng(0);
    Model model(rng);
    return jiggle::parameter_count(model);
  });
}

inline std::string with_thousands(long long value) {
  const std::string digits = std::to_string(value);
  std::string text;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') text += ',';
    text += digits[i];
  }
  return text;
}

inline std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

// "linear/shallow" → "linear-shallow", "CNN" → "cnn": the family's file name.
inline std::string slug(std::string_view family) {
  std::string text;
  for (const char c : family) text += c == '/' || c == ' ' ? '-' : static_cast<char>(std::tolower(c));
  return text;
}

// Mean, sample deviation and range of a row's accuracies over its seeds, in %.
inline std::string over_seeds(const std::vector<double>& accuracies) {
  const SeedSpread spread = spread_of(accuracies);
  std::string text = format("%.2f %%", spread.mean);
  if (spread.seeds > 1)
    text += format(" ± %.2f", spread.deviation) + " (" + format("%.2f", spread.lowest) + "–" +
            format("%.2f", spread.highest) + ", " + std::to_string(spread.seeds) + " seeds)";
  return text;
}

// The reference's figure against a row's seeds: the difference of the means, and where the figure
// falls among the seeds.
inline std::string difference_text(double reference, const std::vector<double>& accuracies) {
  const SeedSpread spread = spread_of(accuracies);
  std::string text = format("%+.2f", spread.mean - reference);
  if (spread.seeds > 1) {
    switch (place_among(reference, spread)) {
      case PlaceAmongSeeds::below: text += "; the reference below every seed"; break;
      case PlaceAmongSeeds::above: text += "; the reference above every seed"; break;
      case PlaceAmongSeeds::inside: text += "; the reference inside the seeds' range"; break;
    }
  }
  return text;
}

// A row's final test accuracies over its seeds, in %: on all 10,000 test images, and on the first
// 9,984 (the reference's measure) where every run logged them.
struct FinalAccuracies {
  std::vector<double> all_images;
  std::vector<double> first_9984;
  bool measured_as_the_reference = false;
  // What the reference's figure is compared with.
  const std::vector<double>& compared() const { return measured_as_the_reference ? first_9984 : all_images; }
};

inline FinalAccuracies final_accuracies(const std::vector<const RunRecord*>& runs) {
  FinalAccuracies accuracies;
  for (const RunRecord* run : runs) {
    const EpochRecord& last = run->epochs.back();
    accuracies.all_images.push_back(100.0 * last.test_accuracy);
    if (last.test_accuracy_9984) accuracies.first_9984.push_back(100.0 * *last.test_accuracy_9984);
  }
  accuracies.measured_as_the_reference = accuracies.first_9984.size() == runs.size();
  return accuracies;
}

// One line of the table: the runs of one row, over their seeds. The reference's figure is compared
// with its own measure, the first 9,984 test images, where every run logged it.
inline std::string table_line(const std::vector<const RunRecord*>& runs) {
  const TrainingConfig& row = *runs.front()->row;
  const FinalAccuracies accuracies = final_accuracies(runs);
  std::vector<double> seconds;
  std::size_t epochs = 0;
  for (const RunRecord* run : runs) {
    for (const EpochRecord& e : run->epochs) seconds.push_back(e.seconds);
    epochs = std::max(epochs, run->epochs.size());
  }
  std::string reference = "–";
  std::string difference = "–";
  if (row.reference_accuracy > 0) {
    reference = format("%.2f %%", row.reference_accuracy);
    difference = difference_text(row.reference_accuracy, accuracies.compared());
    if (!accuracies.measured_as_the_reference) difference += " (against all 10,000)";
  } else if (row.from_reference) {
    reference = "not logged";
  }
  return "| " + std::string(row.name) + " | " + std::string(row.network) + " | " +
         with_thousands(parameters_of(row.network)) + " | " + recipe_text(row) + " | " + std::to_string(epochs) +
         " | " + reference + " | " +
         (accuracies.measured_as_the_reference ? over_seeds(accuracies.first_9984) : std::string("–")) + " | " +
         over_seeds(accuracies.all_images) + " | " + difference + " | " + format("%.2f", median(seconds)) + " |\n";
}

// "a", "a and b", "a, b and c".
inline std::string listed(const std::vector<std::string_view>& names) {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i)
    text += std::string(i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + std::string(names[i]);
  return text;
}

// How many rows have the reference's figure outside their seeds' range, against how many would if
// jiggle trained exactly as the reference did: the reference's run would then be one more draw of
// each row. Empty when no logged row ran with several seeds.
inline std::string outside_range_summary(const std::vector<std::vector<const RunRecord*>>& rows) {
  std::size_t rows_with_seeds = 0;
  double expected = 0.0;
  std::vector<std::string_view> reference_below;
  std::vector<std::string_view> reference_above;
  for (const auto& runs : rows) {
    const TrainingConfig& row = *runs.front()->row;
    if (row.reference_accuracy <= 0 || runs.size() < 2) continue;
    const FinalAccuracies accuracies = final_accuracies(runs);
    const SeedSpread spread = spread_of(accuracies.compared());
    ++rows_with_seeds;
    expected += chance_outside(spread.seeds);
    const PlaceAmongSeeds place = place_among(row.reference_accuracy, spread);
    if (place == PlaceAmongSeeds::below) reference_below.push_back(row.name);
    if (place == PlaceAmongSeeds::above) reference_above.push_back(row.name);
  }
  if (rows_with_seeds == 0) return "";
  const std::size_t outside = reference_below.size() + reference_above.size();
  std::string text = "Rows with a reference figure that ran with several seeds: " + std::to_string(rows_with_seeds) +
                     "; with the figure outside their seeds' range: " + std::to_string(outside);
  std::vector<std::string> where;
  if (!reference_below.empty()) where.push_back("below every seed: " + listed(reference_below));
  if (!reference_above.empty()) where.push_back("above every seed: " + listed(reference_above));
  if (!where.empty()) text += " (" + where.front() + (where.size() > 1 ? "; " + where.back() : "") + ")";
  return text + ". Were the reference's run one more draw of each row, " + format("%.1f", expected) +
         " would lie outside (2/(n + 1) for a row of n seeds).\n";
}

// A row's first seed against the reference's logged curve: the loss at epoch 1 and at the last
// epoch beside the reference's, the relative gaps, the final accuracies on 9,984 images, and the
// epochs at which every seed's curve misses the reference's beyond what the seeds' spread explains.
inline std::string curve_line(const std::vector<const RunRecord*>& runs, const std::vector<ReferenceEpoch>& reference) {
  std::vector<std::vector<double>> losses_by_seed;
  for (const RunRecord* run : runs) {
    losses_by_seed.emplace_back();
    for (const EpochRecord& e : run->epochs) losses_by_seed.back().push_back(e.train_loss);
  }
  const RunRecord& run = *runs.front();
  const std::vector<double>& losses = losses_by_seed.front();
  const CurveGap gap = curve_gap(losses, reference);
  const std::size_t last = std::min(losses.size(), reference.size()) - 1;
  std::string accuracy = "–";
  const std::optional<double> ours = run.epochs.back().test_accuracy_9984;
  const std::optional<double> theirs = reference.back().test_accuracy;
  if (ours && theirs && run.epochs.size() == reference.size())
    accuracy = format("%.2f %%", 100.0 * *ours) + " (" + format("%.2f", 100.0 * *theirs) + "), " +
               format("%+.2f", 100.0 * (*ours - *theirs));
  std::string unexplained;
  for (const int epoch : unexplained_epochs(losses_by_seed, reference))
    unexplained += (unexplained.empty() ? "" : ", ") + std::to_string(epoch);
  return "| " + std::string(run.row->name) + " | " + std::to_string(run.seed) + " | " + format("%.4g", losses.front()) +
         " (" + format("%.4g", reference.front().train_loss) + ") | " + format("%.1f %%", 100.0 * gap.first_epoch) +
         " | " + format("%.4g", losses[last]) + " (" + format("%.4g", reference[last].train_loss) + ") | " +
         (gap.largest_later_epoch ? format("%.1f %%", 100.0 * gap.largest_later) + " (epoch " +
                                        std::to_string(gap.largest_later_epoch) + ")"
                                  : std::string("–")) +
         " | " + accuracy + " | " + std::to_string(runs.size()) + " | " + (unexplained.empty() ? "none" : unexplained) +
         " |\n";
}

// Training loss and test accuracy by epoch, a line per row (its first seed), and the reference's
// logged curve for each row that has one, dashed in the row's colour.
inline std::string family_figure(const std::vector<std::vector<const RunRecord*>>& rows,
                                 const ReferenceCurves& references) {
  Chart loss{.title = "training loss", .x_label = "epoch", .log_y = true, .series = {}};
  Chart accuracy{.title = "test accuracy (%)", .x_label = "epoch", .log_y = false, .series = {}};
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const RunRecord& run = *rows[k].front();
    Series losses{.name = std::string(run.row->name) + " (seed " + std::to_string(run.seed) + ")",
                  .x = {},
                  .y = {},
                  .colour = k,
                  .dashed = false};
    Series accuracies = losses;
    for (const EpochRecord& e : run.epochs) {
      losses.x.push_back(e.epoch);
      losses.y.push_back(e.train_loss);
      accuracies.x.push_back(e.epoch);
      accuracies.y.push_back(100.0 * e.test_accuracy_9984.value_or(e.test_accuracy));
    }
    loss.series.push_back(std::move(losses));
    accuracy.series.push_back(std::move(accuracies));
  }
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto reference = references.find(rows[k].front()->row->name);
    if (reference == references.end()) continue;
    Series losses{.name = std::string(reference->first) + " (the reference's log)",
                  .x = {},
                  .y = {},
                  .colour = k,
                  .dashed = true};
    Series accuracies = losses;
    for (const ReferenceEpoch& e : reference->second) {
      losses.x.push_back(e.epoch);
      losses.y.push_back(e.train_loss);
      if (!e.test_accuracy) continue;
      accuracies.x.push_back(e.epoch);
      accuracies.y.push_back(100.0 * *e.test_accuracy);
    }
    loss.series.push_back(std::move(losses));
    accuracy.series.push_back(std::move(accuracies));
  }
  return svg_figure({loss, accuracy});
}

}  // namespace report_detail

// Writes FOLDER/report.md and FOLDER/<family>.svg; returns the Markdown.
inline std::string write_report(const std::filesystem::path& folder) {
  using namespace report_detail;
  const std::vector<RunRecord> runs = read_results(folder);
  if (runs.empty()) throw jiggle::Error(folder.string() + ": holds no run logs (NAME.seedS.csv)");
  // The runs grouped by row, in the table's order (read_results sorts them so).
  std::vector<std::vector<const RunRecord*>> rows;
  for (const RunRecord& run : runs) {
    if (rows.empty() || rows.back().front()->row != run.row) rows.emplace_back();
    rows.back().push_back(&run);
  }
  // The reference's curves travel with the source tree; a program run far from it reports without.
  std::error_code error;
  const bool has_curves = std::filesystem::is_regular_file(reference_curves_path(), error);
  const ReferenceCurves references = has_curves ? read_reference_curves(reference_curves_path()) : ReferenceCurves{};
  std::string markdown =
      "Test accuracy after the last epoch, on the first 9,984 test images (the reference's measure) and on all "
      "10,000; the mean over seeds where a row ran with several, with the sample deviation and the range.\n\n"
      "| name | network | parameters | recipe | epochs | reference | jiggle, first 9,984 | jiggle, all 10,000 | "
      "difference | s/epoch |\n"
      "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | --- | ---: |\n";
  for (const auto& row_runs : rows) markdown += table_line(row_runs);
  if (const std::string summary = outside_range_summary(rows); !summary.empty()) markdown += "\n" + summary;
  std::string curves;
  for (const auto& row_runs : rows)
    if (const auto reference = references.find(row_runs.front()->row->name); reference != references.end())
      curves += curve_line(row_runs, reference->second);
  if (!has_curves)
    markdown += "\nThe reference's logged curves were not found at " + reference_curves_path().string() +
                ", so none is compared.\n";
  if (!curves.empty())
    markdown +=
        "\nTraining loss beside the reference's logged curve (in brackets), and the relative gap |jiggle − "
        "reference| / reference: at epoch 1, and the largest over the later epochs. Accuracy on the first 9,984 test "
        "images after the last epoch, the reference's in brackets. The last column lists the epochs at which no seed "
        "comes within 15 % (epoch 1) or 10 % (later) of the reference's loss and the reference's lies outside the "
        "seeds' range.\n\n"
        "| row | seed | epoch-1 loss | gap | last loss | largest gap, epochs 2+ | accuracy | seeds | epochs "
        "unexplained |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |\n" +
        curves;
  std::map<std::string, std::vector<std::vector<const RunRecord*>>> families;
  std::vector<std::string> family_order;
  for (const auto& row_runs : rows) {
    const std::string family(row_runs.front()->row->family);
    if (!families.contains(family)) family_order.push_back(family);
    families[family].push_back(row_runs);
  }
  for (const std::string& family : family_order) {
    const std::string file = slug(family) + ".svg";
    const std::string svg = family_figure(families[family], references);
    jiggle::write_file_atomically(folder / file, [&](jiggle::FileWriter& out) { out.write(svg); });
    markdown += "\n![";
    markdown += family;
    markdown += "](";
    markdown += file;
    markdown += ")\n";
  }
  jiggle::write_file_atomically(folder / "report.md", [&](jiggle::FileWriter& out) { out.write(markdown); });
  return markdown;
}
