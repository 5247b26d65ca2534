// A conditional VAE written from docs/dsl.md and not in models/
// (models/cvae.cpp here) driven through the kiln CLI with no change to
// tools/: its contract says which inputs are labels, so training,
// evaluation, sampling and reconstruction feed them. The CLI's numbers are
// checked against the compiled model called directly with the right
// labels (and shown to depend on them).
#include "cvae.h"

#include "cli_runner.h"
#include "test_files.h"

#include "kiln/runtime/checkpoint.h"
#include "kiln/runtime/image.h"
#include "kiln/runtime/model.h"
#include "kiln/runtime/png.h"
#include "kiln/runtime/safetensors.h"
#include "recipe.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

namespace {

using kiln::test::contains;

class CvaeCli : public ::testing::Test {
protected:
  kiln::test::TempDir dir;
  std::string data = (dir / "data").string();
  std::string ckpt = (dir / "run" / "checkpoint.safetensors").string();

  void SetUp() override {
    kiln::rt::register_model(kiln_model_cvae());
    // 48 training images (3 steps of the model's batch of 16), 20 test.
    kiln::test::write_fake_fashion_mnist(dir / "data", 48, 20);
  }
  kiln::test::CliResult kiln(std::vector<std::string> args) {
    return kiln::test::run_cli(std::move(args));
  }
};

// The first number printed after `key` in `text`.
double number_after(const std::string &text, const std::string &key) {
  const size_t at = text.find(key);
  return at == std::string::npos ? NAN
                                 : std::stod(text.substr(at + key.size()));
}

TEST_F(CvaeCli, TrainsEvaluatesSamplesAndReconstructsWithLabels) {
  auto r = kiln({"train", "cvae", "--data", data, "--steps", "6", "--out",
                 (dir / "run").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "training cvae.fit: 48 images, batch 16 (3 "
                              "steps per epoch)"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "data: pixels in [0, 1], one-hot labels"))
      << r.out;
  // Built for the build machine only: its one target is the one that runs.
  ASSERT_EQ(kiln_model_cvae().kernel_variants.size(), 1u);
  EXPECT_TRUE(contains(
      r.out,
      "kernels: " + std::string(kiln_model_cvae().kernel_variants[0].target) +
          "\n"))
      << r.out;

  // kiln eval feeds each test image's label: the same loss as the model
  // given the right labels, not the one given other labels.
  r = kiln({"eval", "cvae", "-c", ckpt, "--data", data});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_TRUE(contains(r.out, "cvae.nll over 20 test images")) << r.out;
  const double cli_recon = number_after(r.out, "recon  ");
  const kiln::rt::ImageSet test =
      kiln::rt::load_fashion_mnist(dir / "data", kiln::rt::Split::test);
  const kiln::rt::Tensor x = test.images(0, 20, kiln::rt::PixelRange::unit);
  auto recon_given = [&](int shift) {
    kiln::models::cvae::Model model(0);
    kiln::rt::load_checkpoint(ckpt, model.session());
    kiln::rt::Tensor y({20, 10});
    for (int i = 0; i < 20; ++i)
      y.data()[i * 10 + (test.labels[i] + shift) % 10] = 1.0f;
    return static_cast<double>(std::get<1>(model.nll(x, y)).data()[0]);
  };
  EXPECT_NEAR(cli_recon, recon_given(0), 1e-3 * std::fabs(cli_recon));
  EXPECT_GT(std::fabs(recon_given(3) - recon_given(0)), 1e-2);

  // One row per class, the same latents in every row.
  const std::string grid = (dir / "grid.png").string();
  r = kiln({"sample", "cvae", "-c", ckpt, "--cols", "4", "--out", grid});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "40 samples of cvae.draw, one row per class 0 "
                              "to 9"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "(115 x 289 pixels)")) << r.out;
  // --label: every image of one class.
  r = kiln({"sample", "cvae", "-c", ckpt, "--n", "6", "--label", "3", "--out",
            (dir / "three.png").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "6 samples of cvae.draw of class 3")) << r.out;
  r = kiln({"sample", "cvae", "-c", ckpt, "--label", "10", "--out",
            (dir / "bad.png").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--label 10: cvae.draw has classes 0 to 9"))
      << r.err;

  r = kiln({"reconstruct", "cvae", "-c", ckpt, "--data", data, "--n", "4",
            "--out", (dir / "recon.png").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "reconstructions by cvae.autoencode")) << r.out;

  // kiln encode feeds the labels too: mu as the model computes it.
  const std::string latents = (dir / "z.safetensors").string();
  r = kiln({"encode", "cvae", "-c", ckpt, "--data", data, "--out", latents});
  ASSERT_EQ(r.code, 0) << r.err;
  kiln::models::cvae::Model model(0);
  kiln::rt::load_checkpoint(ckpt, model.session());
  kiln::rt::Tensor y({20, 10});
  for (int i = 0; i < 20; ++i)
    y.data()[i * 10 + test.labels[i]] = 1.0f;
  const kiln::rt::Tensor mu = std::get<0>(model.embed(x, y));
  const kiln::rt::SafetensorsFile file = kiln::rt::read_safetensors(latents);
  ASSERT_NE(file.find("mu"), nullptr);
  const auto &got = file.find("mu")->tensor;
  ASSERT_EQ(got.shape(), mu.shape());
  for (int64_t i = 0; i < mu.numel(); ++i)
    EXPECT_FLOAT_EQ(got.data()[i], mu.data()[i]) << i;
}

// kiln score feeds each image's label: the CSV's scores are the model's
// given the right labels. The labels can come with the images in a
// safetensors file; images alone are refused, not scored with no label.
TEST_F(CvaeCli, ScoresWithLabels) {
  ASSERT_EQ(kiln({"train", "cvae", "--data", data, "--steps", "3", "--out",
                  (dir / "run").string()})
                .code,
            0);
  auto r = kiln({"score", "cvae", "-c", ckpt, "--data", data});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_TRUE(r.out.starts_with("index,label,score\n")) << r.out;
  const kiln::rt::ImageSet test =
      kiln::rt::load_fashion_mnist(dir / "data", kiln::rt::Split::test);
  const kiln::rt::Tensor x = test.images(0, 20, kiln::rt::PixelRange::unit);
  kiln::models::cvae::Model model(0);
  kiln::rt::load_checkpoint(ckpt, model.session());
  auto scores_given = [&](int shift) {
    std::vector<int> labels;
    for (int i = 0; i < 20; ++i)
      labels.push_back((test.labels[size_t(i)] + shift) % 10);
    return model.surprise(x, kiln::cli::one_hot(labels, 10));
  };
  const kiln::rt::Tensor want = scores_given(0), other = scores_given(4);
  std::istringstream csv(r.out.substr(r.out.find('\n') + 1));
  std::string line;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(std::getline(csv, line)) << r.out;
    const size_t c1 = line.find(','), c2 = line.rfind(',');
    EXPECT_EQ(std::stoi(line.substr(0, c1)), i);
    EXPECT_EQ(std::stoi(line.substr(c1 + 1, c2 - c1 - 1)),
              test.labels[size_t(i)]);
    const double got = std::stod(line.substr(c2 + 1));
    EXPECT_NEAR(got, want.data()[i], 1e-4 * std::fabs(want.data()[i])) << i;
    EXPECT_GT(std::fabs(got - other.data()[i]), 1e-3) << i;
  }

  // Images and labels in one file (floats, as a user's numpy arrays are).
  const std::string file = (dir / "test.safetensors").string();
  kiln::rt::Tensor labels({20});
  for (int i = 0; i < 20; ++i)
    labels.data()[i] = test.labels[size_t(i)];
  const std::vector<kiln::rt::TensorRef> tensors = {{"images", &x},
                                                    {"labels", &labels}};
  kiln::rt::write_safetensors(file, tensors);
  const auto by_file = kiln({"score", "cvae", "-c", ckpt, "--data", file});
  ASSERT_EQ(by_file.code, 0) << by_file.err;
  EXPECT_EQ(by_file.out, r.out);

  // --ood scores the outliers with the split's labels.
  r = kiln({"score", "cvae", "-c", ckpt, "--data", data, "--ood"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "inverted       20 images")) << r.out;

  // Without labels: a clear refusal.
  const std::string images_only = (dir / "images.safetensors").string();
  const std::vector<kiln::rt::TensorRef> just_images = {{"images", &x}};
  kiln::rt::write_safetensors(images_only, just_images);
  r = kiln({"score", "cvae", "-c", ckpt, "--data", images_only});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "surprise consumes one-hot labels, but there "
                              "are none in " +
                                  images_only))
      << r.err;
  r = kiln({"score", "cvae", "-c", ckpt, "--input", images_only});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--input holds images alone")) << r.err;
  r = kiln({"train", "cvae", "--data", images_only, "--steps", "1", "--out",
            (dir / "unlabelled").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "fit consumes one-hot labels, but there are "
                              "none in " +
                                  images_only))
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "unlabelled"));
  // A label beyond the model's classes (a folder of 12 classes, say) is
  // refused up front too, naming the image.
  labels.data()[5] = 12;
  kiln::rt::write_safetensors(file, tensors);
  r = kiln({"train", "cvae", "--data", file, "--steps", "1", "--out",
            (dir / "too_many").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, file + ": label 12 of image 5 is not one of "
                                     "the 10 classes of fit's one-hot input"))
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "too_many"));
}

// The grid's rows are the classes: row c is draw(z_j, onehot(c)).
TEST_F(CvaeCli, GridRowsAreTheClasses) {
  ASSERT_EQ(kiln({"train", "cvae", "--data", data, "--steps", "3", "--out",
                  (dir / "run").string()})
                .code,
            0);
  const std::string grid = (dir / "grid.png").string();
  ASSERT_EQ(kiln({"sample", "cvae", "-c", ckpt, "--cols", "2", "--seed", "4",
                  "--out", grid})
                .code,
            0);
  // The same images computed here: draw(z_j, onehot(c)) in row c, column
  // j, z from the sampler's documented stream.
  kiln::models::cvae::Model model(4);
  kiln::rt::load_checkpoint(ckpt, model.session());
  const kiln::rt::Tensor z2 = kiln::cli::sample_latents(2, 8, 4);
  kiln::rt::Tensor z({20, 8}), y({20, 10});
  for (int c = 0; c < 10; ++c)
    for (int j = 0; j < 2; ++j) {
      const int row = c * 2 + j;
      std::copy_n(z2.data() + j * 8, 8, z.data() + row * 8);
      y.data()[row * 10 + c] = 1.0f;
    }
  const std::string want =
      kiln::rt::encode_png(kiln::rt::image_grid(model.draw(z, y), 2));
  EXPECT_EQ(kiln::test::read_bytes(grid), want);
  // And the classes matter: another class's row is another image.
  EXPECT_NE(model.draw(z2, kiln::cli::one_hot(std::vector<int>{0, 0}, 10))
                .values()[100],
            model.draw(z2, kiln::cli::one_hot(std::vector<int>{7, 7}, 10))
                .values()[100]);
}

} // namespace
