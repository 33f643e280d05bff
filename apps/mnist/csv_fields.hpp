#pragma once
// One line of the CSV files the MNIST program reads back, its own logs and the reference's
// curves: fields of numbers and names separated by commas, with no quoting.
#include <charconv>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

// The line's fields, split at every comma: "a,,b" has three, the middle one empty.
inline std::vector<std::string_view> csv_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  for (std::size_t start = 0;;) {
    const std::size_t comma = line.find(',', start);
    fields.push_back(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) return fields;
    start = comma + 1;
  }
}

// A whole field as a number, or nothing if any character of it is not part of one.
template <class Number>
std::optional<Number> csv_number(std::string_view field) {
  Number value{};
  const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (field.empty() || error != std::errc() || end != field.data() + field.size()) return std::nullopt;
  return value;
}
