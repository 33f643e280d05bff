#include "jiggle/io/json.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "support/catch.hpp"

TEST_CASE("JSON parses the values a safetensors header holds", "[json]") {
  const auto root = jiggle::parse_json(R"( {"a": [1, 2.5, -3e2], "b": {"c": "x\"\u0041"}, "d": true, "e": null} )");
  REQUIRE(root.kind == jiggle::JsonValue::Kind::object);
  REQUIRE(root.find("a")->items.size() == 3);
  REQUIRE(root.find("a")->items[2].number == -300.0);
  REQUIRE(root.find("a")->items[2].text == "-3e2");
  REQUIRE(root.find("b")->find("c")->text == "x\"A");
  REQUIRE(root.find("d")->boolean);
  REQUIRE(root.find("e")->kind == jiggle::JsonValue::Kind::null);
  REQUIRE(root.find("f") == nullptr);
}

TEST_CASE("JSON accepts every form of RFC 8259's number grammar", "[json]") {
  const std::vector<std::pair<std::string, double>> numbers{{"0", 0.0},
                                                            {"-0", -0.0},
                                                            {"7", 7.0},
                                                            {"-12", -12.0},
                                                            {"0.5", 0.5},
                                                            {"-0.25", -0.25},
                                                            {"1e3", 1000.0},
                                                            {"1E+3", 1000.0},
                                                            {"25e-2", 0.25},
                                                            {"1.5e1", 15.0},
                                                            {"123456789012345678901234567890", 1.2345678901234568e29}};
  for (const auto& [text, value] : numbers) {
    INFO(text);
    const auto parsed = jiggle::parse_json(text);
    REQUIRE(parsed.kind == jiggle::JsonValue::Kind::number);
    REQUIRE(parsed.number == value);
    REQUIRE(parsed.text == text);
  }
}

TEST_CASE("JSON decodes escapes, surrogate pairs and UTF-8 in strings", "[json]") {
  REQUIRE(jiggle::parse_json(R"("\b\f\n\r\t\/\\")").text == "\b\f\n\r\t/\\");
  REQUIRE(jiggle::parse_json(R"("\u00e9\u20AC")").text == "\xC3\xA9\xE2\x82\xAC");
  REQUIRE(jiggle::parse_json(R"("\ud83d\ude00")").text == "\xF0\x9F\x98\x80");  // U+1F600 from its pair
  REQUIRE(jiggle::parse_json("\"\xF0\x9F\x98\x80 caf\xC3\xA9\"").text == "\xF0\x9F\x98\x80 caf\xC3\xA9");
}

TEST_CASE("JSON rejects malformed documents naming the problem and its byte offset", "[json]") {
  struct Case {
    std::string document;
    std::string expected;
  };
  const std::vector<Case> cases{
      {R"({"a": })", "unexpected character at byte 6"},
      {R"({"a": 1)", "unexpected end at byte 7"},
      {R"({"a": 1} x)", "unexpected text after the JSON value at byte 9"},
      {"", "unexpected end at byte 0"},
      {"[1.2.3]", "expected ',' or ']' at byte 4"},
      {"[1.]", "bad number: expected a digit after the decimal point at byte 3"},
      {"[.5]", "unexpected character at byte 1"},
      {"[01]", "bad number: leading zero at byte 2"},
      {"[-01]", "bad number: leading zero at byte 3"},
      {"[-]", "bad number: expected a digit after '-' at byte 2"},
      {"[+1]", "unexpected character at byte 1"},
      {"[1e]", "bad number: expected a digit in the exponent at byte 3"},
      {"[1e+]", "bad number: expected a digit in the exponent at byte 4"},
      {"[1.5e--3]", "bad number: expected a digit in the exponent at byte 6"},
      {"[0x10]", "expected ',' or ']' at byte 2"},
      {"[1e400]", "number 1e400 is out of a double's range at byte 1"},
      {"[NaN]", "unexpected character at byte 1"},
      {"[Infinity]", "unexpected character at byte 1"},
      {"[tru]", "unexpected character at byte 1"},
      {"[nul]", "unexpected character at byte 1"},
      {R"({"a": 1, "a": 2})", "duplicate key \"a\" at byte 9"},
      {R"({"a": {"b": 1, "b": 1}})", "duplicate key \"b\" at byte 15"},
      {R"(["\x"])", "bad escape in a string at byte 2"},
      {R"(["\u12G4"])", "bad \\u escape: expected four hex digits at byte 6"},
      {R"(["\ud800"])", "high surrogate in a \\u escape without its low surrogate at byte 2"},
      {R"(["\ud800\u0041"])", "high surrogate in a \\u escape without its low surrogate at byte 2"},
      {R"(["a\udc00"])", "lone low surrogate in a \\u escape at byte 3"},
      {"[\"a\tb\"]", "unescaped control character in a string at byte 3"},
      {"[\"a\nb\"]", "unescaped control character in a string at byte 3"},
      {"[\"\x80\"]", "invalid UTF-8 in a string at byte 2"},
      {"[\"\xC0\xAF\"]", "invalid UTF-8 in a string at byte 2"},          // an overlong '/'
      {"[\"\xED\xA0\x80\"]", "invalid UTF-8 in a string at byte 2"},      // an encoded surrogate
      {"[\"\xF4\x90\x80\x80\"]", "invalid UTF-8 in a string at byte 2"},  // above U+10FFFF
      {"[\"\xE2\x82\"]", "invalid UTF-8 in a string at byte 2"},          // cut short
      {R"(["abc)", "unexpected end inside a string at byte 5"},
      {R"({"a" 1})", "expected ':' at byte 5"},
      {R"({1: 2})", "expected a string key at byte 1"},
      {R"({"a": 1,})", "expected a string key at byte 8"},
      {"[1,]", "unexpected character at byte 3"},
      {"[1 2]", "expected ',' or ']' at byte 3"},
      {"\xEF\xBB\xBF{}", "unexpected character at byte 0"},  // a byte-order mark
  };
  for (const auto& c : cases) {
    INFO(c.document);
    REQUIRE_THROWS_AS(jiggle::parse_json(c.document), jiggle::Error);
    REQUIRE_THROWS_WITH(jiggle::parse_json(c.document), "JSON: " + c.expected);
  }
  REQUIRE_THROWS_WITH(jiggle::parse_json(std::string(10000, '[')), Catch::Contains("nested too deeply"));
}

TEST_CASE("JSON refuses more values than memory should hold for a header", "[json]") {
  // The array and 2^18 - 1 numbers in it are 2^18 values: the most a document may hold.
  auto array_of = [](std::size_t numbers) {
    std::string document = "[";
    for (std::size_t i = 0; i < numbers; ++i) document += i ? ",0" : "0";
    return document + "]";
  };
  constexpr std::size_t kMost = std::size_t{1} << 18;
  REQUIRE(jiggle::parse_json(array_of(kMost - 1)).items.size() == kMost - 1);
  REQUIRE_THROWS_WITH(jiggle::parse_json(array_of(kMost)), Catch::Contains("JSON: more than 262144 values at byte"));
}

TEST_CASE("json_to_uint64 takes whole numbers up to its maximum and nothing else", "[json]") {
  constexpr std::uint64_t all = std::numeric_limits<std::uint64_t>::max();
  auto convert = [](const std::string& text, std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) {
    return jiggle::json_to_uint64(jiggle::parse_json(text), max, "shape[0]");
  };
  REQUIRE(convert("0") == 0);
  REQUIRE(convert("9007199254740992") == (std::uint64_t{1} << 53));
  REQUIRE(convert("9007199254740993") == (std::uint64_t{1} << 53) + 1);  // a double would say 2^53
  REQUIRE(convert("9223372036854775808") == (std::uint64_t{1} << 63));
  REQUIRE(convert("18446744073709551615") == all);
  REQUIRE(convert("1000", 1000) == 1000);

  const std::string expected = "shape[0]: expected a whole number from 0 to ";
  REQUIRE_THROWS_WITH(convert("18446744073709551616"), expected + std::to_string(all) + ", found 18446744073709551616");
  REQUIRE_THROWS_WITH(convert("1001", 1000), expected + "1000, found 1001");
  REQUIRE_THROWS_WITH(convert("1e30"), Catch::Contains("found 1e30 (written with a fraction or an exponent)"));
  REQUIRE_THROWS_WITH(convert("1e3"), Catch::Contains("found 1e3 (written with a fraction or an exponent)"));
  REQUIRE_THROWS_WITH(convert("1.5"), Catch::Contains("found 1.5 (written with a fraction or an exponent)"));
  REQUIRE_THROWS_WITH(convert("2.0"), Catch::Contains("found 2.0 (written with a fraction or an exponent)"));
  REQUIRE_THROWS_WITH(convert("-1"), Catch::Contains("found -1 (negative)"));
  REQUIRE_THROWS_WITH(convert("\"7\""), expected + std::to_string(all) + ", found a string");
  REQUIRE_THROWS_WITH(convert("[7]"), Catch::Contains("found an array"));
  REQUIRE_THROWS_WITH(convert("null"), Catch::Contains("found null"));
}

TEST_CASE("json_string quotes and escapes text so the parser reads it back", "[json]") {
  const std::string text = "a \"quoted\" back\\slash, a tab\t and a newline\n, é";
  REQUIRE(jiggle::json_string("layers.0.weight") == "\"layers.0.weight\"");
  REQUIRE(jiggle::parse_json(jiggle::json_string(text)).text == text);
  for (const char* invalid : {"caf\xE9", "\xC3", "\xED\xA0\x80", "ok\xFF"})
    REQUIRE_THROWS_WITH(jiggle::json_string(invalid),
                        Catch::StartsWith("JSON: cannot write a string that is not valid UTF-8"));
  REQUIRE_THROWS_WITH(jiggle::json_string("caf\xE9"), "JSON: cannot write a string that is not valid UTF-8 (byte 3)");
}
