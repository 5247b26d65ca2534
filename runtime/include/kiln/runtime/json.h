// JSON values are nlohmann-json's (Debian's nlohmann-json3-dev), with object
// members in document order. On top of it, what kiln's readers of outside
// files need: a parse that rejects duplicate member names and deep nesting
// and reports errors as kiln::rt::Error with the byte where the text is
// wrong, exact integer accessors, and kinds named for messages.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kiln::rt {

using Json = nlohmann::ordered_json;

// Parses exactly one JSON value (RFC 8259; surrounding whitespace allowed).
// Throws Error("byte N: problem") on malformed text, and Error("problem")
// for an object that names a member twice or nesting deeper than
// `max_depth`.
Json parse_json(std::string_view text, int max_depth = 64);

// The number as an exact integer: nothing if it is not a number written
// without fraction or exponent, or if it does not fit.
std::optional<int64_t> json_int64(const Json &value);
std::optional<uint64_t> json_uint64(const Json &value);

// Member `key` of an object, or null (also when `object` is no object).
const Json *json_member(const Json &object, std::string_view key);

// "a string", "an object", ... for messages.
const char *json_kind(const Json &value);

// Compact text; a string that is not UTF-8 (a path) gets U+FFFD for its bad
// bytes instead of failing, and non-finite numbers are null.
std::string json_text(const Json &value);

} // namespace kiln::rt
