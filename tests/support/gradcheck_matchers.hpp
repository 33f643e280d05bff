#pragma once
#include "jiggle/check/gradcheck.hpp"
#include "support/catch.hpp"

// Prints the checker's own report (worst tensor, index, analytic vs numeric) when it fails.
#define REQUIRE_GRADCHECK_PASSES(report_expression) \
  do {                                              \
    const auto report_ = (report_expression);       \
    INFO(report_.message());                        \
    REQUIRE(report_.passed);                        \
    REQUIRE(report_.entries_checked > 0);           \
  } while (false)
