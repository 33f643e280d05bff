#pragma once
#include <stdexcept>
#include <string>

namespace jiggle {

// Every failure jiggle reports is an Error, so a program can catch the library's complaints in
// one place and print their message, which always says what failed and where.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace jiggle
