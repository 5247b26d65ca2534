// kiln's GAN training step (MODELS.md: batch 64; d_step then g_step with
// the same z, as the one call train_step that kiln train makes) against
// PyTorch eager (bench/torch_gan.py) on the same model and batch, measured
// in the same run on 1 and 2 threads; with --compile against torch.compile
// too.
//   build/bin/gan_bench [--steps N] [--threads N] [--profile] [--compile]
//                       [--only TEXT]  (the sections whose title has TEXT)
#include "gan.h"
#include "model_bench.h"

#include <random>

namespace {

double trainMs(int steps) {
  kiln::models::gan::Model model(/*seed=*/0);
  kiln::rt::Tensor real({64, 1, 28, 28}), z({64, 64});
  std::mt19937 gen(0);
  std::uniform_real_distribution<float> u(-1, 1);
  std::normal_distribution<float> n(0, 1);
  for (float &v : real.values())
    v = u(gen);
  for (float &v : z.values())
    v = n(gen);
  const kiln::rt::Tensor *inputs[] = {&real, &z};
  return kiln::bench::bestMsPerStep(
      steps, 5, [&] { model.session().run("train_step", inputs); });
}

} // namespace

int main(int argc, char **argv) {
  const kiln::bench::Section compiled{
      "GAN training step against torch.compile (default mode)",
      "torch_gan.py --compile", 30, trainMs};
  return kiln::bench::runModelBenches(
      argc, argv, "gan_bench", kiln_model_gan(),
      {{"GAN training step (train_step = d_step + g_step), batch 64 "
        "(MODELS.md)",
        "torch_gan.py", 30, trainMs}},
      &compiled);
}
