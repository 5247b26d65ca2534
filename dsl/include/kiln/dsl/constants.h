// Constants (kiln.constant). Shapes must be static.
//
//   constant(0.5f)                        // Scalar
//   full<3, 4>(1.0f)                      // Tensor<3, 4>, every element 1
//   constant<2, 2>({1.f, 2.f, 3.f, 4.f})  // row-major values
//   constant<1000>(std::span(table))      // values computed in C++
#pragma once

#include <initializer_list>
#include <span>

#include "kiln/dsl/tensor.h"

namespace kiln::dsl {

inline Scalar
constant(float value,
         std::source_location loc = std::source_location::current()) {
  return detail::wrap<Scalar>(
      detail::constant(&value, 1, detail::shape_of<>(), loc), loc);
}

template <auto... D>
Tensor<D...>
constant(std::initializer_list<float> values,
         std::source_location loc = std::source_location::current()) {
  static_assert(detail::all_static_v<D...>,
                "constant: a constant's dimensions must be static");
  return detail::wrap<Tensor<D...>>(
      detail::constant(values.begin(), (long long)values.size(),
                       detail::shape_of<D...>(), loc),
      loc);
}

// A table computed by the model's C++ (a noise schedule): values.size()
// must be the element count (checked when the generator runs).
template <auto... D>
Tensor<D...>
constant(std::span<const float> values,
         std::source_location loc = std::source_location::current()) {
  static_assert(detail::all_static_v<D...>,
                "constant: a constant's dimensions must be static");
  return detail::wrap<Tensor<D...>>(
      detail::constant(values.data(), (long long)values.size(),
                       detail::shape_of<D...>(), loc),
      loc);
}

template <auto... D>
Tensor<D...> full(float value,
                  std::source_location loc = std::source_location::current()) {
  static_assert(detail::all_static_v<D...>,
                "full: a constant's dimensions must be static");
  return detail::wrap<Tensor<D...>>(
      detail::constant(&value, 1, detail::shape_of<D...>(), loc), loc);
}

} // namespace kiln::dsl
