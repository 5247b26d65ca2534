// Layer normalisation over the last axis, like torch.nn.LayerNorm(C), and
// the row normalisation it is made of:
//
//   LayerNorm<128> ln1{"blocks.0.ln1"};   // NAME.weight (ones), NAME.bias
//   auto y = ln1(x);                      // x [..., 128], any leading dims
//
//   y = (x - mean(x)) / sqrt(var(x) + eps) * weight + bias
//
// with the biased variance over the last axis, as PyTorch computes it. The
// normalisation is one op (kiln.normalize, one kernel with the scale and
// shift where nothing else reads its result); its gradient is one kernel
// that recomputes the row's statistics.
#pragma once

#include <string>
#include <string_view>

#include "kiln/dsl/diagnostics.h"
#include "kiln/dsl/elementwise.h"
#include "kiln/dsl/graph_api.h"
#include "kiln/dsl/params.h"
#include "kiln/dsl/tensor.h"

namespace kiln::dsl {

// Each row of x's last axis (static) normalised on its own to zero mean and
// unit biased variance, (x - mean) / sqrt(var + eps): LayerNorm and
// GroupNorm without their scale and shift (kiln.normalize).
template <auto... D>
Tensor<D...>
normalize(const Tensor<D...> &x, double eps = 1e-5,
          std::source_location loc = std::source_location::current()) {
  constexpr bool fits =
      sizeof...(D) >= 1 && detail::sizes_v<D...>[sizeof...(D) - 1] > 0;
  if constexpr (!fits) {
    static_assert(fits, "normalize: the last axis (the rows) must be static");
    ShapeMismatch<op::normalize, Tensor<D...>> error;
    return x;
  } else {
    return detail::wrap<Tensor<D...>>(
        detail::normalize(detail::Access::handle(x), eps,
                          detail::shape_of<D...>(), loc),
        loc);
  }
}

template <int C> class LayerNorm {
public:
  explicit LayerNorm(std::string_view name, double eps = 1e-5,
                     std::source_location loc = std::source_location::current())
      : weight(std::string(name) + ".weight", init::ones(), loc),
        bias(std::string(name) + ".bias", init::zeros(), loc), eps_(eps) {}

  template <auto... D>
  Tensor<D...>
  operator()(const Tensor<D...> &x,
             std::source_location loc = std::source_location::current()) const {
    constexpr bool fits =
        sizeof...(D) >= 1 && detail::sizes_v<D...>[sizeof...(D) - 1] == C;
    if constexpr (!fits) {
      static_assert(fits, "LayerNorm<C>: the input's last dimension must "
                          "be C");
      ShapeMismatch<op::layer_norm, Tensor<D...>> error;
      return x;
    } else {
      return Tensor<D...>(
          add(mul(normalize(x, eps_, loc), weight, loc), bias, loc));
    }
  }

  Param<C> weight;
  Param<C> bias;

private:
  double eps_;
};

} // namespace kiln::dsl
