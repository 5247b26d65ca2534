// Sequence tensors compiled end to end from the DSL
// (tests/e2e/models/sequence.cpp: the model generator, kilnc, Halide
// kernels, the runtime) against naive double-precision loops written here:
// Linear on [batch, seq, C], reshapes that merge batch and seq into one
// dimension and split it back, permute, batched matmuls over attention
// heads (scores q k^T and weights @ values) and a matrix shared by every
// batch element; and one SGD step of a loss through all of them, whose
// update must be minus the central-difference gradient of the reference.
//
// Every case runs on (batch, seq) = (1, 1), (3, 5) and (2, 7): one symbol
// at 1, sequences that are no multiple of a vector or of a register block.
#include "reference.h"
#include "sequence.h"
#include "sequence_adams2019.h"
#include "sequence_mullapudi2016.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace {

using kiln::rt::Tensor;
using kiln::test::assign;
using kiln::test::maxAbs;
using kiln::test::numericGradient;
using kiln::test::randomTensor;
using kiln::test::relErr;
using kiln::test::sgdStepError;
using kiln::test::toDoubles;
using Values = std::vector<double>;

constexpr int64_t kIn = 6, kHeads = 2, kHeadDim = 4, kModel = 8;
// Forward results are a few f32 roundings from the double reference.
constexpr double kForwardTol = 1e-5;
// Gradients, relative to the largest component of the parameter's gradient.
constexpr double kGradTol = 2e-3;

// The kernels' schedule: the hand schedules or an autoscheduler's (the
// same model compiled three times, tests/e2e/CMakeLists.txt).
enum class Schedule { heuristic, adams2019, mullapudi2016 };
const char *name(Schedule s) {
  return s == Schedule::heuristic   ? "heuristic"
         : s == Schedule::adams2019 ? "adams2019"
                                    : "mullapudi2016";
}

struct Sizes {
  int64_t batch, seq;
  Schedule schedule = Schedule::heuristic;
};

void PrintTo(const Sizes &s, std::ostream *os) {
  *os << "batch" << s.batch << "_seq" << s.seq << "_" << name(s.schedule);
}

/// x [B, T, in] -> x W^T + b, W [out, in].
Values linear(const Values &x, const Values &w, const Values &b, int64_t rows,
              int64_t in, int64_t out) {
  Values y(size_t(rows * out));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < out; ++o) {
      double s = b[size_t(o)];
      for (int64_t i = 0; i < in; ++i)
        s += x[size_t(r * in + i)] * w[size_t(o * in + i)];
      y[size_t(r * out + o)] = s;
    }
  return y;
}

/// s[b, h, t, u] = sum_d q[b, t, h, d] k[b, u, h, d] (q, k [B, T, 8]).
Values scores(const Values &q, const Values &k, Sizes n) {
  Values s(size_t(n.batch * kHeads * n.seq * n.seq));
  size_t at = 0;
  for (int64_t b = 0; b < n.batch; ++b)
    for (int64_t h = 0; h < kHeads; ++h)
      for (int64_t t = 0; t < n.seq; ++t)
        for (int64_t u = 0; u < n.seq; ++u) {
          double sum = 0;
          for (int64_t d = 0; d < kHeadDim; ++d)
            sum += q[size_t((b * n.seq + t) * kModel + h * kHeadDim + d)] *
                   k[size_t((b * n.seq + u) * kModel + h * kHeadDim + d)];
          s[at++] = sum;
        }
  return s;
}

/// o[b, t, h, d] = sum_u p[b, h, t, u] v[b, u, h, d] (v, o [B, T, 8]).
Values attend(const Values &p, const Values &v, Sizes n) {
  Values o(size_t(n.batch * n.seq * kModel));
  for (int64_t b = 0; b < n.batch; ++b)
    for (int64_t h = 0; h < kHeads; ++h)
      for (int64_t t = 0; t < n.seq; ++t)
        for (int64_t d = 0; d < kHeadDim; ++d) {
          double sum = 0;
          for (int64_t u = 0; u < n.seq; ++u)
            sum += p[size_t(((b * kHeads + h) * n.seq + t) * n.seq + u)] *
                   v[size_t((b * n.seq + u) * kModel + h * kHeadDim + d)];
          o[size_t((b * n.seq + t) * kModel + h * kHeadDim + d)] = sum;
        }
  return o;
}

class Sequence : public ::testing::TestWithParam<Sizes> {
protected:
  kiln::models::sequence::Model heuristic{/*seed=*/3};
  kiln::models::sequence_adams2019::Model adams2019{/*seed=*/3};
  kiln::models::sequence_mullapudi2016::Model mullapudi2016{/*seed=*/3};
  Sizes n = GetParam();

  kiln::rt::Session &session() {
    switch (n.schedule) {
    case Schedule::adams2019:
      return adams2019.session();
    case Schedule::mullapudi2016:
      return mullapudi2016.session();
    default:
      return heuristic.session();
    }
  }
  kiln::rt::ParamStore &params() { return session().params(); }
  // Central differences cost two naive forward passes per parameter value:
  // seconds at 128 x 128. There the train kernels are checked through
  // their loss; their gradients are checked at the small sizes.
  bool smallEnoughForFiniteDifferences() const { return n.batch * n.seq <= 64; }
  // Runs train entry `entry` (SGD lr 1): its loss must be loss(), a
  // reference that reads the projection's weight w and bias b; at small
  // sizes proj.* must have moved by minus loss()'s central differences.
  void expectProjectionStep(const std::string &entry,
                            const std::vector<const Tensor *> &in,
                            const std::function<double()> &loss, Values &w,
                            Values &b, const std::string &layer = "proj") {
    const double want = loss();
    Tensor got = run(entry, in);
    ASSERT_EQ(got.numel(), 1);
    EXPECT_NEAR(double(got.data()[0]), want,
                1e-4 * std::max(1.0, std::abs(want)));
    if (!smallEnoughForFiniteDifferences())
      return;
    const Values w0 = w, b0 = b;
    Values gw = numericGradient(loss, w), gb = numericGradient(loss, b);
    EXPECT_GT(maxAbs(gw), 1e-2) << "the weight has a gradient";
    EXPECT_LT(sgdStepError(w0, params().get(layer + ".weight"), gw, maxAbs(gw)),
              kGradTol);
    EXPECT_LT(sgdStepError(b0, params().get(layer + ".bias"), gb, maxAbs(gb)),
              kGradTol);
  }

  Tensor run(const std::string &entry, const std::vector<const Tensor *> &in) {
    return std::move(session().run(entry, in)[0]);
  }
  std::vector<int64_t> shape(int64_t last) const {
    return {n.batch, n.seq, last};
  }
};

TEST_P(Sequence, LinearOnRank3) {
  Tensor x = randomTensor(shape(kIn), 10);
  Tensor got = run("project", {&x});
  ASSERT_EQ(got.shape(), shape(kModel));
  Values want = linear(toDoubles(x), toDoubles(params().get("proj.weight")),
                       toDoubles(params().get("proj.bias")), n.batch * n.seq,
                       kIn, kModel);
  EXPECT_LT(relErr(got, want), kForwardTol);
}

TEST_P(Sequence, MergedResultHasTheProductShape) {
  Tensor x = randomTensor(shape(kIn), 11);
  Tensor got = run("merge", {&x});
  ASSERT_EQ(got.shape(), (std::vector<int64_t>{n.batch * n.seq, kIn}));
  Values want = toDoubles(x);
  for (double &v : want)
    v *= 2;
  EXPECT_EQ(relErr(got, want), 0);
}

TEST_P(Sequence, MergeThenSplit) {
  Tensor x = randomTensor(shape(kIn), 12);
  Tensor got = run("merge_split", {&x});
  ASSERT_EQ(got.shape(), shape(kIn));
  Values want = toDoubles(x);
  for (double &v : want)
    v = double(float(v * v));
  EXPECT_EQ(relErr(got, want), 0);
}

// Concatenation along the batch: [a; b], a [B, 6] then b, as [2 B, 6].
TEST_P(Sequence, ConcatAlongTheBatch) {
  Tensor a = randomTensor({n.batch, kIn}, 40),
         b = randomTensor({n.batch, kIn}, 41);
  Tensor got = run("stack_rows", {&a, &b});
  ASSERT_EQ(got.shape(), (std::vector<int64_t>{2 * n.batch, kIn}));
  Values want = toDoubles(a), bv = toDoubles(b);
  want.insert(want.end(), bv.begin(), bv.end());
  EXPECT_EQ(relErr(got, want), 0);
}

// Three sequences joined along seq ([B, 3 T, 6]: a's positions, then b's,
// then c's, per batch element), and chunked back: x + y * z of the chunks
// of 2 [a, b, c] is 2 a + 4 b c.
TEST_P(Sequence, ConcatAndChunkAlongTheSequence) {
  Tensor a = randomTensor(shape(kIn), 42), b = randomTensor(shape(kIn), 43),
         c = randomTensor(shape(kIn), 44);
  Tensor joined = run("join_seqs", {&a, &b, &c});
  ASSERT_EQ(joined.shape(), (std::vector<int64_t>{n.batch, 3 * n.seq, kIn}));
  const Tensor *parts[] = {&a, &b, &c};
  Values want;
  for (int64_t i = 0; i < n.batch; ++i)
    for (const Tensor *p : parts)
      for (int64_t j = 0; j < n.seq * kIn; ++j)
        want.push_back(p->data()[i * n.seq * kIn + j]);
  EXPECT_EQ(relErr(joined, want), 0);

  Tensor cut = run("cut_seqs", {&a, &b, &c});
  ASSERT_EQ(cut.shape(), shape(kIn));
  want.clear();
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double x = 2.0 * a.data()[i], y = 2.0 * b.data()[i],
                 z = 2.0 * c.data()[i];
    want.push_back(x + y * z);
  }
  EXPECT_LT(relErr(cut, want), kForwardTol);
}

// One SGD step through chunk, tanh, a Linear on times<2, B> rows and the
// concatenation: minus the central-difference gradient of the reference.
TEST_P(Sequence, GradientThroughConcatAndChunk) {
  Tensor a = randomTensor({n.batch, kIn}, 45),
         b = randomTensor({n.batch, kIn}, 46),
         r = randomTensor({n.batch, kModel}, 47);
  Values w = toDoubles(params().get("proj.weight"));
  Values bias = toDoubles(params().get("proj.bias"));
  Values x = toDoubles(a), bv = toDoubles(b);
  x.insert(x.end(), bv.begin(), bv.end());
  const Values rv = toDoubles(r);
  auto loss = [&] {
    Values h = linear(x, w, bias, 2 * n.batch, kIn, kModel);
    double l = 0;
    const size_t half = size_t(n.batch * kModel);
    for (size_t i = 0; i < half; ++i)
      l += (std::tanh(h[i]) - 0.5 * std::tanh(h[half + i])) * rv[i];
    return l;
  };
  expectProjectionStep("concat_train", {&a, &b, &r}, loss, w, bias);
}

// [a | b | c] along the innermost axis (32 + 16 + 16 features), doubled.
TEST_P(Sequence, ConcatAlongTheFeatures) {
  Tensor a = randomTensor({n.batch, 32}, 48),
         b = randomTensor({n.batch, 16}, 49),
         c = randomTensor({n.batch, 16}, 50);
  Tensor got = run("join_features", {&a, &b, &c});
  ASSERT_EQ(got.shape(), (std::vector<int64_t>{n.batch, 64}));
  Values want;
  for (int64_t i = 0; i < n.batch; ++i)
    for (auto [t, width] : {std::pair{&a, 32}, {&b, 16}, {&c, 16}})
      for (int64_t j = 0; j < width; ++j)
        want.push_back(2.0 * t->data()[i * width + j]);
  EXPECT_EQ(relErr(got, want), 0);
}

// One SGD step through three chunks of 16 along the innermost axis of
// tanh(wide(x)): the gradient into wide's output is the three chunks'
// gradients padded and added.
TEST_P(Sequence, GradientThroughFeatureChunks) {
  constexpr int64_t kWide = 48, kPiece = 16;
  Tensor x = randomTensor({n.batch, kIn}, 51),
         r = randomTensor({n.batch, kPiece}, 52);
  Values w = toDoubles(params().get("wide.weight"));
  Values bias = toDoubles(params().get("wide.bias"));
  const Values xv = toDoubles(x), rv = toDoubles(r);
  auto loss = [&] {
    Values h = linear(xv, w, bias, n.batch, kIn, kWide);
    double l = 0;
    for (int64_t i = 0; i < n.batch; ++i)
      for (int64_t j = 0; j < kPiece; ++j) {
        const double p = std::tanh(h[size_t(i * kWide + j)]),
                     q = std::tanh(h[size_t(i * kWide + kPiece + j)]),
                     s = std::tanh(h[size_t(i * kWide + 2 * kPiece + j)]);
        l += (p - 0.5 * q + s * s) * rv[size_t(i * kPiece + j)];
      }
    return l;
  };
  expectProjectionStep("chunk_train", {&x, &r}, loss, w, bias, "wide");
}

TEST_P(Sequence, ScoresPerHead) {
  Tensor q = randomTensor(shape(kModel), 13),
         k = randomTensor(shape(kModel), 14);
  Tensor got = run("scores", {&q, &k});
  ASSERT_EQ(got.shape(), (std::vector<int64_t>{n.batch, kHeads, n.seq, n.seq}));
  EXPECT_LT(relErr(got, scores(toDoubles(q), toDoubles(k), n)), kForwardTol);
}

TEST_P(Sequence, CausalScores) {
  Tensor q = randomTensor(shape(kModel), 35),
         k = randomTensor(shape(kModel), 36);
  Tensor got = run("causal_scores", {&q, &k});
  ASSERT_EQ(got.numel(), n.batch * kHeads * n.seq * n.seq);
  const Values want = scores(toDoubles(q), toDoubles(k), n);
  // [b, h, t, u]: where the key u comes after the query t the score is the
  // fill value exactly; elsewhere the product.
  double err = 0, scale = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const int64_t u = int64_t(i) % n.seq, t = int64_t(i) / n.seq % n.seq;
    if (u > t) {
      EXPECT_EQ(got.data()[i], -1e30f) << "masked, index " << i;
      continue;
    }
    err = std::max(err, std::abs(double(got.data()[i]) - want[i]));
    scale = std::max(scale, std::abs(want[i]));
  }
  EXPECT_LT(err, kForwardTol * std::max(scale, 1e-30));
}

TEST_P(Sequence, AttendPerHead) {
  Tensor p = randomTensor({n.batch, kHeads, n.seq, n.seq}, 15);
  Tensor v = randomTensor(shape(kModel), 16);
  Tensor got = run("attend", {&p, &v});
  ASSERT_EQ(got.shape(), shape(kModel));
  EXPECT_LT(relErr(got, attend(toDoubles(p), toDoubles(v), n)), kForwardTol);
}

TEST_P(Sequence, TablesOfConstantsInAKernel) {
  Tensor x = randomTensor(shape(kModel), 25);
  Tensor got = run("scaled", {&x});
  const double scale[] = {0.5, -1, 2, 0.25, 3, -0.125, 1.5, 4};
  Values want = toDoubles(x);
  for (size_t i = 0; i < want.size(); ++i)
    want[i] = want[i] * scale[i % kModel] + double(i % kModel + 1);
  EXPECT_LT(relErr(got, want), 1e-6);
}

TEST_P(Sequence, MatrixSharedByTheBatch) {
  Tensor x = randomTensor(shape(kModel), 17),
         w = randomTensor({kModel, kIn}, 18);
  Tensor got = run("shared", {&x, &w});
  ASSERT_EQ(got.shape(), shape(kIn));
  // x w = x (w^T)^T: the Linear reference with w transposed and no bias.
  Values wt(size_t(kIn * kModel)), zero(size_t(kIn), 0.0);
  Values wv = toDoubles(w);
  for (int64_t i = 0; i < kModel; ++i)
    for (int64_t j = 0; j < kIn; ++j)
      wt[size_t(j * kModel + i)] = wv[size_t(i * kIn + j)];
  Values want = linear(toDoubles(x), wt, zero, n.batch * n.seq, kModel, kIn);
  EXPECT_LT(relErr(got, want), kForwardTol);
}

/// r[b, h, i, j] = sum_k a[ab, ah, i, k] c[b, h, k, j] for a [AB, AH, M, K]
/// and c [B, H, K, N]: a's batch indices broadcast (ab = 0 when AB is 1).
Values broadcastProduct(const Values &a, int64_t ab, int64_t ah,
                        const Values &c, int64_t batch, int64_t heads,
                        int64_t m, int64_t k, int64_t n) {
  Values r(size_t(batch * heads * m * n));
  size_t at = 0;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          const int64_t sa = (ab == 1 ? 0 : b) * ah + (ah == 1 ? 0 : h);
          double sum = 0;
          for (int64_t p = 0; p < k; ++p)
            sum += a[size_t((sa * m + i) * k + p)] *
                   c[size_t(((b * heads + h) * k + p) * n + j)];
          r[at++] = sum;
        }
  return r;
}

TEST_P(Sequence, MatrixSharedOnTheLeft) {
  Tensor w = randomTensor({3, 4}, 21), x = randomTensor({n.batch, 2, 4, 5}, 22);
  Tensor got = run("left_shared", {&w, &x});
  ASSERT_EQ(got.shape(), (std::vector<int64_t>{n.batch, 2, 3, 5}));
  EXPECT_LT(relErr(got, broadcastProduct(toDoubles(w), 1, 1, toDoubles(x),
                                         n.batch, 2, 3, 4, 5)),
            kForwardTol);
}

TEST_P(Sequence, OneHeadAgainstTwo) {
  Tensor a = randomTensor({n.batch, 1, n.seq, 4}, 23);
  Tensor b = randomTensor({n.batch, 2, 4, 5}, 24);
  Tensor got = run("one_head", {&a, &b});
  ASSERT_EQ(got.shape(), (std::vector<int64_t>{n.batch, 2, n.seq, 5}));
  EXPECT_LT(relErr(got, broadcastProduct(toDoubles(a), n.batch, 1, toDoubles(b),
                                         n.batch, 2, n.seq, 4, 5)),
            kForwardTol);
}

TEST_P(Sequence, AttentionGradientIntoTheProjection) {
  Tensor x = randomTensor(shape(kIn), 19), r = randomTensor(shape(kModel), 20);
  Values w = toDoubles(params().get("proj.weight"));
  Values b = toDoubles(params().get("proj.bias"));
  const Values xv = toDoubles(x), rv = toDoubles(r);
  auto loss = [&] {
    Values h = linear(xv, w, b, n.batch * n.seq, kIn, kModel);
    Values o = attend(scores(h, h, n), h, n);
    double l = 0;
    for (size_t i = 0; i < o.size(); ++i)
      l += o[i] * rv[i];
    return l;
  };
  expectProjectionStep("attention_train", {&x, &r}, loss, w, b);
}

/// Token ids: [batch, seq] values in [0, vocab), each id present when
/// there are enough positions.
Tensor tokenIds(Sizes n, int32_t vocab, uint32_t seed) {
  std::vector<int32_t> ids(size_t(n.batch * n.seq));
  std::mt19937 gen(seed);
  for (size_t i = 0; i < ids.size(); ++i)
    ids[i] = int32_t(i % size_t(vocab));
  std::shuffle(ids.begin(), ids.end(), gen);
  return Tensor::of_ints({n.batch, n.seq}, std::move(ids));
}

constexpr int32_t kVocab = 11;

TEST_P(Sequence, EmbeddingLookup) {
  Tensor ids = tokenIds(n, kVocab, 30);
  Tensor got = run("embed", {&ids});
  ASSERT_EQ(got.shape(), shape(kModel));
  const Values table = toDoubles(params().get("wte.weight"));
  Values want;
  for (int64_t i = 0; i < ids.numel(); ++i)
    for (int64_t c = 0; c < kModel; ++c)
      want.push_back(table[size_t(ids.ints()[i] * kModel + c)]);
  EXPECT_EQ(relErr(got, want), 0) << "a lookup copies exactly";
}

TEST_P(Sequence, OneHotAndToFloat) {
  std::vector<int32_t> y;
  for (int64_t i = 0; i < n.batch; ++i)
    y.push_back(int32_t((7 * i + 3) % 10));
  Tensor labels = Tensor::of_ints({n.batch}, y);
  Tensor got = run("labels", {&labels});
  ASSERT_EQ(got.shape(), (std::vector<int64_t>{n.batch, 10}));
  Values want(size_t(n.batch * 10), 0.0);
  for (int64_t i = 0; i < n.batch; ++i)
    want[size_t(i * 10 + y[size_t(i)])] = 1;
  EXPECT_EQ(relErr(got, want), 0);

  Tensor halves = run("halves", {&labels});
  Values half;
  for (int32_t v : y)
    half.push_back(v * 0.5);
  EXPECT_EQ(relErr(halves, half), 0);
}

TEST_P(Sequence, EmbeddingGradientSumsByToken) {
  Tensor ids = tokenIds(n, kVocab, 31), r = randomTensor(shape(kModel), 32);
  Values table = toDoubles(params().get("wte.weight"));
  const Values rv = toDoubles(r);
  auto loss = [&] {
    Values e;
    for (int64_t i = 0; i < ids.numel(); ++i)
      for (int64_t c = 0; c < kModel; ++c)
        e.push_back(table[size_t(ids.ints()[i] * kModel + c)]);
    Values o = attend(scores(e, e, n), e, n);
    double l = 0;
    for (size_t i = 0; i < o.size(); ++i)
      l += o[i] * rv[i];
    return l;
  };
  const double want = loss();
  Tensor got = run("embed_train", {&ids, &r});
  EXPECT_NEAR(double(got.data()[0]), want,
              1e-4 * std::max(1.0, std::abs(want)));
  if (!smallEnoughForFiniteDifferences())
    return;
  const Values before = table;
  Values grad = numericGradient(loss, table);
  EXPECT_LT(
      sgdStepError(before, params().get("wte.weight"), grad, maxAbs(grad)),
      kGradTol);
}

TEST_P(Sequence, IndexOutOfRangeIsAnError) {
  Tensor ids = tokenIds(n, kVocab, 33);
  ids.ints()[ids.numel() - 1] = kVocab; // one past the table
  try {
    run("embed", {&ids});
    FAIL() << "an out-of-range id must fail";
  } catch (const kiln::rt::Error &e) {
    EXPECT_NE(std::string(e.what()).find("kiln.gather: index 11 is outside "
                                         "[0, 11)"),
              std::string::npos)
        << e.what();
  }
  Tensor negative =
      Tensor::of_ints({n.batch}, std::vector<int32_t>(size_t(n.batch), -1));
  EXPECT_THROW(run("labels", {&negative}), kiln::rt::Error);
}

TEST_P(Sequence, FloatsWhereIdsAreExpectedIsAnError) {
  Tensor floats = randomTensor({n.batch, n.seq}, 34);
  try {
    run("embed", {&floats});
    FAIL() << "f32 ids must be rejected";
  } catch (const kiln::rt::Error &e) {
    EXPECT_NE(std::string(e.what()).find("holds f32 values but the entry "
                                         "expects i32"),
              std::string::npos)
        << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, Sequence,
    ::testing::Values(Sizes{1, 1}, Sizes{3, 5}, Sizes{2, 7}, Sizes{130, 200},
                      // Above the autoschedulers' estimates (128 per
                      // symbol): below them the plan calls the hand-
                      // scheduled twins instead.
                      Sizes{130, 200, Schedule::adams2019},
                      Sizes{128, 128, Schedule::mullapudi2016}),
    [](const auto &info) {
      return "batch" + std::to_string(info.param.batch) + "_seq" +
             std::to_string(info.param.seq) + "_" + name(info.param.schedule);
    });

} // namespace
