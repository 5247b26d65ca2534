// Group normalisation, like torch.nn.GroupNorm(G, C):
//
//   GroupNorm<8, 64> n1{"d1.0.n1"};    // NAME.weight (ones), NAME.bias
//   auto y = n1(x);                    // x [N, C, spatial...]
//
// Each sample's C channels are split into G groups of C / G; every group
// (its channels and all spatial positions) is normalised by its own mean
// and biased variance, then scaled and shifted per channel:
//
//   y = (x - mean_g) / sqrt(var_g + eps) * weight[c] + bias[c]
//
// The input viewed as [N, G, C / G * spatial] is normalised row by row
// (kiln.normalize: one kernel, its gradient one more), viewed back, then
// scaled and shifted per channel.
#pragma once

#include <string>
#include <string_view>

#include "kiln/dsl/diagnostics.h"
#include "kiln/dsl/elementwise.h"
#include "kiln/dsl/layer_norm.h"
#include "kiln/dsl/params.h"
#include "kiln/dsl/shape_ops.h"
#include "kiln/dsl/tensor.h"

namespace kiln::dsl {

namespace op {
struct group_norm;
} // namespace op

template <int G, int C> class GroupNorm {
  static_assert(G > 0 && C % G == 0,
                "GroupNorm<G, C>: the groups must divide the channels");

public:
  explicit GroupNorm(std::string_view name, double eps = 1e-5,
                     std::source_location loc = std::source_location::current())
      : weight(std::string(name) + ".weight", init::ones(), loc),
        bias(std::string(name) + ".bias", init::zeros(), loc), eps_(eps) {}

  template <auto N, auto... S>
  Tensor<N, C, S...>
  operator()(const Tensor<N, C, S...> &x,
             std::source_location loc = std::source_location::current()) const {
    static_assert(detail::all_static_v<S...>,
                  "GroupNorm: the spatial dimensions must be static");
    constexpr int per_group = (C / G) * (1 * ... * int(S));
    auto n = normalize(reshape<N, G, per_group>(x, loc), eps_, loc);
    auto y = reshape<N, C, S...>(n, loc);
    auto w = reshape<C, (S * 0 + 1)...>(weight, loc); // [C, 1, ...]
    auto b = reshape<C, (S * 0 + 1)...>(bias, loc);
    return Tensor<N, C, S...>(add(mul(y, w, loc), b, loc));
  }

  Param<C> weight;
  Param<C> bias;

private:
  double eps_;
};

} // namespace kiln::dsl
