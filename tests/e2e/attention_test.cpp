// Fused attention (tests/e2e/models/attention.cpp), compiled as users
// compile it, against a naive double-precision softmax(scale q k^T + mask)
// v written here: self-attention with and without the causal mask,
// cross-attention with padded keys (one batch element with every key
// padded), the GPT's shape; gradients of q, k and v by central finite
// differences at the small shapes and, at the GPT's shape and at 25
// positions, by the textbook backward (dP = dO v^T, dS = P (dP -
// rowsum(P dP))) in double.
// Batches 1 and 3; every kernel variant of the portable build (AVX-512,
// AVX2, baseline) and the GPU schedules through ctest.
#include "attention_ops.h"
#include "reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

namespace {

using kiln::rt::Tensor;
using kiln::test::assign;
using kiln::test::dot;
using kiln::test::expectSgdStepsMatch;
using kiln::test::maxAbs;
using kiln::test::numericGradient;
using kiln::test::randomTensor;
using kiln::test::relErr;
using kiln::test::sgdStepError;
using kiln::test::toDoubles;
using Values = std::vector<double>;

constexpr double kForwardTol = 1e-5;

// Sizes of one attention: `batch` independent (batch, head) products.
struct Shape {
  int64_t batch, s, k, d, dv;
};

// The masked, scaled scores of product b: masked(b, s, j) leaves key j out.
template <class Masked>
std::vector<Values> scores(const Values &q, const Values &k, const Shape &n,
                           int64_t b, double scale, Masked masked) {
  std::vector<Values> sc(size_t(n.s), Values(size_t(n.k)));
  for (int64_t s = 0; s < n.s; ++s)
    for (int64_t j = 0; j < n.k; ++j) {
      double dot = 0;
      for (int64_t d = 0; d < n.d; ++d)
        dot += q[size_t((b * n.s + s) * n.d + d)] *
               k[size_t((b * n.k + j) * n.d + d)];
      sc[size_t(s)][size_t(j)] = masked(b, s, j) ? -1e30 : scale * dot;
    }
  return sc;
}

// softmax over each row, in place.
void softmaxRows(std::vector<Values> &rows) {
  for (Values &row : rows) {
    double m = -INFINITY, sum = 0;
    for (double x : row)
      m = std::max(m, x);
    for (double &x : row)
      sum += (x = std::exp(x - m));
    for (double &x : row)
      x /= sum;
  }
}

template <class Masked>
Values attention(const Values &q, const Values &k, const Values &v,
                 const Shape &n, double scale, Masked masked) {
  Values o(size_t(n.batch * n.s * n.dv));
  for (int64_t b = 0; b < n.batch; ++b) {
    auto p = scores(q, k, n, b, scale, masked);
    softmaxRows(p);
    for (int64_t s = 0; s < n.s; ++s)
      for (int64_t j = 0; j < n.k; ++j)
        for (int64_t e = 0; e < n.dv; ++e)
          o[size_t((b * n.s + s) * n.dv + e)] +=
              p[size_t(s)][size_t(j)] * v[size_t((b * n.k + j) * n.dv + e)];
  }
  return o;
}

// The gradients of sum(attention * r) with respect to q, k and v.
template <class Masked>
std::array<Values, 3>
attentionGrads(const Values &q, const Values &k, const Values &v,
               const Values &r, const Shape &n, double scale, Masked masked) {
  Values dq(q.size()), dk(k.size()), dv(v.size());
  for (int64_t b = 0; b < n.batch; ++b) {
    auto p = scores(q, k, n, b, scale, masked);
    softmaxRows(p);
    for (int64_t s = 0; s < n.s; ++s) {
      Values dp(size_t(n.k));
      double rowsum = 0;
      for (int64_t j = 0; j < n.k; ++j) {
        for (int64_t e = 0; e < n.dv; ++e) {
          const double g = r[size_t((b * n.s + s) * n.dv + e)];
          dp[size_t(j)] += g * v[size_t((b * n.k + j) * n.dv + e)];
          dv[size_t((b * n.k + j) * n.dv + e)] += p[size_t(s)][size_t(j)] * g;
        }
        rowsum += p[size_t(s)][size_t(j)] * dp[size_t(j)];
      }
      for (int64_t j = 0; j < n.k; ++j) {
        const double ds = p[size_t(s)][size_t(j)] * (dp[size_t(j)] - rowsum);
        for (int64_t d = 0; d < n.d; ++d) {
          dq[size_t((b * n.s + s) * n.d + d)] +=
              scale * ds * k[size_t((b * n.k + j) * n.d + d)];
          dk[size_t((b * n.k + j) * n.d + d)] +=
              scale * ds * q[size_t((b * n.s + s) * n.d + d)];
        }
      }
    }
  }
  return {dq, dk, dv};
}

// x + offset, the offset broadcast over the batch.
Values shifted(const Values &x, const Values &off) {
  Values y = x;
  for (size_t i = 0; i < y.size(); ++i)
    y[i] += off[i % off.size()];
  return y;
}

// The offset's gradient: the input's, summed over the batch.
Values batchSum(const Values &g, size_t per) {
  Values out(per);
  for (size_t i = 0; i < g.size(); ++i)
    out[i % per] += g[i];
  return out;
}

auto none = [](int64_t, int64_t, int64_t) { return false; };
auto causal = [](int64_t, int64_t s, int64_t j) { return j > s; };

using kiln::models::attention_ops::Model;

Tensor run1(Model &m, const char *entry, std::vector<const Tensor *> in) {
  return m.session().run(entry, in)[0];
}

class Attention : public ::testing::TestWithParam<int64_t> {};

TEST_P(Attention, SelfAttentionWithAndWithoutTheCausalMask) {
  const int64_t n = GetParam();
  Model m(1);
  const Tensor q = randomTensor({n, 2, 11, 5}, 1, -2, 2),
               k = randomTensor({n, 2, 11, 5}, 2, -2, 2),
               v = randomTensor({n, 2, 11, 6}, 3);
  const Shape sh{2 * n, 11, 11, 5, 6};
  const double scale = 1 / std::sqrt(5.0);
  const Values qd = toDoubles(q), kd = toDoubles(k), vd = toDoubles(v);
  EXPECT_LT(relErr(run1(m, "self", {&q, &k, &v}),
                   attention(qd, kd, vd, sh, scale, none)),
            kForwardTol);
  EXPECT_LT(relErr(run1(m, "causal", {&q, &k, &v}),
                   attention(qd, kd, vd, sh, scale, causal)),
            kForwardTol);
}

// pad [n, 1, 13]: every other key of element 0 padded; element 2 (when
// there is one) has every key padded, and so averages all of v.
Tensor padding(int64_t n) {
  Tensor pad({n, 1, 13});
  for (int64_t b = 0; b < n; ++b)
    for (int64_t j = 0; j < 13; ++j)
      pad.data()[b * 13 + j] = b == 2 ? 1.f : b == 0 ? float(j % 2) : 0.f;
  return pad;
}

// Entry `entry` of `queries` queries (scale 0.3) against 13 keys padded
// as padding(n) says, against the naive reference.
void expectPaddedCrossAttention(int64_t n, const char *entry, int64_t queries,
                                uint32_t seed) {
  Model m(1);
  const Tensor q = randomTensor({n, 2, queries, 5}, seed, -2, 2),
               k = randomTensor({n, 2, 13, 5}, seed + 1, -2, 2),
               v = randomTensor({n, 2, 13, 6}, seed + 2), pad = padding(n);
  auto padded = [&](int64_t b, int64_t, int64_t j) {
    return pad.data()[(b / 2) * 13 + j] != 0;
  };
  EXPECT_LT(relErr(run1(m, entry, {&q, &k, &v, &pad}),
                   attention(toDoubles(q), toDoubles(k), toDoubles(v),
                             {2 * n, queries, 13, 5, 6}, 0.3f, padded)),
            kForwardTol);
}

TEST_P(Attention, CrossAttentionWithPaddedKeys) {
  expectPaddedCrossAttention(GetParam(), "cross", 3, 4);
}

// One query row: the kernel scores it by dot products along the head
// (no tiles); head size 5 is no whole vector.
TEST_P(Attention, OneQueryWithPaddedKeys) {
  expectPaddedCrossAttention(GetParam(), "one_query", 1, 7);
}

TEST_P(Attention, GptShapeForward) {
  const int64_t n = GetParam();
  Model m(1);
  const Tensor q = randomTensor({n, 4, 128, 32}, 7),
               k = randomTensor({n, 4, 128, 32}, 8),
               v = randomTensor({n, 4, 128, 32}, 9);
  EXPECT_LT(
      relErr(run1(m, "gpt", {&q, &k, &v}),
             attention(toDoubles(q), toDoubles(k), toDoubles(v),
                       {4 * n, 128, 128, 32, 32}, 1 / std::sqrt(32.0), causal)),
      kForwardTol);
}

// loss = sum(attention(q + oq, k + ok, v + ov) * r): one SGD step (lr 1)
// moves each offset by minus its gradient.
TEST_P(Attention, CausalGradientsMatchFiniteDifferences) {
  const int64_t n = GetParam();
  Model m(1);
  const Tensor q = randomTensor({n, 2, 11, 5}, 10, -2, 2),
               k = randomTensor({n, 2, 11, 5}, 11, -2, 2),
               v = randomTensor({n, 2, 11, 6}, 12),
               r = randomTensor({n, 2, 11, 6}, 13);
  Values oq(110), ok(110), ov(132);
  const Values qd = toDoubles(q), kd = toDoubles(k), vd = toDoubles(v),
               rd = toDoubles(r);
  const Shape sh{2 * n, 11, 11, 5, 6};
  auto loss = [&] {
    return dot(attention(shifted(qd, oq), shifted(kd, ok), shifted(vd, ov), sh,
                         1 / std::sqrt(5.0), causal),
               rd);
  };
  expectSgdStepsMatch(
      m.session(), "causal_train", {&q, &k, &v, &r}, loss,
      {{"offset.q", &oq}, {"offset.k", &ok}, {"offset.v", &ov}});
}

TEST_P(Attention, PaddedCrossGradientsMatchFiniteDifferences) {
  const int64_t n = GetParam();
  Model m(1);
  const Tensor q = randomTensor({n, 2, 3, 5}, 14, -2, 2),
               k = randomTensor({n, 2, 13, 5}, 15, -2, 2),
               v = randomTensor({n, 2, 13, 6}, 16),
               r = randomTensor({n, 2, 3, 6}, 17), pad = padding(n);
  auto padded = [&](int64_t b, int64_t, int64_t j) {
    return pad.data()[(b / 2) * 13 + j] != 0;
  };
  Values oq(30), ok(130), ov(156);
  const Values qd = toDoubles(q), kd = toDoubles(k), vd = toDoubles(v),
               rd = toDoubles(r);
  const Shape sh{2 * n, 3, 13, 5, 6};
  auto loss = [&] {
    return dot(attention(shifted(qd, oq), shifted(kd, ok), shifted(vd, ov), sh,
                         0.3f, padded),
               rd);
  };
  expectSgdStepsMatch(
      m.session(), "cross_train", {&q, &k, &v, &pad, &r}, loss,
      {{"offset.cq", &oq}, {"offset.ck", &ok}, {"offset.cv", &ov}});
}

// One SGD step (lr 1) of `entry`, whose loss is sum(causal attention(q +
// oq, k + ok, v + ov) * r) with the offsets named `prefix` + "q", "k", "v",
// on [n, heads, s, d] (v and r [n, heads, s, dv]): the loss against the
// naive forward, each offset's step against the textbook backward's
// gradients (no finite differences: at 128 positions they would take
// minutes).
void expectCausalTextbookBackward(int64_t n, const char *entry,
                                  const std::string &prefix, int64_t heads,
                                  int64_t s, int64_t d, int64_t dv,
                                  uint32_t seed) {
  Model m(1);
  auto &params = m.session().params();
  const Tensor q = randomTensor({n, heads, s, d}, seed),
               k = randomTensor({n, heads, s, d}, seed + 1),
               v = randomTensor({n, heads, s, dv}, seed + 2),
               r = randomTensor({n, heads, s, dv}, seed + 3);
  const Values qd = toDoubles(q), kd = toDoubles(k), vd = toDoubles(v),
               rd = toDoubles(r);
  const Shape sh{heads * n, s, s, d, dv};
  const double scale = 1 / std::sqrt(double(d));
  const double want = dot(attention(qd, kd, vd, sh, scale, causal), rd);
  EXPECT_NEAR(run1(m, entry, {&q, &k, &v, &r}).data()[0], want,
              1e-4 * std::max(1.0, std::abs(want)));
  const auto grads = attentionGrads(qd, kd, vd, rd, sh, scale, causal);
  const size_t per[] = {size_t(heads * s * d), size_t(heads * s * d),
                        size_t(heads * s * dv)};
  const char *names[] = {"q", "k", "v"};
  for (int i = 0; i < 3; ++i) {
    const Values g = batchSum(grads[size_t(i)], per[i]);
    EXPECT_LT(sgdStepError(Values(per[i], 0.0), params.get(prefix + names[i]),
                           g, maxAbs(g)),
              1e-4)
        << prefix << names[i];
  }
}

TEST_P(Attention, GptShapeGradientsMatchTheTextbookBackward) {
  expectCausalTextbookBackward(GetParam(), "gpt_train", "offset.g", 4, 128, 32,
                               32, 18);
}

// 25 positions, not whole vectors: the last vector of a tile's columns
// overlaps the one before it, and with AVX-512 the tiles of keys 16 to 24
// have 9 queries (causal, from their block at 16) and reach back over
// masked ones. Head and value head alike, so dk and dv share a kernel.
TEST_P(Attention, LongCausalGradientsMatchTheTextbookBackward) {
  expectCausalTextbookBackward(GetParam(), "long_causal_train", "offset.l", 2,
                               25, 5, 5, 22);
}

INSTANTIATE_TEST_SUITE_P(Batches, Attention, ::testing::Values(1, 3));

} // namespace
