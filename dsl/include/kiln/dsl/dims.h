// Compile-time reasoning about the dimensions in a Tensor<D...> type.
//
// A dimension is either a static size (an `int` > 0) or a symbol (an
// enumerator, see symbols.h). Everything here is constexpr functions over
// small arrays and index_sequence expansions: no recursive type nesting, so a
// model file stays cheap to compile.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "kiln/dsl/symbols.h"

namespace kiln::dsl {

template <auto... D> class Tensor;

namespace detail {

template <class T> struct is_times : std::false_type {};
template <auto... F> struct is_times<Times<F...>> : std::true_type {};

// A symbol, or a product of dimensions with at least one symbol (times<>).
template <auto D>
inline constexpr bool is_symbol_v =
    std::is_enum_v<decltype(D)> || is_times<decltype(D)>::value;
template <auto D>
inline constexpr bool is_static_v = std::is_same_v<decltype(D), int>;

// Size of a dimension for compile-time checks: -1 for a symbol (unknown).
template <auto D> constexpr int size_of() {
  if constexpr (is_symbol_v<D>)
    return -1;
  else
    return D;
}

template <auto... D>
inline constexpr std::array<int, sizeof...(D)> sizes_v{size_of<D>()...};

// The static factor of a dimension: its size, 1 for a symbol, the product
// of the static factors of a times<>.
template <auto... F> constexpr long long times_static_factor(Times<F...>);
template <auto D> constexpr long long static_factor() {
  if constexpr (is_static_v<D>)
    return D;
  else if constexpr (is_times<decltype(D)>::value)
    return times_static_factor(D);
  else
    return 1;
}
template <auto... F> constexpr long long times_static_factor(Times<F...>) {
  return (1LL * ... * static_factor<F>());
}
// True when no dimension is symbolic.
template <auto... D>
inline constexpr bool all_static_v = (is_static_v<D> && ...);

// The I-th value of a pack (depth is the rank of a tensor, so shallow).
template <std::size_t I, auto D0, auto... Ds> constexpr auto nth() {
  if constexpr (I == 0)
    return D0;
  else
    return nth<I - 1, Ds...>();
}

// Static sizes conflict only when both are known, differ and neither is 1
// (for broadcasting) / when both are known and differ (for exact matches).
// Anything involving a symbol is checked when the generator runs.
constexpr bool may_broadcast(int a, int b) {
  return a <= 0 || b <= 0 || a == b || a == 1 || b == 1;
}
constexpr bool may_equal(int a, int b) { return a < 0 || b < 0 || a == b; }

// Axis in [-rank, rank) normalised to [0, rank), or -1 when out of range.
constexpr int normalize_axis(int axis, int rank) {
  int a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : -1;
}

// Remap<Src, D...>::type is the Tensor whose i-th dimension is D[Src[i]] when
// Src[i] >= 0, and the static size -Src[i] otherwise. Used for reductions,
// slices, concatenation and transposition.
template <auto Src, auto... D> struct Remap {
  template <std::size_t I> static constexpr auto dim() {
    if constexpr (Src[I] < 0)
      return -Src[I];
    else
      return nth<Src[I], D...>();
  }
  template <std::size_t... I>
  static Tensor<dim<I>()...> make(std::index_sequence<I...>);
  using type = decltype(make(std::make_index_sequence<Src.size()>{}));
};

// NumPy broadcasting of two tensor types, aligned at the trailing dimension.
template <class A, class B> struct Broadcast;
template <auto... DA, auto... DB>
struct Broadcast<Tensor<DA...>, Tensor<DB...>> {
  static constexpr int ra = sizeof...(DA), rb = sizeof...(DB);
  static constexpr int rank = ra > rb ? ra : rb;
  // Size of operand dimension aligned with result dimension i; 0 = missing.
  static constexpr int a_at(int i) {
    int j = i - (rank - ra);
    return j < 0 ? 0 : sizes_v<DA...>[j];
  }
  static constexpr int b_at(int i) {
    int j = i - (rank - rb);
    return j < 0 ? 0 : sizes_v<DB...>[j];
  }
  static constexpr bool ok = [] {
    for (int i = 0; i < rank; ++i)
      if (a_at(i) != 0 && b_at(i) != 0 && !may_broadcast(a_at(i), b_at(i)))
        return false;
    return true;
  }();
  // Which operand gives result dimension i. A symbol wins over a static 1; a
  // symbol against another size is resolved (or rejected) at run time.
  static constexpr bool from_a(int i) {
    int a = a_at(i), b = b_at(i);
    if (a == 0)
      return false;
    if (b == 0 || a < 0)
      return true;
    return !(b < 0 || a == 1);
  }
  template <std::size_t I> static constexpr auto dim() {
    if constexpr (from_a(I))
      return nth<I - (rank - ra), DA...>();
    else
      return nth<I - (rank - rb), DB...>();
  }
  template <std::size_t... I>
  static Tensor<dim<I>()...> make(std::index_sequence<I...>);
  using type = decltype(make(std::make_index_sequence<rank>{}));
};

} // namespace detail
} // namespace kiln::dsl
