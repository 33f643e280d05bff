#pragma once
// A command line read from a table of flags: each row names a flag, shows its value and help, and
// knows how to check and store its value. A bad value is a usage error (exit 2) naming the flag
// and what it accepts, never a silent default.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jiggle/io/number_text.hpp"

struct Flag {
  std::string_view name;        // "--epochs"
  std::string_view value_name;  // "N"; empty for a switch, which takes no value
  std::string_view help;
  std::function<void(std::string_view value)> apply;
};

// low..high, each end included unless marked open: {0, false, 1, true} is [0, 1).
struct RealRange {
  double low;
  bool open_low;
  double high;
  bool open_high;
};

class CommandLine {
 public:
  CommandLine(std::string_view program, std::string_view summary) : program_(program), summary_(summary) {}

  void add(Flag flag) { flags_.push_back(std::move(flag)); }

  // What the words that are not flags mean (names of things to run); without this they are errors.
  void set_words(std::function<void(std::string_view word)> apply) { apply_word_ = std::move(apply); }

  template <class Integer>
  void add_integer(std::string_view name, std::string_view help, Integer& target, Integer lowest, Integer highest) {
    add({name, "N", help, [=, this, &target](std::string_view v) { target = integer(name, v, lowest, highest); }});
  }

  template <class Target>
  void add_real(std::string_view name, std::string_view help, Target& target, RealRange range) {
    add({name, "X", help, [=, this, &target](std::string_view v) { target = real(name, v, range); }});
  }

  template <class Target>
  void add_switch(std::string_view name, std::string_view help, Target& target, Target value) {
    add({name, "", help, [=, &target](std::string_view) { target = value; }});
  }

  // A flag that takes one of a few words, each standing for a value: {{"fp32", fp32}, {"bf16", bf16}}.
  template <class Target>
  void add_choice(std::string_view name, std::string_view value_name, std::string_view help, Target& target,
                  std::vector<std::pair<std::string_view, Target>> choices) {
    add({name, value_name, help, [=, this, &target](std::string_view word) {
           std::string words;
           for (std::size_t i = 0; i < choices.size(); ++i) {
             if (word == choices[i].first) {
               target = choices[i].second;
               return;
             }
             words += std::string(i == 0                    ? ""
                                  : i + 1 == choices.size() ? " or "
                                                            : ", ") +
                      std::string(choices[i].first);
           }
           usage_error(std::string(name) + " takes " + words + ", got '" + std::string(word) + "'");
         }});
  }

  template <class Target>
  void add_text(std::string_view name, std::string_view value_name, std::string_view help, Target& target) {
    add({name, value_name, help, [&target](std::string_view v) { target = v; }});
  }

  [[noreturn]] void usage_error(const std::string& problem) const {
    std::fprintf(stderr, "%.*s: %s\n(%.*s --help lists every flag)\n", static_cast<int>(program_.size()),
                 program_.data(), problem.c_str(), static_cast<int>(program_.size()), program_.data());
    std::exit(2);
  }

  void print_help() const {
    std::printf("usage: %.*s\n%.*s\n\n", static_cast<int>(program_.size()), program_.data(),
                static_cast<int>(summary_.size()), summary_.data());
    for (const Flag& flag : flags_) {
      const std::string left =
          std::string(flag.name) + (flag.value_name.empty() ? "" : " ") + std::string(flag.value_name);
      std::printf("  %-22s %.*s\n", left.c_str(), static_cast<int>(flag.help.size()), flag.help.data());
    }
    std::printf("  %-22s this text\n", "--help");
  }

  // Applies the words, then the flags, each in order; --help prints the flags and exits.
  void parse(int argc, char** argv) const {
    const std::vector<std::string_view> arguments(argv + 1, argv + argc);
    for (const bool words : {true, false}) {
      for (std::size_t i = 0; i < arguments.size(); ++i) {
        if (!arguments[i].starts_with("-")) {
          if (!apply_word_) usage_error("unexpected word '" + std::string(arguments[i]) + "'");
          if (words) apply_word_(arguments[i]);
          continue;
        }
        if (arguments[i] == "--help") {
          if (!words) {
            print_help();
            std::exit(0);
          }
          continue;
        }
        const Flag& flag = find(arguments[i]);
        std::string_view value;
        if (!flag.value_name.empty()) {
          if (i + 1 >= arguments.size())
            usage_error(std::string(flag.name) + " needs a value " + std::string(flag.value_name));
          value = arguments[++i];
        }
        if (!words) flag.apply(value);
      }
    }
  }

  // An integer in [lowest, highest].
  template <class Integer>
  Integer integer(std::string_view flag, std::string_view text, Integer lowest, Integer highest) const {
    Integer value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < lowest || value > highest)
      usage_error(std::string(flag) + " takes a whole number in [" + std::to_string(lowest) + ", " +
                  std::to_string(highest) + "], got '" + std::string(text) + "'");
    return value;
  }

  // A finite real number within the range.
  double real(std::string_view flag, std::string_view text, RealRange range) const {
    double value = 0.0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    const bool above_low = range.open_low ? value > range.low : value >= range.low;
    const bool below_high = range.open_high ? value < range.high : value <= range.high;
    if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || !above_low || !below_high)
      usage_error(std::string(flag) + " takes a number in " + (range.open_low ? "(" : "[") +
                  jiggle::shortest_text(range.low) + ", " + jiggle::shortest_text(range.high) +
                  (range.open_high ? ")" : "]") + ", got '" + std::string(text) + "'");
    return value;
  }

 private:
  const Flag& find(std::string_view name) const {
    for (const Flag& flag : flags_)
      if (flag.name == name) return flag;
    usage_error("unknown flag '" + std::string(name) + "'");
  }

  std::string_view program_;
  std::string_view summary_;
  std::vector<Flag> flags_;
  std::function<void(std::string_view)> apply_word_;
};
