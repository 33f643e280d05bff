#pragma once
// The report of a results folder: a Markdown table with a line per row of the ablation table
// that ran (its accuracy beside the reference's, over every seed it ran with) and, per family of
// rows, an SVG of training loss and test accuracy by epoch.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "jiggle/io/safe_file.hpp"
#include "jiggle/layer.hpp"
#include "jiggle/random.hpp"
#include "median.hpp"
#include "networks.hpp"
#include "results_folder.hpp"
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

// One line of the table: the runs of one row, over their seeds.
inline std::string table_line(const std::vector<const RunRecord*>& runs) {
  const TrainingConfig& row = *runs.front()->row;
  std::vector<double> accuracies;
  std::vector<double> seconds;
  std::size_t epochs = 0;
  for (const RunRecord* run : runs) {
    accuracies.push_back(100.0 * run->epochs.back().test_accuracy);
    for (const EpochRecord& e : run->epochs) seconds.push_back(e.seconds);
    epochs = std::max(epochs, run->epochs.size());
  }
  const auto count = static_cast<double>(accuracies.size());
  double mean = 0.0;
  for (const double a : accuracies) mean += a / count;
  const auto [lowest, highest] = std::minmax_element(accuracies.begin(), accuracies.end());
  std::string accuracy = format("%.2f %%", mean);
  if (accuracies.size() > 1) {
    double squares = 0.0;
    for (const double a : accuracies) squares += (a - mean) * (a - mean);
    accuracy += format(" ± %.2f", std::sqrt(squares / (count - 1))) + " (" + format("%.2f", *lowest) + "–" +
                format("%.2f", *highest) + ", " + std::to_string(accuracies.size()) + " seeds)";
  }
  std::string reference = "–";
  std::string difference = "–";
  if (row.reference_accuracy > 0) {
    reference = format("%.2f %%", row.reference_accuracy);
    difference = format("%+.2f", mean - row.reference_accuracy);
    if (accuracies.size() > 1) {
      if (row.reference_accuracy < *lowest)
        difference += "; the reference below every seed";
      else if (row.reference_accuracy > *highest)
        difference += "; the reference above every seed";
      else
        difference += "; the reference inside the seeds' range";
    }
  }
  return "| " + std::string(row.name) + " | " + std::string(row.network) + " | " +
         with_thousands(parameters_of(row.network)) + " | " + recipe_text(row) + " | " + std::to_string(epochs) +
         " | " + reference + " | " + accuracy + " | " + difference + " | " + format("%.2f", median(seconds)) + " |\n";
}

// Training loss and test accuracy by epoch, a line per row (its first seed).
inline std::string family_figure(const std::vector<std::vector<const RunRecord*>>& rows) {
  Chart loss{.title = "training loss", .x_label = "epoch", .log_y = true, .series = {}};
  Chart accuracy{.title = "test accuracy (%)", .x_label = "epoch", .log_y = false, .series = {}};
  for (const auto& runs : rows) {
    const RunRecord& run = *runs.front();
    Series losses{.name = std::string(run.row->name) + " (seed " + std::to_string(run.seed) + ")", .x = {}, .y = {}};
    Series accuracies = losses;
    for (const EpochRecord& e : run.epochs) {
      losses.x.push_back(e.epoch);
      losses.y.push_back(e.train_loss);
      accuracies.x.push_back(e.epoch);
      accuracies.y.push_back(100.0 * e.test_accuracy);
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
  std::string markdown =
      "Test accuracy after the last epoch, on all 10,000 test images (the reference's on 9,984); the mean over "
      "seeds where a row ran with several, with the sample deviation and the range.\n\n"
      "| name | network | parameters | recipe | epochs | reference | jiggle | difference | s/epoch |\n"
      "| --- | --- | ---: | --- | ---: | ---: | ---: | --- | ---: |\n";
  for (const auto& row_runs : rows) markdown += table_line(row_runs);
  std::map<std::string, std::vector<std::vector<const RunRecord*>>> families;
  std::vector<std::string> family_order;
  for (const auto& row_runs : rows) {
    const std::string family(row_runs.front()->row->family);
    if (!families.contains(family)) family_order.push_back(family);
    families[family].push_back(row_runs);
  }
  for (const std::string& family : family_order) {
    const std::string file = slug(family) + ".svg";
    const std::string svg = family_figure(families[family]);
    jiggle::write_file_atomically(folder / file, [&](jiggle::FileWriter& out) { out.write(svg); });
    markdown += "\n![" + family + "](" + file + ")\n";
  }
  jiggle::write_file_atomically(folder / "report.md", [&](jiggle::FileWriter& out) { out.write(markdown); });
  return markdown;
}
