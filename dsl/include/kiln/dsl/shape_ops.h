// Shape ops: reshape, concat, slice, split, chunk.
//
//   reshape<B, 49>(x)        // Tensor<B, 7, 7> -> Tensor<B, 49>
//   concat(a, b)             // along the last axis; concat<0>(a, b) for axis 0
//   slice<1, 4, 8>(x)        // axis 1, start 4, size 8
//   auto [a, b] = split<16, 16>(x);   // last axis, via kiln.slice
//   auto [p, q] = chunk<2, 0>(x);     // equal parts of axis 0
//
//   reshape<times<B, T>, C>(x) // Tensor<B, T, C> -> Tensor<times<B, T>, C>
//   concat<0>(real, fake)      // two Tensor<B, C> -> Tensor<times<2, B>, C>
//
// Reshape may merge symbolic dimensions with others (symbols.h, times) and
// split them back. Along a symbolic axis, concat takes inputs of the same
// symbolic size there (N of them make times<N, S>) and chunk splits
// times<N, S> back into N parts of S: the sizes a symbol allows. Other
// cuts of a symbolic axis (a slice, parts of unequal or mixed size, a
// padding) have no size a symbol can name and are compile errors.
#pragma once

#include <array>
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

// The same dimension: the same size, the same symbol or the same times<>.
template <auto A, auto B> constexpr bool same_dim() {
  if constexpr (!std::is_same_v<decltype(A), decltype(B)>)
    return false;
  else if constexpr (std::is_class_v<decltype(A)>)
    return true; // a times<> is all in its type
  else
    return A == B;
}

// times<N, S>; times<N, F...> when S is itself the product times<F...>.
template <int N, auto... F> constexpr auto times_prepend(Times<F...>) {
  return Times<N, F...>{};
}
template <int N, auto S> constexpr auto times_n() {
  if constexpr (is_times<decltype(S)>::value)
    return times_prepend<N>(S);
  else
    return Times<N, S>{};
}

// What is left of times<F0, F...> without its first factor.
template <auto F0, auto... F> constexpr int times_first(Times<F0, F...>) {
  if constexpr (std::is_same_v<decltype(F0), int>)
    return F0;
  else
    return 0; // a symbol first: no static count of parts
}
template <auto F0, auto... F> constexpr auto times_rest(Times<F0, F...>) {
  if constexpr (sizeof...(F) == 1)
    return nth<0, F...>();
  else
    return Times<F...>{};
}

// True for times<Parts, S...>: what chunk<Parts> can split.
template <int Parts, auto D> constexpr bool splits_into() {
  if constexpr (is_times<decltype(D)>::value)
    return times_first(D) == Parts;
  else
    return false;
}

// Tensor<D...> with a dimension inserted, replaced or split, as a type:
// Layout::at<I>() is dimension I of the result.
template <class Layout, std::size_t... I>
auto tensor_of(std::index_sequence<I...>)
    -> Tensor<Layout::template at<I>()...>;
template <class Layout, std::size_t Rank>
using TensorOf = decltype(tensor_of<Layout>(std::make_index_sequence<Rank>{}));

// D... with dimension Axis replaced by New.
template <int Axis, auto New, auto... D> struct ReplaceDim {
  template <std::size_t I> static constexpr auto at() {
    if constexpr (int(I) == Axis)
      return New;
    else
      return nth<I, D...>();
  }
  using type = TensorOf<ReplaceDim, sizeof...(D)>;
};
// D... with the dimension at Axis split into (First, Rest).
template <int Axis, auto First, auto Rest, auto... D> struct SplitDim {
  template <std::size_t I> static constexpr auto at() {
    if constexpr (int(I) < Axis)
      return nth<I, D...>();
    else if constexpr (int(I) == Axis)
      return First;
    else if constexpr (int(I) == Axis + 1)
      return Rest;
    else
      return nth<I - 1, D...>();
  }
  using type = TensorOf<SplitDim, sizeof...(D) + 1>;
};

// x reshaped to the tensor type R.
template <auto... To, class X>
Tensor<To...> reshape_to(const X &x, const Tensor<To...> *, Loc loc) {
  return wrap<Tensor<To...>>(reshape(Access::handle(x), shape_of<To...>(), loc),
                             loc);
}
template <class R, class X> R reshape_as(const X &x, Loc loc) {
  return reshape_to(x, static_cast<const R *>(nullptr), loc);
}

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
  template <auto... D> static constexpr bool same_along(const Tensor<D...> *) {
    if constexpr (axis < 0)
      return false;
    else
      return same_dim<nth<std::size_t(axis), D...>(),
                      nth<std::size_t(axis), D0...>()>();
  }
  // Every input has the same symbolic size along the axis.
  static constexpr bool axis_symbolic =
      ranks_ok && sizes_v<D0...>[axis] < 0 &&
      (same_along(static_cast<T *>(nullptr)) && ...);
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

// N tensors of the same symbolic size S along `axis`: each gets a unit
// axis there, they are joined along it (a static axis of N), and the (N, S)
// pair is merged into times<N, S>, which lays each input's rows after the
// previous one's, as a concatenation does.
template <int Axis, auto... D0, class... T>
auto concat_symbolic(Loc loc, const Tensor<D0...> &x0, const T &...xs) {
  constexpr int axis = normalize_axis(Axis, sizeof...(D0));
  constexpr auto along = nth<std::size_t(axis), D0...>();
  using Unit = typename SplitDim<axis, 1, along, D0...>::type;
  using C = ConcatCheck<axis, Unit, decltype(reshape_as<Unit>(xs, loc))...>;
  if constexpr (!C::others_ok) {
    static_assert(C::others_ok,
                  "concat: dimensions other than the axis must be equal");
    ShapeMismatch<op::concat<Axis>, Tensor<D0...>, T...> error;
  }
  const int handles[] = {Access::handle(reshape_as<Unit>(x0, loc)),
                         Access::handle(reshape_as<Unit>(xs, loc))...};
  auto joined =
      wrap<typename C::type>(concat(handles, int(1 + sizeof...(T)), axis,
                                    shape<typename C::type>(), loc),
                             loc);
  using R = typename ReplaceDim<axis, times_n<int(1 + sizeof...(T)), along>(),
                                D0...>::type;
  return reshape_as<R>(joined, loc);
}

template <int Axis, class... T> auto concat_op(Loc loc, const T &...xs) {
  using C = ConcatCheck<Axis, T...>;
  if constexpr (C::axis_symbolic) {
    return concat_symbolic<Axis>(loc, xs...);
  } else {
    if constexpr (!C::ranks_ok) {
      static_assert(C::ranks_ok, "concat: inputs must have the same rank, and "
                                 "the axis must be in range");
      ShapeMismatch<op::concat<Axis>, T...> error;
    } else if constexpr (!C::axis_static) {
      static_assert(C::axis_static,
                    "concat: along a symbolic axis, every input must have "
                    "the same symbolic size there (N of them make "
                    "times<N, S>); a symbolic size cannot be joined to a "
                    "static one or to another symbol");
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

// Parts equal parts of axis Axis (a std::array): of a static axis Parts
// divides, by slices; of times<Parts, S>, by splitting it into (Parts, S),
// slicing the static axis and dropping it again (concat_symbolic undone).
template <int Parts, int Axis, auto... D>
auto chunk_op(const Tensor<D...> &x, Loc loc) {
  constexpr int axis = normalize_axis(Axis, sizeof...(D));
  using Op = op::slice<Axis, 0, Parts>;
  if constexpr (axis < 0 || Parts < 1) {
    static_assert(axis >= 0 && Parts >= 1,
                  "chunk: axis out of range, or fewer than one part");
    ShapeMismatch<Op, Tensor<D...>> error;
    return std::array<Tensor<D...>, 1>{x};
  } else {
    constexpr auto along = nth<std::size_t(axis), D...>();
    if constexpr (is_static_v<along>) {
      constexpr bool divides = along % Parts == 0;
      if constexpr (!divides) {
        static_assert(divides, "chunk: the number of parts must divide the "
                               "size of a static axis");
        ShapeMismatch<Op, Tensor<D...>> error;
      }
      constexpr int size = along / Parts;
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::array{slice_op<Op, axis, int(I) * size, size>(x, loc)...};
      }
      (std::make_index_sequence<std::size_t(Parts)>{});
    } else if constexpr (splits_into<Parts, along>()) {
      constexpr auto rest = times_rest(along);
      auto parts =
          reshape_as<typename SplitDim<axis, Parts, rest, D...>::type>(x, loc);
      using Piece = typename ReplaceDim<axis, rest, D...>::type;
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<Piece, std::size_t(Parts)>{reshape_as<Piece>(
            slice_op<Op, axis, int(I), 1>(parts, loc), loc)...};
      }
      (std::make_index_sequence<std::size_t(Parts)>{});
    } else {
      static_assert(is_static_v<along>,
                    "chunk: a symbolic axis splits into Parts parts only when "
                    "it is times<Parts, S> (what concat of Parts tensors "
                    "along it makes); a symbol alone cannot be divided");
      ShapeMismatch<Op, Tensor<D...>> error;
      return std::array<Tensor<D...>, 1>{x};
    }
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

// Parts equal parts of axis Axis, as a std::array (torch.chunk): a static
// axis the count divides, or times<Parts, S> from concat along a symbolic
// axis, whose parts are S:
//   auto both = concat<0>(real, fake);        // Tensor<times<2, B>, 784>
//   auto [r, f] = chunk<2, 0>(critic(both));  // two Tensor<B, 1>
template <int Parts, int Axis = 0, auto... D>
auto chunk(const Tensor<D...> &x,
           std::source_location loc = std::source_location::current()) {
  return detail::chunk_op<Parts, Axis>(x, loc);
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
