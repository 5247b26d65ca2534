// kiln train / eval / sample / fid on the hand-written fake_gan and
// fake_classifier (fake_gan_model.h) over a small fake Fashion-MNIST: the
// generic training step (two train entry points, one-hot labels, latents),
// exact resume, classification accuracy, FID and sampling, and usage errors.
#include "fake_gan_model.h"
#include "fake_model.h"
#include "fake_vae_model.h"
#include "test_files.h"

#include "cli_runner.h"
#include "recipe.h"

#include "kiln/runtime/checkpoint.h"
#include "kiln/runtime/fashion_mnist.h"
#include "kiln/runtime/fid.h"
#include "kiln/runtime/json.h"
#include "kiln/runtime/png.h"
#include "kiln/runtime/safetensors.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

using kiln::test::read_bytes;
using kiln::test::TempDir;

namespace {

using Result = kiln::test::CliResult;
using kiln::test::contains;

class GanCli : public ::testing::Test {
protected:
  TempDir dir;
  std::string data = (dir / "data").string();

  void SetUp() override {
    kiln::rt::register_model(kiln_model_fake());
    kiln::rt::register_model(kiln_model_fake_vae());
    kiln::rt::register_model(kiln_model_fake_gan());
    kiln::rt::register_model(kiln_model_fake_classifier());
    kiln::test::write_fake_fashion_mnist(dir / "data", 40, 20);
    fake_gan_z_mismatches = 0;
  }

  Result kiln(std::vector<std::string> args) {
    return kiln::test::run_cli(std::move(args));
  }

  // kiln train MODEL on the fake data, batch 8 (5 steps per epoch).
  Result train(const std::string &model, const std::string &out,
               std::vector<std::string> more) {
    std::vector<std::string> args = {
        "train",   model, "--data", data,
        "--batch", "8",   "--out",  (dir / out).string()};
    args.insert(args.end(), more.begin(), more.end());
    return kiln(args);
  }

  std::string ckpt(const std::string &run) {
    return (dir / run / "checkpoint.safetensors").string();
  }

  // A trained fake classifier, for eval and fid (trained once).
  std::string classifier() {
    if (!std::filesystem::exists(ckpt("cls"))) {
      const Result r = train("fake_classifier", "cls", {"--steps", "10"});
      EXPECT_EQ(r.code, 0) << r.err;
    }
    return ckpt("cls");
  }

  std::vector<std::string> with_classifier(std::vector<std::string> args) {
    for (const std::string &a :
         {std::string("--classifier"), classifier(),
          std::string("--classifier-model"), std::string("fake_classifier"),
          std::string("--data"), data})
      args.push_back(a);
    return args;
  }
};

TEST_F(GanCli, TrainCallsDThenGWithTheSameZ) {
  const Result r = train("fake_gan", "run",
                         {"--steps", "6", "--log-every", "2", "--seed", "3"});
  ASSERT_EQ(r.code, 0) << r.err;
  // The model's one train entry point that no sequence runs a part of.
  EXPECT_TRUE(contains(r.out, "training fake_gan.train_step: 40 images, "
                              "batch 8 (5 steps per epoch), seed 3"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "data: pixels in [-1, 1], z ~ N(0, I) [batch, "
                              "64] per step"))
      << r.out;
  EXPECT_TRUE(contains(r.err, "step 6/6  d_loss ")) << r.err;
  EXPECT_TRUE(contains(r.err, "  g_loss ")) << r.err;
  EXPECT_TRUE(contains(r.out, "last step:  d_loss ")) << r.out;
  EXPECT_EQ(fake_gan_z_mismatches, 0);

  std::istringstream metrics(read_bytes(dir / "run" / "metrics.jsonl"));
  int lines = 0;
  for (std::string line; std::getline(metrics, line); ++lines) {
    const kiln::rt::Json j = kiln::rt::parse_json(line);
    for (const char *key : {"d_loss", "d_real", "d_fake", "g_loss"}) {
      ASSERT_TRUE(j.contains(key)) << key << " in " << line;
      EXPECT_TRUE(std::isfinite(j.at(key).get<double>())) << line;
    }
  }
  EXPECT_EQ(lines, 3);

  // Both networks, both optimizers' state and the running statistics.
  const kiln::rt::CheckpointInfo info =
      kiln::rt::read_checkpoint_info(ckpt("run"));
  EXPECT_EQ(info.state.entry, "train_step");
  EXPECT_EQ(info.state.step, 6);
  const kiln::rt::SafetensorsFile f = kiln::rt::read_safetensors(ckpt("run"));
  EXPECT_EQ(f.find("d_step.step")->tensor.data()[0], 6.0f);
  EXPECT_EQ(f.find("g_step.step")->tensor.data()[0], 6.0f);
  const kiln::rt::Tensor &running = f.find("generator.1.running_mean")->tensor;
  EXPECT_NE(running.data()[0], 0.0f);
  EXPECT_NE(f.find("discriminator.0.weight.momentum_buffer"), nullptr);
  EXPECT_NE(f.find("generator.0.weight.momentum_buffer"), nullptr);
}

TEST_F(GanCli, ResumeIsBitIdentical) {
  ASSERT_EQ(train("fake_gan", "straight", {"--steps", "11"}).code, 0);
  ASSERT_EQ(train("fake_gan", "resumed", {"--steps", "4"}).code, 0);
  const Result r = kiln({"train", "fake_gan", "--data", data, "--resume",
                         ckpt("resumed"), "--steps", "11"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_bytes(ckpt("straight")), read_bytes(ckpt("resumed")));
  // Another seed gives other latents and so another result.
  ASSERT_EQ(train("fake_gan", "other",
                  {"--steps", "11", "--seed", "1", "--data-seed", "0"})
                .code,
            0);
  EXPECT_NE(read_bytes(ckpt("straight")), read_bytes(ckpt("other")));
  EXPECT_EQ(fake_gan_z_mismatches, 0);
}

TEST_F(GanCli, CtrlCAfterGResumesExactly) {
  ASSERT_EQ(train("fake_gan", "straight", {"--steps", "7"}).code, 0);
  fake_gan_interrupt_at_step = 3;
  const Result r = train("fake_gan", "stopped",
                         {"--steps", "7", "--entry", "d_step,g_step"});
  fake_gan_interrupt_at_step = 0;
  EXPECT_EQ(r.code, kiln::cli::kExitInterrupted) << r.err;
  EXPECT_TRUE(contains(r.out, "resume with: kiln train fake_gan --resume " +
                                  ckpt("stopped") +
                                  " --entry d_step,g_step --steps 7"))
      << r.out;
  ASSERT_EQ(kiln({"train", "fake_gan", "--data", data, "--resume",
                  ckpt("stopped"), "--steps", "7"})
                .code,
            0);
  EXPECT_EQ(read_bytes(ckpt("straight")), read_bytes(ckpt("stopped")));
}

TEST_F(GanCli, TrainEntryErrors) {
  Result r =
      kiln({"train", "fake_gan", "--data", data, "--entry", "d_step,nope"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "fake_gan has no entry point 'nope'; entry "
                              "points: d_step, g_step, train_step, generate, "
                              "discriminate"))
      << r.err;
  r = kiln({"train", "fake_gan", "--data", data, "--entry", "generate"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "fake_gan.generate is an infer entry point; "
                              "train entry points: d_step, g_step, train_step"))
      << r.err;
  r = kiln({"train", "fake_gan", "--data", data, "--entry", "g_step,g_step"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--entry names g_step twice")) << r.err;

  // kiln info shows the lower bound and the model's contract; a batch an
  // entry point refuses is an error before anything is written.
  r = kiln({"info", "fake_gan"});
  EXPECT_TRUE(contains(r.out, "  g_step (train): z [batch, 64] (noise) -> "
                              "g_loss []; batch >= 2; trains with batch 64\n"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "  generate (infer): z [batch, 64] (noise) -> "
                              "images [batch, 1, 28, 28] (images in [-1, "
                              "1])\n"))
      << r.out;
  const std::filesystem::path small = dir / "small";
  r = kiln({"train", "fake_gan", "--data", data, "--batch", "1", "--out",
            small.string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err,
                       "--batch 1: fake_gan.train_step needs batch >= 2: "
                       "BatchNorm1d 'g.bn' needs two values per "
                       "channel"))
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(small));

  ASSERT_EQ(train("fake_gan", "run", {"--steps", "2"}).code, 0);
  r = kiln({"train", "fake_gan", "--data", data, "--resume", ckpt("run"),
            "--entry", "g_step", "--steps", "4"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "was trained with train_step, not g_step"))
      << r.err;
}

TEST_F(GanCli, RecipeNamesWhatItCannotFeed) {
  const kiln::rt::DimDesc batch{0, "batch"};
  const kiln::rt::ModelDesc model{
      .name = "odd",
      .params = {},
      .entries = {
          {"train_step",
           "train",
           {{"x", {batch, {784, {}}}, {kiln::rt::DataKind::images, 0, 1}},
            {"foo", {batch, {5, {}}}}},
           {{"loss", {}}},
           nullptr},
          {"bad_onehot",
           "train",
           {{"labels", {batch, {9, {}}}, {kiln::rt::DataKind::onehot}}},
           {{"loss", {}}},
           nullptr}}};
  std::string message;
  try {
    kiln::cli::entry_feeds(model, model.entries[0], "train");
  } catch (const kiln::cli::UsageError &e) {
    message = e.what();
  }
  EXPECT_TRUE(contains(message, "kiln train cannot feed input 'foo' [batch, "
                                "5] of odd.train_step: the model does not say "
                                "what it is. It feeds images"))
      << message;
  message.clear();
  try {
    kiln::cli::entry_feeds(model, model.entries[1], "train");
  } catch (const kiln::cli::UsageError &e) {
    message = e.what();
  }
  EXPECT_TRUE(contains(message, "one-hot labels of Fashion-MNIST are [batch, "
                                "10]"))
      << message;
}

TEST_F(GanCli, ClassifierTrainsOnOneHotLabelsAndEvaluates) {
  fake_classifier_check_labels = true;
  fake_classifier_label_mismatches = 0;
  const Result t = train("fake_classifier", "cls", {"--steps", "10"});
  fake_classifier_check_labels = false;
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_TRUE(contains(t.out, "data: pixels in [0, 1], one-hot labels\n"))
      << t.out;
  EXPECT_EQ(fake_classifier_label_mismatches, 0);

  const Result r = kiln({"eval", "fake_classifier", "-c", ckpt("cls"), "--data",
                         data, "--batch", "7"});
  ASSERT_EQ(r.code, 0) << r.err;
  // The same numbers computed here from the logits.
  kiln::rt::Session s(kiln_model_fake_classifier());
  kiln::rt::load_checkpoint(ckpt("cls"), s);
  const kiln::rt::ImageSet test =
      kiln::rt::load_fashion_mnist(data, kiln::rt::Split::test);
  kiln::rt::Tensor x = test.images(0, test.count, kiln::rt::PixelRange::unit);
  x.resize({test.count, 1, 28, 28});
  const kiln::rt::Tensor *input = &x;
  const kiln::rt::Tensor logits = s.run("logits", std::span(&input, 1))[0];
  int correct = 0;
  double ce = 0;
  for (int64_t i = 0; i < test.count; ++i) {
    const float *row = logits.data() + i * 10;
    const int best = static_cast<int>(std::max_element(row, row + 10) - row);
    correct += best == test.labels[static_cast<size_t>(i)];
    double sum = 0;
    for (int c = 0; c < 10; ++c)
      sum += std::exp(double(row[c]));
    ce += std::log(sum) - row[test.labels[static_cast<size_t>(i)]];
  }
  EXPECT_TRUE(contains(r.out, "fake_classifier.logits over 20 test images "
                              "(batches of 7), seed 0:\n"))
      << r.out;
  EXPECT_TRUE(contains(r.out, fmt::format("  accuracy       {:.4f}  ({} of "
                                          "20)\n",
                                          correct / 20.0, correct)))
      << r.out;
  EXPECT_TRUE(contains(r.out, fmt::format("  cross-entropy  {:.4f}  (nats "
                                          "per image)",
                                          ce / 20)))
      << r.out;
  EXPECT_TRUE(contains(r.out, "    9 Ankle boot   ")) << r.out;
}

TEST_F(GanCli, SampleGridAndInterpolationMatchGenerate) {
  ASSERT_EQ(train("fake_gan", "run", {"--steps", "3"}).code, 0);
  kiln::rt::Session s(kiln_model_fake_gan());
  kiln::rt::load_checkpoint(ckpt("run"), s);
  const auto expected_png = [&](const kiln::rt::Tensor &z, int64_t cols) {
    const kiln::rt::Tensor *input = &z;
    const kiln::rt::Tensor images = s.run("generate", std::span(&input, 1))[0];
    kiln::rt::Tensor flat = images;
    flat.resize({z.dim(0), 784});
    // [-1, 1] shown as [0, 1].
    return kiln::rt::encode_png(kiln::rt::image_grid(flat, cols, -1.0f, 1.0f));
  };

  const std::string grid = (dir / "grid.png").string();
  Result r = kiln({"sample", "fake_gan", "-c", ckpt("run"), "--n", "6", "--out",
                   grid, "--seed", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "6 samples of fake_gan.generate (z ~ N(0, I) "
                              "[6, 64], seed 2; images in [-1, 1]) -> " +
                                  grid + " (86 x 57 pixels)"))
      << r.out;
  EXPECT_EQ(read_bytes(grid),
            expected_png(kiln::cli::sample_latents(6, 64, 2), 3));

  const std::string strip = (dir / "strip.png").string();
  r = kiln({"sample", "fake_gan", "-c", ckpt("run"), "--interpolate", "--n",
            "5", "--out", strip});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "5 images of fake_gan.generate from z0 to z1"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "(144 x 28 pixels)")) << r.out;
  const kiln::rt::Tensor ends = kiln::cli::sample_latents(2, 64, 0);
  kiln::rt::Tensor line({5, 64});
  for (int64_t i = 0; i < 5; ++i)
    for (int64_t k = 0; k < 64; ++k)
      line.data()[i * 64 + k] = static_cast<float>(
          (1 - i / 4.0) * ends.data()[k] + i / 4.0 * ends.data()[64 + k]);
  EXPECT_EQ(read_bytes(strip), expected_png(line, 5));

  // The VAE interpolates through decode_probs, in [0, 1].
  ASSERT_EQ(train("fake_vae", "vae", {"--steps", "2"}).code, 0);
  r = kiln({"sample", "fake_vae", "-c", ckpt("vae"), "--interpolate", "--n",
            "3", "--out", strip});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "3 images of fake_vae.decode_probs from z0 to "
                              "z1 (z ~ N(0, I) [2, 2], seed 0; images in "
                              "[0, 1])"))
      << r.out;

  r = kiln({"sample", "fake_gan", "-c", ckpt("run"), "--interpolate", "--n",
            "1", "--out", strip});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--interpolate needs at least 2 images"))
      << r.err;
  r = kiln({"sample", "fake_classifier", "-c", ckpt("run"), "--out", strip});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "kiln sample needs an infer entry point that "
                              "consumes noise (and maybe one-hot labels) "
                              "and produces images; "
                              "fake_classifier has none"))
      << r.err;
  // The error lists what each infer entry point consumes and produces.
  EXPECT_TRUE(contains(r.err, "fake_classifier.logits (x: images in [0, 1] "
                              "-> logits: logits)"))
      << r.err;
}

TEST_F(GanCli, FidOfSetsAndSamples) {
  const std::string cls = classifier();
  const std::vector<std::string> common = {
      "--classifier",    cls,      "--classifier-model",
      "fake_classifier", "--data", data};
  const auto fid = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "fid");
    args.insert(args.end(), common.begin(), common.end());
    return kiln(args);
  };

  Result r = fid({"test", "test"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "FID 0.0000\n  between 20 test images\n      "
                              "and 20 test images\n  in "
                              "fake_classifier.features space [16]"))
      << r.out;
  EXPECT_FALSE(contains(r.out, "note:")) << r.out;
  r = fid({"test[:10]", "test"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "note: a set has no more images than the 16 "
                              "features"))
      << r.out;

  // train[:30] against test: the value computed here from the features.
  r = fid({"train[:30]", "test"});
  ASSERT_EQ(r.code, 0) << r.err;
  kiln::rt::Session s(kiln_model_fake_classifier());
  kiln::rt::load_checkpoint(cls, s);
  const auto stats = [&](kiln::rt::Split split, int64_t n) {
    kiln::rt::Tensor x = kiln::rt::load_fashion_mnist(data, split)
                             .images(0, n, kiln::rt::PixelRange::unit);
    x.resize({n, 1, 28, 28});
    const kiln::rt::Tensor *input = &x;
    return kiln::rt::feature_stats(s.run("features", std::span(&input, 1))[0]);
  };
  const double expected =
      kiln::rt::frechet_distance(stats(kiln::rt::Split::train, 30),
                                 stats(kiln::rt::Split::test, 20))
          .distance;
  EXPECT_GT(expected, 0.0);
  EXPECT_TRUE(contains(r.out, fmt::format("FID {:.4f}\n  between 30 train "
                                          "images (the first)",
                                          expected)))
      << r.out;

  // A file of the test images [N, 1, 28, 28] in [0, 1] is the test set.
  kiln::rt::Tensor images =
      kiln::rt::load_fashion_mnist(data, kiln::rt::Split::test)
          .images(0, 20, kiln::rt::PixelRange::unit);
  images.resize({20, 1, 28, 28});
  const std::string file = (dir / "images.safetensors").string();
  kiln::rt::write_safetensors(file, {{{"x", &images}}});
  r = fid({file, "test"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "FID 0.0000\n  between 20 images of " + file))
      << r.out;
  // So is a folder of the same images as PNG files, and an IDX pair.
  const kiln::rt::ImageSet test_set =
      kiln::rt::load_fashion_mnist(data, kiln::rt::Split::test);
  const auto folder = dir / "pngs";
  std::filesystem::create_directories(folder);
  for (int64_t i = 0; i < test_set.count; ++i)
    kiln::rt::write_png(
        folder / fmt::format("{:02}.png", i),
        kiln::rt::GrayImage{28,
                            28,
                            {test_set.pixels.begin() + i * 784,
                             test_set.pixels.begin() + (i + 1) * 784}});
  r = fid({folder.string(), "test"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "FID 0.0000\n  between 20 images of the PNG "
                              "images of " +
                                  folder.string()))
      << r.out;
  for (float &v : images.values())
    v = 2 * v - 1;
  kiln::rt::write_safetensors(file, {{{"x", &images}}});
  r = fid({file, "test"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "but kiln takes pixels in [0, 1]")) << r.err;

  // Samples of models: by the checkpoint's model name, or named.
  ASSERT_EQ(train("fake_gan", "gan", {"--steps", "3"}).code, 0);
  ASSERT_EQ(train("fake_vae", "vae", {"--steps", "2"}).code, 0);
  r = fid({"model:" + ckpt("gan"), "test", "--n", "30"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "between 30 samples of fake_gan.generate (seed "
                              "0)\n      and 20 test images"))
      << r.out;
  r = fid({"fake_vae:" + ckpt("vae"), "model:" + ckpt("gan"), "--n", "25"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "between 25 samples of fake_vae.decode_probs "
                              "(seed 0)\n      and 25 samples of "
                              "fake_gan.generate"))
      << r.out;

  // Usage errors.
  r = fid({ckpt("gan"), "test"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "is a checkpoint of fake_gan; to score the "
                              "model's samples write model:"))
      << r.err;
  r = fid({"test"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "kiln fid compares two image sets")) << r.err;
  r = fid({"bogus", "test"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "'bogus' is not an image set")) << r.err;
  r = fid({"train[:1]", "test"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "must be an integer of at least 2")) << r.err;
  r = fid({"train[5]", "test"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "write a split's first N images as train[:N]"))
      << r.err;
  r = fid({"test[:500]", "test"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "'test[:500]': the test split has 20 images"))
      << r.err;
  r = kiln({"fid", "test", "test", "--data", data});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--classifier is required")) << r.err;
  r = kiln({"fid", "test", "test", "--classifier", cls, "--classifier-model",
            "fake_vae", "--data", data});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "kiln fid needs an infer entry point that "
                              "consumes images and produces features; "
                              "fake_vae has none"))
      << r.err;
}

TEST_F(GanCli, EvalScoresSamplesWithAClassifier) {
  ASSERT_EQ(train("fake_gan", "gan", {"--steps", "3"}).code, 0);
  Result r = kiln(with_classifier(
      {"eval", "fake_gan", "-c", ckpt("gan"), "--n", "30", "--batch", "8"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "FID ")) << r.out;
  EXPECT_TRUE(contains(r.out, "between 30 samples of fake_gan.generate (seed "
                              "0)\n      and 20 test images"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "classes of the samples, by "
                              "fake_classifier.logits:\n  0 T-shirt/top"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "  entropy ")) << r.out;
  EXPECT_TRUE(contains(r.out, "bits (uniform over 10 classes: 3.322)"))
      << r.out;

  // The VAE's samples too.
  ASSERT_EQ(train("fake_vae", "vae", {"--steps", "2"}).code, 0);
  r = kiln(
      with_classifier({"eval", "fake_vae", "-c", ckpt("vae"), "--n", "10"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "10 samples of fake_vae.decode_probs")) << r.out;

  // Without --classifier a GAN has nothing to evaluate.
  r = kiln({"eval", "fake_gan", "-c", ckpt("gan"), "--data", data});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "To score fake_gan's samples, pass "
                              "--classifier CKPT"))
      << r.err;
  // --n without --classifier.
  r = kiln({"eval", "fake_gan", "-c", ckpt("gan"), "--n", "10"});
  EXPECT_EQ(r.code, 2);
  // A truncated GAN checkpoint is rejected.
  const std::string bytes = read_bytes(ckpt("gan"));
  kiln::test::write_bytes(dir / "cut.safetensors",
                          bytes.substr(0, bytes.size() - 100));
  r = kiln(with_classifier({"eval", "fake_gan", "-c",
                            (dir / "cut.safetensors").string(), "--n", "10"}));
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "cut.safetensors")) << r.err;
}

} // namespace
