// Index ops on Ints<...> (int32) tensors: table lookups, one-hot vectors,
// and the integers as floats.
//
//   Embedding<256, 64> wte{"wte"};      // weight [256, 64], N(0, 1)
//   auto e = wte(ids);                   // Ints<B, T> -> Tensor<B, T, 64>
//   auto rows = gather<0>(table, ids);   // the same, on any table and axis
//   auto y = one_hot<10>(labels);        // Ints<B> -> Tensor<B, 10>
//   auto t = to_float(steps);            // Ints<B> -> Tensor<B>
//
// An index outside its table (or class count) stops the kernel with an
// error; nothing is read out of bounds. The table's gradient sums the rows'
// gradients by index (kiln.scatter_add); indices have none.
#pragma once

#include <array>
#include <cstddef>

#include "kiln/dsl/diagnostics.h"
#include "kiln/dsl/elementwise.h"
#include "kiln/dsl/params.h"
#include "kiln/dsl/tensor.h"

namespace kiln::dsl {

namespace detail {

// Tensor<A..., B..., C...>.
template <class A, class B, class C> struct Join3;
template <auto... A, auto... B, auto... C>
struct Join3<Tensor<A...>, Tensor<B...>, Tensor<C...>> {
  using type = Tensor<A..., B..., C...>;
};

template <std::size_t Begin, std::size_t End> constexpr auto dim_range() {
  std::array<int, End - Begin> src{};
  for (std::size_t i = Begin; i < End; ++i)
    src[i - Begin] = int(i);
  return src;
}

} // namespace detail

// result[p..., j..., q...] = table[p..., ids[j...], q...] along Axis.
template <int Axis, auto... DT, auto... DI>
auto gather(const Tensor<DT...> &table, const Ints<DI...> &ids,
            std::source_location loc = std::source_location::current()) {
  constexpr int rank = sizeof...(DT);
  constexpr int axis = detail::normalize_axis(Axis, rank);
  constexpr bool axis_static = axis >= 0 && detail::sizes_v<DT...>[axis] > 0;
  if constexpr (!axis_static) {
    static_assert(axis_static, "gather: the axis must be a static dimension "
                               "of the table");
    ShapeMismatch<op::gather<Axis>, Tensor<DT...>, Ints<DI...>> error;
    return table;
  } else {
    using R = typename detail::Join3<
        typename detail::Remap<detail::dim_range<0, axis>(), DT...>::type,
        Tensor<DI...>,
        typename detail::Remap<detail::dim_range<axis + 1, rank>(),
                               DT...>::type>::type;
    return detail::wrap<R>(detail::gather(detail::Access::handle(table),
                                          detail::Access::handle(ids), axis,
                                          detail::shape<R>(), loc),
                           loc);
  }
}

template <int Classes, auto... D>
Tensor<D..., Classes>
one_hot(const Ints<D...> &ids,
        std::source_location loc = std::source_location::current()) {
  static_assert(Classes > 0, "one_hot: the class count must be positive");
  using R = Tensor<D..., Classes>;
  return detail::wrap<R>(detail::one_hot(detail::Access::handle(ids), Classes,
                                         detail::shape<R>(), loc),
                         loc);
}

// floor(x) as integers (torch.floor(x).int()), for values in i32's range;
// no gradient flows through it.
template <auto... D>
Ints<D...>
floor_to_int(const Tensor<D...> &x,
             std::source_location loc = std::source_location::current()) {
  return detail::wrap<Ints<D...>>(
      detail::floor_to_int(detail::Access::handle(x), detail::shape_of<D...>(),
                           loc),
      loc);
}

template <auto... D>
Tensor<D...>
to_float(const Ints<D...> &ids,
         std::source_location loc = std::source_location::current()) {
  return detail::wrap<Tensor<D...>>(
      detail::to_float(detail::Access::handle(ids), detail::shape_of<D...>(),
                       loc),
      loc);
}

// x's shape, each element its own index along Axis (as a float); masks
// computed where they are used:
//   auto causal = greater(iota<-1>(s), iota<-2>(s));  // key after query
template <int Axis, auto... D>
Tensor<D...> iota(const Tensor<D...> &x,
                  std::source_location loc = std::source_location::current()) {
  constexpr int axis = detail::normalize_axis(Axis, sizeof...(D));
  static_assert(axis >= 0, "iota: axis out of range");
  return detail::wrap<Tensor<D...>>(detail::iota(detail::Access::handle(x),
                                                 axis < 0 ? 0 : axis,
                                                 detail::shape_of<D...>(), loc),
                                    loc);
}

// Attention's causal mask: x where the key index (last axis) is at most
// the query index (the axis before), else `fill`.
template <auto... D>
Tensor<D...>
causal_mask(const Tensor<D...> &x, float fill = -1e30f,
            std::source_location loc = std::source_location::current()) {
  static_assert(sizeof...(D) >= 2, "causal_mask: x needs a query and a key "
                                   "axis");
  return where(greater(iota<-1>(x, loc), iota<-2>(x, loc), loc), fill, x, loc);
}

// Writes `value` into `buffer` at [position, position + size) along Axis,
// in place: a decode step appends one token's keys to a KV cache in time
// proportional to the token, not the cache. Returns the buffer's new value;
// the write persists after the call. A position past the end is a run-time
// error that writes nothing.
//   auto k = write_slice<2>(k_cache, k_new, pos);  // [1, H, 1, D] at pos
template <int Axis, auto... DB, auto... DV>
Tensor<DB...>
write_slice(const Buffer<DB...> &buffer, const Tensor<DV...> &value,
            const Ints<> &position,
            std::source_location loc = std::source_location::current()) {
  constexpr int axis = detail::normalize_axis(Axis, sizeof...(DB));
  static_assert(sizeof...(DB) == sizeof...(DV) && axis >= 0,
                "write_slice: the value must have the buffer's rank, and "
                "the axis must be in range");
  return detail::wrap<Tensor<DB...>>(
      detail::write_slice(detail::Access::handle(buffer),
                          detail::Access::handle(value),
                          detail::Access::handle(position), axis,
                          detail::shape_of<DB...>(), loc),
      loc);
}

// A lookup table of Vocab rows of Dim values, like torch.nn.Embedding
// (weight NAME.weight [Vocab, Dim], initialised N(0, 1) or as given).
template <int Vocab, int Dim> class Embedding {
public:
  explicit Embedding(std::string_view name,
                     std::source_location loc = std::source_location::current())
      : Embedding(name, init::normal(0, 1), loc) {}
  Embedding(std::string_view name, Init weight_init,
            std::source_location loc = std::source_location::current())
      : weight(std::string(name) + ".weight", weight_init, loc) {}

  template <auto... D>
  Tensor<D..., Dim>
  operator()(const Ints<D...> &ids,
             std::source_location loc = std::source_location::current()) const {
    return gather<0>(weight, ids, loc);
  }

  Param<Vocab, Dim> weight;
};

} // namespace kiln::dsl
