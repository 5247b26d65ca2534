//===- Attention.cpp - naive attention for the interpreter ----------------===//

#include "Attention.h"

#include <algorithm>
#include <cmath>

namespace kiln::interp::detail {

namespace {

struct Dims {
  int64_t batch = 1, s = 0, kk = 0, d = 0, dv = 0;
};

Dims dimsOf(const AttentionArgs &a) {
  Dims n;
  const auto &q = a.q->shape;
  for (size_t i = 0; i + 2 < q.size(); ++i)
    n.batch *= q[i];
  n.s = q[q.size() - 2];
  n.d = q.back();
  n.kk = a.k->shape[q.size() - 2];
  n.dv = a.v ? a.v->shape.back() : 0;
  return n;
}

/// Whether key j of batch index b (row-major over q's batch dimensions) is
/// masked by `mask` [..., K], whose batch dimensions may be 1.
bool keyMasked(const AttentionArgs &a, int64_t b, int64_t j) {
  if (!a.mask)
    return false;
  const auto &qs = a.q->shape;
  const auto &ms = a.mask->shape;
  // The mask [..., K] has q's batch dimensions or 1s: key j of batch index
  // b (q's batch dimensions, row-major) is at this flat index.
  int64_t flat = j, stride = ms.back(), rest = b;
  for (int64_t i = int64_t(qs.size()) - 3; i >= 0; --i) {
    int64_t idx = rest % qs[i];
    rest /= qs[i];
    if (ms[i] != 1)
      flat += idx * stride;
    stride *= ms[i];
  }
  return a.mask->data[size_t(flat)] != 0;
}

/// The masked, scaled scores of batch index b: [S][K].
std::vector<std::vector<double>> scores(const AttentionArgs &a, const Dims &n,
                                        int64_t b) {
  std::vector<std::vector<double>> sc(size_t(n.s),
                                      std::vector<double>(size_t(n.kk)));
  for (int64_t s = 0; s < n.s; ++s)
    for (int64_t j = 0; j < n.kk; ++j) {
      double dot = 0;
      for (int64_t d = 0; d < n.d; ++d)
        dot += a.q->data[size_t((b * n.s + s) * n.d + d)] *
               a.k->data[size_t((b * n.kk + j) * n.d + d)];
      bool masked = (a.causal && j > s) || keyMasked(a, b, j);
      sc[size_t(s)][size_t(j)] = masked ? -1e30 : a.scale * dot;
    }
  return sc;
}

double logSumExp(const std::vector<double> &row) {
  double m = *std::max_element(row.begin(), row.end());
  double sum = 0;
  for (double x : row)
    sum += std::exp(x - m);
  return m + std::log(sum);
}

} // namespace

DTensor attention(const AttentionArgs &a) {
  Dims n = dimsOf(a);
  std::vector<int64_t> shape = a.q->shape;
  shape.back() = n.dv;
  DTensor out(shape);
  for (int64_t b = 0; b < n.batch; ++b) {
    auto sc = scores(a, n, b);
    for (int64_t s = 0; s < n.s; ++s) {
      // exp(x - max) / sum, not exp(x - lse): a row of masked keys has
      // max -1e30 and lse -1e30 + log K, which rounds to -1e30.
      const auto &row = sc[size_t(s)];
      double m = *std::max_element(row.begin(), row.end()), sum = 0;
      for (double x : row)
        sum += std::exp(x - m);
      for (int64_t j = 0; j < n.kk; ++j) {
        double p = std::exp(row[size_t(j)] - m) / sum;
        for (int64_t e = 0; e < n.dv; ++e)
          out.data[size_t((b * n.s + s) * n.dv + e)] +=
              p * a.v->data[size_t((b * n.kk + j) * n.dv + e)];
      }
    }
  }
  return out;
}

DTensor attentionLse(const AttentionArgs &a) {
  Dims n = dimsOf(a);
  DTensor out(std::vector<int64_t>(a.q->shape.begin(), a.q->shape.end() - 1));
  for (int64_t b = 0; b < n.batch; ++b) {
    auto sc = scores(a, n, b);
    for (int64_t s = 0; s < n.s; ++s)
      out.data[size_t(b * n.s + s)] = logSumExp(sc[size_t(s)]);
  }
  return out;
}

DTensor attentionGrad(const AttentionArgs &a, const DTensor &grad,
                      const DTensor &lse, const DTensor &delta, int wrt) {
  Dims n = dimsOf(a);
  const DTensor &like = wrt == 0 ? *a.q : wrt == 1 ? *a.k : *a.v;
  DTensor out(like.shape);
  auto q = [&](int64_t b, int64_t s, int64_t d) {
    return a.q->data[size_t((b * n.s + s) * n.d + d)];
  };
  auto k = [&](int64_t b, int64_t j, int64_t d) {
    return a.k->data[size_t((b * n.kk + j) * n.d + d)];
  };
  auto dO = [&](int64_t b, int64_t s, int64_t e) {
    return grad.data[size_t((b * n.s + s) * n.dv + e)];
  };
  for (int64_t b = 0; b < n.batch; ++b) {
    auto sc = scores(a, n, b);
    bool allMasked = true;
    for (int64_t j = 0; j < n.kk; ++j)
      allMasked = allMasked && keyMasked(a, b, j);
    for (int64_t s = 0; s < n.s; ++s)
      for (int64_t j = 0; j < n.kk; ++j) {
        // A row of masked keys is uniform (its lse, -1e30 + log K, rounds
        // to -1e30); masked scores are constants and get no gradient.
        double p = allMasked ? 1.0 / double(n.kk)
                             : std::exp(sc[size_t(s)][size_t(j)] -
                                        lse.data[size_t(b * n.s + s)]);
        bool masked = (a.causal && j > s) || keyMasked(a, b, j);
        if (wrt == 2) {
          for (int64_t e = 0; e < n.dv; ++e)
            out.data[size_t((b * n.kk + j) * n.dv + e)] += p * dO(b, s, e);
          continue;
        }
        double dp = 0;
        for (int64_t e = 0; e < n.dv; ++e)
          dp += dO(b, s, e) * a.v->data[size_t((b * n.kk + j) * n.dv + e)];
        double ds =
            masked ? 0 : p * (dp - delta.data[size_t(b * n.s + s)]) * a.scale;
        for (int64_t d = 0; d < n.d; ++d) {
          if (wrt == 0)
            out.data[size_t((b * n.s + s) * n.d + d)] += ds * k(b, j, d);
          else
            out.data[size_t((b * n.kk + j) * n.d + d)] += ds * q(b, s, d);
        }
      }
  }
  return out;
}

} // namespace kiln::interp::detail
