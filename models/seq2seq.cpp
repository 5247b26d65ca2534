// The encoder-decoder Transformer of MODELS.md: the GPT's block sizes
// (d_model 128, 4 heads, MLP 512, pre-LayerNorm, GELU), 2 encoder and 2
// decoder layers, cross-attention, byte tokens, learned positions, the
// output head tied to the token table. It learns the sequence task kiln
// ships (kiln/runtime/sequence_task.h): a source of up to 16 bytes,
// right-padded with 0, to its target, fed with teacher forcing: the
// decoder reads BOS + target and predicts target + EOS.
//
//   encoder: e = tok[src] + src_pos; per layer: e += self-attention
//            (padded keys masked), e += MLP; e = enc_ln(e)
//   decoder: h = tok[tgt] + tgt_pos; per layer: h += causal self-attention,
//            h += cross-attention to e (padded keys masked), h += MLP
//   logits = ln_f(h) tok^T
#include "transformer.h"

#include <array>
#include <string>

using namespace kiln::dsl;
using namespace transformer;

inline constexpr auto B = batch;
inline constexpr int V = 256; // bytes
inline constexpr int S = 16;  // source bytes
inline constexpr int T = 17; // target bytes + EOS (decoder input: BOS + target)

// A decoder layer: the Block's self-attention and MLP, with
// cross-attention in between (PREFIX lnx, q, kv (k, v in that order),
// projx).
struct DecoderBlock : Block {
  explicit DecoderBlock(const std::string &p)
      : Block(p), lnx(p + "lnx"), q(linear<C, C>(p + "q")),
        kv(linear<C, 2 * C>(p + "kv")), projx(linear<C, C>(p + "projx")) {}

  LayerNorm<C> lnx;
  Linear<C, C> q;
  Linear<C, 2 * C> kv;
  Linear<C, C> projx;

  template <auto N, class Mask>
  Tensor<N, T, C> cross_attention(const Tensor<N, T, C> &h,
                                  const Tensor<N, S, C> &memory,
                                  Mask mask) const {
    auto [k, v] = split<C, C>(kv(memory));
    return h + projx(attention(heads(q(lnx(h))), heads(k), heads(v), mask));
  }
};

struct Seq2seq : Model {
  Embedding<V, C> tok{"tok", small_normal()}; // also the output head
  Param<S, C> src_pos{"src_pos", small_normal()};
  Param<T, C> tgt_pos{"tgt_pos", small_normal()};
  std::array<Block, 2> enc{Block("enc.0."), Block("enc.1.")};
  LayerNorm<C> enc_ln{"enc_ln"};
  std::array<DecoderBlock, 2> dec{DecoderBlock("dec.0."),
                                  DecoderBlock("dec.1.")};
  LayerNorm<C> ln_f{"ln_f"};

  // Next-byte logits of the target after each decoder input byte.
  Tensor<B, T, V> logits(Ints<B, S> src, Ints<B, T> tgt) {
    auto padded = key_padding(equal(to_float(src), 0.0f)); // [B, S]
    Tensor<B, S, C> e = tok(src) + src_pos;
    for (const Block &b : enc)
      e = b.mlp(b.self_attention(e, padded));
    e = enc_ln(e);
    Tensor<B, T, C> h = tok(tgt) + tgt_pos;
    for (const DecoderBlock &b : dec)
      h = b.mlp(b.cross_attention(b.self_attention(h, causal), e, padded));
    return matmul<false, true>(ln_f(h), tok.weight);
  }

  // Mean cross-entropy (nats) over the target bytes and EOS; the padding
  // after EOS (0) is left out.
  Scalar loss(Ints<B, S> src, Ints<B, T> tgt, Ints<B, T> next) {
    auto counted = not_equal(to_float(next), 0.0f);
    return sum(cross_entropy(logits(src, tgt), next) * counted) / sum(counted);
  }
};

KILN_MODEL(Seq2seq, "seq2seq") {
  train("train_step", &Seq2seq::loss, AdamW{.lr = 5e-4, .weight_decay = 0.01})
      .inputs("src", "tgt", "next")
      .consumes(data::source(), data::text(), data::next_text())
      .outputs("loss")
      .batch(64);
  infer("loss", &Seq2seq::loss)
      .inputs("src", "tgt", "next")
      .consumes(data::source(), data::text(), data::next_text())
      .outputs("loss")
      .produces(data::loss());
  infer("logits", &Seq2seq::logits)
      .inputs("src", "tgt")
      .consumes(data::source(), data::text())
      .outputs("logits")
      .produces(data::next_logits());
}
