// What the Transformers of models/ share (MODELS.md: d_model 128, 4 heads
// of 32, MLP 512 with GELU (tanh), pre-LayerNorm, GPT-2's initialisation):
// head views, masked multi-head attention (fused) and the blocks' layers.
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
template <auto N, auto S> auto heads(const Tensor<N, S, C> &x) {
  return permute<0, 2, 1, 3>(reshape<N, S, H, D>(x));
}
// [N, H, S, D] -> [N, S, C]: the heads joined back.
template <auto N, auto S> Tensor<N, S, C> join(const Tensor<N, H, S, D> &o) {
  return reshape<N, S, C>(permute<0, 2, 1, 3>(o));
}

// Which keys a query attends to (the masks of attention below).
struct Unmasked {};
struct Causal {};
// mask [N, 1, K] over the heads: non-zero where the key is left out.
template <auto N, auto K> struct KeyMask { Tensor<N, 1, K> mask; };
inline constexpr Unmasked unmasked{};
// Key j after query s is left out (self-attention over a whole window).
inline constexpr Causal causal{};

// Leaves out the keys at padded positions: pad [N, K] is 1 where the key
// is padding.
template <auto N, auto K> KeyMask<N, K> key_padding(const Tensor<N, K> &pad) {
  return {reshape<N, 1, K>(pad)};
}

// softmax(q k^T / sqrt(D) + mask) v over the heads, joined back: one fused
// kernel that never stores the [N, H, S, K] scores (scaled_dot_product_
// attention), reading q, k and v in place from the projections' heads.
template <auto N, auto S, auto K>
Tensor<N, S, C> attention(const Tensor<N, H, S, D> &q,
                          const Tensor<N, H, K, D> &k,
                          const Tensor<N, H, K, D> &v, Unmasked) {
  return join(scaled_dot_product_attention(q, k, v));
}
template <auto N, auto S, auto K>
Tensor<N, S, C> attention(const Tensor<N, H, S, D> &q,
                          const Tensor<N, H, K, D> &k,
                          const Tensor<N, H, K, D> &v, Causal) {
  return join(scaled_dot_product_attention(q, k, v, {.causal = true}));
}
template <auto N, auto S, auto K>
Tensor<N, S, C>
attention(const Tensor<N, H, S, D> &q, const Tensor<N, H, K, D> &k,
          const Tensor<N, H, K, D> &v, const KeyMask<N, K> &keys) {
  return join(scaled_dot_product_attention(q, k, v, keys.mask));
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

  // h + proj(attention(ln1(h))), `mask` saying which keys each query sees.
  template <auto N, auto S, class Mask>
  Tensor<N, S, C> self_attention(const Tensor<N, S, C> &h, Mask mask) const {
    auto [q, k, v] = split<C, C, C>(qkv(ln1(h)));
    return h + proj(attention(heads(q), heads(k), heads(v), mask));
  }

  // h + fc2(gelu(fc1(ln2(h)))).
  template <auto N, auto S>
  Tensor<N, S, C> mlp(const Tensor<N, S, C> &h) const {
    return h + fc2(gelu(fc1(ln2(h))));
  }
};

} // namespace transformer
