#pragma once
// A double as text that reads back as the same double, in its shortest such form: "0.1" stays
// "0.1", and every bit survives a trip through a file's metadata or a command line.
#include <charconv>
#include <string>

namespace jiggle {

inline std::string shortest_text(double value) {
  char buffer[32];  // the longest shortest form of a double, "-2.2250738585072014e-308", is 24
  const auto written = std::to_chars(buffer, buffer + sizeof buffer, value);
  return {buffer, written.ptr};
}

}  // namespace jiggle
