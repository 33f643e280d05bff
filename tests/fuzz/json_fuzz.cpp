// libFuzzer harness for parse_json and json_to_uint64. A document the parser accepts must keep
// its promises: unique keys, valid UTF-8 strings, numbers whose text parses back to the same
// value, and json_to_uint64 answering from the text alone. jiggle::Error is the right answer to
// bad JSON; any other exception, a broken promise, a crash or a sanitizer report is a finding.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <system_error>

#include "jiggle/io/json.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

bool valid_utf8(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length = jiggle::json_detail::utf8_sequence_length(text, at);
    if (length == 0) return false;
    at += length;
  }
  return true;
}

void check_uint64(const jiggle::JsonValue& number, std::uint64_t max) {
  bool digits_only = !number.text.empty();
  for (const char c : number.text) digits_only = digits_only && c >= '0' && c <= '9';
  try {
    const std::uint64_t value = jiggle::json_to_uint64(number, max, "fuzz");
    require(digits_only && value <= max && std::to_string(value) == number.text);
  } catch (const jiggle::Error&) {
    // Refused: then the text is not a whole number, or it is above max.
    if (digits_only) {
      std::uint64_t parsed = 0;
      const auto [end, error] = std::from_chars(number.text.data(), number.text.data() + number.text.size(), parsed);
      require(error == std::errc::result_out_of_range || parsed > max);
    }
  }
}

void check(const jiggle::JsonValue& value) {
  using Kind = jiggle::JsonValue::Kind;
  switch (value.kind) {
    case Kind::object: {
      require(value.keys.size() == value.values.size() && value.items.empty());
      std::set<std::string> keys(value.keys.begin(), value.keys.end());
      require(keys.size() == value.keys.size());
      for (std::size_t i = 0; i < value.keys.size(); ++i) {
        require(valid_utf8(value.keys[i]));
        require(value.find(value.keys[i]) == &value.values[i]);
        check(value.values[i]);
      }
      break;
    }
    case Kind::array:
      require(value.keys.empty() && value.values.empty());
      for (const auto& item : value.items) check(item);
      break;
    case Kind::string: require(valid_utf8(value.text)); break;
    case Kind::number: {
      const jiggle::JsonValue again = jiggle::parse_json(value.text);
      require(again.kind == Kind::number && again.text == value.text);
      require(again.number == value.number);
      check_uint64(value, std::numeric_limits<std::uint64_t>::max());
      check_uint64(value, 1000);
      check_uint64(value, 0);
      break;
    }
    case Kind::null:
    case Kind::boolean: require(value.text.empty() && value.items.empty() && value.keys.empty()); break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  jiggle::JsonValue root;
  try {
    root = jiggle::parse_json(text);
  } catch (const jiggle::Error&) {
    return 0;
  }
  check(root);
  try {
    (void)jiggle::json_to_uint64(root, 1, "fuzz");
  } catch (const jiggle::Error&) {
  }
  return 0;
}
