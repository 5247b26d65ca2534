// kiln's DDPM UNet (MODELS.md) against PyTorch eager (bench/torch_ddpm.py,
// the same UNet) in the same run, on 1 and 2 threads:
//   1. the train step: batch 64, Adam 2e-4, timesteps and noise drawn in
//      the graph;
//   2. with --compile, the train step under torch.compile as well;
//   3. sampling: 16 samples by DDIM-50 (eta 0), the loop of `kiln sample
//      ddpm --sampler ddim --steps 50` (50 calls of ddim_step), time per
//      16 samples.
//   build/bin/ddpm_bench [--steps N] [--threads N] [--profile] [--compile]
#include "ddpm.h"
#include "model_bench.h"

#include <random>

namespace {

// Values of `dist` from seed `seed`, in `shape`.
template <class Dist>
kiln::rt::Tensor draw(std::vector<int64_t> shape, uint32_t seed, Dist dist) {
  kiln::rt::Tensor x(std::move(shape));
  std::mt19937 gen(seed);
  for (float &v : x.values())
    v = dist(gen);
  return x;
}

double trainMs(int steps) {
  kiln::models::ddpm::Model model(/*seed=*/0);
  const kiln::rt::Tensor x =
      draw({64, 1, 28, 28}, 0, std::uniform_real_distribution<float>(-1, 1));
  const kiln::rt::Tensor *inputs[] = {&x};
  kiln::rt::Tensor loss;
  kiln::rt::Tensor *outputs[] = {&loss};
  return kiln::bench::bestMsPerStep(
      steps, 2, [&] { model.session().run("train_step", inputs, outputs); });
}

// DDIM's timesteps for 50 of MODELS.md's T = 1000 (tools/kiln/diffusion.cpp,
// sampler_timesteps): t_i = 20 i for i = 49 .. 0, each step going to the
// next one's t + 1 (0 at the last: to x_0).
constexpr int kDdimSteps = 50, kDdimStride = 1000 / kDdimSteps, kSamples = 16;

double ddimMs(int steps) {
  kiln::models::ddpm::Model model(/*seed=*/0);
  const kiln::rt::Tensor noise =
      draw({kSamples, 1, 28, 28}, 5, std::normal_distribution<float>());
  const auto all = [](int32_t v) {
    return kiln::rt::Tensor::of_ints({kSamples},
                                     std::vector<int32_t>(kSamples, v));
  };
  return kiln::bench::bestMsPerStep(steps, 1, [&] {
    kiln::rt::Tensor x = noise;
    for (int i = kDdimSteps - 1; i >= 0; --i)
      x = model.ddim_step(x, all(i * kDdimStride),
                          all(i > 0 ? (i - 1) * kDdimStride + 1 : 0),
                          /*eta=*/0);
  });
}

} // namespace

int main(int argc, char **argv) {
  return kiln::bench::runModelBenches(
      argc, argv, "ddpm_bench", kiln_model_ddpm(),
      {{"DDPM UNet train_step, batch 64, Adam (MODELS.md)", "torch_ddpm.py", 5,
        trainMs},
       {"DDPM sampling: 16 samples by DDIM-50 (eta 0), ms per 16 samples",
        "torch_ddpm.py --ddim", 1, ddimMs}},
      {"DDPM UNet train_step against torch.compile (default mode)",
       "torch_ddpm.py --compile", 5, trainMs});
}
