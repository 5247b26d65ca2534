// The DDPM UNet's sampler steps (models/ddpm.cpp) against the update
// formulas written here in double from Ho et al. 2020 and Song et al. 2021
// with the schedule of MODELS.md (T = 1000, betas linear 1e-4 .. 0.02),
// given the model's own eps (whose network tests/torch/models_vs_torch.py
// compares with PyTorch): DDPM's last step exactly, a middle one up to its
// noise (which must look like N(0, I)); DDIM with eta 0 exactly (to the
// clean image: x0 recovered from x_t = sqrt(abar) x0 + sqrt(1 - abar) eps,
// the inversion); then kiln train / sample / eval through the CLI.
#include "ddpm.h"
#include "diffusion_reference.h"
#include "reference.h"

#include "cli_runner.h"
#include "test_files.h"

#include "kiln/runtime/device.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using kiln::rt::Tensor;
using kiln::test::contains;
using kiln::test::randomTensor;

struct Ddpm : ::testing::Test {
  kiln::models::ddpm::Model model{3};
  kiln::test::DdpmScheduleReference s;
  Tensor x = randomTensor({2, 1, 28, 28}, 4, -1.5, 1.5);

  Tensor eps(const std::vector<int32_t> &t) {
    const Tensor tt = Tensor::of_ints({2}, t);
    return model.session().run("eps", std::vector<const Tensor *>{&x, &tt})[0];
  }
  Tensor run(const char *entry, std::vector<const Tensor *> in) {
    return model.session().run(entry, in)[0];
  }
};

TEST_F(Ddpm, DdpmStepIsTheAncestralUpdate) {
  const std::vector<int32_t> ts{0, 500};
  const Tensor e = eps(ts), t = Tensor::of_ints({2}, ts);
  const Tensor got = run("ddpm_step", {&x, &t});
  const int64_t per = 784;
  double noise_sum = 0, noise_sq = 0;
  for (int64_t i = 0; i < 2 * per; ++i) {
    const int k = ts[size_t(i / per)];
    const double mean =
        (x.data()[i] -
         s.beta[size_t(k)] / std::sqrt(1 - s.abar[size_t(k)]) * e.data()[i]) /
        std::sqrt(1 - s.beta[size_t(k)]);
    if (k == 0) { // the last step adds no noise
      ASSERT_NEAR(got.data()[i], mean, 1e-5 * (1 + std::abs(mean))) << i;
    } else {
      const double z = (got.data()[i] - mean) / std::sqrt(s.beta[size_t(k)]);
      noise_sum += z;
      noise_sq += z * z;
    }
  }
  // 784 draws of N(0, 1): mean within 4 / 28, variance within 0.2 of 1.
  EXPECT_NEAR(noise_sum / per, 0.0, 0.15);
  EXPECT_NEAR(noise_sq / per, 1.0, 0.2);
}

TEST_F(Ddpm, DdimWithEtaZeroIsDeterministicAndInverts) {
  const std::vector<int32_t> ts{999, 500};
  const Tensor e = eps(ts), t = Tensor::of_ints({2}, ts);
  const Tensor zero({}, std::vector<float>{0.0f});
  for (std::vector<int32_t> prev :
       {std::vector<int32_t>{0, 0}, std::vector<int32_t>{980, 401}}) {
    const Tensor p = Tensor::of_ints({2}, prev);
    const Tensor got = run("ddim_step", {&x, &t, &p, &zero});
    for (int64_t i = 0; i < 2 * 784; ++i) {
      const size_t r = size_t(i / 784);
      const double ab = s.abar[size_t(ts[r])];
      const double ab_prev = prev[r] == 0 ? 1.0 : s.abar[size_t(prev[r] - 1)];
      const double x0 =
          (x.data()[i] - std::sqrt(1 - ab) * e.data()[i]) / std::sqrt(ab);
      const double want =
          std::sqrt(ab_prev) * x0 + std::sqrt(1 - ab_prev) * e.data()[i];
      // x0 divides by sqrt(abar_999) = 0.0064: float32 rounding of x_t
      // grows by 1 / 0.0064.
      ASSERT_NEAR(got.data()[i], want, 2e-4 * (1 + std::abs(want)))
          << "row " << r << " prev " << prev[r];
    }
  }
  // The same call again: no noise with eta 0.
  const Tensor p = Tensor::of_ints({2}, {0, 0});
  const Tensor a = run("ddim_step", {&x, &t, &p, &zero});
  const Tensor b = run("ddim_step", {&x, &t, &p, &zero});
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), 2 * 784 * sizeof(float)));
}

TEST(DdpmCli, TrainsSamplesReproduciblyAndRefusesBadFlags) {
  kiln::rt::register_model(kiln_model_ddpm());
  kiln::test::TempDir dir;
  kiln::test::write_fake_fashion_mnist(dir / "data", 64, 16);
  const std::string run = (dir / "run").string(),
                    ckpt = run + "/checkpoint.safetensors";
  auto r = kiln::test::run_cli(
      {"train", "ddpm", "--data", (dir / "data").string(), "--steps", "12",
       "--batch", "16", "--lr", "1e-3", "--log-every", "1", "-o", run});
  ASSERT_EQ(r.code, 0) << r.err;
  // The loss (noise prediction MSE, about 1 for an untrained network)
  // falls: the mean of the last 4 steps against the first 4.
  std::ifstream metrics(run + "/metrics.jsonl");
  std::vector<double> losses;
  for (std::string line; std::getline(metrics, line);) {
    const size_t at = line.find("\"loss\":");
    ASSERT_NE(at, std::string::npos) << line;
    losses.push_back(std::stod(line.substr(at + 7)));
  }
  ASSERT_EQ(losses.size(), 12u);
  double first = 0, last = 0;
  for (int i = 0; i < 4; ++i) {
    first += losses[size_t(i)] / 4;
    last += losses[size_t(8 + i)] / 4;
  }
  EXPECT_LT(last, 0.8 * first) << first << " -> " << last;

  auto sample = [&](const std::string &seed, const std::string &out,
                    std::vector<std::string> more = {}) {
    std::vector<std::string> args{
        "sample",  "ddpm", "-c",     ckpt, "--n", "2",
        "--steps", "4",    "--seed", seed, "-o",  (dir / out).string()};
    args.insert(args.end(), more.begin(), more.end());
    return kiln::test::run_cli(args);
  };
  for (const char *out : {"a.png", "b.png"}) {
    auto s = sample("1", out);
    ASSERT_EQ(s.code, 0) << s.err;
    EXPECT_TRUE(contains(s.out, "by ddim (4 steps, eta 0")) << s.out;
  }
  // The same seed with eta 1: other images (eta alone changed), the same
  // ones twice (its noise is the seed's).
  for (const char *out : {"c.png", "c2.png"})
    ASSERT_EQ(sample("1", out, {"--eta", "1"}).code, 0);
  const std::string a = kiln::test::read_bytes(dir / "a.png"),
                    c = kiln::test::read_bytes(dir / "c.png");
  EXPECT_EQ(a, kiln::test::read_bytes(dir / "b.png"));
  EXPECT_NE(a, c);
  EXPECT_EQ(c, kiln::test::read_bytes(dir / "c2.png"));
  // The moving average the model keeps (ema 0.999) samples other images.
  ASSERT_EQ(sample("1", "e.png", {"--ema"}).code, 0);
  EXPECT_NE(a, kiln::test::read_bytes(dir / "e.png"));
  EXPECT_EQ(sample("1", "d.png", {"--steps", "1001"}).code, 2);
  EXPECT_EQ(sample("1", "d.png", {"--eta", "2"}).code, 2);
  EXPECT_EQ(sample("1", "d.png", {"--sampler", "euler"}).code, 2);
  // An entry point chosen instead of the sampler takes none of its flags.
  auto s = sample("1", "d.png", {"--entry", "eps"});
  EXPECT_EQ(s.code, 2);
  EXPECT_TRUE(contains(s.err, "--steps: --entry eps runs ddpm.eps once, "
                              "without a diffusion sampler"))
      << s.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "d.png"));
}

// The ancestral sampler (all 1000 steps, one image): reproducible from its
// seed (which changes the images: the DDIM test above), and DDIM's flags
// refused rather than ignored.
TEST(DdpmCli, AncestralSamplerIsReproducibleAndRefusesDdimFlags) {
  // Its kernels (eps, ddpm_step) are checked on every device above; what
  // this adds is the CLI's loop, host code the same on each. Its 2000
  // network calls took five and a half of CI's minutes on PoCL.
  if (kiln::rt::default_device() == kiln::rt::Device::opencl)
    GTEST_SKIP() << "the ancestral sampler's CLI is checked on the CPU and "
                    "on CUDA, not on PoCL";
  kiln::rt::register_model(kiln_model_ddpm());
  kiln::test::TempDir dir;
  kiln::test::write_fake_fashion_mnist(dir / "data", 8, 8);
  const std::string run = (dir / "run").string(),
                    ckpt = run + "/checkpoint.safetensors";
  auto r =
      kiln::test::run_cli({"train", "ddpm", "--data", (dir / "data").string(),
                           "--steps", "1", "--batch", "4", "-o", run});
  ASSERT_EQ(r.code, 0) << r.err;
  auto sample = [&](const std::string &seed, const std::string &out,
                    std::vector<std::string> more = {}) {
    std::vector<std::string> args{
        "sample",    "ddpm", "-c",     ckpt, "--n", "1",
        "--sampler", "ddpm", "--seed", seed, "-o",  (dir / out).string()};
    args.insert(args.end(), more.begin(), more.end());
    return kiln::test::run_cli(args);
  };
  for (const char *out : {"a.png", "b.png"}) {
    auto s = sample("5", out);
    ASSERT_EQ(s.code, 0) << s.err;
    EXPECT_TRUE(contains(s.out, "by ddpm (1000 steps;")) << s.out;
  }
  EXPECT_EQ(kiln::test::read_bytes(dir / "a.png"),
            kiln::test::read_bytes(dir / "b.png"));
  for (const std::vector<std::string> &flag :
       {std::vector<std::string>{"--steps", "50"},
        std::vector<std::string>{"--eta", "0"}}) {
    auto s = sample("5", "d.png", flag);
    EXPECT_EQ(s.code, 2) << s.out;
    EXPECT_TRUE(contains(s.err, flag[0] + ": DDIM's; --sampler ddpm runs "
                                          "all 1000 steps"))
        << s.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "d.png"));
}

} // namespace
