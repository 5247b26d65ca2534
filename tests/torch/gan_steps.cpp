// The kiln half of tests/torch/gan_vs_torch.py: a few training steps of the
// compiled canonical GAN (models/gan.cpp), written out so that PyTorch can
// replay them from the same starting point and compare.
//
//   kiln_gan_steps OUT_DIR [--steps N] [--seed S] [--data fashion-mnist|noise]
//
// Writes, in OUT_DIR (all safetensors, F32):
//   inputs.safetensors   real.K [64, 1, 28, 28] and z.K [64, 64] of step K;
//                        metadata "steps", "data" (what the images are)
//   init.safetensors     every tensor of the ParamStore (parameters, Adam
//                        state, BatchNorm running statistics) as ParamStore
//                        initialises them from the seed
//   d_step.K.safetensors every tensor after step K's d_step, metadata
//                        d_loss, d_real, d_fake (as "%.9g" strings)
//   g_step.K.safetensors every tensor after step K's g_step, metadata g_loss
//
// One step is what `kiln train gan` does (tools/kiln/train.cpp): d_step(real,
// z) then g_step(z) with the same z, which MODELS.md's reference loop
// matches by reusing one fake batch for both updates. z of step K is the
// same Philox stream kiln train uses (kTrainLatentStreamBase + K), so this is
// exactly the data `kiln train gan --seed S` would feed, apart from the
// image order. The images are the first 64 * N Fashion-MNIST training images
// in [-1, 1] when the data set is installed (the model's real input; its
// many exactly -1 background pixels are a regime uniform noise never
// reaches) and Philox uniform noise in [-1, 1) otherwise, so the comparison
// runs on any machine.
//
// Runs on one Halide thread: deterministic, and this is a correctness test.
#include "gan.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/fashion_mnist.h"
#include "kiln/runtime/random.h"
#include "kiln/runtime/safetensors.h"
#include "kiln/runtime/threads.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace rt = kiln::rt;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kBatch = 64;  // MODELS.md
constexpr int64_t kLatent = 64; // z[64]
// Stream of the noise images, distinct from every stream random.h lists
// (2^63 + k is `kiln run`'s input k; this is one far above its inputs).
constexpr uint64_t kNoiseImageStreamBase = rt::kInputStreamBase + (1u << 20);

std::string f9(float v) { return fmt::format("{:.9g}", v); }

// Every tensor of the session's ParamStore, under its ModelDesc name.
void write_all(const fs::path &path, rt::Session &session,
               const rt::Metadata &meta) {
  const rt::ModelDesc &model = session.model();
  std::vector<rt::TensorRef> refs;
  for (size_t i = 0; i < model.params.size(); ++i)
    refs.push_back({model.params[i].name, &session.params().at(i)});
  rt::write_safetensors(path, refs, meta);
}

int usage(const char *msg) {
  std::fprintf(stderr,
               "kiln_gan_steps: %s\nusage: kiln_gan_steps OUT_DIR [--steps N] "
               "[--seed S] [--data fashion-mnist|noise]\n",
               msg);
  return 2;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2)
    return usage("missing OUT_DIR");
  const fs::path out = argv[1];
  int steps = 3;
  uint64_t seed = 0;
  std::string data = "auto";
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc)
      return usage(("missing value after " + a).c_str());
    if (a == "--steps")
      steps = std::atoi(argv[++i]);
    else if (a == "--seed")
      seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--data")
      data = argv[++i];
    else
      return usage(("unknown flag " + a).c_str());
  }
  if (steps < 1)
    return usage("--steps must be at least 1");
  if (data == "auto")
    data =
        fs::exists(rt::default_fashion_mnist_dir()) ? "fashion-mnist" : "noise";
  if (data != "fashion-mnist" && data != "noise")
    return usage("--data must be fashion-mnist or noise");

  try {
    rt::set_num_threads(1);
    fs::create_directories(out);
    kiln::models::gan::Model gan(seed);

    // Inputs of every step, made before any step runs.
    std::vector<rt::Tensor> reals, zs;
    std::optional<rt::ImageSet> images;
    if (data == "fashion-mnist")
      images = rt::load_fashion_mnist(rt::default_fashion_mnist_dir(),
                                      rt::Split::train);
    for (int k = 0; k < steps; ++k) {
      rt::Tensor real({kBatch, 1, 28, 28});
      if (images) {
        const rt::Tensor flat = images->images(k * kBatch, (k + 1) * kBatch,
                                               rt::PixelRange::symmetric);
        std::copy(flat.values().begin(), flat.values().end(),
                  real.values().begin());
      } else {
        rt::fill_uniform(real.values(), seed, kNoiseImageStreamBase + k, -1.0,
                         1.0);
      }
      rt::Tensor z({kBatch, kLatent});
      rt::fill_normal(z.values(), seed, rt::kTrainLatentStreamBase + k, 0.0,
                      1.0);
      reals.push_back(std::move(real));
      zs.push_back(std::move(z));
    }
    {
      std::vector<std::string> names;
      for (int k = 0; k < steps; ++k) {
        names.push_back(fmt::format("real.{}", k));
        names.push_back(fmt::format("z.{}", k));
      }
      std::vector<rt::TensorRef> refs;
      for (int k = 0; k < steps; ++k) {
        refs.push_back({names[2 * k], &reals[k]});
        refs.push_back({names[2 * k + 1], &zs[k]});
      }
      rt::write_safetensors(out / "inputs.safetensors", refs,
                            {{"steps", std::to_string(steps)}, {"data", data}});
    }

    write_all(out / "init.safetensors", gan.session(),
              {{"seed", std::to_string(seed)}});
    for (int k = 0; k < steps; ++k) {
      auto [d_loss, d_real, d_fake] = gan.d_step(reals[k], zs[k]);
      write_all(out / fmt::format("d_step.{}.safetensors", k), gan.session(),
                {{"d_loss", f9(d_loss.data()[0])},
                 {"d_real", f9(d_real.data()[0])},
                 {"d_fake", f9(d_fake.data()[0])}});
      const rt::Tensor g_loss = gan.g_step(zs[k]);
      write_all(out / fmt::format("g_step.{}.safetensors", k), gan.session(),
                {{"g_loss", f9(g_loss.data()[0])}});
      std::printf("kiln step %d: d_loss %s d_real %s d_fake %s g_loss %s\n", k,
                  f9(d_loss.data()[0]).c_str(), f9(d_real.data()[0]).c_str(),
                  f9(d_fake.data()[0]).c_str(), f9(g_loss.data()[0]).c_str());
    }
    std::printf("kiln: %d steps on %s images written to %s\n", steps,
                data.c_str(), out.c_str());
  } catch (const rt::Error &e) {
    std::fprintf(stderr, "kiln_gan_steps: %s\n", e.what());
    return 1;
  }
  return 0;
}
