// Spelling of MLIR tokens: types, numbers, strings, symbols, locations.
// Numbers are written so that MLIR parses back exactly the same bits.
#pragma once

#include <string>
#include <string_view>

#include "module.h"

namespace kiln::dsl::detail {

// tensor<?x32xf32>, tensor<f32>; tensor<?x?xi32> for `ints`.
std::string tensor_type(const Shape &s, bool ints = false);
std::string f32_literal(float v); // 5.000000e-01, 0x7FC00000
std::string f64_literal(double v);
std::string string_literal(std::string_view s); // "..." with escapes
// @name, or @"name" when quoting is needed or asked for.
std::string symbol_ref(std::string_view name, bool always_quote = false);
std::string location(const SrcLoc &loc); // loc("file":line:col)

} // namespace kiln::dsl::detail
