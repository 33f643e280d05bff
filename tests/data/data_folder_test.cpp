#include "jiggle/data/data_folder.hpp"

#include <cstdlib>

#include "support/catch.hpp"

TEST_CASE("data_folder prefers JIGGLE_DATA, then the built-in folder", "[data_folder]") {
  const char* saved = std::getenv("JIGGLE_DATA");
  const std::string previous = saved ? saved : "";
  ::setenv("JIGGLE_DATA", "/from/environment", 1);
  REQUIRE(jiggle::data_folder("/built/in") == "/from/environment");
  ::setenv("JIGGLE_DATA", "", 1);
  REQUIRE(jiggle::data_folder("/built/in") == "/built/in");
  ::unsetenv("JIGGLE_DATA");
  REQUIRE(jiggle::data_folder("/built/in") == "/built/in");
  if (saved) ::setenv("JIGGLE_DATA", previous.c_str(), 1);
}
