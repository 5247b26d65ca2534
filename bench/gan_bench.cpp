// kiln's GAN training step (MODELS.md: batch 64; d_step then g_step with
// the same z) against PyTorch eager on the same model and batch, measured
// in the same run on 1 and 2 threads; prints the times and the ratio.
// PyTorch runs through bench/torch_gan.py with DESIGN.md's fair-baseline
// settings, and is skipped with a message where Debian's python3-torch is
// not installed.
//   build/bin/gan_bench [--steps N] [--profile]
#include "gan.h"

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
  kiln::models::gan::Model model(/*seed=*/0);
  kiln::rt::Tensor real({64, 1, 28, 28}), z({64, 64});
  std::mt19937 gen(0);
  std::uniform_real_distribution<float> u(-1, 1);
  std::normal_distribution<float> n(0, 1);
  for (float &v : real.values())
    v = u(gen);
  for (float &v : z.values())
    v = n(gen);
  const kiln::rt::Tensor *dInputs[] = {&real, &z};
  const kiln::rt::Tensor *gInputs[] = {&z};
  auto step = [&] {
    model.session().run("d_step", dInputs);
    model.session().run("g_step", gInputs);
  };
  for (int i = 0; i < 5; ++i)
    step();
  double best = 1e30;
  for (int rep = 0; rep < 3; ++rep) { // best of three: the machine is noisy
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i)
      step();
    best = std::min(best, std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - t0)
                                  .count() /
                              steps);
  }
  return best;
}

} // namespace

int main(int argc, char **argv) {
  int steps = 30;
  bool profile = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--steps" && i + 1 < argc)
      steps = std::atoi(argv[++i]);
    else if (a == "--profile")
      profile = true;
    else {
      std::fprintf(stderr, "usage: gan_bench [--steps N] [--profile]\n");
      return 2;
    }
  }
  std::printf("GAN training step (d_step + g_step), batch 64 (MODELS.md); "
              "best of 3 x %d steps\n",
              steps);
  std::printf("%-8s %12s %12s %8s\n", "threads", "kiln ms", "torch ms",
              "speedup");
  for (int threads : {1, 2}) {
    double k = kilnMsPerStep(threads, steps);
    double t = kiln::bench::torchMsPerStep("torch_gan.py", threads, steps);
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
