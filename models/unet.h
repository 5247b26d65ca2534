// The blocks of the DDPM UNet of MODELS.md (models/ddpm.cpp), shared with
// the tests that check them against naive references
// (tests/e2e/models/diffusion_ops.cpp).
#pragma once

#include "transformer.h"

#include <optional>
#include <string>

namespace unet {

using namespace kiln::dsl;

inline constexpr auto B = batch;

// GroupNorm(8) -> SiLU -> conv3x3 twice, the time embedding added per
// channel in between, plus a skip (a 1x1 conv when the channels change).
template <int Cin, int Cout> struct ResBlock {
  explicit ResBlock(const std::string &p)
      : n1(p + ".n1"), c1(p + ".c1"), t(p + ".t"), n2(p + ".n2"), c2(p + ".c2"),
        skip(Cin == Cout ? std::string() : p + ".skip") {}

  GroupNorm<8, Cin> n1;
  Conv2d<Cin, Cout, 3, 1, 1> c1;
  Linear<512, Cout> t;
  GroupNorm<8, Cout> n2;
  Conv2d<Cout, Cout, 3, 1, 1> c2;
  // Only when the channels change (an empty name declares no parameter).
  struct Skip {
    explicit Skip(const std::string &name) {
      if (!name.empty())
        conv.emplace(name);
    }
    std::optional<Conv2d<Cin, Cout, 1, 1, 0>> conv;
  } skip;

  template <int S>
  Tensor<B, Cout, S, S> operator()(const Tensor<B, Cin, S, S> &x,
                                   const Tensor<B, 512> &temb_silu) const {
    auto h = c1(silu(n1(x))) + reshape<B, Cout, 1, 1>(t(temb_silu));
    h = c2(silu(n2(h)));
    if constexpr (Cin == Cout)
      return h + x;
    else
      return h + (*skip.conv)(x);
  }
};

// GroupNorm(8), 4-head self-attention over the S*S positions with one qkv
// Linear and one output Linear, residual.
template <int Ch, int S> struct SpatialAttention {
  explicit SpatialAttention(const std::string &p)
      : norm(p + ".norm"), qkv(p + ".qkv"), out(p + ".out") {}

  GroupNorm<8, Ch> norm;
  Linear<Ch, 3 * Ch> qkv;
  Linear<Ch, Ch> out;

  Tensor<B, Ch, S, S> operator()(const Tensor<B, Ch, S, S> &x) const {
    constexpr int P = S * S;
    // [B, C, S, S] -> [B, P, C]: positions as a sequence.
    auto seq = permute<0, 2, 1>(reshape<B, Ch, P>(norm(x)));
    auto [q, k, v] = split<Ch, Ch, Ch>(qkv(seq));
    auto o =
        transformer::attention(transformer::heads(q), transformer::heads(k),
                               transformer::heads(v), transformer::unmasked);
    return x + reshape<B, Ch, S, S>(permute<0, 2, 1>(out(o)));
  }
};

} // namespace unet
