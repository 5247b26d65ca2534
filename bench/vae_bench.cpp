// kiln's VAE train_step (MODELS.md: batch 128, Adam 1e-3) against PyTorch
// eager (bench/torch_vae.py) on the same model and batch, measured in the
// same run on 1 and 2 threads.
//   build/bin/vae_bench [--steps N] [--profile]
#include "model_bench.h"
#include "vae.h"

#include <random>

int main(int argc, char **argv) {
  return kiln::bench::runModelBench(
      argc, argv, "vae_bench", kiln_model_vae(),
      "VAE train_step, batch 128, Adam (MODELS.md)", "torch_vae.py", 200,
      [](int steps) {
        kiln::models::vae::Model model(/*seed=*/0);
        kiln::rt::Tensor x({128, 784});
        std::mt19937 gen(0);
        std::uniform_real_distribution<float> u(0, 1);
        for (float &v : x.values())
          v = u(gen) < 0.3f ? u(gen) : 0.0f;
        const kiln::rt::Tensor *inputs[] = {&x};
        std::vector<kiln::rt::Tensor> out(3);
        kiln::rt::Tensor *outputs[] = {&out[0], &out[1], &out[2]};
        return kiln::bench::bestMsPerStep(steps, 20, [&] {
          model.session().run("train_step", inputs, outputs);
        });
      });
}
