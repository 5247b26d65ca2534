#include "kiln/runtime/json.h"

#include "kiln/runtime/error.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace kiln::rt {
namespace {

class Parser {
public:
  Parser(std::string_view text, int max_depth)
      : text_(text), max_depth_(max_depth) {}

  Json parse_document() {
    skip_space();
    Json value = parse_value(0);
    skip_space();
    if (pos_ != text_.size())
      fail("unexpected text after the JSON value");
    return value;
  }

private:
  [[noreturn]] void fail(const std::string &problem) const {
    throw Error(fmt::format("byte {}: {}", pos_, problem));
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  void skip_space() {
    while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                         text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }

  void expect(char c) {
    if (peek() != c)
      fail(at_end() ? fmt::format("expected '{}' but the text ends", c)
                    : fmt::format("expected '{}'", c));
    ++pos_;
  }

  Json parse_value(int depth) {
    if (depth > max_depth_)
      fail(fmt::format("nested deeper than {} levels", max_depth_));
    switch (peek()) {
    case '{':
      return parse_object(depth);
    case '[':
      return parse_array(depth);
    case '"':
      return Json(parse_string());
    case 't':
      return literal("true", Json(true));
    case 'f':
      return literal("false", Json(false));
    case 'n':
      return literal("null", Json());
    default:
      if (peek() == '-' || (peek() >= '0' && peek() <= '9'))
        return parse_number();
      fail(at_end() ? "expected a value but the text ends"
                    : "expected a value");
    }
  }

  Json literal(std::string_view word, Json value) {
    if (text_.substr(pos_, word.size()) != word)
      fail("expected a value");
    pos_ += word.size();
    return value;
  }

  Json parse_object(int depth) {
    expect('{');
    Json::Object members;
    skip_space();
    if (peek() == '}') {
      ++pos_;
      return Json(std::move(members));
    }
    while (true) {
      skip_space();
      if (peek() != '"')
        fail("expected a member name in quotes");
      std::string key = parse_string();
      skip_space();
      expect(':');
      skip_space();
      Json value = parse_value(depth + 1);
      members.emplace_back(std::move(key), std::move(value));
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect('}');
      return Json(std::move(members));
    }
  }

  Json parse_array(int depth) {
    expect('[');
    Json::Array items;
    skip_space();
    if (peek() == ']') {
      ++pos_;
      return Json(std::move(items));
    }
    while (true) {
      skip_space();
      items.push_back(parse_value(depth + 1));
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect(']');
      return Json(std::move(items));
    }
  }

  Json parse_number() {
    const size_t start = pos_;
    auto digits = [&] {
      const size_t from = pos_;
      while (peek() >= '0' && peek() <= '9')
        ++pos_;
      return pos_ - from;
    };
    if (peek() == '-')
      ++pos_;
    if (peek() == '0')
      ++pos_;
    else if (digits() == 0)
      fail("expected a digit");
    if (peek() == '.') {
      ++pos_;
      if (digits() == 0)
        fail("expected a digit after '.'");
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-')
        ++pos_;
      if (digits() == 0)
        fail("expected a digit in the exponent");
    }
    return Json::number_from_text(
        std::string(text_.substr(start, pos_ - start)));
  }

  uint32_t hex4() {
    if (pos_ + 4 > text_.size())
      fail("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<uint32_t>(c - 'A' + 10);
      else
        fail("bad hex digit in \\u escape");
    }
    return v;
  }

  static void append_utf8(std::string &out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string parse_string() {
    expect('"');
    std::string out;
    while (true) {
      if (at_end())
        fail("unterminated string");
      const char c = text_[pos_++];
      if (c == '"')
        return out;
      if (static_cast<unsigned char>(c) < 0x20) {
        --pos_;
        fail("control character in a string");
      }
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_end())
        fail("unterminated string");
      switch (const char e = text_[pos_++]) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        uint32_t cp = hex4();
        if (cp >= 0xD800 && cp < 0xDC00) { // a surrogate pair
          if (text_.substr(pos_, 2) != "\\u")
            fail("unpaired surrogate in \\u escape");
          pos_ += 2;
          const uint32_t low = hex4();
          if (low < 0xDC00 || low >= 0xE000)
            fail("unpaired surrogate in \\u escape");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp < 0xE000) {
          fail("unpaired surrogate in \\u escape");
        }
        append_utf8(out, cp);
        break;
      }
      default:
        --pos_;
        fail("unknown escape in a string");
      }
    }
  }

  std::string_view text_;
  int max_depth_;
  size_t pos_ = 0;
};

template <class Int> std::optional<Int> exact_integer(const std::string &text) {
  if (text.find_first_of(".eE") != std::string::npos)
    return std::nullopt;
  Int v{};
  const char *end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end)
    return std::nullopt;
  return v;
}

void dump_to(const Json &v, std::string &out) {
  switch (v.kind()) {
  case Json::Kind::null:
    out += "null";
    return;
  case Json::Kind::boolean:
    out += v.as_bool() ? "true" : "false";
    return;
  case Json::Kind::number:
    if (!std::isfinite(v.as_double()))
      out += "null";
    else
      out += v.dump(); // number text
    return;
  case Json::Kind::string:
    out += json_quote(v.as_string());
    return;
  case Json::Kind::array: {
    out += '[';
    bool first = true;
    for (const Json &item : v.as_array()) {
      if (!first)
        out += ',';
      first = false;
      dump_to(item, out);
    }
    out += ']';
    return;
  }
  case Json::Kind::object: {
    out += '{';
    bool first = true;
    for (const auto &[key, item] : v.as_object()) {
      if (!first)
        out += ',';
      first = false;
      out += json_quote(key);
      out += ':';
      dump_to(item, out);
    }
    out += '}';
    return;
  }
  }
}

} // namespace

Json::Json(double d) : kind_(Kind::number), number_(d) {
  // Shortest text that reads back as the same double.
  text_ = std::isfinite(d) ? fmt::format("{}", d) : "null";
}

Json::Json(int64_t i)
    : kind_(Kind::number), number_(static_cast<double>(i)),
      text_(std::to_string(i)) {}

Json::Json(uint64_t u)
    : kind_(Kind::number), number_(static_cast<double>(u)),
      text_(std::to_string(u)) {}

Json Json::number_from_text(std::string text) {
  Json j;
  j.kind_ = Kind::number;
  j.number_ = std::strtod(text.c_str(), nullptr);
  j.text_ = std::move(text);
  return j;
}

std::optional<int64_t> Json::as_int64() const {
  if (kind_ != Kind::number)
    return std::nullopt;
  return exact_integer<int64_t>(text_);
}

std::optional<uint64_t> Json::as_uint64() const {
  if (kind_ != Kind::number)
    return std::nullopt;
  return exact_integer<uint64_t>(text_);
}

const Json *Json::find(std::string_view key) const {
  for (const auto &[k, v] : object_)
    if (k == key)
      return &v;
  return nullptr;
}

std::string Json::dump() const {
  if (kind_ == Kind::number)
    return std::isfinite(number_) ? text_ : "null";
  std::string out;
  dump_to(*this, out);
  return out;
}

const char *Json::kind_name(Kind kind) {
  switch (kind) {
  case Kind::null:
    return "null";
  case Kind::boolean:
    return "a boolean";
  case Kind::number:
    return "a number";
  case Kind::string:
    return "a string";
  case Kind::array:
    return "an array";
  case Kind::object:
    return "an object";
  }
  return "?";
}

Json parse_json(std::string_view text, int max_depth) {
  return Parser(text, max_depth).parse_document();
}

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20)
        out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
      else
        out += c;
    }
  }
  return out + "\"";
}

} // namespace kiln::rt
