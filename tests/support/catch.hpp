// Catch2 v3 where installed, else v2 (Debian 12 ships 2.13). A guard, not #pragma once: the
// mutation script's precompiled header reads this file from another copy of the tree than the
// test file it serves.
#ifndef JIGGLE_TESTS_SUPPORT_CATCH_HPP
#define JIGGLE_TESTS_SUPPORT_CATCH_HPP
#if __has_include(<catch2/catch_all.hpp>)
#include <catch2/catch_all.hpp>
#define JIGGLE_SKIP(reason) SKIP(reason)
using Catch::Approx;
namespace Catch {
inline auto Contains(const std::string& text) { return Matchers::ContainsSubstring(text); }
}  // namespace Catch
#else
#include <catch2/catch.hpp>
// Catch2 v2 has no SKIP: the test says so and CTest, matching "SKIPPED:", reports it skipped.
#define JIGGLE_SKIP(reason)      \
  do {                           \
    WARN("SKIPPED: " << reason); \
    return;                      \
  } while (false)
#endif
#endif  // JIGGLE_TESTS_SUPPORT_CATCH_HPP
