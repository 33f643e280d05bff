#pragma once
// Just enough JSON to read a safetensors header: objects, arrays, strings, numbers, true, false
// and null, with nesting limited so that no input can exhaust the stack, and values limited so
// that none can exhaust memory: each takes about 120 bytes held against 2 of text (`[],`), so a
// header within safetensors' 100 MB would otherwise ask for gigabytes.
//
// The grammar is RFC 8259's, exactly: a header is written by another program, and a parser that
// accepts `1.2.3` or a key given twice reads something its writer never meant. So numbers follow
// the RFC's syntax, strings are valid UTF-8 with valid escapes (surrogates in pairs), object keys
// are unique, and every error names the byte offset where it was found.
//
// A number keeps the text it was written as, and json_to_uint64 reads whole numbers from that
// text: a double holds integers exactly only up to 2^53, and a cast of an out-of-range double to
// an integer is undefined behaviour. Use it, never a cast of `number`, for sizes and offsets.
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_set>
#include <utility>
#include <vector>

#include "jiggle/error.hpp"

namespace jiggle {

struct JsonValue {
  enum class Kind { null, boolean, number, string, array, object };
  Kind kind = Kind::null;
  bool boolean = false;
  double number = 0.0;  // a number's nearest double
  // A string's characters (UTF-8, escapes decoded), or a number's literal exactly as written.
  std::string text;
  std::vector<JsonValue> items;
  // An object's members, in order: keys[i] names values[i]. (Two vectors, not a vector of
  // pairs: std::vector may hold the incomplete JsonValue, std::pair may not.)
  std::vector<std::string> keys;
  std::vector<JsonValue> values;

  const JsonValue* find(std::string_view key) const {
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == key) return &values[i];
    return nullptr;
  }
};

namespace json_detail {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The length of the UTF-8 sequence starting at text[at], or 0 if it is not valid UTF-8 (a stray
// continuation byte, an overlong form, an encoded surrogate, or a code point above U+10FFFF).
inline std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  auto byte = [&](std::size_t i) { return at + i < text.size() ? static_cast<unsigned char>(text[at + i]) : 0u; };
  auto continuation = [&](std::size_t i, unsigned low = 0x80, unsigned high = 0xBF) {
    return byte(i) >= low && byte(i) <= high;
  };
  const unsigned lead = byte(0);
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
  if (lead == 0xE0) return continuation(1, 0xA0) && continuation(2) ? 3 : 0;
  if (lead == 0xED) return continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : 0;
  if (lead >= 0xE1 && lead <= 0xEF) return continuation(1) && continuation(2) ? 3 : 0;
  if (lead == 0xF0) return continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : 0;
  if (lead >= 0xF1 && lead <= 0xF3) return continuation(1) && continuation(2) && continuation(3) ? 4 : 0;
  if (lead == 0xF4) return continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : 0;
  return 0;
}

inline void append_utf8(std::string& out, std::uint32_t code) {
  auto byte = [](std::uint32_t value) { return static_cast<char>(static_cast<unsigned char>(value)); };
  if (code < 0x80) {
    out += byte(code);
  } else if (code < 0x800) {
    out += byte(0xC0 | (code >> 6));
    out += byte(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += byte(0xE0 | (code >> 12));
    out += byte(0x80 | ((code >> 6) & 0x3F));
    out += byte(0x80 | (code & 0x3F));
  } else {
    out += byte(0xF0 | (code >> 18));
    out += byte(0x80 | ((code >> 12) & 0x3F));
    out += byte(0x80 | ((code >> 6) & 0x3F));
    out += byte(0x80 | (code & 0x3F));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  JsonValue parse_document() {
    JsonValue value = parse_value(0);
    skip_space();
    if (at_ < text_.size()) fail("unexpected text after the JSON value");
    return value;
  }

 private:
  static constexpr int kMaxDepth = 64;
  // About 30 MB of values: a header of 25,000 tensors of four dimensions needs 250,000.
  static constexpr std::size_t kMaxValues = std::size_t{1} << 18;

  [[noreturn]] void fail(const std::string& problem) const { fail_at(problem, at_); }
  [[noreturn]] static void fail_at(const std::string& problem, std::size_t offset) {
    throw Error("JSON: " + problem + " at byte " + std::to_string(offset));
  }

  void skip_space() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\r' || text_[at_] == '\t'))
      ++at_;
  }

  char next() {
    if (at_ >= text_.size()) fail("unexpected end");
    return text_[at_++];
  }

  bool next_is(char c) const { return at_ < text_.size() && text_[at_] == c; }

  void expect(char wanted) {
    skip_space();
    if (next() != wanted) fail_at(std::string("expected '") + wanted + "'", at_ - 1);
  }

  JsonValue parse_value(int depth) {
    if (depth > kMaxDepth) fail("nested too deeply");
    if (++values_ > kMaxValues) fail("more than " + std::to_string(kMaxValues) + " values");
    skip_space();
    if (at_ >= text_.size()) fail("unexpected end");
    const char c = text_[at_];
    if (c == '{') return parse_object(depth);
    if (c == '[') return parse_array(depth);
    JsonValue value;
    if (c == '"') {
      value.kind = JsonValue::Kind::string;
      value.text = parse_string();
    } else if (c == '-' || is_digit(c)) {
      parse_number(value);
    } else if (take_word("true")) {
      value.kind = JsonValue::Kind::boolean;
      value.boolean = true;
    } else if (take_word("false")) {
      value.kind = JsonValue::Kind::boolean;
    } else if (!take_word("null")) {
      fail("unexpected character");
    }
    return value;
  }

  bool take_word(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  JsonValue parse_object(int depth) {
    JsonValue value;
    value.kind = JsonValue::Kind::object;
    ++at_;  // the '{'
    skip_space();
    if (next_is('}')) {
      ++at_;
      return value;
    }
    std::unordered_set<std::string> seen;
    while (true) {
      skip_space();
      if (!next_is('"')) fail("expected a string key");
      const std::size_t key_offset = at_;
      std::string key = parse_string();
      if (!seen.insert(key).second) fail_at("duplicate key \"" + key + "\"", key_offset);
      expect(':');
      value.keys.push_back(std::move(key));
      value.values.push_back(parse_value(depth + 1));
      skip_space();
      const char separator = next();
      if (separator == '}') return value;
      if (separator != ',') fail_at("expected ',' or '}'", at_ - 1);
    }
  }

  JsonValue parse_array(int depth) {
    JsonValue value;
    value.kind = JsonValue::Kind::array;
    ++at_;  // the '['
    skip_space();
    if (next_is(']')) {
      ++at_;
      return value;
    }
    while (true) {
      value.items.push_back(parse_value(depth + 1));
      skip_space();
      const char separator = next();
      if (separator == ']') return value;
      if (separator != ',') fail_at("expected ',' or ']'", at_ - 1);
    }
  }

  std::uint32_t parse_hex4() {
    std::uint32_t code = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = next();
      code <<= 4;
      if (h >= '0' && h <= '9')
        code |= static_cast<std::uint32_t>(h - '0');
      else if (h >= 'a' && h <= 'f')
        code |= static_cast<std::uint32_t>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        code |= static_cast<std::uint32_t>(h - 'A' + 10);
      else
        fail_at("bad \\u escape: expected four hex digits", at_ - 1);
    }
    return code;
  }

  // A \u escape, the "\u" already taken. A code unit of a surrogate pair must come with its
  // other half; alone it encodes no character, and as UTF-8 it would be invalid.
  std::uint32_t parse_unicode_escape() {
    const std::size_t escape_offset = at_ - 2;
    const std::uint32_t code = parse_hex4();
    if (code >= 0xDC00 && code <= 0xDFFF) fail_at("lone low surrogate in a \\u escape", escape_offset);
    if (code < 0xD800 || code > 0xDBFF) return code;
    if (!(next_is('\\') && at_ + 1 < text_.size() && text_[at_ + 1] == 'u'))
      fail_at("high surrogate in a \\u escape without its low surrogate", escape_offset);
    at_ += 2;
    const std::uint32_t low = parse_hex4();
    if (low < 0xDC00 || low > 0xDFFF)
      fail_at("high surrogate in a \\u escape without its low surrogate", escape_offset);
    return 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
  }

  std::string parse_string() {
    ++at_;  // the opening quote
    std::string result;
    while (true) {
      if (at_ >= text_.size()) fail("unexpected end inside a string");
      const auto c = static_cast<unsigned char>(text_[at_]);
      if (c == '"') {
        ++at_;
        return result;
      }
      if (c < 0x20) fail("unescaped control character in a string");
      if (c >= 0x80) {
        const std::size_t length = utf8_sequence_length(text_, at_);
        if (length == 0) fail("invalid UTF-8 in a string");
        result.append(text_.substr(at_, length));
        at_ += length;
        continue;
      }
      ++at_;
      if (c != '\\') {
        result += static_cast<char>(c);
        continue;
      }
      const char escaped = next();
      switch (escaped) {
        case '"': result += '"'; break;
        case '\\': result += '\\'; break;
        case '/': result += '/'; break;
        case 'b': result += '\b'; break;
        case 'f': result += '\f'; break;
        case 'n': result += '\n'; break;
        case 'r': result += '\r'; break;
        case 't': result += '\t'; break;
        case 'u': append_utf8(result, parse_unicode_escape()); break;
        default: fail_at("bad escape in a string", at_ - 2);
      }
    }
  }

  // number = [ "-" ] ( "0" / 1-9 *DIGIT ) [ "." 1*DIGIT ] [ ( "e" / "E" ) [ "+" / "-" ] 1*DIGIT ]
  void parse_number(JsonValue& value) {
    const std::size_t start = at_;
    auto digits = [&](const char* what) {
      if (!(at_ < text_.size() && is_digit(text_[at_]))) fail(std::string("bad number: expected a digit ") + what);
      while (at_ < text_.size() && is_digit(text_[at_])) ++at_;
    };
    if (next_is('-')) ++at_;
    if (next_is('0')) {
      ++at_;
      if (at_ < text_.size() && is_digit(text_[at_])) fail("bad number: leading zero");
    } else {
      digits("after '-'");  // without a '-', the caller saw a digit here
    }
    if (next_is('.')) {
      ++at_;
      digits("after the decimal point");
    }
    if (next_is('e') || next_is('E')) {
      ++at_;
      if (next_is('+') || next_is('-')) ++at_;
      digits("in the exponent");
    }
    value.kind = JsonValue::Kind::number;
    value.text = std::string(text_.substr(start, at_ - start));
    const char* first = text_.data() + start;
    const char* last = text_.data() + at_;
    const auto [end, error] = std::from_chars(first, last, value.number);
    if (error == std::errc::result_out_of_range) fail_at("number " + value.text + " is out of a double's range", start);
    if (error != std::errc() || end != last) fail_at("bad number " + value.text, start);
  }

  std::string_view text_;
  std::size_t at_ = 0;
  std::size_t values_ = 0;
};

}  // namespace json_detail

inline JsonValue parse_json(std::string_view text) { return json_detail::Parser(text).parse_document(); }

// The whole number `value` holds, if it is one from 0 to `max`; else an Error that starts with
// `what` (say, "model.safetensors: tensor 'w' shape[0]"). Read from the number's text, so 2^64
// and above, negatives, fractions and exponents (even 1e3 or 2.0) are refused rather than rounded.
inline std::uint64_t json_to_uint64(const JsonValue& value, std::uint64_t max, std::string_view what) {
  const std::string expected = "expected a whole number from 0 to " + std::to_string(max) + ", found ";
  if (value.kind != JsonValue::Kind::number) {
    constexpr const char* kinds[] = {"null", "a boolean", "a number", "a string", "an array", "an object"};
    throw Error(std::string(what) + ": " + expected + kinds[static_cast<int>(value.kind)]);
  }
  const std::string& literal = value.text;
  if (const auto other = literal.find_first_not_of("0123456789"); other != std::string::npos) {
    const char* why = literal[other] == '-' ? " (negative)" : " (written with a fraction or an exponent)";
    throw Error(std::string(what) + ": " + expected + literal + why);
  }
  std::uint64_t whole = 0;
  const auto [end, error] = std::from_chars(literal.data(), literal.data() + literal.size(), whole);
  if (literal.empty() || error != std::errc() || end != literal.data() + literal.size() || whole > max)
    throw Error(std::string(what) + ": " + expected + literal);
  return whole;
}

// `text` as a JSON string literal, quotes included: quotes, backslashes and control characters
// escaped, everything else as is. `text` must be valid UTF-8, as the parser requires of what it
// reads back: anything else is an Error here rather than a file that cannot be read.
inline std::string json_string(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length = json_detail::utf8_sequence_length(text, at);
    if (length == 0)
      throw Error("JSON: cannot write a string that is not valid UTF-8 (byte " + std::to_string(at) + ")");
    at += length;
  }
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      constexpr const char* kHex = "0123456789abcdef";
      quoted += "\\u00";
      quoted += kHex[(c >> 4) & 0xF];
      quoted += kHex[c & 0xF];
    } else {
      quoted += c;
    }
  }
  return quoted + "\"";
}

}  // namespace jiggle
