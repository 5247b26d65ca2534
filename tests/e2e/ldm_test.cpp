// The latent diffusion model (models/ldm.cpp): its denoiser against a
// naive double reference written from the model's description, its
// sampler steps on latents [batch, 32] against the update formulas of Ho et
// al. 2020 and Song et al. 2021 in double, then the whole path through the
// CLI: kiln train vae, kiln encode vae (the latents), kiln train ldm on
// them, kiln sample ldm --decoder, with --ema (and the mistakes refused).
#include "diffusion_reference.h"
#include "ldm.h"
#include "transformer_reference.h"
#include "vae.h"

#include "classifier.h"
#include "cli_runner.h"
#include "test_files.h"

#include "kiln/runtime/safetensors.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

using kiln::rt::Tensor;
using kiln::test::contains;
using kiln::test::Matrix;
using kiln::test::randomTensor;

constexpr int kLatent = 32;

Matrix silu(Matrix m) {
  for (double &v : m.v)
    v = v / (1 + std::exp(-v));
  return m;
}

Matrix sum(Matrix a, const Matrix &b) {
  kiln::test::add(a, b);
  return a;
}

// The denoiser of models/ldm.cpp's description, in double:
//   temb = SiLU(Linear(SiLU(Linear(sinusoidal(t, 128)))))
//   h = in(z); h += fc2(SiLU(fc1(SiLU(LN(h))) + t(temb))) for 4 blocks
//   eps = out(SiLU(LN(h)))
Matrix reference_eps(const kiln::rt::ParamStore &p, const Tensor &z,
                     const std::vector<int32_t> &ts) {
  const auto dense = [&](const Matrix &x, const std::string &name) {
    return kiln::test::linear(x, p.get(name + ".weight"),
                              p.get(name + ".bias"));
  };
  const auto norm = [&](const Matrix &x, const std::string &name) {
    return kiln::test::layerNormRows(x, p.get(name + ".weight"),
                                     p.get(name + ".bias"));
  };
  const int64_t n = int64_t(ts.size());
  Matrix emb(n, 128);
  for (int64_t r = 0; r < n; ++r)
    for (int i = 0; i < 64; ++i) {
      const double arg = ts[size_t(r)] * std::exp(-std::log(10000.0) * i / 64);
      emb.at(r, i) = std::sin(arg);
      emb.at(r, 64 + i) = std::cos(arg);
    }
  const Matrix temb = silu(dense(silu(dense(emb, "temb.0")), "temb.2"));
  Matrix h = dense(kiln::test::toMatrix(z), "in");
  for (int b = 0; b < 4; ++b) {
    const std::string name = "blocks." + std::to_string(b);
    const Matrix inner =
        sum(dense(silu(norm(h, name + ".norm")), name + ".fc1"),
            dense(temb, name + ".t"));
    kiln::test::add(h, dense(silu(inner), name + ".fc2"));
  }
  return dense(silu(norm(h, "norm_out")), "out");
}

struct Ldm : ::testing::Test {
  kiln::models::ldm::Model model{5};
  kiln::test::DdpmScheduleReference s;

  Tensor run(const char *entry, std::vector<const Tensor *> in) {
    return model.session().run(entry, in)[0];
  }
};

TEST_F(Ldm, EpsIsTheDescribedNetwork) {
  for (const std::vector<int32_t> &ts :
       {std::vector<int32_t>{0}, std::vector<int32_t>{999, 1, 500}}) {
    const int64_t n = int64_t(ts.size());
    const Tensor z = randomTensor({n, kLatent}, 7, -2, 2);
    const Tensor t = Tensor::of_ints({n}, ts);
    const Tensor got = run("eps", {&z, &t});
    EXPECT_LT(kiln::test::relativeError(
                  got, reference_eps(model.session().params(), z, ts)),
              1e-5)
        << "batch " << n;
  }
}

TEST_F(Ldm, SamplerStepsAreTheirUpdatesOnLatents) {
  const std::vector<int32_t> ts{0, 999, 500};
  const Tensor z = randomTensor({3, kLatent}, 9, -1.5, 1.5);
  const Tensor t = Tensor::of_ints({3}, ts);
  const Tensor e = run("eps", {&z, &t});
  // DDPM: the last step (t = 0) adds no noise: exactly the mean.
  const Tensor ddpm = run("ddpm_step", {&z, &t});
  for (int64_t i = 0; i < kLatent; ++i) {
    const double mean =
        (z.data()[i] - s.beta[0] / std::sqrt(1 - s.abar[0]) * e.data()[i]) /
        std::sqrt(1 - s.beta[0]);
    ASSERT_NEAR(ddpm.data()[i], mean, 1e-5 * (1 + std::abs(mean))) << i;
  }
  // DDIM with eta 0: x0 = (z - sqrt(1 - abar) eps) / sqrt(abar) moved to
  // the previous timestep with the same eps, no noise.
  const Tensor zero({}, std::vector<float>{0.0f});
  const std::vector<int32_t> prev{0, 980, 0};
  const Tensor p = Tensor::of_ints({3}, prev);
  const Tensor ddim = run("ddim_step", {&z, &t, &p, &zero});
  for (int64_t i = 0; i < 3 * kLatent; ++i) {
    const size_t r = size_t(i / kLatent);
    const double ab = s.abar[size_t(ts[r])];
    const double ab_prev = prev[r] == 0 ? 1.0 : s.abar[size_t(prev[r] - 1)];
    const double x0 =
        (z.data()[i] - std::sqrt(1 - ab) * e.data()[i]) / std::sqrt(ab);
    const double want =
        std::sqrt(ab_prev) * x0 + std::sqrt(1 - ab_prev) * e.data()[i];
    // x0 divides by sqrt(abar_999) = 0.0064 (float rounding grows alike).
    ASSERT_NEAR(ddim.data()[i], want, 2e-4 * (1 + std::abs(want))) << i;
  }
  const Tensor again = run("ddim_step", {&z, &t, &p, &zero});
  EXPECT_EQ(0, std::memcmp(ddim.data(), again.data(), ddim.numel() * 4));
}

// The losses of metrics.jsonl, one per step.
std::vector<double> losses(const std::filesystem::path &metrics) {
  std::ifstream in(metrics);
  std::vector<double> out;
  for (std::string line; std::getline(in, line);)
    if (const size_t at = line.find("\"loss\":"); at != std::string::npos)
      out.push_back(std::stod(line.substr(at + 7)));
  return out;
}

TEST(LdmCli, TrainsOnEncodedLatentsAndSamplesThroughTheDecoder) {
  kiln::rt::register_model(kiln_model_vae());
  kiln::rt::register_model(kiln_model_ldm());
  kiln::test::TempDir dir;
  const std::string data = (dir / "data").string();
  kiln::test::write_fake_fashion_mnist(dir / "data", 64, 16);
  const std::string vae = (dir / "vae/checkpoint.safetensors").string();
  const std::string latents = (dir / "latents.safetensors").string();
  const std::string ldm = (dir / "ldm/checkpoint.safetensors").string();
  auto r = kiln::test::run_cli({"train", "vae", "--data", data, "--steps", "4",
                                "--batch", "16", "-o", (dir / "vae").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  r = kiln::test::run_cli({"encode", "vae", "-c", vae, "--data", data,
                           "--split", "train", "-o", latents});
  ASSERT_EQ(r.code, 0) << r.err;
  const kiln::rt::SafetensorsFile file = kiln::rt::read_safetensors(latents);
  ASSERT_NE(file.meta("latent"), nullptr);
  EXPECT_EQ(*file.meta("latent"), "mu");

  // Without latents, or with a file that holds none: clear refusals.
  r = kiln::test::run_cli({"train", "ldm", "--steps", "1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--data LATENTS.safetensors")) << r.err;
  r = kiln::test::run_cli({"train", "ldm", "--data", vae, "--steps", "1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "no metadata names its latents")) << r.err;

  r = kiln::test::run_cli({"train", "ldm", "--data", latents, "--steps", "40",
                           "--batch", "16", "--log-every", "1", "-o",
                           (dir / "ldm").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "64 latents [32] from " + latents)) << r.out;
  // Noise prediction from about 1 down: the last 8 steps' mean against the
  // first 8.
  const std::vector<double> l = losses(dir / "ldm/metrics.jsonl");
  ASSERT_EQ(l.size(), 40u);
  double first = 0, last = 0;
  for (int i = 0; i < 8; ++i) {
    first += l[size_t(i)] / 8;
    last += l[size_t(32 + i)] / 8;
  }
  EXPECT_LT(last, 0.8 * first) << first << " -> " << last;

  auto sample = [&](const std::string &out, std::vector<std::string> more) {
    std::vector<std::string> args{
        "sample", "ldm",     "-c", ldm,  "--n",
        "6",      "--steps", "5",  "-o", (dir / out).string()};
    args.insert(args.end(), more.begin(), more.end());
    return kiln::test::run_cli(args);
  };
  for (const char *out : {"a.png", "b.png"}) {
    r = sample(out, {"--decoder", vae, "--seed", "3"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "decoded by vae.decode_latents")) << r.out;
    // The sampler's progress on the error stream: off a terminal, a line
    // every 50 steps and one at the end.
    EXPECT_TRUE(contains(r.err, "step 5/5")) << r.err;
  }
  EXPECT_EQ(kiln::test::read_bytes(dir / "a.png"),
            kiln::test::read_bytes(dir / "b.png"));
  // The trajectory: 6 samples (n) at 6 moments (5 steps and x_T).
  r = sample("f.png", {"--decoder", vae, "--seed", "3", "--trajectory",
                       (dir / "t.png").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "x_t of 6 samples at 6 moments from x_T to x_0 "
                              "-> " +
                                  (dir / "t.png").string()))
      << r.out;
  EXPECT_TRUE(std::filesystem::exists(dir / "t.png"));
  EXPECT_EQ(kiln::test::read_bytes(dir / "a.png"),
            kiln::test::read_bytes(dir / "f.png"));
  // The ancestral sampler, all 1000 steps (DDIM's --steps refused), from
  // the same seed: other samples.
  r = sample("c.png", {"--decoder", vae, "--seed", "3", "--sampler", "ddpm"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--steps: DDIM's")) << r.err;
  r = kiln::test::run_cli({"sample", "ldm", "-c", ldm, "--n", "6", "--decoder",
                           vae, "--seed", "3", "--sampler", "ddpm", "-o",
                           (dir / "c.png").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(kiln::test::read_bytes(dir / "a.png"),
            kiln::test::read_bytes(dir / "c.png"));

  // With the moving average of the weights the checkpoint keeps (another
  // network: other samples).
  r = sample("e.png", {"--decoder", vae, "--seed", "3", "--ema"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "its moving average of the weights")) << r.out;
  EXPECT_NE(kiln::test::read_bytes(dir / "a.png"),
            kiln::test::read_bytes(dir / "e.png"));
  // kiln eval --classifier scores samples drawn by the sampler (7 samples
  // in 2 batches of 5 steps here), its progress on the error stream as
  // kiln sample's.
  kiln::rt::register_model(kiln_model_classifier());
  r = kiln::test::run_cli({"train", "classifier", "--data", data, "--steps",
                           "2", "--batch", "16", "-o", (dir / "cls").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string cls = (dir / "cls/checkpoint.safetensors").string();
  r = kiln::test::run_cli({"eval", "ldm", "-c", ldm, "--decoder", vae,
                           "--classifier", cls, "--data", data, "--n", "7",
                           "--batch", "4", "--steps", "5"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "between 7 samples of ldm (DDIM, 5 steps"))
      << r.out;
  EXPECT_TRUE(contains(r.err, "step 10/10")) << r.err;
  // kiln fid, which has no --decoder, sends a latent model to kiln eval.
  r = kiln::test::run_cli(
      {"fid", "ldm:" + ldm, "test", "--classifier", cls, "--data", data});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "ldm samples latents, which kiln fid cannot "
                              "decode; kiln eval ldm -c " +
                                  ldm + " --decoder CKPT"))
      << r.err;
  // Both sets are checked before either is sampled (the VAE's samples are
  // not drawn, its checkpoint not loaded): a latent model, a checkpoint of
  // another model (a runtime error, as when kiln sample loads it), weights
  // that say no model and do not fit this one, a model that makes no
  // images.
  const std::string foreign = (dir / "foreign.safetensors").string();
  const kiln::rt::Tensor one({2});
  const std::vector<kiln::rt::TensorRef> tensors{{"w", &one}};
  kiln::rt::write_safetensors(foreign, tensors);
  const struct {
    std::string set;
    int code;
    std::string error;
  } refused[] = {
      {"ldm:" + ldm, 2, "ldm samples latents"},
      {"vae:" + ldm, 1, "is a checkpoint of model 'ldm', not 'vae'"},
      {"vae:" + foreign, 1, foreign + ": does not match model vae"},
      {"model:" + cls, 2, "kiln fid needs an infer entry point that"},
  };
  for (const auto &[set, code, error] : refused) {
    r = kiln::test::run_cli({"fid", "model:" + vae, set, "--classifier", cls,
                             "--data", data, "--n", "8"});
    EXPECT_EQ(r.code, code) << set;
    EXPECT_TRUE(contains(r.err, error)) << set << ": " << r.err;
    EXPECT_FALSE(contains(r.out, "checkpoint " + vae)) << set << ": " << r.out;
  }

  r = kiln::test::run_cli(
      {"sample", "vae", "-c", vae, "--ema", "-o", (dir / "d.png").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "vae keeps no moving average")) << r.err;

  r = sample("d.png", {});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "pass --decoder CKPT")) << r.err;
  r = sample("d.png", {"--decoder", ldm});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "ldm has no infer entry point that consumes "
                              "latents and produces images"))
      << r.err;
  r = kiln::test::run_cli({"sample", "vae", "-c", vae, "--decoder", vae, "-o",
                           (dir / "d.png").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "vae is no latent diffusion model")) << r.err;
  // A sampler's options are refused, not ignored, by a model without one.
  r = kiln::test::run_cli({"sample", "vae", "-c", vae, "--steps", "20", "-o",
                           (dir / "d.png").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--steps: vae is no diffusion model")) << r.err;
  // --sampler too, though it has a default.
  r = kiln::test::run_cli({"sample", "vae", "-c", vae, "--sampler", "ddim",
                           "-o", (dir / "d.png").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--sampler: vae is no diffusion model")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "d.png"));
  // kiln eval draws samples only to score them with --classifier.
  r = kiln::test::run_cli({"eval", "ldm", "-c", ldm, "--eta", "1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--eta: only with --classifier CKPT")) << r.err;
  // A model without a sampler refuses them with or without --classifier,
  // before the classifier (here a file that does not exist) is read.
  for (const std::vector<std::string> &more :
       {std::vector<std::string>{"--decoder", vae},
        std::vector<std::string>{"--sampler", "ddpm", "--classifier",
                                 (dir / "none.safetensors").string()}}) {
    std::vector<std::string> args{"eval", "vae", "-c", vae};
    args.insert(args.end(), more.begin(), more.end());
    r = kiln::test::run_cli(args);
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(contains(r.err, more[0] + ": vae is no ")) << r.err;
  }

  // A checkpoint written before the model kept moving averages (its .ema
  // tensors left out): it samples with its weights as before, refuses
  // --ema, and a resumed run starts the average from its weights.
  const kiln::rt::SafetensorsFile full = kiln::rt::read_safetensors(ldm);
  std::vector<kiln::rt::TensorRef> kept;
  for (const kiln::rt::NamedTensor &t : full.tensors)
    if (!t.name.ends_with(".ema"))
      kept.push_back({t.name, &t.tensor});
  ASSERT_LT(kept.size(), full.tensors.size());
  std::filesystem::create_directories(dir / "old");
  const std::string old = (dir / "old/checkpoint.safetensors").string();
  kiln::rt::write_safetensors(old, kept, full.metadata);
  auto sample_old = [&](const std::string &out, const char *more) {
    std::vector<std::string> args{
        "sample",    "ldm", "-c",     old, "--n", "6",
        "--steps",   "5",   "--seed", "3", "-o",  (dir / out).string(),
        "--decoder", vae};
    if (*more)
      args.push_back(more);
    return kiln::test::run_cli(args);
  };
  r = sample_old("old.png", "");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(kiln::test::read_bytes(dir / "a.png"),
            kiln::test::read_bytes(dir / "old.png"));
  r = sample_old("old_ema.png", "--ema");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "holds no moving average of the weights "
                              "(written before ldm kept one)"))
      << r.err;
  r = kiln::test::run_cli(
      {"train", "ldm", "--data", latents, "--steps", "41", "--resume", old});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "it starts from the weights at step 40"))
      << r.out;
  // ema = 0.999 w_40 + 0.001 w_41 (models/ldm.cpp's decay).
  const kiln::rt::SafetensorsFile next = kiln::rt::read_safetensors(old);
  for (const char *name : {"in.weight", "out.bias"}) {
    const kiln::rt::Tensor &w40 = full.find(name)->tensor,
                           &w41 = next.find(name)->tensor,
                           &ema = next.find(std::string(name) + ".ema")->tensor;
    double err = 0;
    for (int64_t i = 0; i < ema.numel(); ++i)
      err = std::max(err, std::abs(double(ema.data()[i]) -
                                   (0.999 * double(w40.data()[i]) +
                                    0.001 * double(w41.data()[i]))));
    EXPECT_LT(err, 1e-6) << name;
  }

  // A file that lacks some averages but not all is damaged, not old: it is
  // refused, naming what is missing.
  std::vector<kiln::rt::TensorRef> damaged;
  for (const kiln::rt::NamedTensor &t : full.tensors)
    if (t.name != "out.bias.ema")
      damaged.push_back({t.name, &t.tensor});
  ASSERT_EQ(damaged.size() + 1, full.tensors.size());
  const std::string bad = (dir / "damaged.safetensors").string();
  kiln::rt::write_safetensors(bad, damaged, full.metadata);
  r = kiln::test::run_cli({"sample", "ldm", "-c", bad, "--n", "1", "-o",
                           (dir / "bad.png").string(), "--decoder", vae});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_TRUE(contains(r.err, "missing (1): out.bias.ema")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "bad.png"));
}

} // namespace
