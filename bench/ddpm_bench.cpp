// kiln's DDPM UNet (MODELS.md) against PyTorch eager (bench/torch_ddpm.py,
// the same UNet) in the same run, on 1 and 2 threads:
//   1. the train step: batch 64, Adam 2e-4, timesteps and noise drawn in
//      the graph;
//   2. with --compile, the train step under torch.compile as well;
//   3. sampling: 16 samples by DDIM-50 (eta 0), the loop of `kiln sample
//      ddpm --sampler ddim --steps 50` (50 calls of ddim_step), time per
//      16 samples.
//   build/bin/ddpm_bench [--steps N] [--threads N] [--profile] [--compile]
//                        [--only TEXT]  (the sections whose title has TEXT)
#include "ddpm.h"
#include "diffusion.h"
#include "model_bench.h"

#include <random>

namespace {

kiln::rt::Tensor uniform(std::vector<int64_t> shape, uint32_t seed) {
  kiln::rt::Tensor x(std::move(shape));
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> u(-1, 1);
  for (float &v : x.values())
    v = u(gen);
  return x;
}

double trainMs(int steps) {
  kiln::models::ddpm::Model model(/*seed=*/0);
  const kiln::rt::Tensor x = uniform({64, 1, 28, 28}, 0);
  const kiln::rt::Tensor *inputs[] = {&x};
  kiln::rt::Tensor loss;
  kiln::rt::Tensor *outputs[] = {&loss};
  return kiln::bench::bestMsPerStep(
      steps, 2, [&] { model.session().run("train_step", inputs, outputs); });
}

constexpr int kSamples = 16;

// The loop of `kiln sample ddpm --sampler ddim --steps 50` itself
// (sample_diffusion: its timesteps, noise and calls of ddim_step), one
// batch of 16.
double ddimMs(int steps) {
  kiln::models::ddpm::Model model(/*seed=*/0);
  const kiln::cli::DiffusionSteps ddpm =
      kiln::cli::find_diffusion_steps(kiln_model_ddpm());
  const kiln::cli::SamplerOptions ddim{.sampler = "ddim", .steps = 50};
  return kiln::bench::bestMsPerStep(steps, 1, [&] {
    kiln::cli::sample_diffusion(model.session(), ddpm, ddim, kSamples,
                                /*seed=*/5, kSamples, {});
  });
}

} // namespace

int main(int argc, char **argv) {
  const kiln::bench::Section compiled{
      "DDPM UNet train_step against torch.compile (default mode)",
      "torch_ddpm.py --compile", 5, trainMs};
  return kiln::bench::runModelBenches(
      argc, argv, "ddpm_bench", kiln_model_ddpm(),
      {{"DDPM UNet train_step, batch 64, Adam (MODELS.md)", "torch_ddpm.py", 5,
        trainMs},
       {"DDPM sampling: 16 samples by DDIM-50 (eta 0), ms per 16 samples",
        "torch_ddpm.py --ddim", 1, ddimMs}},
      &compiled);
}
