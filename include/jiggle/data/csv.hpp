#pragma once
// A CSV file of numbers into an in-memory data set (data/in_memory.hpp): one sample per line, its
// features first and its targets in the last `target_columns` columns.
//
//   const jiggle::RegressionData data = jiggle::read_csv_regression("houses.csv", {.header = true});
//
// Read strictly: every line holds as many fields as the first, every field is one number with
// nothing after it (spaces around it are allowed), features and targets are finite, and class
// labels are whole numbers from 0. Anything else is a jiggle::Error naming the file, the line and
// the column, counted from 1. Lines may end in CR LF; blank lines may close the file but not
// interrupt it. Quoted fields are not CSV of numbers and are refused like any other text.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "jiggle/data/in_memory.hpp"
#include "jiggle/error.hpp"
#include "jiggle/shape.hpp"

namespace jiggle {

struct CsvOptions {
  bool header = false;     // the first line names the columns and is skipped
  int target_columns = 1;  // how many of the last columns are targets (1 for class labels)
  char separator = ',';
  std::optional<Shape> sample_shape = std::nullopt;  // the features' shape (e.g. {1, 28, 28}); default: a vector
};

namespace csv_detail {

// The numbers of a CSV file, row after row, every row as wide as the first.
struct Table {
  std::vector<float> features;
  std::vector<float> targets;
  std::vector<std::int32_t> labels;
  std::size_t rows = 0;
  std::size_t columns = 0;
};

inline std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

inline std::string quoted(std::string_view field) {
  constexpr std::size_t kShown = 40;
  return "'" + std::string(field.substr(0, kShown)) + (field.size() > kShown ? "...'" : "'");
}

// Reads `path` into `table`; labels_in_targets says whether the target columns hold class labels.
inline void read_table(const std::filesystem::path& path, const CsvOptions& options, bool labels_in_targets,
                       Table& table) {
  if (options.target_columns < 1 || (labels_in_targets && options.target_columns != 1))
    throw Error(path.string() + ": " +
                (labels_in_targets
                     ? std::string("class labels take exactly one target column")
                     : "at least one target column is needed, got " + std::to_string(options.target_columns)));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot open it");
  std::string line;
  std::size_t line_number = 0;
  std::size_t first_blank = 0;  // the first blank line seen, 0 for none yet
  const auto targets = static_cast<std::size_t>(options.target_columns);
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (options.header && line_number == 1) continue;
    const auto where = [&](std::size_t column) {
      return path.string() + ": line " + std::to_string(line_number) + ", column " + std::to_string(column) + ": ";
    };
    if (trimmed(line).empty()) {
      if (first_blank == 0) first_blank = line_number;
      continue;
    }
    if (first_blank != 0)
      throw Error(path.string() + ": line " + std::to_string(first_blank) + " is blank, but more lines follow it");
    if (table.columns == 0) {
      // The first line sets the width.
      table.columns = static_cast<std::size_t>(std::count(line.begin(), line.end(), options.separator)) + 1;
      if (table.columns <= targets)
        throw Error(path.string() + ": line " + std::to_string(line_number) + " has " + std::to_string(table.columns) +
                    " fields, but " + std::to_string(targets) + " target columns and at least one feature are needed");
    }
    std::size_t column = 0;
    std::size_t start = 0;
    while (true) {
      const std::size_t end = std::min(line.find(options.separator, start), line.size());
      ++column;
      const std::string_view field = trimmed(std::string_view(line).substr(start, end - start));
      if (column > table.columns)
        throw Error(path.string() + ": line " + std::to_string(line_number) + " has more than the " +
                    std::to_string(table.columns) + " fields of the first line");
      if (field.empty()) throw Error(where(column) + "the field is empty");
      const bool is_target = column > table.columns - targets;
      if (is_target && labels_in_targets) {
        std::int32_t label = 0;
        const auto [rest, error] = std::from_chars(field.data(), field.data() + field.size(), label);
        if (error != std::errc() || rest != field.data() + field.size() || label < 0)
          throw Error(where(column) + quoted(field) + " is not a class label (a whole number from 0 to 2147483647)");
        table.labels.push_back(label);
      } else {
        float value = 0.0f;
        const auto [rest, error] = std::from_chars(field.data(), field.data() + field.size(), value);
        if (error == std::errc::result_out_of_range)
          throw Error(where(column) + quoted(field) + " is out of the range of a float");
        if (error != std::errc() || rest != field.data() + field.size())
          throw Error(where(column) + quoted(field) + " is not a number");
        if (!std::isfinite(value)) throw Error(where(column) + quoted(field) + " is not finite");
        (is_target ? table.targets : table.features).push_back(value);
      }
      if (end == line.size()) break;
      start = end + 1;
    }
    if (column != table.columns)
      throw Error(path.string() + ": line " + std::to_string(line_number) + " has " + std::to_string(column) +
                  " fields, the first line " + std::to_string(table.columns));
    ++table.rows;
  }
  if (in.bad()) throw Error(path.string() + ": cannot read it");
  if (table.rows == 0) throw Error(path.string() + ": holds no samples");
}

inline Shape sample_shape(const std::filesystem::path& path, const CsvOptions& options, std::size_t features) {
  if (!options.sample_shape) {
    if (features > static_cast<std::size_t>(std::numeric_limits<int>::max()))
      throw Error(path.string() + ": " + std::to_string(features) + " features are too many");
    return vector_shape(static_cast<int>(features));
  }
  const Shape shape = *options.sample_shape;
  if (shape.channels <= 0 || shape.height <= 0 || shape.width <= 0 ||
      static_cast<std::size_t>(shape.channels) * static_cast<std::size_t>(shape.height) *
              static_cast<std::size_t>(shape.width) !=
          features)
    throw Error(path.string() + ": " + std::to_string(features) + " features cannot take the sample shape " +
                std::to_string(shape.channels) + "×" + std::to_string(shape.height) + "×" +
                std::to_string(shape.width));
  return shape;
}

}  // namespace csv_detail

// A CSV whose last column holds each sample's class label (0, 1, 2, ...).
inline ClassificationData read_csv_classification(const std::filesystem::path& path, const CsvOptions& options = {}) {
  csv_detail::Table table;
  csv_detail::read_table(path, options, true, table);
  const Shape shape = csv_detail::sample_shape(path, options, table.columns - 1);
  return {std::move(table.features), shape, std::move(table.labels)};
}

// A CSV whose last options.target_columns columns hold each sample's real targets.
inline RegressionData read_csv_regression(const std::filesystem::path& path, const CsvOptions& options = {}) {
  csv_detail::Table table;
  csv_detail::read_table(path, options, false, table);
  const auto target_size = static_cast<std::size_t>(options.target_columns);
  const Shape shape = csv_detail::sample_shape(path, options, table.columns - target_size);
  return {std::move(table.features), shape, std::move(table.targets), static_cast<Index>(target_size)};
}

}  // namespace jiggle
