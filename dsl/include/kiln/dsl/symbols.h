// Symbolic dimensions: sizes that are only known when the model runs (batch,
// sequence length, ...). A symbol is an enumerator, so that it can be a
// template argument of Tensor<...> and clang prints its NAME in diagnostics
// (`Tensor<kiln::dsl::batch, 32>`), not a number.
//
// Two dimensions are the same symbol when their names are equal. To add a
// symbol, declare it with KILN_SYMBOL at namespace scope in the model file:
//
//   KILN_SYMBOL(heads);                    // Tensor<batch, heads, 64>
//
// which is shorthand for an enum with one enumerator plus a symbol_name()
// overload that argument-dependent lookup finds.
#pragma once

namespace kiln::dsl {

// The built-in symbols. Unscoped on purpose: `kiln::dsl::batch` reads better
// in diagnostics than `kiln::dsl::Sym::batch`.
enum Sym { batch, seq, m, n, k };

constexpr const char *symbol_name(Sym s) {
  switch (s) {
  case batch:
    return "batch";
  case seq:
    return "seq";
  case m:
    return "m";
  case n:
    return "n";
  case k:
    return "k";
  }
  return "";
}

// A product of dimensions as one dimension, what reshape makes when it
// merges them: Tensor<times<batch, seq>, 64> is [batch*seq, 64], and
// times<batch, 128> is 128 rows per batch element. Factors are symbols or
// static sizes; the order does not matter.
//
//   auto rows = reshape<times<batch, seq>, 64>(x);   // [batch, seq, 64]
//   auto back = reshape<batch, seq, 64>(rows);
template <auto... Factors> struct Times {
  static_assert(sizeof...(Factors) >= 2, "times: give at least two factors");
};
template <auto... Factors> inline constexpr Times<Factors...> times{};

} // namespace kiln::dsl

// Declares a new symbolic dimension `name` in the enclosing namespace.
#define KILN_SYMBOL(name)                                                      \
  enum kiln_symbol_##name{name};                                               \
  constexpr const char *symbol_name(kiln_symbol_##name) { return #name; }      \
  static_assert(true, "require a semicolon")
