// kiln's VAE train_step (MODELS.md: batch 128, Adam 1e-3) against PyTorch
// eager (bench/torch_vae.py) on the same model and batch, measured in the
// same run on 1 and 2 threads; with --compile against torch.compile too.
//   build/bin/vae_bench [--steps N] [--threads N] [--profile] [--compile]
//                       [--only TEXT]  (the sections whose title has TEXT)
#include "model_bench.h"
#include "vae.h"

#include <random>

namespace {

double trainMs(int steps) {
  kiln::models::vae::Model model(/*seed=*/0);
  kiln::rt::Tensor x({128, 784});
  std::mt19937 gen(0);
  std::uniform_real_distribution<float> u(0, 1);
  for (float &v : x.values())
    v = u(gen) < 0.3f ? u(gen) : 0.0f;
  const kiln::rt::Tensor *inputs[] = {&x};
  std::vector<kiln::rt::Tensor> out(3);
  kiln::rt::Tensor *outputs[] = {&out[0], &out[1], &out[2]};
  return kiln::bench::bestMsPerStep(
      steps, 20, [&] { model.session().run("train_step", inputs, outputs); });
}

} // namespace

int main(int argc, char **argv) {
  const kiln::bench::Section compiled{
      "VAE train_step against torch.compile (default mode)",
      "torch_vae.py --compile", 200, trainMs};
  return kiln::bench::runModelBenches(
      argc, argv, "vae_bench", kiln_model_vae(),
      {{"VAE train_step, batch 128, Adam (MODELS.md)", "torch_vae.py", 200,
        trainMs}},
      &compiled);
}
