// Shape ops: reshape, concat, slice, split.
//
//   reshape<B, 49>(x)        // Tensor<B, 7, 7> -> Tensor<B, 49>
//   concat(a, b)             // along the last axis; concat<0>(a, b) for axis 0
//   slice<1, 4, 8>(x)        // axis 1, start 4, size 8
//   auto [a, b] = split<16, 16>(x);   // last axis, via kiln.slice
//
//   reshape<times<B, T>, C>(x) // Tensor<B, T, C> -> Tensor<times<B, T>, C>
//
// Reshape may merge symbolic dimensions with others (symbols.h, times) and
// split them back, but not cut one: concatenating or slicing along a
// symbolic dimension is a compile error.
#pragma once

#include <tuple>

#include "kiln/dsl/diagnostics.h"
#include "kiln/dsl/tensor.h"

namespace kiln::dsl {

template <auto... To, auto... From>
Tensor<To...>
reshape(const Tensor<From...> &x,
        std::source_location loc = std::source_location::current()) {
  // Symbols may be merged (times<>) and split, so the static factors must
  // have the same product; the symbols themselves are compared at run time.
  constexpr long long from = (1LL * ... * detail::static_factor<From>());
  constexpr long long to = (1LL * ... * detail::static_factor<To>());
  constexpr bool element_counts_match = from == to;
  if constexpr (!element_counts_match) {
    static_assert(element_counts_match,
                  "reshape: the static dimensions' element counts differ");
    ShapeMismatch<op::reshape, Tensor<From...>, Tensor<To...>> error;
  }
  return detail::wrap<Tensor<To...>>(detail::reshape(detail::Access::handle(x),
                                                     detail::shape_of<To...>(),
                                                     loc),
                                     loc);
}

namespace detail {

template <int Axis, class... T> struct ConcatCheck;
template <int Axis, auto... D0, class... T>
struct ConcatCheck<Axis, Tensor<D0...>, T...> {
  static constexpr int rank = sizeof...(D0);
  static constexpr int axis = normalize_axis(Axis, rank);
  template <auto... D> static constexpr bool same_rank(const Tensor<D...> *) {
    return sizeof...(D) == rank;
  }
  template <auto... D> static constexpr int along(const Tensor<D...> *) {
    return sizes_v<D...>[axis];
  }
  template <auto... D>
  static constexpr bool others_match(const Tensor<D...> *) {
    for (int i = 0; i < rank; ++i)
      if (i != axis && !may_equal(sizes_v<D...>[i], sizes_v<D0...>[i]))
        return false;
    return true;
  }
  static constexpr bool ranks_ok =
      axis >= 0 && (same_rank(static_cast<T *>(nullptr)) && ...);
  static constexpr bool axis_static = ranks_ok && sizes_v<D0...>[axis] > 0 &&
                                      ((along(static_cast<T *>(nullptr)) > 0) &&
                                       ...);
  static constexpr bool others_ok =
      ranks_ok && (others_match(static_cast<T *>(nullptr)) && ...);
  static constexpr auto map() {
    std::array<int, rank> src{};
    for (int i = 0; i < rank; ++i)
      src[i] = i;
    if constexpr (axis_static)
      src[axis] = -(sizes_v<D0...>[axis] +
                    (0 + ... + along(static_cast<T *>(nullptr))));
    return src;
  }
  using type = typename Remap<map(), D0...>::type;
};

template <int Axis, class... T> auto concat_op(Loc loc, const T &...xs) {
  using C = ConcatCheck<Axis, T...>;
  if constexpr (!C::ranks_ok) {
    static_assert(C::ranks_ok, "concat: inputs must have the same rank, and "
                               "the axis must be in range");
    ShapeMismatch<op::concat<Axis>, T...> error;
  } else if constexpr (!C::axis_static) {
    static_assert(C::axis_static,
                  "concat: the concatenation axis must be static in every "
                  "input (a symbolic dimension cannot be concatenated)");
    ShapeMismatch<op::concat<Axis>, T...> error;
  } else if constexpr (!C::others_ok) {
    static_assert(C::others_ok,
                  "concat: dimensions other than the axis must be equal");
    ShapeMismatch<op::concat<Axis>, T...> error;
  }
  using R = typename C::type;
  const int handles[] = {Access::handle(xs)...};
  return wrap<R>(concat(handles, int(sizeof...(T)), C::axis < 0 ? 0 : C::axis,
                        shape<R>(), loc),
                 loc);
}

template <int Axis, int Start, int Size, auto... D> constexpr auto slice_map() {
  std::array<int, sizeof...(D)> src{};
  for (int i = 0; i < int(sizeof...(D)); ++i)
    src[i] = i == normalize_axis(Axis, sizeof...(D)) ? -Size : i;
  return src;
}

template <class Op, int Axis, int Start, int Size, auto... D>
auto slice_op(const Tensor<D...> &x, Loc loc) {
  constexpr int axis = normalize_axis(Axis, sizeof...(D));
  constexpr bool axis_in_range = axis >= 0;
  if constexpr (!axis_in_range) {
    static_assert(axis_in_range, "slice: axis out of range");
    ShapeMismatch<Op, Tensor<D...>> error;
    return x;
  } else {
    constexpr int dim = sizes_v<D...>[axis];
    constexpr bool axis_static = dim > 0;
    constexpr bool bounds_ok = Start >= 0 && Size > 0 && Start + Size <= dim;
    if constexpr (!axis_static) {
      static_assert(axis_static, "slice: the sliced axis must be static (a "
                                 "symbolic dimension cannot be cut)");
      ShapeMismatch<Op, Tensor<D...>> error;
    } else if constexpr (!bounds_ok) {
      static_assert(bounds_ok, "slice: [start, start + size) must lie "
                               "within the axis, and size must be positive");
      ShapeMismatch<Op, Tensor<D...>> error;
    }
    using R = typename Remap<slice_map<Axis, Start, Size, D...>(), D...>::type;
    return wrap<R>(slice(Access::handle(x), axis, Start, Size, shape<R>(), loc),
                   loc);
  }
}

template <int... Sizes> constexpr auto split_starts() {
  std::array<int, sizeof...(Sizes)> starts{};
  int sizes[] = {Sizes...}, at = 0;
  for (std::size_t i = 0; i < sizeof...(Sizes); ++i) {
    starts[i] = at;
    at += sizes[i];
  }
  return starts;
}

} // namespace detail

// Concatenation of 2 to 4 tensors (a defaulted source_location cannot follow
// a parameter pack, hence the fixed arities).
template <int Axis = -1, auto... DA, auto... DB>
auto concat(const Tensor<DA...> &a, const Tensor<DB...> &b,
            std::source_location loc = std::source_location::current()) {
  return detail::concat_op<Axis>(loc, a, b);
}
template <int Axis = -1, auto... DA, auto... DB, auto... DC>
auto concat(const Tensor<DA...> &a, const Tensor<DB...> &b,
            const Tensor<DC...> &c,
            std::source_location loc = std::source_location::current()) {
  return detail::concat_op<Axis>(loc, a, b, c);
}
template <int Axis = -1, auto... DA, auto... DB, auto... DC, auto... DD>
auto concat(const Tensor<DA...> &a, const Tensor<DB...> &b,
            const Tensor<DC...> &c, const Tensor<DD...> &d,
            std::source_location loc = std::source_location::current()) {
  return detail::concat_op<Axis>(loc, a, b, c, d);
}

template <int Axis, int Start, int Size, auto... D>
auto slice(const Tensor<D...> &x,
           std::source_location loc = std::source_location::current()) {
  return detail::slice_op<op::slice<Axis, Start, Size>, Axis, Start, Size>(x,
                                                                           loc);
}

// Splits the last axis into pieces of the given sizes (a std::tuple).
template <int... Sizes, auto... D>
auto split(const Tensor<D...> &x,
           std::source_location loc = std::source_location::current()) {
  using Op = op::split<Sizes...>;
  constexpr int last = detail::sizes_v<D...>[sizeof...(D) - 1];
  constexpr bool sizes_cover_axis = last < 0 || (0 + ... + Sizes) == last;
  if constexpr (!sizes_cover_axis) {
    static_assert(sizes_cover_axis,
                  "split: the sizes must add up to the last dimension");
    ShapeMismatch<Op, Tensor<D...>> error;
  }
  constexpr auto starts = detail::split_starts<Sizes...>();
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return std::tuple{detail::slice_op<Op, -1, starts[I], Sizes>(x, loc)...};
  }
  (std::make_index_sequence<sizeof...(Sizes)>{});
}

} // namespace kiln::dsl
