// The byte-level GPT of MODELS.md: 256 byte tokens, a 128-byte window,
// 4 pre-LayerNorm blocks of 4 causal attention heads (d_model 128) and a
// GELU (tanh) MLP of 512, learned positions, the output head tied to the
// token table; 842,496 parameters.
//
//   h = tok[x] + pos
//   per block: h += proj(attention(ln1(h)));  h += fc2(gelu(fc1(ln2(h))))
//   logits = ln_f(h) tok^T
//
// Parameter names are those of the equivalent PyTorch module (MODELS.md),
// so its checkpoint loads there. Generation runs `prefill` on a prompt (of
// its own length, up to the window) and then `decode` one byte at a time;
// both keep each layer's keys and values in a KV cache (Buffers, written
// in place, never checkpointed).
#include "transformer.h"

#include <array>
#include <string>
#include <type_traits>

using namespace kiln::dsl;
using namespace transformer;

inline constexpr auto B = batch;
inline constexpr int V = 256; // bytes
inline constexpr int T = 128; // the window
inline constexpr int L = 4;   // blocks

// One layer's KV cache: keys and values of every window position.
struct Cache {
  explicit Cache(int i)
      : k("cache." + std::to_string(i) + ".k"),
        v("cache." + std::to_string(i) + ".v") {}
  Buffer<1, H, T, D> k;
  Buffer<1, H, T, D> v;
};

struct Gpt : Model {
  Embedding<V, C> tok{"tok", small_normal()}; // also the output head
  Param<T, C> pos{"pos", small_normal()};
  std::array<Block, L> blocks{Block("blocks.0."), Block("blocks.1."),
                              Block("blocks.2."), Block("blocks.3.")};
  LayerNorm<C> ln_f{"ln_f"};
  std::array<Cache, L> cache{Cache(0), Cache(1), Cache(2), Cache(3)};

  // x's byte and position embeddings: every row of `pos` for whole
  // windows, its first S rows (gathered) for a prompt of symbolic length S.
  template <auto N, auto S> Tensor<N, S, C> embed(const Ints<N, S> &x) {
    if constexpr (std::is_same_v<decltype(S), int>)
      return tok(x) + pos;
    else
      return tok(x) + gather<0>(pos, floor_to_int(iota<-1>(to_float(x))));
  }

  // Next-byte logits at every position of texts x [N, S] (S up to T).
  // With `at` (prefill, batch 1), each layer's keys and values are also
  // stored in its cache from window position *at on.
  template <auto N, auto S>
  Tensor<N, S, V> forward(const Ints<N, S> &x, const Ints<> *at = nullptr) {
    Tensor<N, S, C> h = embed(x);
    for (int i = 0; i < L; ++i) {
      const Block &b = blocks[i];
      auto [q, k, v] = split<C, C, C>(b.qkv(b.ln1(h)));
      if (at) {
        write_slice<2>(cache[i].k, heads(k), *at);
        write_slice<2>(cache[i].v, heads(v), *at);
      }
      h = h + b.proj(attention(heads(q), heads(k), heads(v), causal));
      h = b.mlp(h);
    }
    return matmul<false, true>(ln_f(h), tok.weight);
  }

  // The mean cross-entropy (nats per byte) of predicting y from x.
  Scalar loss(Ints<B, T> x, Ints<B, T> y) {
    return mean(cross_entropy(forward(x), y));
  }

  // A prompt of 1 to T bytes: the logits of every position (the caller
  // reads the last), its keys and values in the caches from position 0.
  // `at` must be 0. Computed over the prompt's own length, not the window:
  // the rebuild of a full window (64 bytes) costs half a window's work.
  Tensor<1, seq, V> prefill(Ints<1, seq> x, Ints<> at) {
    return forward(x, &at);
  }

  // One byte x at window position `at`: its keys and values appended to
  // the caches in place, attention over positions 0..at.
  Tensor<1, 1, V> decode(Ints<1, 1> x, Ints<> at) {
    Tensor<1, 1, C> h = tok(x) + gather<0>(pos, at);
    for (int i = 0; i < L; ++i) {
      const Block &b = blocks[i];
      auto [q, k, v] = split<C, C, C>(b.qkv(b.ln1(h)));
      auto keys = write_slice<2>(cache[i].k, heads(k), at);
      auto values = write_slice<2>(cache[i].v, heads(v), at);
      // Keys after `at` are padding or stale: left out.
      KeyMask<1, T> after{greater(iota<-1>(full<1, 1, T>(0.0f)), to_float(at))};
      h = h + b.proj(attention(heads(q), Tensor<1, H, T, D>(keys),
                               Tensor<1, H, T, D>(values), after));
      h = b.mlp(h);
    }
    return matmul<false, true>(ln_f(h), tok.weight);
  }
};

KILN_MODEL(Gpt, "gpt") {
  // MODELS.md: AdamW lr 3e-4, weight decay 0.1 on every parameter, batch 32.
  train("train_step", &Gpt::loss, AdamW{.lr = 3e-4, .weight_decay = 0.1})
      .inputs("x", "y")
      .consumes(data::text(), data::next_text())
      .outputs("loss")
      .batch(32);
  infer("loss", &Gpt::loss)
      .inputs("x", "y")
      .consumes(data::text(), data::next_text())
      .outputs("loss")
      .produces(data::loss());
  infer("prefill", &Gpt::prefill)
      .inputs("x", "at")
      .consumes(data::text(), data::position(T))
      .outputs("logits")
      .produces(data::next_logits());
  infer("decode", &Gpt::decode)
      .inputs("x", "at")
      .consumes(data::text(), data::position(T))
      .outputs("logits")
      .produces(data::next_logits());
}
