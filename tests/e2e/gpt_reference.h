// The byte-level GPT of MODELS.md written out naively in double precision
// from MODELS.md (not from models/gpt.cpp): one window of bytes in, the
// next-byte logits of every position out. Parameters are read by their
// MODELS.md names from a ParamStore.
#pragma once

#include "reference.h"

#include "kiln/runtime/params.h"

#include <cmath>
#include <string>
#include <vector>

namespace kiln::test {

class GptReference {
public:
  static constexpr int V = 256, C = 128, H = 4, D = 32;

  explicit GptReference(const rt::ParamStore &params) : p_(params) {}

  // logits[t][v]: the score of byte v after x[0..t].
  Matrix logits(const std::vector<int> &x) const {
    const auto s = static_cast<int64_t>(x.size());
    Matrix h(s, C);
    const rt::Tensor &tok = p_.get("tok.weight"), &pos = p_.get("pos");
    for (int64_t t = 0; t < s; ++t)
      for (int c = 0; c < C; ++c)
        h.at(t, c) = tok.data()[x[size_t(t)] * C + c] + pos.data()[t * C + c];
    for (int l = 0; l < 4; ++l) {
      const std::string b = "blocks." + std::to_string(l) + ".";
      const Matrix qkv =
          linear(layerNorm(h, b + "ln1"), p_.get(b + "qkv.weight"),
                 p_.get(b + "qkv.bias"));
      const Matrix o = attention(qkv);
      add(h, linear(o, p_.get(b + "proj.weight"), p_.get(b + "proj.bias")));
      Matrix f = linear(layerNorm(h, b + "ln2"), p_.get(b + "fc1.weight"),
                        p_.get(b + "fc1.bias"));
      for (double &v : f.v)
        v = 0.5 * v *
            (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
      add(h, linear(f, p_.get(b + "fc2.weight"), p_.get(b + "fc2.bias")));
    }
    return matmul(layerNorm(h, "ln_f"), toMatrix(tok), /*transposeB=*/true);
  }

  // Mean cross-entropy (nats) of y[t] after x[0..t], over every window.
  double loss(const std::vector<std::vector<int>> &x,
              const std::vector<std::vector<int>> &y) const {
    double total = 0;
    int64_t n = 0;
    for (size_t w = 0; w < x.size(); ++w) {
      const Matrix z = logits(x[w]);
      for (int64_t t = 0; t < z.rows; ++t, ++n) {
        double top = -1e300, sum = 0;
        for (int v = 0; v < V; ++v)
          top = std::max(top, z.at(t, v));
        for (int v = 0; v < V; ++v)
          sum += std::exp(z.at(t, v) - top);
        total += top + std::log(sum) - z.at(t, y[w][size_t(t)]);
      }
    }
    return total / double(n);
  }

private:
  static void add(Matrix &h, const Matrix &d) {
    for (size_t i = 0; i < h.v.size(); ++i)
      h.v[i] += d.v[i];
  }

  // torch.nn.LayerNorm(C), eps 1e-5, biased variance.
  Matrix layerNorm(const Matrix &x, const std::string &name) const {
    const rt::Tensor &w = p_.get(name + ".weight"), &b = p_.get(name + ".bias");
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

  // Causal softmax(q k^T / sqrt(D)) v per head; q, k, v are the thirds of
  // qkv's columns, heads contiguous in each.
  static Matrix attention(const Matrix &qkv) {
    const int64_t s = qkv.rows;
    Matrix o(s, C);
    for (int hd = 0; hd < H; ++hd)
      for (int64_t t = 0; t < s; ++t) {
        std::vector<double> w(size_t(t + 1));
        double top = -1e300, sum = 0;
        for (int64_t u = 0; u <= t; ++u) {
          double dot = 0;
          for (int d = 0; d < D; ++d)
            dot += qkv.at(t, hd * D + d) * qkv.at(u, C + hd * D + d);
          w[size_t(u)] = dot / std::sqrt(double(D));
          top = std::max(top, w[size_t(u)]);
        }
        for (double &v : w)
          sum += v = std::exp(v - top);
        for (int d = 0; d < D; ++d) {
          double acc = 0;
          for (int64_t u = 0; u <= t; ++u)
            acc += w[size_t(u)] / sum * qkv.at(u, 2 * C + hd * D + d);
          o.at(t, hd * D + d) = acc;
        }
      }
    return o;
  }

  const rt::ParamStore &p_;
};

} // namespace kiln::test
