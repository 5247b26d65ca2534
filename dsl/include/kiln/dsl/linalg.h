// Contractions: matmul (batched, with transpose flags), linear, transpose.
//
//   matmul(a, b)               // [M, K] x [K, N] -> [M, N]
//   matmul<false, true>(a, w)  // [M, K] x [N, K] -> [M, N]
//   matmul<false, true>(q, k)  // [B, H, T, D] x [B, H, S, D] -> [B, H, T, S]
//   linear(x, w, b)            // x [..., K], w [N, K], b [N] -> [..., N]
//   transpose(a)               // [M, N] -> [N, M]
#pragma once

#include "kiln/dsl/diagnostics.h"
#include "kiln/dsl/tensor.h"

#include <array>
#include <cstddef>

namespace kiln::dsl {

namespace detail {

template <std::size_t Count> constexpr auto first_dims() {
  std::array<int, Count> src{};
  for (std::size_t i = 0; i < Count; ++i)
    src[i] = int(i);
  return src;
}

// Tensor<D..., M, N>.
template <class T, auto M, auto N> struct AppendMatrix;
template <auto... D, auto M, auto N> struct AppendMatrix<Tensor<D...>, M, N> {
  using type = Tensor<D..., M, N>;
};

// The result of matmul<TA, TB> on Tensor<DA...> and Tensor<DB...>: the
// batch dimensions (all but the last two) broadcast, then [M, N].
template <bool TA, bool TB, class A, class B> struct MatmulCheck;
template <bool TA, bool TB, auto... DA, auto... DB>
struct MatmulCheck<TA, TB, Tensor<DA...>, Tensor<DB...>> {
  static constexpr int ra = sizeof...(DA), rb = sizeof...(DB);
  static constexpr bool ranks_ok = ra >= 2 && rb >= 2;
  static constexpr int ka = ranks_ok ? sizes_v<DA...>[ra - (TA ? 2 : 1)] : -1;
  static constexpr int kb = ranks_ok ? sizes_v<DB...>[rb - (TB ? 1 : 2)] : -1;
  static constexpr bool inner_ok = may_equal(ka, kb);
  using BatchA =
      typename Remap<first_dims<(ranks_ok ? ra - 2 : 0)>(), DA...>::type;
  using BatchB =
      typename Remap<first_dims<(ranks_ok ? rb - 2 : 0)>(), DB...>::type;
  static constexpr bool batch_ok = Broadcast<BatchA, BatchB>::ok;
  static auto result() {
    if constexpr (ranks_ok && batch_ok)
      return typename AppendMatrix<
          typename Broadcast<BatchA, BatchB>::type,
          nth<(ranks_ok ? ra - (TA ? 1 : 2) : 0), DA...>(),
          nth<(ranks_ok ? rb - (TB ? 2 : 1) : 0), DB...>()>::type{};
    else
      return Tensor<>{};
  }
  using type = decltype(result());
};

} // namespace detail

// The product of the last two dimensions, per index of the others (batch
// dimensions, broadcast): [..., M, K] x [..., K, N] -> [..., M, N].
template <bool TransposeA = false, bool TransposeB = false, auto... DA,
          auto... DB>
auto matmul(const Tensor<DA...> &a, const Tensor<DB...> &b,
            std::source_location loc = std::source_location::current()) {
  using Op = op::matmul<TransposeA, TransposeB>;
  using C =
      detail::MatmulCheck<TransposeA, TransposeB, Tensor<DA...>, Tensor<DB...>>;
  if constexpr (!C::ranks_ok) {
    static_assert(C::ranks_ok, "matmul: operands must have rank 2 or more");
    ShapeMismatch<Op, Tensor<DA...>, Tensor<DB...>> error;
    return Tensor<>{};
  } else {
    if constexpr (!C::inner_ok) {
      static_assert(C::inner_ok,
                    "matmul: the inner (contracted) dimensions differ");
      ShapeMismatch<Op, Tensor<DA...>, Tensor<DB...>> error;
    } else if constexpr (!C::batch_ok) {
      static_assert(C::batch_ok,
                    "matmul: the batch dimensions (all but the last two) "
                    "do not broadcast");
      ShapeMismatch<Op, Tensor<DA...>, Tensor<DB...>> error;
    }
    using R = typename C::type;
    return detail::wrap<R>(detail::matmul(detail::Access::handle(a),
                                          detail::Access::handle(b), TransposeA,
                                          TransposeB, detail::shape<R>(), loc),
                           loc);
  }
}

namespace detail {
// The dimensions of Tensor<D...> with the last one replaced by Out.
template <int Out, std::size_t Rank> constexpr auto last_replaced() {
  auto src = first_dims<Rank>();
  src[Rank - 1] = -Out;
  return src;
}

// Shared by linear() and Linear<In, Out>: x [..., In], weight [Out, In],
// bias [Out] -> [..., Out]; the rows are merged into one dimension for one
// kiln.matmul (transpose_b) + kiln.add, then split back.
template <class Layer, int In, int Out, auto... D>
auto linear_op(const Tensor<D...> &x, int weight, int bias, bool layer,
               Loc loc) {
  constexpr bool input_has_rows = sizeof...(D) >= 2;
  if constexpr (!input_has_rows) {
    static_assert(input_has_rows,
                  "Linear: input must be [rows..., in_features] (rank 2 or "
                  "more)");
    ShapeMismatch<Layer, Tensor<D...>> error;
    return Tensor<>{};
  } else {
    constexpr bool in_features_match =
        may_equal(sizes_v<D...>[sizeof...(D) - 1], In);
    if constexpr (!in_features_match) {
      static_assert(in_features_match,
                    "Linear: input's last dimension must equal in_features");
      ShapeMismatch<Layer, Tensor<D...>> error;
    }
    using R = typename Remap<last_replaced<Out, sizeof...(D)>(), D...>::type;
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

namespace detail {
template <int... P> constexpr bool is_permutation(int rank) {
  if (int(sizeof...(P)) != rank)
    return false;
  std::array<bool, sizeof...(P)> seen{};
  for (int p : {P...}) {
    if (p < 0 || p >= rank || seen[std::size_t(p)])
      return false;
    seen[std::size_t(p)] = true;
  }
  return true;
}
} // namespace detail

// Reorders dimensions: result dimension i is x's dimension P[i]
// (PyTorch's x.permute(P...)). The gradient is the inverse permutation; a
// matmul reads a permuted operand in place.
//
//   permute<0, 2, 1, 3>(q)   // [B, T, H, D] -> [B, H, T, D]
template <int... P, auto... D>
auto permute(const Tensor<D...> &x,
             std::source_location loc = std::source_location::current()) {
  constexpr bool valid = detail::is_permutation<P...>(int(sizeof...(D)));
  if constexpr (!valid) {
    static_assert(valid, "permute: give each dimension index of the input "
                         "exactly once");
    ShapeMismatch<op::permute<P...>, Tensor<D...>> error;
    return x;
  } else {
    using R = Tensor<detail::nth<std::size_t(P), D...>()...>;
    constexpr int perm[] = {P...};
    return detail::wrap<R>(detail::permute(detail::Access::handle(x), perm,
                                           int(sizeof...(P)),
                                           detail::shape<R>(), loc),
                           loc);
  }
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
