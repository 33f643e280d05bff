#include "jiggle/io/json.hpp"

#include <string>

#include "support/catch.hpp"

TEST_CASE("JSON parses the values a safetensors header holds", "[json]") {
  const auto root = jiggle::parse_json(R"( {"a": [1, 2.5, -3e2], "b": {"c": "x\"\u0041"}, "d": true, "e": null} )");
  REQUIRE(root.kind == jiggle::JsonValue::Kind::object);
  REQUIRE(root.find("a")->items.size() == 3);
  REQUIRE(root.find("a")->items[2].number == -300.0);
  REQUIRE(root.find("b")->find("c")->text == "x\"A");
  REQUIRE(root.find("d")->boolean);
  REQUIRE(root.find("e")->kind == jiggle::JsonValue::Kind::null);
  REQUIRE(root.find("f") == nullptr);
}

TEST_CASE("JSON rejects malformed text and deep nesting with a position", "[json]") {
  REQUIRE_THROWS_WITH(jiggle::parse_json(R"({"a": })"), Catch::Contains("JSON: unexpected character at byte"));
  REQUIRE_THROWS_WITH(jiggle::parse_json(R"({"a": 1)"), Catch::Contains("unexpected end"));
  REQUIRE_THROWS_WITH(jiggle::parse_json(R"({"a": 1} x)"), Catch::Contains("unexpected text after"));
  REQUIRE_THROWS_WITH(jiggle::parse_json(std::string(10000, '[')), Catch::Contains("nested too deeply"));
}
