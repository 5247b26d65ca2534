// kiln's VAE train_step (MODELS.md: batch 128, Adam 1e-3) against PyTorch
// eager on the same model and batch, measured in the same run on 1 and 2
// threads; prints the times and the ratio. PyTorch runs through
// bench/torch_vae.py with DESIGN.md's fair-baseline settings, and is
// skipped with a message where Debian's python3-torch is not installed.
//   build/bin/vae_bench [--steps N]
#include "vae.h"

#include "torch_baseline.h"

#include "kiln/runtime/profile.h"
#include "kiln/runtime/threads.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace {

double kilnMsPerStep(int threads, int steps) {
  kiln::rt::set_num_threads(threads);
  kiln::models::vae::Model model(/*seed=*/0);
  kiln::rt::Tensor x({128, 784});
  std::mt19937 gen(0);
  std::uniform_real_distribution<float> u(0, 1);
  for (float &v : x.values())
    v = u(gen) < 0.3f ? u(gen) : 0.0f;
  const kiln::rt::Tensor *inputs[] = {&x};
  std::vector<kiln::rt::Tensor> out(3);
  kiln::rt::Tensor *outputs[] = {&out[0], &out[1], &out[2]};
  for (int i = 0; i < 20; ++i)
    model.session().run("train_step", inputs, outputs);
  double best = 1e30;
  for (int rep = 0; rep < 3; ++rep) { // best of three: the machine is noisy
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i)
      model.session().run("train_step", inputs, outputs);
    best = std::min(best, std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - t0)
                                  .count() /
                              steps);
  }
  return best;
}

} // namespace

int main(int argc, char **argv) {
  int steps = 200;
  bool profile = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--steps" && i + 1 < argc)
      steps = std::atoi(argv[++i]);
    else if (a == "--profile")
      profile = true;
    else {
      std::fprintf(stderr, "usage: vae_bench [--steps N] [--profile]\n");
      return 2;
    }
  }
  std::printf("VAE train_step, batch 128, Adam (MODELS.md); best of 3 x %d "
              "steps\n",
              steps);
  std::printf("%-8s %12s %12s %8s\n", "threads", "kiln ms", "torch ms",
              "speedup");
  for (int threads : {1, 2}) {
    double k = kilnMsPerStep(threads, steps);
    double t = kiln::bench::torchMsPerStep("torch_vae.py", threads, steps);
    if (t < 0)
      std::printf("%-8d %12.3f %12s %8s  (python3-torch not installed)\n",
                  threads, k, "-", "-");
    else
      std::printf("%-8d %12.3f %12.3f %7.2fx\n", threads, k, t, t / k);
  }
  if (profile) {
    kiln::rt::Profiler prof;
    kilnMsPerStep(2, steps);
    std::printf("\nper-kernel time, 2 threads:\n%s", prof.report().c_str());
  }
  return 0;
}
