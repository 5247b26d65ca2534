// The Transformers of models/ against naive double-precision references
// written from MODELS.md (transformer_reference.h). The GPT: prefill
// logits, the loss at batch 1 and 3, the gradient of the train step by
// finite differences of the reference loss, decode steps with the KV cache
// against recomputing the whole window (across the cache rebuild), and the
// kiln CLI's train / eval / generate on a small text file. The
// encoder-decoder: logits with padded sources of several lengths, loss and
// gradient, the reverse task's splits, and the CLI.
#include "gpt.h"
#include "seq2seq.h"
#include "transformer_reference.h"

#include "cli_runner.h"
#include "test_files.h"
#include "text_generation.h"

#include "kiln/runtime/device.h"
#include "kiln/runtime/random.h"
#include "kiln/runtime/safetensors.h"
#include "kiln/runtime/sequence_task.h"
#include "kiln/runtime/session.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace {

using kiln::rt::Session;
using kiln::rt::Tensor;
using kiln::test::contains;
using kiln::test::GptReference;
using kiln::test::Matrix;

constexpr int kWindow = 128, kVocab = 256;

// A model linked into this test, registered with the CLI on first use.
template <const kiln::rt::ModelDesc &(*Model)()>
const kiln::rt::ModelDesc &registered() {
  static const kiln::rt::ModelDesc &model =
      (kiln::rt::register_model(Model()), Model());
  return model;
}
const kiln::rt::ModelDesc &gpt() { return registered<kiln_model_gpt>(); }
const kiln::rt::ModelDesc &seq2seq() {
  return registered<kiln_model_seq2seq>();
}

// Parameters large enough that attention is far from uniform and logits
// spread over several nats (GPT-2's N(0, 0.02) start is nearly flat):
// weights N(0, 0.15), biases N(0, 0.1), LayerNorm weights 1 + N(0, 0.2).
void randomize(Session &s, uint64_t seed) {
  const kiln::rt::ModelDesc &m = s.model();
  for (size_t i = 0; i < m.params.size(); ++i) {
    if (m.params[i].role != kiln::rt::ParamRole::parameter)
      continue;
    const std::string name(m.params[i].name);
    const bool norm = contains(name, "ln"); // ln1, lnx, enc_ln, ln_f...
    const bool bias = contains(name, ".bias");
    kiln::rt::fill_normal(s.params().at(i).values(), seed, i,
                          norm && !bias ? 1.0 : 0.0,
                          bias ? 0.1 : (norm ? 0.2 : 0.15));
  }
}

// Deterministic bytes of every value 0..255 (the corpus is bytes).
std::vector<int> bytes(int n, uint32_t seed) {
  std::vector<int> out;
  for (int i = 0; i < n; ++i) {
    seed = seed * 1664525u + 1013904223u;
    out.push_back(int(seed >> 24));
  }
  return out;
}

Tensor ints(std::vector<int64_t> shape, const std::vector<int> &v) {
  return Tensor::of_ints(std::move(shape),
                         std::vector<int32_t>(v.begin(), v.end()));
}

// Relative L2 error of `got` (n floats) against row `row` of `want`.
double rowError(const float *got, const Matrix &want, int64_t row) {
  double num = 0, den = 0;
  for (int64_t j = 0; j < want.cols; ++j) {
    const double d = got[j] - want.at(row, j);
    num += d * d;
    den += want.at(row, j) * want.at(row, j);
  }
  return std::sqrt(num / den);
}

// The prefill runs on the prompt's own bytes (text [1, seq]): 1 byte, 77
// (no tile size divides it) and the whole window.
TEST(Gpt, PrefillLogitsMatchTheReference) {
  Session s(gpt(), 0);
  randomize(s, 7);
  for (int n : {1, 77, kWindow}) {
    const std::vector<int> prompt = bytes(n, uint32_t(n));
    const Tensor x = ints({1, n}, prompt), at = ints({}, {0});
    const std::vector<const Tensor *> in{&x, &at};
    const Tensor logits = s.run("prefill", in)[0];
    ASSERT_EQ(logits.shape(), (std::vector<int64_t>{1, n, kVocab}));
    const Matrix want = GptReference(s.params()).logits(prompt);
    double spread = 0;
    for (int64_t t = 0; t < want.rows; ++t) {
      EXPECT_LT(rowError(logits.data() + t * kVocab, want, t), 1e-4)
          << "position " << t << " of " << n;
      spread = std::max(spread, std::abs(want.at(t, 0) - want.at(t, 1)));
    }
    EXPECT_GT(spread, 1.0); // the logits are not flat
  }
}

// A prompt longer than the window has positions the model has no
// embedding for, nor cache room: refused, with the index named.
TEST(Gpt, PrefillRefusesMoreThanTheWindow) {
  Session s(gpt(), 0);
  const Tensor x = ints({1, kWindow + 1}, bytes(kWindow + 1, 5)),
               at = ints({}, {0});
  const std::vector<const Tensor *> in{&x, &at};
  try {
    s.run("prefill", in);
    ADD_FAILURE() << "a prompt of 129 bytes ran";
  } catch (const kiln::rt::Error &e) {
    EXPECT_TRUE(contains(e.what(), "128")) << e.what();
  }
}

TEST(Gpt, LossMatchesTheReferenceAtBatchOneAndThree) {
  Session s(gpt(), 0);
  randomize(s, 8);
  for (int batch : {1, 3}) {
    std::vector<std::vector<int>> xs, ys;
    std::vector<int> x, y;
    for (int b = 0; b < batch; ++b) {
      const std::vector<int> w = bytes(kWindow + 1, 100 + b);
      xs.emplace_back(w.begin(), w.end() - 1);
      ys.emplace_back(w.begin() + 1, w.end());
      x.insert(x.end(), xs.back().begin(), xs.back().end());
      y.insert(y.end(), ys.back().begin(), ys.back().end());
    }
    const Tensor tx = ints({batch, kWindow}, x), ty = ints({batch, kWindow}, y);
    const std::vector<const Tensor *> in{&tx, &ty};
    const double got = s.run("loss", in)[0].data()[0];
    const double want = GptReference(s.params()).loss(xs, ys);
    EXPECT_NEAR(got, want, 2e-5 * want) << "batch " << batch;
  }
}

// Adam's first exp_avg is (1 - beta1) g = 0.1 g: the train step's gradient,
// compared with central differences of the reference loss in double.
TEST(Gpt, TrainStepGradientMatchesFiniteDifferences) {
  Session s(gpt(), 0), ref(gpt(), 0);
  randomize(s, 9);
  randomize(ref, 9);
  std::vector<std::vector<int>> xs, ys;
  std::vector<int> x, y;
  for (int b = 0; b < 2; ++b) {
    const std::vector<int> w = bytes(kWindow + 1, 200 + b);
    xs.emplace_back(w.begin(), w.end() - 1);
    ys.emplace_back(w.begin() + 1, w.end());
    x.insert(x.end(), xs.back().begin(), xs.back().end());
    y.insert(y.end(), ys.back().begin(), ys.back().end());
  }
  const Tensor tx = ints({2, kWindow}, x), ty = ints({2, kWindow}, y);
  const std::vector<const Tensor *> in{&tx, &ty};
  s.run("train_step", in);
  for (const char *name :
       {"tok.weight", "pos", "blocks.0.qkv.weight", "blocks.1.ln1.bias",
        "blocks.2.fc1.weight", "blocks.3.fc2.bias", "ln_f.weight"}) {
    const Tensor &m = s.params().get(std::string(name) + ".exp_avg");
    int64_t k = 0; // the largest gradient of the tensor
    for (int64_t i = 0; i < m.numel(); ++i)
      if (std::abs(m.data()[i]) > std::abs(m.data()[k]))
        k = i;
    const double g = m.data()[k] / 0.1;
    float &p = ref.params().get(name).data()[k];
    const float saved = p;
    const double h = 1e-3;
    p = float(saved + h);
    const double up = GptReference(ref.params()).loss(xs, ys);
    p = float(saved - h);
    const double down = GptReference(ref.params()).loss(xs, ys);
    p = saved;
    const double fd =
        (up - down) / (double(float(saved + h)) - double(float(saved - h)));
    EXPECT_NEAR(g, fd, 1e-3 * std::abs(fd) + 1e-6) << name << "[" << k << "]";
  }
}

// Decoding with the cache equals prefilling the whole window, at every
// position, through the rebuild when the window is full; and both equal
// the reference on the window the model sees.
TEST(Gpt, DecodeWithTheCacheEqualsRecomputation) {
  Session cached(gpt(), 0), full(gpt(), 0);
  randomize(cached, 10);
  randomize(full, 10);
  const kiln::cli::TextEntries entries = kiln::cli::text_entries(gpt(), "test");
  EXPECT_EQ(entries.window, kWindow);
  kiln::cli::TextGenerator a(cached, entries), b(full, entries, true);
  const std::vector<int> prompt = bytes(100, 3), more = bytes(80, 4);
  const std::vector<uint8_t> p(prompt.begin(), prompt.end());
  std::span<const float> la = a.start(p), lb = b.start(p);
  const GptReference reference(full.params());
  for (size_t i = 0;; ++i) {
    Matrix want(1, kVocab);
    std::copy(lb.begin(), lb.end(), want.v.begin());
    ASSERT_LT(rowError(la.data(), want, 0), 1e-4)
        << "after " << i << " decoded bytes";
    ASSERT_EQ(a.window(), b.window());
    if (i % 37 == 0 || i == more.size()) { // a few against the reference
      const std::vector<int> w(a.window().begin(), a.window().end());
      EXPECT_LT(rowError(la.data(), reference.logits(w), int64_t(w.size()) - 1),
                1e-4)
          << "after " << i << " decoded bytes";
    }
    if (i == more.size())
      break;
    la = a.next(uint8_t(more[i]));
    lb = b.next(uint8_t(more[i]));
  }
  // 100 + 28 bytes fill the window; the 29th rebuilds it from its last 63
  // and itself (64), and 51 more follow.
  EXPECT_EQ(a.rebuilds(), 1);
  EXPECT_EQ(a.window().size(), 115u);
}

TEST(Gpt, SamplingRespectsTopKTopPAndTemperature) {
  using kiln::cli::sample_token;
  using kiln::cli::Sampling;
  const std::vector<float> logits{0.f, 3.f, 1.f, 3.f, -2.f};
  EXPECT_EQ(sample_token(logits, {0.0, 0, 1.0}, 0.99), 1); // greedy: first max
  for (double u : {0.0, 0.3, 0.7, 0.999}) {
    const int k2 = sample_token(logits, {1.0, 2, 1.0}, u);
    EXPECT_TRUE(k2 == 1 || k2 == 3) << u;
    // Bytes 1 and 3 hold 2 e^3 / (2 e^3 + e + 1 + e^-2) = 0.91 of the mass.
    const int p9 = sample_token(logits, {1.0, 0, 0.9}, u);
    EXPECT_TRUE(p9 == 1 || p9 == 3) << u;
  }
  EXPECT_EQ(sample_token(logits, {1.0, 0, 1.0}, 0.0), 1);
  EXPECT_EQ(sample_token(logits, {1.0, 0, 1.0}, 0.9999), 4);
  EXPECT_THROW(kiln::cli::check_sampling({-1.0, 0, 1.0}, 256),
               kiln::cli::UsageError);
  EXPECT_THROW(kiln::cli::check_sampling({1.0, 257, 1.0}, 256),
               kiln::cli::UsageError);
  EXPECT_THROW(kiln::cli::check_sampling({1.0, 0, 0.0}, 256),
               kiln::cli::UsageError);
  EXPECT_THROW(kiln::cli::check_sampling({1.0, 0, 1.5}, 256),
               kiln::cli::UsageError);
}

// Sources of 1, 7 and 16 bytes (0-padded) with teacher-forced targets:
// every position's logits against the reference.
TEST(Seq2seq, LogitsMatchTheReferenceWithPaddedSources) {
  Session s(seq2seq(), 0);
  randomize(s, 11);
  constexpr int S = 16, T = 17;
  std::vector<std::vector<int>> srcs, tgts;
  std::vector<int> src, tgt;
  int row = 0;
  for (int length : {1, 7, 16}) {
    std::vector<int> r = bytes(S, 50 + row), t = bytes(T, 60 + row);
    for (int i = 0; i < S; ++i)
      r[size_t(i)] = i < length ? 1 + r[size_t(i)] % 255 : 0;
    t[0] = kiln::rt::kBosToken;
    srcs.push_back(r);
    tgts.push_back(t);
    src.insert(src.end(), r.begin(), r.end());
    tgt.insert(tgt.end(), t.begin(), t.end());
    ++row;
  }
  const Tensor ts = ints({3, S}, src), tt = ints({3, T}, tgt);
  const std::vector<const Tensor *> in{&ts, &tt};
  const Tensor logits = s.run("logits", in)[0];
  ASSERT_EQ(logits.shape(), (std::vector<int64_t>{3, T, kVocab}));
  const kiln::test::Seq2seqReference reference(s.params());
  for (int r = 0; r < 3; ++r) {
    const Matrix want = reference.logits(srcs[size_t(r)], tgts[size_t(r)]);
    for (int64_t t = 0; t < T; ++t)
      EXPECT_LT(rowError(logits.data() + (r * T + t) * kVocab, want, t), 1e-4)
          << "row " << r << " position " << t;
  }
}

// The masked mean loss, and the train step's gradient (Adam's first
// exp_avg / 0.1) against central differences of the reference loss.
TEST(Seq2seq, LossAndGradientMatchTheReference) {
  Session s(seq2seq(), 0), ref(seq2seq(), 0);
  randomize(s, 12);
  randomize(ref, 12);
  const kiln::rt::ReverseTask task(16);
  const std::vector<int64_t> indices{0, 1, 2};
  Tensor src, tgt, next;
  task.batch(kiln::rt::Split::train, 5, indices, src, tgt, next);
  auto rows = [](const Tensor &t) {
    std::vector<std::vector<int>> out;
    for (int64_t r = 0; r < t.dim(0); ++r)
      out.emplace_back(t.ints() + r * t.dim(1), t.ints() + (r + 1) * t.dim(1));
    return out;
  };
  const auto srcs = rows(src), tgts = rows(tgt), nexts = rows(next);
  const std::vector<const Tensor *> in{&src, &tgt, &next};
  const double got = s.run("loss", in)[0].data()[0];
  const kiln::test::Seq2seqReference reference(ref.params());
  const double want = reference.loss(srcs, tgts, nexts);
  EXPECT_NEAR(got, want, 2e-5 * want);
  s.run("train_step", in);
  for (const char *name :
       {"tok.weight", "src_pos", "tgt_pos", "enc.0.qkv.weight", "enc_ln.bias",
        "dec.0.q.weight", "dec.1.kv.weight", "dec.1.projx.bias",
        "dec.0.lnx.weight", "dec.1.fc2.weight"}) {
    const Tensor &m = s.params().get(std::string(name) + ".exp_avg");
    int64_t k = 0;
    for (int64_t i = 0; i < m.numel(); ++i)
      if (std::abs(m.data()[i]) > std::abs(m.data()[k]))
        k = i;
    const double g = m.data()[k] / 0.1;
    float &p = ref.params().get(name).data()[k];
    const float saved = p;
    p = float(saved + 1e-3);
    const double up = reference.loss(srcs, tgts, nexts);
    p = float(saved - 1e-3);
    const double down = reference.loss(srcs, tgts, nexts);
    p = saved;
    const double fd = (up - down) / (double(float(saved + 1e-3)) -
                                     double(float(saved - 1e-3)));
    EXPECT_NEAR(g, fd, 1e-3 * std::abs(fd) + 1e-6) << name << "[" << k << "]";
  }
}

TEST(ReverseTask, SplitsAreDisjointDeterministicAndLaidOutAsDocumented) {
  const kiln::rt::ReverseTask task(16);
  for (int64_t i = 0; i < 3000; ++i) {
    const auto train = task.example(kiln::rt::Split::train, 9, i);
    const auto test = task.example(kiln::rt::Split::test, 9, i);
    ASSERT_FALSE(kiln::rt::ReverseTask::held_out(train.source)) << i;
    ASSERT_TRUE(kiln::rt::ReverseTask::held_out(test.source)) << i;
    ASSERT_GE(train.source.size(), 1u);
    ASSERT_LE(train.source.size(), 16u);
    ASSERT_EQ(std::string(train.source.rbegin(), train.source.rend()),
              train.target);
    ASSERT_EQ(task.example(kiln::rt::Split::train, 9, i).source, train.source);
  }
  EXPECT_NE(task.example(kiln::rt::Split::train, 9, 0).source,
            task.example(kiln::rt::Split::train, 10, 0).source);
  const std::vector<int64_t> one{4};
  Tensor src, tgt, next;
  task.batch(kiln::rt::Split::test, 9, one, src, tgt, next);
  const auto p = task.example(kiln::rt::Split::test, 9, 4);
  const auto n = int64_t(p.source.size());
  for (int64_t j = 0; j < 16; ++j)
    EXPECT_EQ(src.ints()[j], j < n ? uint8_t(p.source[size_t(j)]) : 0);
  EXPECT_EQ(tgt.ints()[0], kiln::rt::kBosToken);
  for (int64_t j = 0; j < 17; ++j) {
    EXPECT_EQ(tgt.ints()[j], j == 0   ? kiln::rt::kBosToken
                             : j <= n ? uint8_t(p.target[size_t(j - 1)])
                                      : 0);
    EXPECT_EQ(next.ints()[j], j < n    ? uint8_t(p.target[size_t(j)])
                              : j == n ? kiln::rt::kEosToken
                                       : 0);
  }
  EXPECT_THROW(task.encode_source(std::string(17, 'a')), kiln::rt::Error);
  EXPECT_THROW(task.encode_source(""), kiln::rt::Error);
}

TEST(Seq2seqCli, TrainsEvaluatesExactMatchAndGenerates) {
  // Training passes through loss spikes where rounding decides the outcome:
  // after 300 steps exact match was 0.995 with LayerNorm as separate ops and
  // 0.805 as one kernel (a different summation order); after 400 it is 1.0
  // for seeds 0, 1 and 2 (Zen 4). On an H200 the GPU's losses matched the
  // CPU's to 7 digits for 60 steps, drifted apart from step 70 and spiked
  // at 290 instead, ending at 0.53 exact match against the CPU's 0.995
  // (docs/performance.md, "GPU"). The kernels are checked on the GPU by the
  // Seq2seq tests above; this outcome only on the CPU it was tuned on.
  if (kiln::rt::default_device() != kiln::rt::Device::cpu)
    GTEST_SKIP() << "the trained outcome is checked on the CPU";
  seq2seq();
  kiln::test::TempDir dir;
  const std::string run = (dir / "run").string(),
                    ckpt = run + "/checkpoint.safetensors";
  auto r =
      kiln::test::run_cli({"train", "seq2seq", "--steps", "400", "-o", run});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "pairs of the reverse task")) << r.out;
  auto e = kiln::test::run_cli({"eval", "seq2seq", "-c", ckpt, "--n", "200"});
  ASSERT_EQ(e.code, 0) << e.err;
  const size_t at = e.out.find("exact match");
  ASSERT_NE(at, std::string::npos) << e.out;
  EXPECT_GT(std::stod(e.out.substr(at + 11)), 0.9) << e.out;
  // Greedy output of the right form; sampled output reproducible by seed.
  auto g = kiln::test::run_cli({"generate", "seq2seq", "-c", ckpt, "--input",
                                "kiln42", "--temperature", "0", "-q"});
  ASSERT_EQ(g.code, 0) << g.err;
  ASSERT_FALSE(g.out.empty());
  EXPECT_EQ(g.out.back(), '\n');
  EXPECT_LE(g.out.size(), 18u);
  std::vector<std::string> sampled{"generate", "seq2seq", "-c", ckpt, "--input",
                                   "abc123",   "--seed",  "3",  "-q"};
  EXPECT_EQ(kiln::test::run_cli(sampled).out, kiln::test::run_cli(sampled).out);
  for (std::vector<std::string> bad :
       {std::vector<std::string>{"--input", std::string(17, 'a')},
        {"--prompt", "abc"},
        {}}) {
    std::vector<std::string> args{"generate", "seq2seq", "-c", ckpt};
    args.insert(args.end(), bad.begin(), bad.end());
    EXPECT_EQ(kiln::test::run_cli(args).code, 2);
  }
}

class GptCli : public ::testing::Test {
protected:
  kiln::test::TempDir dir;
  std::string text = (dir / "corpus.txt").string();

  void SetUp() override {
    gpt();
    // 40 KB of sentences from a small vocabulary: learnable in a few steps.
    const char *words[] = {"the", "cat", "sat", "on", "a",   "mat",
                           "and", "dog", "ran", "to", "its", "home"};
    std::string corpus;
    uint32_t r = 1;
    while (corpus.size() < 40000) {
      for (int w = 0; w < 6; ++w) {
        r = r * 1664525u + 1013904223u;
        corpus += std::string(words[(r >> 20) % 12]) + (w < 5 ? " " : ".\n");
      }
    }
    kiln::test::write_bytes(text, corpus);
  }
  kiln::test::CliResult kiln(std::vector<std::string> args) {
    return kiln::test::run_cli(std::move(args));
  }
  double bits(const std::string &ckpt) {
    auto r = kiln({"eval", "gpt", "-c", ckpt, "--data", text});
    EXPECT_EQ(r.code, 0) << r.err;
    const size_t at = r.out.find("bits per byte");
    return at == std::string::npos ? NAN : std::stod(r.out.substr(at + 13));
  }
};

TEST_F(GptCli, TrainingLowersHeldOutBitsPerByte) {
  const std::string one = (dir / "one").string(), run = (dir / "run").string();
  auto r = kiln({"train", "gpt", "--data", text, "--steps", "1", "--batch", "8",
                 "-o", one});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "windows of 128 bytes from " + text)) << r.out;
  r = kiln({"train", "gpt", "--data", text, "--steps", "40", "--batch", "8",
            "--lr", "3e-3", "-o", run});
  ASSERT_EQ(r.code, 0) << r.err;
  const double before = bits(one + "/checkpoint.safetensors");
  const double after = bits(run + "/checkpoint.safetensors");
  EXPECT_LT(before, 8.1); // about a uniform guess over 256 bytes
  EXPECT_GT(before, 6.0);
  EXPECT_LT(after, before - 3.0) << "before " << before;

  // Generation: the prompt, then bytes; the same seed, the same text.
  const std::string ckpt = run + "/checkpoint.safetensors";
  auto g1 = kiln({"generate", "gpt", "-c", ckpt, "--prompt", "the cat ", "-n",
                  "40", "--seed", "5", "-q"});
  auto g2 = kiln({"generate", "gpt", "-c", ckpt, "--prompt", "the cat ", "-n",
                  "40", "--seed", "5", "-q"});
  ASSERT_EQ(g1.code, 0) << g1.err;
  EXPECT_EQ(g1.out, g2.out);
  EXPECT_EQ(g1.out.rfind("the cat ", 0), 0u) << g1.out;
  EXPECT_EQ(g1.out.size(), 8u + 40u + 1u);
  // Greedy decoding with the cache equals greedy recomputation.
  auto cached = kiln({"generate", "gpt", "-c", ckpt, "--prompt", "a dog", "-n",
                      "150", "--temperature", "0", "-q"});
  auto full = kiln({"generate", "gpt", "-c", ckpt, "--prompt", "a dog", "-n",
                    "150", "--temperature", "0", "--recompute", "-q"});
  EXPECT_EQ(cached.out, full.out);

  // Prompts that are empty, longer than the window or not UTF-8 work.
  auto empty = kiln({"generate", "gpt", "-c", ckpt, "-n", "5", "-q"});
  EXPECT_EQ(empty.code, 0) << empty.err;
  EXPECT_EQ(empty.out.size(), 6u);
  auto odd = kiln({"generate", "gpt", "-c", ckpt, "--prompt",
                   std::string(300, 'x') + "\xff\xfe", "-n", "5"});
  EXPECT_EQ(odd.code, 0) << odd.err;
  EXPECT_TRUE(contains(odd.err, "the model sees the last 128")) << odd.err;
  for (std::vector<std::string> bad :
       {std::vector<std::string>{"--top-k", "300"},
        {"--top-k", "-1"},
        {"--top-p", "0"},
        {"--top-p", "1.5"},
        {"--temperature", "-1"}}) {
    std::vector<std::string> args{"generate", "gpt", "-c", ckpt};
    args.insert(args.end(), bad.begin(), bad.end());
    auto e = kiln(args);
    EXPECT_EQ(e.code, 2) << bad[0] << " " << bad[1];
    EXPECT_TRUE(contains(e.err, bad[0])) << e.err;
  }
}

// kiln run feeds integer inputs from a safetensors file (I32, as a user's
// torch.int32 ids), and kiln info and run say which inputs are integers:
// the GPT's loss on two windows, as the model computes it.
TEST_F(GptCli, RunAndInfoTakeIntegerInputs) {
  std::vector<int32_t> ids(2 * kWindow), next(2 * kWindow);
  for (int i = 0; i < 2 * kWindow; ++i) {
    ids[size_t(i)] = (i * 37) % kVocab;
    next[size_t(i)] = (i * 37 + 37) % kVocab;
  }
  const Tensor x = Tensor::of_ints({2, kWindow}, ids);
  const Tensor y = Tensor::of_ints({2, kWindow}, next);
  const std::string in = (dir / "ids.safetensors").string();
  const std::string result = (dir / "out.safetensors").string();
  kiln::rt::write_safetensors(
      in, std::vector<kiln::rt::TensorRef>{{"x", &x}, {"y", &y}});
  auto r = kiln({"run", "gpt", "loss", "--inputs", in, "-o", result, "--seed",
                 "5", "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "input x: [2, 128] from " + in)) << r.out;
  Session s(gpt(), 5);
  const Tensor *inputs[] = {&x, &y};
  const std::vector<Tensor> want = s.run("loss", inputs);
  const kiln::rt::SafetensorsFile got = kiln::rt::read_safetensors(result);
  ASSERT_NE(got.find("loss"), nullptr);
  EXPECT_EQ(got.find("loss")->tensor.data()[0], want[0].data()[0]);
  EXPECT_GT(want[0].data()[0], 1.0f); // a real loss, not a default

  r = kiln({"run", "gpt", "loss", "--batch", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "input x: [2, 128] i32, all 0")) << r.out;
  // Ids given as floats are refused, naming the input.
  const Tensor xf({2, kWindow});
  kiln::rt::write_safetensors(
      in, std::vector<kiln::rt::TensorRef>{{"x", &xf}, {"y", &y}});
  r = kiln({"run", "gpt", "loss", "--inputs", in});
  EXPECT_NE(r.code, 0);
  EXPECT_TRUE(contains(r.err, "x")) << r.err;
  EXPECT_TRUE(contains(r.err, "i32")) << r.err;

  r = kiln({"info", "gpt"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "x [batch, 128] i32")) << r.out;
  // The buffers: the KV cache and the run-time hyperparameters with the
  // model's values (AdamW lr 3e-4, weight decay 0.1; no clipping).
  EXPECT_TRUE(contains(r.out, "buffers (10, not saved")) << r.out;
  for (const char *line :
       {"cache.3.v                [1, 4, 128, 32]        16,384  zeros",
        "train_step.lr            []                          1  "
        "constant(0.0003)",
        "train_step.weight_decay  []                          1  "
        "constant(0.1)"})
    EXPECT_TRUE(contains(r.out, line)) << line << "\n" << r.out;
  EXPECT_FALSE(contains(r.out, "clip_grad_norm")) << r.out;
}

// AdamW's weight decay is a run-time value (the buffer
// train_step.weight_decay, the model's 0.1 by default): one step from the
// same seed with decay 0 moves every weight by lr * 0.1 * w less, which the
// LayerNorm gains (w = 1 before the step) show exactly. A resumed run keeps
// the decay it started with; clipping, which the GPT's optimizer lacks, is
// refused.
TEST_F(GptCli, WeightDecayIsARunTimeFlag) {
  auto train = [&](const std::string &out, std::vector<std::string> more) {
    std::vector<std::string> args{
        "train", "gpt",     "--data", text, "--steps",
        "1",     "--batch", "4",      "-o", (dir / out).string()};
    args.insert(args.end(), more.begin(), more.end());
    return kiln(args);
  };
  auto r = train("model", {});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "weight decay: train_step 0.1 (the model's)"))
      << r.out;
  r = train("none", {"--weight-decay", "0"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "weight decay: train_step 0 (--weight-decay)"))
      << r.out;
  const auto decayed =
      kiln::rt::read_safetensors(dir / "model" / "checkpoint.safetensors");
  const auto plain =
      kiln::rt::read_safetensors(dir / "none" / "checkpoint.safetensors");
  for (const char *name : {"ln_f.weight", "blocks.0.ln1.weight"}) {
    const Tensor &d = decayed.find(name)->tensor, &p = plain.find(name)->tensor;
    for (int64_t i = 0; i < d.numel(); ++i)
      EXPECT_NEAR(double(p.data()[i]) - double(d.data()[i]), 3e-4 * 0.1, 2e-7)
          << name << "[" << i << "]";
  }

  const std::string none = (dir / "none" / "checkpoint.safetensors").string();
  r = kiln({"train", "gpt", "--data", text, "--steps", "2", "--resume", none,
            "--weight-decay", "0.1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--weight-decay 0.1 differs from 0")) << r.err;
  r = kiln({"train", "gpt", "--data", text, "--steps", "2", "--resume", none});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "weight decay: train_step 0 (--weight-decay)"))
      << r.out;
  // ... and trains with it: as 2 steps with decay 0 in one run.
  r = kiln({"train", "gpt", "--data", text, "--steps", "2", "--batch", "4",
            "--weight-decay", "0", "-o", (dir / "none2").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto resumed = kiln::rt::read_safetensors(none);
  const auto whole =
      kiln::rt::read_safetensors(dir / "none2" / "checkpoint.safetensors");
  for (const char *name : {"ln_f.weight", "blocks.3.fc2.weight"}) {
    const Tensor &a = resumed.find(name)->tensor, &b = whole.find(name)->tensor;
    EXPECT_EQ(0, std::memcmp(a.raw(), b.raw(), size_t(a.numel()) * 4)) << name;
  }
  r = train("clipped", {"--clip-grad-norm", "1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--clip-grad-norm: gpt's trained entry points "
                              "were compiled without clip_grad_norm"))
      << r.err;
}

TEST_F(GptCli, ResumedTrainingEqualsAnUninterruptedRun) {
  const std::string a = (dir / "a").string(), b = (dir / "b").string();
  ASSERT_EQ(kiln({"train", "gpt", "--data", text, "--steps", "4", "--batch",
                  "4", "-o", a})
                .code,
            0);
  ASSERT_EQ(kiln({"train", "gpt", "--data", text, "--steps", "2", "--batch",
                  "4", "-o", b})
                .code,
            0);
  auto r = kiln({"train", "gpt", "--steps", "4", "--data", text, "--resume",
                 b + "/checkpoint.safetensors"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto ta = kiln::rt::read_safetensors(a + "/checkpoint.safetensors");
  const auto tb = kiln::rt::read_safetensors(b + "/checkpoint.safetensors");
  ASSERT_EQ(ta.tensors.size(), tb.tensors.size());
  for (size_t i = 0; i < ta.tensors.size(); ++i) {
    const Tensor &x = ta.tensors[i].tensor, &y = tb.tensors[i].tensor;
    ASSERT_EQ(ta.tensors[i].name, tb.tensors[i].name);
    ASSERT_EQ(x.numel(), y.numel());
    EXPECT_EQ(0, std::memcmp(x.raw(), y.raw(), size_t(x.numel()) * 4))
        << ta.tensors[i].name;
  }
}

} // namespace
