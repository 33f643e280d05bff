#pragma once
// Just enough JSON to read a safetensors header: objects, arrays, strings, numbers, true, false
// and null, with nesting limited so that no input can exhaust the stack.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jiggle/error.hpp"

namespace jiggle {

struct JsonValue {
  enum class Kind { null, boolean, number, string, array, object };
  Kind kind = Kind::null;
  bool boolean = false;
  double number = 0.0;
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

  [[noreturn]] void fail(const std::string& problem) const {
    throw Error("JSON: " + problem + " at byte " + std::to_string(at_));
  }

  void skip_space() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\r' || text_[at_] == '\t'))
      ++at_;
  }

  char next() {
    if (at_ >= text_.size()) fail("unexpected end");
    return text_[at_++];
  }

  void expect(char wanted) {
    skip_space();
    if (next() != wanted) fail(std::string("expected '") + wanted + "'");
  }

  JsonValue parse_value(int depth) {
    if (depth > kMaxDepth) fail("nested too deeply");
    skip_space();
    if (at_ >= text_.size()) fail("unexpected end");
    JsonValue value;
    const char c = text_[at_];
    if (c == '{') {
      value.kind = JsonValue::Kind::object;
      ++at_;
      skip_space();
      if (at_ < text_.size() && text_[at_] == '}') {
        ++at_;
        return value;
      }
      while (true) {
        skip_space();
        if (at_ >= text_.size() || text_[at_] != '"') fail("expected a string key");
        std::string key = parse_string();
        expect(':');
        value.keys.push_back(std::move(key));
        value.values.push_back(parse_value(depth + 1));
        skip_space();
        const char separator = next();
        if (separator == '}') break;
        if (separator != ',') fail("expected ',' or '}'");
      }
    } else if (c == '[') {
      value.kind = JsonValue::Kind::array;
      ++at_;
      skip_space();
      if (at_ < text_.size() && text_[at_] == ']') {
        ++at_;
        return value;
      }
      while (true) {
        value.items.push_back(parse_value(depth + 1));
        skip_space();
        const char separator = next();
        if (separator == ']') break;
        if (separator != ',') fail("expected ',' or ']'");
      }
    } else if (c == '"') {
      value.kind = JsonValue::Kind::string;
      value.text = parse_string();
    } else if (text_.substr(at_, 4) == "true" || text_.substr(at_, 5) == "false") {
      value.kind = JsonValue::Kind::boolean;
      value.boolean = c == 't';
      at_ += value.boolean ? 4 : 5;
    } else if (text_.substr(at_, 4) == "null") {
      at_ += 4;
    } else {
      value.kind = JsonValue::Kind::number;
      value.number = parse_number();
    }
    return value;
  }

  std::string parse_string() {
    ++at_;  // the opening quote
    std::string result;
    while (true) {
      const char c = next();
      if (c == '"') return result;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
      if (c != '\\') {
        result += c;
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
        case 'u': {
          unsigned code = 0;
          for (int i = 0; i < 4; ++i) {
            const char h = next();
            code <<= 4;
            if (h >= '0' && h <= '9')
              code |= static_cast<unsigned>(h - '0');
            else if (h >= 'a' && h <= 'f')
              code |= static_cast<unsigned>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
              code |= static_cast<unsigned>(h - 'A' + 10);
            else
              fail("bad \\u escape");
          }
          // Names here are ASCII; anything else is kept as UTF-8 of the code unit.
          if (code < 0x80) {
            result += static_cast<char>(code);
          } else if (code < 0x800) {
            result += static_cast<char>(0xC0 | (code >> 6));
            result += static_cast<char>(0x80 | (code & 0x3F));
          } else {
            result += static_cast<char>(0xE0 | (code >> 12));
            result += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            result += static_cast<char>(0x80 | (code & 0x3F));
          }
          break;
        }
        default: fail("bad escape in a string");
      }
    }
  }

  double parse_number() {
    const std::size_t start = at_;
    if (at_ < text_.size() && text_[at_] == '-') ++at_;
    bool digits = false;
    while (at_ < text_.size() && ((text_[at_] >= '0' && text_[at_] <= '9') || text_[at_] == '.' || text_[at_] == 'e' ||
                                  text_[at_] == 'E' || text_[at_] == '+' || text_[at_] == '-')) {
      digits = true;
      ++at_;
    }
    if (!digits) fail("unexpected character");
    try {
      return std::stod(std::string(text_.substr(start, at_ - start)));
    } catch (const std::exception&) {
      fail("bad number");
    }
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace json_detail

inline JsonValue parse_json(std::string_view text) { return json_detail::Parser(text).parse_document(); }

}  // namespace jiggle
