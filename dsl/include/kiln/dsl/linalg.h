// Contractions: matmul (2-D, with transpose flags), linear, transpose.
//
//   matmul(a, b)               // [M, K] x [K, N] -> [M, N]
//   matmul<false, true>(a, w)  // [M, K] x [N, K] -> [M, N]
//   linear(x, w, b)            // x [M, K], w [N, K], b [N] -> [M, N]
//   transpose(a)               // [M, N] -> [N, M]
#pragma once

#include "kiln/dsl/diagnostics.h"
#include "kiln/dsl/tensor.h"

namespace kiln::dsl {

template <bool TransposeA = false, bool TransposeB = false, auto... DA,
          auto... DB>
auto matmul(const Tensor<DA...> &a, const Tensor<DB...> &b,
            std::source_location loc = std::source_location::current()) {
  using Op = op::matmul<TransposeA, TransposeB>;
  constexpr bool operands_are_2d = sizeof...(DA) == 2 && sizeof...(DB) == 2;
  if constexpr (!operands_are_2d) {
    static_assert(operands_are_2d, "matmul: both operands must be 2-D");
    ShapeMismatch<Op, Tensor<DA...>, Tensor<DB...>> error;
    return Tensor<>{};
  } else {
    constexpr int ka = detail::sizes_v<DA...>[TransposeA ? 0 : 1];
    constexpr int kb = detail::sizes_v<DB...>[TransposeB ? 1 : 0];
    constexpr bool inner_dimensions_match = detail::may_equal(ka, kb);
    if constexpr (!inner_dimensions_match) {
      static_assert(inner_dimensions_match,
                    "matmul: the inner (contracted) dimensions differ");
      ShapeMismatch<Op, Tensor<DA...>, Tensor<DB...>> error;
    }
    using R = Tensor<detail::nth<TransposeA ? 1 : 0, DA...>(),
                     detail::nth<TransposeB ? 0 : 1, DB...>()>;
    return detail::wrap<R>(detail::matmul(detail::Access::handle(a),
                                          detail::Access::handle(b), TransposeA,
                                          TransposeB, detail::shape<R>(), loc),
                           loc);
  }
}

namespace detail {
// Shared by linear() and Linear<In, Out>: x [M, In], weight [Out, In],
// bias [Out] -> [M, Out] as kiln.matmul (transpose_b) + kiln.add.
template <class Layer, int In, int Out, auto... D>
auto linear_op(const Tensor<D...> &x, int weight, int bias, bool layer,
               Loc loc) {
  constexpr bool input_is_2d = sizeof...(D) == 2;
  if constexpr (!input_is_2d) {
    static_assert(input_is_2d,
                  "Linear: input must be a 2-D tensor [rows, in_features]");
    ShapeMismatch<Layer, Tensor<D...>> error;
    return Tensor<>{};
  } else {
    constexpr bool in_features_match = may_equal(sizes_v<D...>[1], In);
    if constexpr (!in_features_match) {
      static_assert(in_features_match,
                    "Linear: input's last dimension must equal in_features");
      ShapeMismatch<Layer, Tensor<D...>> error;
    }
    using R = Tensor<nth<0, D...>(), Out>;
    return wrap<R>(
        linear(Access::handle(x), weight, bias, layer, shape<R>(), loc), loc);
  }
}
} // namespace detail

template <auto... DX, int Out, int In>
auto linear(const Tensor<DX...> &x, const Tensor<Out, In> &weight,
            const Tensor<Out> &bias,
            std::source_location loc = std::source_location::current()) {
  return detail::linear_op<op::linear, In, Out>(
      x, detail::Access::handle(weight), detail::Access::handle(bias), false,
      loc);
}

template <auto... D>
auto transpose(const Tensor<D...> &x,
               std::source_location loc = std::source_location::current()) {
  constexpr bool input_is_2d = sizeof...(D) == 2;
  if constexpr (!input_is_2d) {
    static_assert(input_is_2d, "transpose: input must be 2-D");
    ShapeMismatch<op::transpose, Tensor<D...>> error;
    return x;
  } else {
    using R = Tensor<detail::nth<1, D...>(), detail::nth<0, D...>()>;
    return detail::wrap<R>(
        detail::transpose(detail::Access::handle(x), detail::shape<R>(), loc),
        loc);
  }
}

} // namespace kiln::dsl
