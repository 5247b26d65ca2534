#include "mlir_text.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace kiln::dsl::detail {
namespace {

template <class To, class From> To bits(From v) {
  To out;
  std::memcpy(&out, &v, sizeof out);
  return out;
}

// MLIR's float literal needs a '.' (1e-05 would lex as an integer followed by
// garbage), so always use scientific notation with a mantissa point. Prefer
// the short 6-digit form MLIR itself prints, and fall back to enough digits
// to round-trip. NaN and infinities can only be written as hex bit patterns.
template <class F, class I>
std::string float_literal(F v, int round_trip_digits, int hex_digits) {
  if (!std::isfinite(v))
    return fmt::format("0x{:0{}X}", bits<I>(v), hex_digits);
  std::string s = fmt::format("{:.6e}", v);
  F back = sizeof(F) == 4 ? F(std::strtof(s.c_str(), nullptr))
                          : F(std::strtod(s.c_str(), nullptr));
  if (bits<I>(back) != bits<I>(v))
    s = fmt::format("{:.{}e}", v, round_trip_digits);
  return s;
}

bool is_bare_id(std::string_view s) {
  if (s.empty() || !(std::isalpha((unsigned char)s[0]) || s[0] == '_'))
    return false;
  for (char c : s)
    if (!(std::isalnum((unsigned char)c) || c == '_' || c == '$' || c == '.'))
      return false;
  return true;
}

} // namespace

std::string tensor_type(const Shape &s, bool ints) {
  std::string out = "tensor<";
  for (const Dim &d : s)
    out += d.symbolic() ? std::string("?x") : fmt::format("{}x", d.size);
  return out + (ints ? "i32>" : "f32>");
}

std::string f32_literal(float v) {
  return float_literal<float, uint32_t>(v, 8, 8);
}

std::string f64_literal(double v) {
  return float_literal<double, uint64_t>(v, 16, 16);
}

std::string string_literal(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\')
      out += fmt::format("\\{}", char(c));
    else if (c < 0x20 || c >= 0x7F)
      out += fmt::format("\\{:02X}", c);
    else
      out += char(c);
  }
  return out + "\"";
}

std::string symbol_ref(std::string_view name, bool always_quote) {
  return !always_quote && is_bare_id(name) ? fmt::format("@{}", name)
                                           : "@" + string_literal(name);
}

std::string location(const SrcLoc &loc) {
  if (loc.file.empty())
    return "loc(unknown)";
  return fmt::format("loc({}:{}:{})", string_literal(loc.file), loc.line,
                     loc.column);
}

} // namespace kiln::dsl::detail
