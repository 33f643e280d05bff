#pragma once
// A results folder: for each run of a row, NAME.seedS.csv (a row per epoch), NAME.seedS.safetensors
// (the trained weights, written when the run ends) and NAME.seedS.state.safetensors (the training
// state after each epoch, from which an interrupted run resumes).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "csv_fields.hpp"
#include "jiggle/error.hpp"
#include "training_configs.hpp"

inline std::filesystem::path run_file(const std::filesystem::path& folder, std::string_view row, std::uint64_t seed,
                                      std::string_view suffix) {
  return folder / (std::string(row) + ".seed" + std::to_string(seed) + std::string(suffix));
}

struct EpochRecord {
  int epoch = 0;
  double train_loss = 0.0;
  double test_accuracy = 0.0;  // a fraction, as the log holds it
  double seconds = 0.0;
  std::optional<double> test_accuracy_9984;  // on the first 9,984 test images; logs before it lack it
};

struct RunRecord {
  const TrainingConfig* row = nullptr;
  std::uint64_t seed = 0;
  std::vector<EpochRecord> epochs;
};

namespace results_detail {

inline constexpr std::string_view kHeader = "epoch,train_loss,test_accuracy,seconds,test_accuracy_9984";
inline constexpr std::string_view kHeaderBefore9984 = "epoch,train_loss,test_accuracy,seconds";

// "linear-sgd.seed3.csv" → the row linear-sgd and seed 3; nothing for another file.
inline std::optional<RunRecord> name_of_log(const std::string& file_name) {
  constexpr std::string_view kSuffix = ".csv";
  if (!file_name.ends_with(kSuffix)) return std::nullopt;
  const std::string_view stem(file_name.data(), file_name.size() - kSuffix.size());
  const auto dot = stem.rfind(".seed");
  if (dot == std::string_view::npos) return std::nullopt;
  RunRecord run;
  run.row = find_training_config(stem.substr(0, dot));
  const std::optional<std::uint64_t> seed = csv_number<std::uint64_t>(stem.substr(dot + 5));
  if (run.row == nullptr || !seed) return std::nullopt;
  run.seed = *seed;
  return run;
}

}  // namespace results_detail

// A reference row's log without the 9,984-image column was written before the reference rows
// trained as the reference did, so it is refused rather than reported, or skipped as finished, as
// a run of the row. An SGD row's -plain twin trains as such a run did.
inline void check_log_is_of_row(const std::filesystem::path& path, const TrainingConfig& row) {
  if (!row.from_reference) return;
  std::ifstream in(path);
  std::string header;
  if (!in || !std::getline(in, header) || header != results_detail::kHeaderBefore9984) return;
  const std::string plain = std::string(row.name) + "-plain";
  throw jiggle::Error(
      path.string() + ": was written before " + std::string(row.name) +
      " trained as the reference did (the log has no test_accuracy_9984 column); move the run out of "
      "the folder" +
      (find_training_config(plain) ? ", or rename its files to " + plain + ", which trains as it did" : std::string()));
}

// The epochs of one run's log; a log that is not one names its file, the line and what is wrong.
inline std::vector<EpochRecord> read_epoch_log(const std::filesystem::path& path) {
  using results_detail::kHeader;
  using results_detail::kHeaderBefore9984;
  std::ifstream in(path);
  if (!in) throw jiggle::Error(path.string() + ": cannot be read");
  std::string line;
  if (!std::getline(in, line) || (line != kHeader && line != kHeaderBefore9984))
    throw jiggle::Error(path.string() + ": line 1 is neither the header '" + std::string(kHeader) + "' nor '" +
                        std::string(kHeaderBefore9984) + "'");
  // A run resumed from a state written before the last column keeps its earlier rows without it:
  // under the new header, rows of four fields may come first.
  const bool has_9984 = line == kHeader;
  bool rows_of_five = false;
  std::vector<EpochRecord> epochs;
  for (int number = 2; std::getline(in, line); ++number) {
    const auto fail = [&](const std::string& what) {
      return jiggle::Error(path.string() + ": line " + std::to_string(number) + " " + what);
    };
    const std::vector<std::string_view> fields = csv_fields(line);
    rows_of_five = rows_of_five || fields.size() == 5;
    const bool shaped = fields.size() == 5 ? has_9984 : fields.size() == 4 && !rows_of_five;
    const auto epoch = shaped ? csv_number<int>(fields[0]) : std::nullopt;
    const auto train_loss = shaped ? csv_number<double>(fields[1]) : std::nullopt;
    const auto test_accuracy = shaped ? csv_number<double>(fields[2]) : std::nullopt;
    const auto seconds = shaped ? csv_number<double>(fields[3]) : std::nullopt;
    if (!epoch || !train_loss || !test_accuracy || !seconds)
      throw fail("is not " + std::string(has_9984 ? kHeader : kHeaderBefore9984) + ": '" + line.substr(0, 80) + "'");
    const auto fraction = [](double value) { return value >= 0.0 && value <= 1.0; };
    EpochRecord record{.epoch = *epoch,
                       .train_loss = *train_loss,
                       .test_accuracy = *test_accuracy,
                       .seconds = *seconds,
                       .test_accuracy_9984 = std::nullopt};
    if (fields.size() == 5 && !fields[4].empty()) {  // empty where the test set is smaller
      record.test_accuracy_9984 = csv_number<double>(fields[4]);
      if (!record.test_accuracy_9984 || !fraction(*record.test_accuracy_9984))
        throw fail("holds an accuracy on 9,984 images that is not a number in [0, 1]");
    }
    if (record.epoch != static_cast<int>(epochs.size()) + 1)
      throw fail("is epoch " + std::to_string(record.epoch) + ", expected " + std::to_string(epochs.size() + 1));
    if (!fraction(record.test_accuracy) || !(record.seconds >= 0.0) || !std::isfinite(record.seconds))
      throw fail("holds an accuracy outside [0, 1] or a time that is negative or not finite");
    if (!(record.train_loss >= 0.0) || !std::isfinite(record.train_loss))
      throw fail("holds a training loss that is negative or not finite");
    epochs.push_back(record);
  }
  return epochs;
}

// Every run's log in the folder, in the table's row order, then by seed. Other files are left
// alone; a run with no epoch logged yet is left out.
inline std::vector<RunRecord> read_results(const std::filesystem::path& folder) {
  std::error_code error;
  if (!std::filesystem::is_directory(folder, error))
    throw jiggle::Error(folder.string() + ": is not a folder of results");
  std::vector<RunRecord> runs;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    std::optional<RunRecord> run = results_detail::name_of_log(entry.path().filename().string());
    if (!run || !entry.is_regular_file()) continue;
    check_log_is_of_row(entry.path(), *run->row);
    run->epochs = read_epoch_log(entry.path());
    if (!run->epochs.empty()) runs.push_back(std::move(*run));
  }
  std::sort(runs.begin(), runs.end(),
            [](const RunRecord& a, const RunRecord& b) { return a.row != b.row ? a.row < b.row : a.seed < b.seed; });
  return runs;
}
