// Randomness in the graph (docs/ir.md, "Randomness in the graph").
//
//   auto eps = randn_like(mu);       // N(0, 1) samples, mu's shape
//   auto z = mu + exp(0.5f * logvar) * eps;
//
// Each call writes one kiln.random_normal with a `stream` number unique in
// the module: 0, 1, ... in the order the calls are traced, over all entry
// points. The runtime draws the samples from a counter-based generator keyed
// by the session's seed, the call count and `stream`, so a fixed seed gives
// the same numbers on any thread count. The values of `x` are not read and
// no gradient flows into it.
#pragma once

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

} // namespace kiln::dsl
