// Randomness in the graph (docs/ir.md, "Randomness in the graph").
//
//   auto eps = randn_like(mu);       // N(0, 1) samples, mu's shape
//   auto z = mu + exp(0.5f * logvar) * eps;
//   auto u = rand_like(x);           // U[0, 1) samples
//   auto t = random_ints<1000>(x);   // integers uniform in [0, 1000)
//   auto h = dropout(x, 0.25f, Mode::train);   // inverted dropout
//
// Each call writes one kiln.random_normal / kiln.random_uniform with a
// `stream` number unique in the module: 0, 1, ... in the order the calls
// are traced, over all entry points. The runtime draws the samples from a
// counter-based generator keyed by the session's seed, the call count and
// `stream`, so a fixed seed gives the same numbers on any thread count. The
// values of `x` are not read and no gradient flows into it.
#pragma once

#include "kiln/dsl/elementwise.h"
#include "kiln/dsl/indices.h"
#include "kiln/dsl/mode.h"
#include "kiln/dsl/tensor.h"

namespace kiln::dsl {

template <auto... D>
Tensor<D...>
randn_like(const Tensor<D...> &x,
           std::source_location loc = std::source_location::current()) {
  return detail::wrap<Tensor<D...>>(
      detail::random_normal(detail::Access::handle(x), detail::shape_of<D...>(),
                            loc),
      loc);
}

template <auto... D>
Tensor<D...>
rand_like(const Tensor<D...> &x,
          std::source_location loc = std::source_location::current()) {
  return detail::wrap<Tensor<D...>>(
      detail::random_uniform(detail::Access::handle(x),
                             detail::shape_of<D...>(), loc),
      loc);
}

// Integers uniform in [0, N), x's shape: floor(u * N) for u = rand_like(x)
// (u < 1 - 2^-24, so u * N rounds below N for N < 2^23).
template <int N, auto... D>
Ints<D...>
random_ints(const Tensor<D...> &x,
            std::source_location loc = std::source_location::current()) {
  static_assert(N > 0 && N < (1 << 23), "random_ints: N must be in [1, 2^23)");
  return floor_to_int(mul(rand_like(x, loc), float(N), loc), loc);
}

// Inverted dropout (torch.nn.functional.dropout(x, p, training)): when
// training, each element is kept when u > p for u = rand_like(x) and
// scaled by 1 / (1 - p), else zeroed; otherwise (or for p = 0) x itself,
// with no op written. p must be in [0, 1). The 0/1 mask is kiln.step(u - p).
template <auto... D>
Tensor<D...>
dropout(const Tensor<D...> &x, float p, bool training,
        std::source_location loc = std::source_location::current()) {
  if (!training || p == 0.0f)
    return x;
  return detail::wrap<Tensor<D...>>(detail::dropout(detail::Access::handle(x),
                                                    p, detail::shape_of<D...>(),
                                                    loc),
                                    loc);
}
template <auto... D>
Tensor<D...>
dropout(const Tensor<D...> &x, float p, Mode mode,
        std::source_location loc = std::source_location::current()) {
  return dropout(x, p, is_training(mode), loc);
}

} // namespace kiln::dsl
