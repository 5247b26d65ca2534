// Fused attention (scaled_dot_product_attention) for
// tests/e2e/attention_test.cpp: self-attention with and without the causal
// mask, cross-attention with a key padding mask and a scale of its own
// (also with a single query, as a decode step has), and the GPT's shape (4
// heads of 32, 128 positions, causal).
//
// Sizes are odd on purpose: head sizes 5 and 6 (no whole vector), 11
// queries (a tile of 8 and a last tile that overlaps it), 13 keys, 3
// queries (fewer than a tile), 25 positions (more than a vector of keys
// with AVX-512, not whole vectors: the last vector of a tile's columns
// overlaps the one before, and the last key tile has fewer columns than
// a vector; D = Dv there, so dk and dv share a kernel). Gradients reach q, k
// and v through a parameter added to each (offset.*, zeros): with SGD lr 1 it
// moves by minus the input's gradient summed over the batch.
#include <kiln/dsl.h>

using namespace kiln::dsl;

inline constexpr auto B = batch;
inline constexpr int H = 2, S = 11, K = 13, Q = 3, L = 25, D = 5, Dv = 6;

struct AttentionOps : Model {
  Param<1, H, S, D> off_q{"offset.q", init::zeros()};
  Param<1, H, S, D> off_k{"offset.k", init::zeros()};
  Param<1, H, S, Dv> off_v{"offset.v", init::zeros()};
  Param<1, H, Q, D> off_cq{"offset.cq", init::zeros()};
  Param<1, H, K, D> off_ck{"offset.ck", init::zeros()};
  Param<1, H, K, Dv> off_cv{"offset.cv", init::zeros()};
  Param<1, H, L, D> off_lq{"offset.lq", init::zeros()};
  Param<1, H, L, D> off_lk{"offset.lk", init::zeros()};
  Param<1, H, L, D> off_lv{"offset.lv", init::zeros()};
  Param<1, 4, 128, 32> off_gq{"offset.gq", init::zeros()};
  Param<1, 4, 128, 32> off_gk{"offset.gk", init::zeros()};
  Param<1, 4, 128, 32> off_gv{"offset.gv", init::zeros()};

  Tensor<B, H, S, Dv> self(Tensor<B, H, S, D> q, Tensor<B, H, S, D> k,
                           Tensor<B, H, S, Dv> v) {
    return scaled_dot_product_attention(q, k, v);
  }
  Tensor<B, H, S, Dv> causal(Tensor<B, H, S, D> q, Tensor<B, H, S, D> k,
                             Tensor<B, H, S, Dv> v) {
    return scaled_dot_product_attention(q, k, v, {.causal = true});
  }
  // pad [B, 1, K]: 1 where the key is padding.
  Tensor<B, H, Q, Dv> cross(Tensor<B, H, Q, D> q, Tensor<B, H, K, D> k,
                            Tensor<B, H, K, Dv> v, Tensor<B, 1, K> pad) {
    return scaled_dot_product_attention(q, k, v, pad, {.scale = 0.3f});
  }
  // One query row (a decode step's shape), scored without tiles.
  Tensor<B, H, 1, Dv> one_query(Tensor<B, H, 1, D> q, Tensor<B, H, K, D> k,
                                Tensor<B, H, K, Dv> v, Tensor<B, 1, K> pad) {
    return scaled_dot_product_attention(q, k, v, pad, {.scale = 0.3f});
  }
  Tensor<B, 4, 128, 32> gpt(Tensor<B, 4, 128, 32> q, Tensor<B, 4, 128, 32> k,
                            Tensor<B, 4, 128, 32> v) {
    return scaled_dot_product_attention(q, k, v, {.causal = true});
  }

  Scalar causal_train(Tensor<B, H, S, D> q, Tensor<B, H, S, D> k,
                      Tensor<B, H, S, Dv> v, Tensor<B, H, S, Dv> r) {
    return sum(scaled_dot_product_attention(q + off_q, k + off_k, v + off_v,
                                            {.causal = true}) *
               r);
  }
  Scalar cross_train(Tensor<B, H, Q, D> q, Tensor<B, H, K, D> k,
                     Tensor<B, H, K, Dv> v, Tensor<B, 1, K> pad,
                     Tensor<B, H, Q, Dv> r) {
    return sum(scaled_dot_product_attention(q + off_cq, k + off_ck, v + off_cv,
                                            pad, {.scale = 0.3f}) *
               r);
  }
  Scalar long_causal_train(Tensor<B, H, L, D> q, Tensor<B, H, L, D> k,
                           Tensor<B, H, L, D> v, Tensor<B, H, L, D> r) {
    return sum(scaled_dot_product_attention(q + off_lq, k + off_lk, v + off_lv,
                                            {.causal = true}) *
               r);
  }
  Scalar gpt_train(Tensor<B, 4, 128, 32> q, Tensor<B, 4, 128, 32> k,
                   Tensor<B, 4, 128, 32> v, Tensor<B, 4, 128, 32> r) {
    return sum(scaled_dot_product_attention(q + off_gq, k + off_gk, v + off_gv,
                                            {.causal = true}) *
               r);
  }
};

KILN_MODEL(AttentionOps, "attention_ops") {
  infer("self", &AttentionOps::self);
  infer("causal", &AttentionOps::causal);
  infer("cross", &AttentionOps::cross);
  infer("one_query", &AttentionOps::one_query);
  infer("gpt", &AttentionOps::gpt);
  train("causal_train", &AttentionOps::causal_train, Sgd{.lr = 1})
      .params("offset.q", "offset.k", "offset.v");
  train("cross_train", &AttentionOps::cross_train, Sgd{.lr = 1})
      .params("offset.c");
  train("long_causal_train", &AttentionOps::long_causal_train, Sgd{.lr = 1})
      .params("offset.l");
  train("gpt_train", &AttentionOps::gpt_train, Sgd{.lr = 1}).params("offset.g");
}
