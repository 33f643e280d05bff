#pragma once
// A results folder: for each run of a row, NAME.seedS.csv (a row per epoch), NAME.seedS.safetensors
// (the trained weights, written when the run ends) and NAME.seedS.state.safetensors (the training
// state after each epoch, from which an interrupted run resumes).
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

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

template <class Number>
bool parse_field(std::string_view& line, Number& value) {
  const auto comma = line.find(',');
  const std::string_view field = line.substr(0, comma);
  const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (error != std::errc() || end != field.data() + field.size()) return false;
  line = comma == std::string_view::npos ? std::string_view{} : line.substr(comma + 1);
  return true;
}

// "linear-sgd.seed3.csv" → the row linear-sgd and seed 3; nothing for another file.
inline std::optional<RunRecord> name_of_log(const std::string& file_name) {
  constexpr std::string_view kSuffix = ".csv";
  if (!file_name.ends_with(kSuffix)) return std::nullopt;
  const std::string_view stem(file_name.data(), file_name.size() - kSuffix.size());
  const auto dot = stem.rfind(".seed");
  if (dot == std::string_view::npos) return std::nullopt;
  RunRecord run;
  run.row = find_training_config(stem.substr(0, dot));
  const std::string_view seed = stem.substr(dot + 5);
  const auto [end, error] = std::from_chars(seed.data(), seed.data() + seed.size(), run.seed);
  if (run.row == nullptr || seed.empty() || error != std::errc() || end != seed.data() + seed.size())
    return std::nullopt;
  return run;
}

}  // namespace results_detail

// The epochs of one run's log; a log that is not one names its file and line.
inline std::vector<EpochRecord> read_epoch_log(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw jiggle::Error(path.string() + ": cannot be read");
  std::string line;
  if (!std::getline(in, line) || (line != results_detail::kHeader && line != results_detail::kHeaderBefore9984))
    throw jiggle::Error(path.string() + ": line 1 is not the header '" + std::string(results_detail::kHeader) + "'");
  // A run resumed from a state written before the last column keeps its earlier rows without it.
  const bool has_9984 = line == results_detail::kHeader;
  std::vector<EpochRecord> epochs;
  for (int number = 2; std::getline(in, line); ++number) {
    EpochRecord record;
    std::string_view rest = line;
    bool parsed =
        results_detail::parse_field(rest, record.epoch) && results_detail::parse_field(rest, record.train_loss) &&
        results_detail::parse_field(rest, record.test_accuracy) && results_detail::parse_field(rest, record.seconds);
    if (parsed && has_9984 && !rest.empty()) {
      double accuracy = -1.0;
      parsed = results_detail::parse_field(rest, accuracy) && accuracy >= 0.0 && accuracy <= 1.0;
      record.test_accuracy_9984 = accuracy;
    }
    if (!parsed || !rest.empty())
      throw jiggle::Error(path.string() + ": line " + std::to_string(number) + " is not " +
                          std::string(has_9984 ? results_detail::kHeader : results_detail::kHeaderBefore9984) + ": '" +
                          line.substr(0, 80) + "'");
    if (record.epoch != static_cast<int>(epochs.size()) + 1)
      throw jiggle::Error(path.string() + ": line " + std::to_string(number) + " is epoch " +
                          std::to_string(record.epoch) + ", expected " + std::to_string(epochs.size() + 1));
    if (!(record.test_accuracy >= 0.0 && record.test_accuracy <= 1.0) || !(record.seconds >= 0.0))
      throw jiggle::Error(path.string() + ": line " + std::to_string(number) +
                          " holds an accuracy outside [0, 1] or a negative time");
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
    run->epochs = read_epoch_log(entry.path());
    if (!run->epochs.empty()) runs.push_back(std::move(*run));
  }
  std::sort(runs.begin(), runs.end(),
            [](const RunRecord& a, const RunRecord& b) { return a.row != b.row ? a.row < b.row : a.seed < b.seed; });
  return runs;
}
