// Layer normalisation over the last axis, like torch.nn.LayerNorm(C):
//
//   LayerNorm<128> ln1{"blocks.0.ln1"};   // NAME.weight (ones), NAME.bias
//   auto y = ln1(x);                      // x [..., 128], any leading dims
//
//   y = (x - mean(x)) / sqrt(var(x) + eps) * weight + bias
//
// with the biased variance over the last axis, as PyTorch computes it. It
// is a composite of mean, sub, mul, sqrt and div: the compiler fuses the
// row statistics into one reduction kernel and the normalisation into its
// consumer, and differentiates it op by op.
#pragma once

#include <string>
#include <string_view>

#include "kiln/dsl/diagnostics.h"
#include "kiln/dsl/elementwise.h"
#include "kiln/dsl/params.h"
#include "kiln/dsl/reduce.h"
#include "kiln/dsl/tensor.h"

namespace kiln::dsl {

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
      Tensor<D...> d = sub(x, mean<-1, true>(x, loc), loc);
      auto var = mean<-1, true>(mul(d, d, loc), loc);
      auto std_dev = sqrt(add(var, static_cast<float>(eps_), loc), loc);
      Tensor<D...> n = div(d, std_dev, loc);
      return Tensor<D...>(add(mul(n, weight, loc), bias, loc));
    }
  }

  Param<C> weight;
  Param<C> bias;

private:
  double eps_;
};

} // namespace kiln::dsl
