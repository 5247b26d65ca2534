// What the Transformers of models/ share (MODELS.md: d_model 128, 4 heads
// of 32, MLP 512 with GELU (tanh), pre-LayerNorm, GPT-2's initialisation):
// head views, masked multi-head attention and the blocks' layers.
#pragma once

#include <kiln/dsl.h>

#include <cmath>
#include <string>

namespace transformer {

using namespace kiln::dsl;

inline constexpr int C = 128; // d_model
inline constexpr int H = 4;   // heads
inline constexpr int D = C / H;
inline constexpr int F = 512; // MLP

// GPT-2's initialisation: N(0, 0.02) weights, zero biases.
inline Init small_normal() { return init::normal(0, 0.02); }

template <int In, int Out> Linear<In, Out> linear(const std::string &name) {
  return Linear<In, Out>(name, small_normal(), init::zeros());
}

// [N, S, C] -> [N, H, S, D]: the heads of a projection, read in place.
template <auto N, int S> auto heads(const Tensor<N, S, C> &x) {
  return permute<0, 2, 1, 3>(reshape<N, S, H, D>(x));
}
// [N, H, S, D] -> [N, S, C]: the heads joined back.
template <auto N, int S> Tensor<N, S, C> join(const Tensor<N, H, S, D> &o) {
  return reshape<N, S, C>(permute<0, 2, 1, 3>(o));
}

// softmax(q k^T / sqrt(D)) v over the heads, with `mask` applied to the
// scores [N, H, S, K].
template <auto N, int S, int K, class Mask>
Tensor<N, S, C> attention(const Tensor<N, H, S, D> &q,
                          const Tensor<N, H, K, D> &k,
                          const Tensor<N, H, K, D> &v, Mask mask) {
  const float scale = 1.0f / std::sqrt(float(D));
  auto scores = matmul<false, true>(q, k) * scale;
  return join(matmul(softmax(mask(scores)), v));
}

// The causal mask of self-attention over a whole window.
inline auto causal = [](const auto &s) { return causal_mask(s); };

// Masks the keys at padded positions: pad [N, K] is 1 where the key is
// padding. Scores [N, H, S, K].
template <auto N, int K> auto key_padding(const Tensor<N, K> &pad) {
  return [pad](const auto &s) {
    return where(reshape<N, 1, 1, K>(pad), -1e30f, s);
  };
}

// A pre-LayerNorm block's self-attention and MLP: PREFIX ln1, qkv (q, k, v
// in that order, heads contiguous), proj, ln2, fc1, fc2.
struct Block {
  explicit Block(const std::string &p)
      : ln1(p + "ln1"), qkv(linear<C, 3 * C>(p + "qkv")),
        proj(linear<C, C>(p + "proj")), ln2(p + "ln2"),
        fc1(linear<C, F>(p + "fc1")), fc2(linear<F, C>(p + "fc2")) {}

  LayerNorm<C> ln1;
  Linear<C, 3 * C> qkv;
  Linear<C, C> proj;
  LayerNorm<C> ln2;
  Linear<C, F> fc1;
  Linear<F, C> fc2;

  // h + proj(attention(ln1(h))) with `mask` on the scores.
  template <auto N, int S, class Mask>
  Tensor<N, S, C> self_attention(const Tensor<N, S, C> &h, Mask mask) const {
    auto [q, k, v] = split<C, C, C>(qkv(ln1(h)));
    return h + proj(attention(heads(q), heads(k), heads(v), mask));
  }

  // h + fc2(gelu(fc1(ln2(h)))).
  template <auto N, int S> Tensor<N, S, C> mlp(const Tensor<N, S, C> &h) const {
    return h + fc2(gelu(fc1(ln2(h))));
  }
};

} // namespace transformer
