// kiln's DDPM UNet train step (MODELS.md: batch 64, Adam 2e-4, timesteps
// and noise drawn in the graph) against PyTorch eager (bench/torch_ddpm.py,
// the same UNet) in the same run, on 1 and 2 threads.
//   build/bin/ddpm_bench [--steps N] [--threads N] [--profile]
#include "ddpm.h"
#include "model_bench.h"

#include <random>

int main(int argc, char **argv) {
  return kiln::bench::runModelBench(
      argc, argv, "ddpm_bench", kiln_model_ddpm(),
      "DDPM UNet train_step, batch 64, Adam (MODELS.md)", "torch_ddpm.py", 5,
      [](int steps) {
        kiln::models::ddpm::Model model(/*seed=*/0);
        kiln::rt::Tensor x({64, 1, 28, 28});
        std::mt19937 gen(0);
        std::uniform_real_distribution<float> u(-1, 1);
        for (float &v : x.values())
          v = u(gen);
        const kiln::rt::Tensor *inputs[] = {&x};
        kiln::rt::Tensor loss;
        kiln::rt::Tensor *outputs[] = {&loss};
        return kiln::bench::bestMsPerStep(steps, 2, [&] {
          model.session().run("train_step", inputs, outputs);
        });
      });
}
