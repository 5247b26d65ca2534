// Fused attention (kiln.attention): softmax(scale q k^T + mask) v per batch
// index, in one kernel that computes the scores a tile of rows at a time
// and never stores those of a whole (batch, head); its gradient recomputes
// them likewise (flash attention).
//
//   // q [..., S, D], k [..., K, D], v [..., K, Dv] -> [..., S, Dv]
//   scaled_dot_product_attention(q, k, v)
//   scaled_dot_product_attention(q, k, v, {.causal = true})
//   // key_mask [..., K]: a non-zero element masks that key; its batch
//   // dimensions are q's or 1 (a padding mask [N, 1, K] over the heads)
//   scaled_dot_product_attention(q, k, v, key_mask)
//
// `causal` masks key j > query s (both numbered from 0). A masked score is
// -1e30, as causal_mask fills it, so a query whose keys are all masked
// averages every value. The scale defaults to 1 / sqrt(D).
#pragma once

#include "kiln/dsl/diagnostics.h"
#include "kiln/dsl/graph_api.h"
#include "kiln/dsl/linalg.h"
#include "kiln/dsl/tensor.h"

#include <cmath>

namespace kiln::dsl {

struct AttentionOptions {
  bool causal = false;
  float scale = 0; // 0: 1 / sqrt(D)
};

namespace detail {

// Static checks and the result type: Tensor<batch..., S, Dv>.
template <class Q, class K, class V> struct AttentionCheck;
template <auto... DQ, auto... DK, auto... DV>
struct AttentionCheck<Tensor<DQ...>, Tensor<DK...>, Tensor<DV...>> {
  static constexpr int r = sizeof...(DQ);
  static constexpr bool ranks_ok =
      r >= 2 && sizeof...(DK) == r && sizeof...(DV) == r;
  static constexpr bool head_ok =
      ranks_ok && sizes_v<DQ...>[r - 1] > 0 && sizes_v<DV...>[r - 1] > 0 &&
      sizes_v<DQ...>[r - 1] == sizes_v<DK...>[r - 1];
  static constexpr bool keys_ok =
      ranks_ok && may_equal(sizes_v<DK...>[r - 2], sizes_v<DV...>[r - 2]);
  static auto result() {
    if constexpr (ranks_ok)
      return typename AppendMatrix<
          typename Remap<first_dims<r - 2>(), DQ...>::type, nth<r - 2, DQ...>(),
          nth<r - 1, DV...>()>::type{};
    else
      return Tensor<>{};
  }
  using type = decltype(result());
};

template <auto... DQ, auto... DK, auto... DV>
auto attention_node(const Tensor<DQ...> &q, const Tensor<DK...> &k,
                    const Tensor<DV...> &v, int mask, AttentionOptions options,
                    std::source_location loc) {
  using Op = op::scaled_dot_product_attention;
  using C = AttentionCheck<Tensor<DQ...>, Tensor<DK...>, Tensor<DV...>>;
  if constexpr (!C::ranks_ok || !C::head_ok || !C::keys_ok) {
    static_assert(C::ranks_ok, "scaled_dot_product_attention: q, k and v "
                               "must have one rank, 2 or more");
    static_assert(C::head_ok, "scaled_dot_product_attention: q and k need "
                              "the same static head size, v a static one");
    static_assert(C::keys_ok, "scaled_dot_product_attention: k and v need "
                              "the same number of keys");
    ShapeMismatch<Op, Tensor<DQ...>, Tensor<DK...>, Tensor<DV...>> error;
    return Tensor<>{};
  } else {
    using R = typename C::type;
    const int d = sizes_v<DQ...>[C::r - 1];
    const double scale =
        options.scale != 0 ? double(options.scale) : 1.0 / std::sqrt(double(d));
    return wrap<R>(detail::attention(Access::handle(q), Access::handle(k),
                                     Access::handle(v), mask, scale,
                                     options.causal, shape<R>(), loc),
                   loc);
  }
}

} // namespace detail

template <auto... DQ, auto... DK, auto... DV>
auto scaled_dot_product_attention(
    const Tensor<DQ...> &q, const Tensor<DK...> &k, const Tensor<DV...> &v,
    AttentionOptions options = {},
    std::source_location loc = std::source_location::current()) {
  return detail::attention_node(q, k, v, -1, options, loc);
}

template <auto... DQ, auto... DK, auto... DV, auto... DM>
auto scaled_dot_product_attention(
    const Tensor<DQ...> &q, const Tensor<DK...> &k, const Tensor<DV...> &v,
    const Tensor<DM...> &key_mask, AttentionOptions options = {},
    std::source_location loc = std::source_location::current()) {
  return detail::attention_node(q, k, v, detail::Access::handle(key_mask),
                                options, loc);
}

} // namespace kiln::dsl
