// Short runs of the compiled GAN and classifier (models/gan.cpp,
// models/classifier.cpp) through the kiln CLI, in-process. Built only when
// their libraries exist (tests/runtime/CMakeLists.txt); each model's tests
// are compiled in when KILN_TEST_GAN / KILN_TEST_CLASSIFIER name its
// ModelDesc function. Needs the real Fashion-MNIST; skipped without it.
#include "test_files.h"

#include "cli_runner.h"

#include "kiln/runtime/checkpoint.h"
#include "kiln/runtime/fashion_mnist.h"
#include "kiln/runtime/json.h"
#include "kiln/runtime/model.h"
#include "kiln/runtime/random.h"
#include "kiln/runtime/safetensors.h"
#include "kiln/runtime/session.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#ifdef KILN_TEST_GAN
const kiln::rt::ModelDesc &KILN_TEST_GAN();
#endif
#ifdef KILN_TEST_CLASSIFIER
const kiln::rt::ModelDesc &KILN_TEST_CLASSIFIER();
#endif

using kiln::test::read_bytes;
using kiln::test::TempDir;

namespace {

using Result = kiln::test::CliResult;
using kiln::test::contains;

Result kiln_cli(std::vector<std::string> args) {
  return kiln::test::run_cli(std::move(args));
}

class RealModels : public ::testing::Test {
protected:
  TempDir dir;
  void SetUp() override {
    if (!std::filesystem::exists(kiln::rt::default_fashion_mnist_dir()))
      GTEST_SKIP() << "Fashion-MNIST is not installed";
#ifdef KILN_TEST_GAN
    kiln::rt::register_model(KILN_TEST_GAN());
#endif
#ifdef KILN_TEST_CLASSIFIER
    kiln::rt::register_model(KILN_TEST_CLASSIFIER());
#endif
  }
  std::string ckpt(const std::string &run) {
    return (dir / run / "checkpoint.safetensors").string();
  }
  // Every line of DIR/metrics.jsonl has finite values for `keys`.
  void expect_finite_metrics(const std::string &run,
                             std::vector<std::string> keys) {
    std::istringstream metrics(read_bytes(dir / run / "metrics.jsonl"));
    int lines = 0;
    for (std::string line; std::getline(metrics, line); ++lines) {
      const kiln::rt::Json j = kiln::rt::parse_json(line);
      for (const std::string &key : keys) {
        ASSERT_TRUE(j.contains(key)) << key << " in " << line;
        EXPECT_TRUE(std::isfinite(j.at(key).get<double>())) << line;
      }
    }
    EXPECT_GT(lines, 0);
  }
};

#ifdef KILN_TEST_GAN
// train_step (kiln.sequences: d_step then g_step in one call, G's forward
// pass shared) against the two calls, from the same initial tensors over
// three steps: every parameter, optimizer state and running statistic, and
// every output. Random inputs: no data needed. The kernels are fused
// differently, so float32 summation orders may differ; the tolerance is
// float32 rounding of Adam's first updates (about lr * sign(g)).
TEST(GanSequence, TrainStepEqualsDStepThenGStep) {
  const kiln::rt::ModelDesc &gan = KILN_TEST_GAN();
  ASSERT_NE(gan.find_entry("train_step"), nullptr);
  kiln::rt::Session one(gan, 3), two(gan, 3);
  kiln::rt::Tensor real({16, 1, 28, 28}), z({16, 64});
  for (int step = 0; step < 3; ++step) {
    kiln::rt::fill_uniform(real.values(), 7, step, -1.0, 1.0);
    kiln::rt::fill_normal(z.values(), 8, step, 0.0, 1.0);
    const kiln::rt::Tensor *both[] = {&real, &z};
    const kiln::rt::Tensor *zs[] = {&z};
    const std::vector<kiln::rt::Tensor> seq = one.run("train_step", both);
    std::vector<kiln::rt::Tensor> outs = two.run("d_step", both);
    for (kiln::rt::Tensor &t : two.run("g_step", zs))
      outs.push_back(std::move(t));
    ASSERT_EQ(seq.size(), outs.size());
    for (size_t k = 0; k < seq.size(); ++k)
      EXPECT_NEAR(seq[k].values()[0], outs[k].values()[0],
                  1e-5 * std::max(1.0f, std::abs(outs[k].values()[0])))
          << "output " << k << " of step " << step;
  }
  ASSERT_EQ(one.params().size(), gan.params.size());
  for (size_t i = 0; i < gan.params.size(); ++i) {
    const auto a = one.params().at(i).values(), b = two.params().at(i).values();
    ASSERT_EQ(a.size(), b.size());
    double err = 0, norm = 0;
    for (size_t e = 0; e < a.size(); ++e) {
      err += (double(a[e]) - b[e]) * (double(a[e]) - b[e]);
      norm += double(b[e]) * b[e];
    }
    EXPECT_LE(std::sqrt(err), 1e-5 * std::sqrt(norm) + 1e-6)
        << gan.params[i].name;
  }
}

TEST_F(RealModels, GanTrainsAndGeneratesDistinctImages) {
  const kiln::rt::ModelDesc &gan = KILN_TEST_GAN();
  const std::string name(gan.name);
  const Result r = kiln_cli({"train", name, "--steps", "4", "--batch", "16",
                             "--seed", "1", "--threads", "1", "--log-every",
                             "1", "--out", (dir / "gan").string()});
  ASSERT_EQ(r.code, 0) << r.out << r.err; // a NaN loss exits 1
  expect_finite_metrics("gan", {"d_loss", "d_real", "d_fake", "g_loss"});

  kiln::rt::Session s(gan, 1);
  kiln::rt::load_checkpoint(ckpt("gan"), s);
  const kiln::rt::EntryDesc &generate = *gan.find_entry("generate");
  const int64_t latent = generate.inputs[0].dims[1].size;
  kiln::rt::Tensor z({8, latent});
  kiln::rt::fill_normal(z.values(), 5, 0, 0.0, 1.0);
  const kiln::rt::Tensor *input = &z;
  const kiln::rt::Tensor images = s.run("generate", std::span(&input, 1))[0];
  ASSERT_EQ(images.numel(), 8 * 784);
  for (float v : images.values())
    ASSERT_TRUE(std::isfinite(v) && v >= -1.0f && v <= 1.0f) << v;
  for (int a = 0; a < 8; ++a)
    for (int b = a + 1; b < 8; ++b) {
      float diff = 0;
      for (int p = 0; p < 784; ++p)
        diff = std::max(diff, std::abs(images.data()[a * 784 + p] -
                                       images.data()[b * 784 + p]));
      EXPECT_GT(diff, 1e-3f) << "images " << a << " and " << b;
    }
  // Eval mode is deterministic: the same z gives the same images.
  EXPECT_EQ(s.run("generate", std::span(&input, 1))[0].values()[17],
            images.values()[17]);

  const std::string png = (dir / "grid.png").string();
  const Result sample =
      kiln_cli({"sample", name, "-c", ckpt("gan"), "--n", "16", "--out", png});
  ASSERT_EQ(sample.code, 0) << sample.err;
  EXPECT_EQ(read_bytes(png).substr(1, 3), "PNG");
  const Result strip = kiln_cli({"sample", name, "-c", ckpt("gan"),
                                 "--interpolate", "--n", "8", "--out", png});
  ASSERT_EQ(strip.code, 0) << strip.err;
  EXPECT_TRUE(contains(strip.out, "(231 x 28 pixels)")) << strip.out;
}

// kiln train picks train_step for the GAN; a checkpoint of d_step,g_step
// (the default before the sequence existed) resumes under it, and the other
// way round: the same step either way.
TEST_F(RealModels, GanResumesAcrossSequenceAndParts) {
  const std::string name(KILN_TEST_GAN().name);
  auto train = [&](const std::string &run, std::vector<std::string> extra) {
    std::vector<std::string> args{
        "train", name,        "--batch", "16",    "--seed",
        "2",     "--threads", "1",       "--out", (dir / run).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return kiln_cli(args);
  };
  Result r = train("a", {"--steps", "2", "--entry", "d_step,g_step"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = train("a", {"--steps", "4", "--resume", ckpt("a")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(kiln::rt::read_checkpoint_info(ckpt("a")).state.entry,
            "train_step");
  EXPECT_EQ(kiln::rt::read_checkpoint_info(ckpt("a")).state.step, 4);
  r = train(
      "a", {"--steps", "5", "--resume", ckpt("a"), "--entry", "d_step,g_step"});
  ASSERT_EQ(r.code, 0) << r.err;
  // Not equivalent: a part alone.
  r = train("a", {"--steps", "6", "--resume", ckpt("a"), "--entry", "g_step"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "was trained with d_step,g_step, not g_step"))
      << r.err;
}

TEST_F(RealModels, CorruptGanCheckpointIsRejected) {
  const kiln::rt::ModelDesc &gan = KILN_TEST_GAN();
  const std::string name(gan.name);
  ASSERT_EQ(kiln_cli({"train", name, "--steps", "1", "--batch", "8", "--out",
                      (dir / "gan").string()})
                .code,
            0);
  kiln::rt::Session s(gan);
  // Truncated.
  const std::string bytes = read_bytes(ckpt("gan"));
  kiln::test::write_bytes(dir / "cut.safetensors",
                          bytes.substr(0, bytes.size() / 2));
  EXPECT_TRUE(contains(kiln::test::error_of([&] {
                         kiln::rt::load_checkpoint(dir / "cut.safetensors", s);
                       }),
                       "cut.safetensors"));
  // A state tensor (e.g. a BatchNorm running statistic) missing.
  const kiln::rt::SafetensorsFile f = kiln::rt::read_safetensors(ckpt("gan"));
  std::string dropped;
  for (const kiln::rt::ParamDesc &p : gan.params)
    if (p.role == kiln::rt::ParamRole::state && dropped.empty())
      dropped = std::string(p.name);
  std::vector<kiln::rt::TensorRef> kept;
  for (const kiln::rt::NamedTensor &t : f.tensors)
    if (t.name != dropped)
      kept.push_back({t.name, &t.tensor});
  kiln::rt::write_safetensors(dir / "missing.safetensors", kept, f.metadata);
  EXPECT_TRUE(contains(kiln::test::error_of([&] {
                         kiln::rt::load_checkpoint(dir / "missing.safetensors",
                                                   s);
                       }),
                       "missing (1): " + dropped));
  // Through the CLI: exit 1, naming the file.
  const Result r =
      kiln_cli({"sample", name, "-c", (dir / "cut.safetensors").string(),
                "--out", (dir / "x.png").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "cut.safetensors")) << r.err;
}
#endif

#ifdef KILN_TEST_CLASSIFIER
TEST_F(RealModels, ClassifierTrainsAndEvaluates) {
  const kiln::rt::ModelDesc &cls = KILN_TEST_CLASSIFIER();
  const std::string name(cls.name);
  Result r = kiln_cli({"train", name, "--steps", "30", "--batch", "64",
                       "--log-every", "10", "--out", (dir / "cls").string()});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "one-hot labels")) << r.out;
  expect_finite_metrics("cls", {"loss"});

  r = kiln_cli({"eval", name, "-c", ckpt("cls")});
  ASSERT_EQ(r.code, 0) << r.err;
  const size_t at = r.out.find("accuracy       ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const double accuracy = std::stod(r.out.substr(at + 15, 6));
  EXPECT_GT(accuracy, 0.2) << r.out; // 30 steps: well above chance (0.1)

  r = kiln_cli({"fid", "train[:500]", "test[:500]", "--classifier", ckpt("cls"),
                "--classifier-model", name});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "FID ")) << r.out;
  r = kiln_cli({"fid", "test[:300]", "test[:300]", "--classifier", ckpt("cls"),
                "--classifier-model", name});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "FID 0.0000")) << r.out;

#ifdef KILN_TEST_GAN
  const std::string gan(KILN_TEST_GAN().name);
  ASSERT_EQ(kiln_cli({"train", gan, "--steps", "2", "--batch", "16", "--out",
                      (dir / "gan").string()})
                .code,
            0);
  r = kiln_cli({"eval", gan, "-c", ckpt("gan"), "--classifier", ckpt("cls"),
                "--classifier-model", name, "--n", "300"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "classes of the samples")) << r.out;
#endif
}
#endif

} // namespace
