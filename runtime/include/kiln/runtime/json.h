// A small JSON value, parser and writer: enough for safetensors headers and
// JSON-lines metrics, with errors that say where the text is wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kiln::rt {

class Json {
public:
  enum class Kind { null, boolean, number, string, array, object };
  using Array = std::vector<Json>;
  // Members in document order; duplicates are kept so callers can reject
  // them with a message of their own.
  using Object = std::vector<std::pair<std::string, Json>>;

  Json() = default; // null
  Json(bool b) : kind_(Kind::boolean), bool_(b) {}
  Json(double d);
  Json(int64_t i);
  Json(uint64_t u);
  Json(int i) : Json(static_cast<int64_t>(i)) {}
  Json(std::string s) : kind_(Kind::string), text_(std::move(s)) {}
  Json(const char *s) : Json(std::string(s)) {}
  Json(std::string_view s) : Json(std::string(s)) {}
  Json(Array a) : kind_(Kind::array), array_(std::move(a)) {}
  Json(Object o) : kind_(Kind::object), object_(std::move(o)) {}
  // A number from its JSON text, kept so integers round-trip exactly.
  static Json number_from_text(std::string text);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::null; }
  bool is_bool() const { return kind_ == Kind::boolean; }
  bool is_number() const { return kind_ == Kind::number; }
  bool is_string() const { return kind_ == Kind::string; }
  bool is_array() const { return kind_ == Kind::array; }
  bool is_object() const { return kind_ == Kind::object; }

  // Accessors; each expects the right kind (check with is_*) and returns a
  // neutral value otherwise.
  bool as_bool() const { return bool_; }
  double as_double() const { return number_; }
  const std::string &as_string() const { return text_; }
  const Array &as_array() const { return array_; }
  const Object &as_object() const { return object_; }
  // The number as an exact integer: nothing if it is not a number written
  // without fraction or exponent, or if it does not fit.
  std::optional<int64_t> as_int64() const;
  std::optional<uint64_t> as_uint64() const;

  // First member named `key` of an object, or null.
  const Json *find(std::string_view key) const;

  // Compact JSON text. Non-finite numbers, which JSON lacks, become null.
  std::string dump() const;

  // "kind" for messages: "a string", "an object", ...
  static const char *kind_name(Kind kind);

private:
  Kind kind_ = Kind::null;
  bool bool_ = false;
  double number_ = 0;
  std::string text_; // a string's value, or a number's JSON text
  Array array_;
  Object object_;
};

// Parses exactly one JSON value (RFC 8259; surrounding whitespace allowed).
// Throws Error("byte N: problem") on malformed text or nesting deeper than
// `max_depth`.
Json parse_json(std::string_view text, int max_depth = 64);

// `s` as a JSON string literal, quotes included.
std::string json_quote(std::string_view s);

} // namespace kiln::rt
