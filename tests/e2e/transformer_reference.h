// The Transformers of MODELS.md written out naively in double precision
// from MODELS.md (not from models/): the byte-level GPT (one window of
// bytes in, the next-byte logits of every position out) and the pieces the
// encoder-decoder's reference (seq2seq_test.cpp) shares. Parameters are
// read by name from a ParamStore.
#pragma once

#include "reference.h"

#include "kiln/runtime/params.h"

#include <cmath>
#include <string>
#include <vector>

namespace kiln::test {

inline void add(Matrix &h, const Matrix &d) {
  for (size_t i = 0; i < h.v.size(); ++i)
    h.v[i] += d.v[i];
}

// GELU, tanh approximation, in place.
inline void geluTanh(Matrix &m) {
  for (double &v : m.v)
    v = 0.5 * v *
        (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
}

// torch.nn.LayerNorm over each row, eps 1e-5, biased variance.
inline Matrix layerNormRows(const Matrix &x, const rt::Tensor &w,
                            const rt::Tensor &b) {
  Matrix y(x.rows, x.cols);
  for (int64_t t = 0; t < x.rows; ++t) {
    double mean = 0, var = 0;
    for (int64_t c = 0; c < x.cols; ++c)
      mean += x.at(t, c) / double(x.cols);
    for (int64_t c = 0; c < x.cols; ++c)
      var += (x.at(t, c) - mean) * (x.at(t, c) - mean) / double(x.cols);
    for (int64_t c = 0; c < x.cols; ++c)
      y.at(t, c) = (x.at(t, c) - mean) / std::sqrt(var + 1e-5) * w.data()[c] +
                   b.data()[c];
  }
  return y;
}

// softmax(q k^T / sqrt(32)) v over 4 heads of 32: q is columns
// [qAt, qAt + 128) of `queries`, k and v columns [kAt, kAt + 128) and
// [vAt, vAt + 128) of `keys`; masked(t, u) leaves key u out of query t.
template <class Masked>
Matrix multiHeadAttention(const Matrix &queries, int64_t qAt,
                          const Matrix &keys, int64_t kAt, int64_t vAt,
                          Masked masked) {
  constexpr int H = 4, D = 32;
  Matrix o(queries.rows, H * D);
  for (int hd = 0; hd < H; ++hd)
    for (int64_t t = 0; t < queries.rows; ++t) {
      std::vector<double> w(size_t(keys.rows), 0.0);
      double top = -1e300, sum = 0;
      for (int64_t u = 0; u < keys.rows; ++u) {
        if (masked(t, u))
          continue;
        double dot = 0;
        for (int d = 0; d < D; ++d)
          dot += queries.at(t, qAt + hd * D + d) * keys.at(u, kAt + hd * D + d);
        w[size_t(u)] = dot / std::sqrt(double(D));
        top = std::max(top, w[size_t(u)]);
      }
      for (int64_t u = 0; u < keys.rows; ++u)
        if (!masked(t, u))
          sum += w[size_t(u)] = std::exp(w[size_t(u)] - top);
      for (int d = 0; d < D; ++d) {
        double acc = 0;
        for (int64_t u = 0; u < keys.rows; ++u)
          if (!masked(t, u))
            acc += w[size_t(u)] / sum * keys.at(u, vAt + hd * D + d);
        o.at(t, hd * D + d) = acc;
      }
    }
  return o;
}

// Mean cross-entropy (nats) of each row's target, rows whose target is
// `skip` left out (-1: none).
inline double meanCrossEntropy(const Matrix &z, const std::vector<int> &y,
                               int skip, double &total, int64_t &count) {
  for (int64_t t = 0; t < z.rows; ++t) {
    if (y[size_t(t)] == skip)
      continue;
    double top = -1e300, sum = 0;
    for (int64_t v = 0; v < z.cols; ++v)
      top = std::max(top, z.at(t, v));
    for (int64_t v = 0; v < z.cols; ++v)
      sum += std::exp(z.at(t, v) - top);
    total += top + std::log(sum) - z.at(t, y[size_t(t)]);
    ++count;
  }
  return count ? total / double(count) : 0.0;
}

// What the blocks of both models share: pre-LayerNorm sublayers with the
// parameter names of models/transformer.h.
class TransformerReference {
public:
  static constexpr int V = 256, C = 128;

  explicit TransformerReference(const rt::ParamStore &params) : p_(params) {}

protected:
  Matrix layerNorm(const Matrix &x, const std::string &name) const {
    return layerNormRows(x, p_.get(name + ".weight"), p_.get(name + ".bias"));
  }
  Matrix dense(const Matrix &x, const std::string &name) const {
    return linear(x, p_.get(name + ".weight"), p_.get(name + ".bias"));
  }
  // tok[ids] + table[0 .. n).
  Matrix embed(const std::vector<int> &ids, const std::string &table) const {
    const rt::Tensor &tok = p_.get("tok.weight"), &pos = p_.get(table);
    Matrix h(int64_t(ids.size()), C);
    for (int64_t t = 0; t < h.rows; ++t)
      for (int c = 0; c < C; ++c)
        h.at(t, c) = tok.data()[ids[size_t(t)] * C + c] + pos.data()[t * C + c];
    return h;
  }
  // h += proj(attention(ln1(h))), keys masked by masked(t, u).
  template <class Masked>
  void selfAttention(Matrix &h, const std::string &b, Masked masked) const {
    const Matrix qkv = dense(layerNorm(h, b + "ln1"), b + "qkv");
    add(h,
        dense(multiHeadAttention(qkv, 0, qkv, C, 2 * C, masked), b + "proj"));
  }
  // h += fc2(gelu(fc1(ln2(h)))).
  void mlp(Matrix &h, const std::string &b) const {
    Matrix f = dense(layerNorm(h, b + "ln2"), b + "fc1");
    geluTanh(f);
    add(h, dense(f, b + "fc2"));
  }
  // The tied output head: ln_f(h) tok^T.
  Matrix head(const Matrix &h) const {
    return matmul(layerNorm(h, "ln_f"), toMatrix(p_.get("tok.weight")),
                  /*transposeB=*/true);
  }

  const rt::ParamStore &p_;
};

inline bool causal(int64_t t, int64_t u) { return u > t; }

class GptReference : public TransformerReference {
public:
  using TransformerReference::TransformerReference;

  // logits[t][v]: the score of byte v after x[0..t].
  Matrix logits(const std::vector<int> &x) const {
    Matrix h = embed(x, "pos");
    for (int l = 0; l < 4; ++l) {
      const std::string b = "blocks." + std::to_string(l) + ".";
      selfAttention(h, b, causal);
      mlp(h, b);
    }
    return head(h);
  }

  // Mean cross-entropy (nats) of y[t] after x[0..t], over every window.
  double loss(const std::vector<std::vector<int>> &x,
              const std::vector<std::vector<int>> &y) const {
    double total = 0;
    int64_t n = 0;
    for (size_t w = 0; w < x.size(); ++w)
      meanCrossEntropy(logits(x[w]), y[w], -1, total, n);
    return total / double(n);
  }
};

// The encoder-decoder of models/seq2seq.cpp's doc comment: 2 encoder
// layers over the source (padding, byte 0, masked as keys), enc_ln, 2
// decoder layers (causal self-attention, cross-attention to the encoder's
// output with the source's padding masked, MLP), the tied head.
class Seq2seqReference : public TransformerReference {
public:
  using TransformerReference::TransformerReference;

  Matrix logits(const std::vector<int> &src,
                const std::vector<int> &tgt) const {
    auto padded = [&](int64_t, int64_t u) { return src[size_t(u)] == 0; };
    Matrix e = embed(src, "src_pos");
    for (int l = 0; l < 2; ++l) {
      const std::string b = "enc." + std::to_string(l) + ".";
      selfAttention(e, b, padded);
      mlp(e, b);
    }
    e = layerNorm(e, "enc_ln");
    Matrix h = embed(tgt, "tgt_pos");
    for (int l = 0; l < 2; ++l) {
      const std::string b = "dec." + std::to_string(l) + ".";
      selfAttention(h, b, causal);
      const Matrix q = dense(layerNorm(h, b + "lnx"), b + "q");
      const Matrix kv = dense(e, b + "kv");
      add(h, dense(multiHeadAttention(q, 0, kv, 0, C, padded), b + "projx"));
      mlp(h, b);
    }
    return head(h);
  }

  // Mean cross-entropy over the targets that are not padding (0).
  double loss(const std::vector<std::vector<int>> &src,
              const std::vector<std::vector<int>> &tgt,
              const std::vector<std::vector<int>> &next) const {
    double total = 0;
    int64_t n = 0;
    for (size_t r = 0; r < src.size(); ++r)
      meanCrossEntropy(logits(src[r], tgt[r]), next[r], 0, total, n);
    return total / double(n);
  }
};

} // namespace kiln::test
