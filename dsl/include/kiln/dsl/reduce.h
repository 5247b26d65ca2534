// Reductions over one axis (kiln.reduce_sum / kiln.reduce_mean /
// kiln.reduce_max), or over all axes to a Scalar.
//
//   sum<1>(x)          // Tensor<B, 6> -> Tensor<B>
//   mean<0, true>(x)   // Tensor<B, 6> -> Tensor<1, 6>   (keepdim)
//   sum<-1>(x)         // negative axes count from the end
//   mean(x)            // -> Scalar (one reduce_mean per axis)
//   amax<-1, true>(x)  // maximum (torch.amax): Tensor<B, 6> -> Tensor<B, 1>
//   dim_size<0>(x)     // the extent of axis 0 as a Scalar (kiln.dim_size)
#pragma once

#include "kiln/dsl/diagnostics.h"
#include "kiln/dsl/tensor.h"

namespace kiln::dsl {
namespace detail {

template <int Axis, bool KeepDim, int Rank> constexpr auto reduce_map() {
  constexpr int a = normalize_axis(Axis, Rank);
  std::array<int, (KeepDim || Rank == 0) ? Rank : Rank - 1> src{};
  for (int i = 0, j = 0; i < Rank; ++i) {
    if (i != a)
      src[j++] = i;
    else if (KeepDim)
      src[j++] = -1; // size 1
  }
  return src;
}

template <class Op, Reduce R, int Axis, bool KeepDim, auto... D>
auto reduce_op(const Tensor<D...> &x, Loc loc) {
  constexpr bool axis_in_range = normalize_axis(Axis, sizeof...(D)) >= 0;
  if constexpr (!axis_in_range) {
    static_assert(axis_in_range, "reduction: axis out of range");
    ShapeMismatch<Op, Tensor<D...>> error;
    return x;
  } else {
    using T =
        typename Remap<reduce_map<Axis, KeepDim, sizeof...(D)>(), D...>::type;
    return wrap<T>(reduce(R, Access::handle(x),
                          normalize_axis(Axis, sizeof...(D)), KeepDim,
                          shape<T>(), loc),
                   loc);
  }
}

// Reduces axis 0 until the tensor is a scalar. The mean of equal-sized means
// is the mean, so this is exact for both ops.
template <class Op, Reduce R, auto... D>
Scalar reduce_all(const Tensor<D...> &x, Loc loc) {
  if constexpr (sizeof...(D) == 0)
    return x;
  else
    return reduce_all<Op, R>(reduce_op<Op, R, 0, false>(x, loc), loc);
}

} // namespace detail

template <int Axis, bool KeepDim = false, auto... D>
auto sum(const Tensor<D...> &x,
         std::source_location loc = std::source_location::current()) {
  return detail::reduce_op<op::reduce_sum<Axis, KeepDim>, detail::Reduce::sum,
                           Axis, KeepDim>(x, loc);
}

template <int Axis, bool KeepDim = false, auto... D>
auto mean(const Tensor<D...> &x,
          std::source_location loc = std::source_location::current()) {
  return detail::reduce_op<op::reduce_mean<Axis, KeepDim>, detail::Reduce::mean,
                           Axis, KeepDim>(x, loc);
}

// Maximum over one axis (torch.amax); `max(a, b)` is the elementwise one.
template <int Axis, bool KeepDim = false, auto... D>
auto amax(const Tensor<D...> &x,
          std::source_location loc = std::source_location::current()) {
  return detail::reduce_op<op::reduce_max<Axis, KeepDim>, detail::Reduce::max,
                           Axis, KeepDim>(x, loc);
}

// The extent of one axis as a Scalar: kiln.dim_size for a symbol (the batch
// size at run time), a kiln.constant for a static size.
template <int Axis, auto... D>
Scalar dim_size(const Tensor<D...> &x,
                std::source_location loc = std::source_location::current()) {
  constexpr int axis = detail::normalize_axis(Axis, sizeof...(D));
  constexpr bool axis_in_range = axis >= 0;
  if constexpr (!axis_in_range) {
    static_assert(axis_in_range, "dim_size: axis out of range");
    ShapeMismatch<op::dim_size<Axis>, Tensor<D...>> error;
    return Scalar{};
  } else {
    return detail::wrap<Scalar>(detail::dim_size(detail::Access::handle(x),
                                                 axis, detail::shape_of<>(),
                                                 loc),
                                loc);
  }
}

// The leading type parameter keeps sum<1>(x) from ever picking this overload
// (1 is not a type), even for a tensor whose first dimension is 1.
template <class AllAxes = void, auto... D>
Scalar sum(const Tensor<D...> &x,
           std::source_location loc = std::source_location::current()) {
  return detail::reduce_all<op::reduce_sum<0, false>, detail::Reduce::sum>(x,
                                                                           loc);
}

template <class AllAxes = void, auto... D>
Scalar amax(const Tensor<D...> &x,
            std::source_location loc = std::source_location::current()) {
  return detail::reduce_all<op::reduce_max<0, false>, detail::Reduce::max>(x,
                                                                           loc);
}

template <class AllAxes = void, auto... D>
Scalar mean(const Tensor<D...> &x,
            std::source_location loc = std::source_location::current()) {
  return detail::reduce_all<op::reduce_mean<0, false>, detail::Reduce::mean>(
      x, loc);
}

} // namespace kiln::dsl
