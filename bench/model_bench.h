// The harness shared by the whole-model benchmarks (vae_bench, gan_bench,
// gpt_bench, ddpm_bench): time a kiln step (training, generation,
// sampling) on 1 and 2 threads and a PyTorch eager reference script
// (bench/torch_*.py) in the same run, and print the ratio.
// PyTorch runs the way DESIGN.md says a fair CPU baseline needs:
// /usr/bin/python3 with Debian's python3-torch, OpenBLAS's OpenMP build, no
// OPENBLAS_CORETYPE override, torch and BLAS limited to the same threads;
// the script prints "torch_ms_per_step <ms>". KILN_TORCH_PYTHON=PATH runs
// the script with that interpreter instead (PyTorch 2.x from PyPI). Where
// torch is not installed the PyTorch column says so.
#pragma once

#include "kiln/runtime/kernel_variants.h"
#include "kiln/runtime/model.h"
#include "kiln/runtime/profile.h"
#include "kiln/runtime/threads.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <string>
#include <vector>

#ifndef KILN_BENCH_DIR
#error "KILN_BENCH_DIR must name the bench/ source directory"
#endif

namespace kiln::bench {

/// ms per step of PyTorch's `script`, or a negative number without torch.
/// KILN_TORCH_PYTHON names another interpreter (PyTorch 2.x from PyPI in
/// a virtual environment, DESIGN.md), run as it is.
inline double torchMsPerStep(const char *script, int threads, int steps) {
  const char *python = std::getenv("KILN_TORCH_PYTHON");
  std::string cmd =
      (python ? std::string(python)
              : std::string("env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "
                            "LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/"
                            "openblas-openmp /usr/bin/python3")) +
      " " KILN_BENCH_DIR "/" + std::string(script) + " --threads " +
      std::to_string(threads) + " --steps " + std::to_string(steps) + " 2>&1";
  FILE *p = popen(cmd.c_str(), "r");
  if (!p)
    return -1;
  char line[512];
  double ms = -1;
  while (std::fgets(line, sizeof line, p))
    if (std::sscanf(line, "torch_ms_per_step %lf", &ms) == 1)
      break;
  pclose(p);
  return ms;
}

/// Best of three timings of `steps` calls of `step`, after `warmup` calls
/// (the machines are noisy).
inline double bestMsPerStep(int steps, int warmup,
                            const std::function<void()> &step) {
  for (int i = 0; i < warmup; ++i)
    step();
  double best = 1e30;
  for (int rep = 0; rep < 3; ++rep) {
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

/// One part of a model benchmark: a kiln timing (`kilnMs(steps)`, kiln's
/// step on the thread count set beforehand) and its PyTorch reference
/// (`script` with its flags).
struct Section {
  const char *title;
  const char *script;
  int defaultSteps;
  std::function<double(int steps)> kilnMs;
};

/// A model benchmark's main() for several sections of one model:
///   NAME [--steps N] [--threads N] [--profile] [--compile] [--only TEXT]
/// --steps replaces every section's default; --threads runs (and
/// profiles) that thread count only, by default 1 and 2, profiled on 2;
/// --compile adds `compiled` (the step against torch.compile, if the bench
/// has one) after the first section; --only keeps the sections whose title
/// contains TEXT, in any case (to time one part without the others' minutes).
/// Each section prints its table, in order, once every section has been timed.
///
/// Halide's thread pool does not shrink: once a kernel has run on 2
/// threads, a later set_num_threads(1) still leaves 2 working (seen as
/// "1-thread" lines equal to the 2-thread ones). kiln's pool does, but
/// KILN_THREAD_POOL=halide brings Halide's back (thread_pool.cpp), so every
/// section is still timed on the smallest thread count before any runs on
/// a larger one: thread counts outside, sections inside.
inline int runModelBenches(int argc, char **argv, const char *name,
                           const kiln::rt::ModelDesc &model,
                           std::vector<Section> sections,
                           const Section *compiled = nullptr) {
  int steps = 0; // each section's default
  bool profile = false, compile = false;
  std::string only;
  std::vector<int> threadCounts{1, 2};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--steps" && i + 1 < argc) {
      steps = std::atoi(argv[++i]);
      if (steps < 1) {
        std::fprintf(stderr, "%s: --steps must be at least 1\n", name);
        return 2;
      }
    } else if (a == "--threads" && i + 1 < argc) {
      threadCounts = {std::atoi(argv[++i])};
      if (threadCounts[0] < 1) {
        std::fprintf(stderr, "%s: --threads must be at least 1\n", name);
        return 2;
      }
    } else if (a == "--profile") {
      profile = true;
    } else if (a == "--compile" && compiled) {
      compile = true;
    } else if (a == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: %s [--steps N] [--threads N] [--profile]%s "
                   "[--only TEXT]\n",
                   name, compiled ? " [--compile]" : "");
      return 2;
    }
  }
  if (compile)
    sections.insert(sections.begin() + std::min<size_t>(1, sections.size()),
                    *compiled);
  if (!only.empty()) {
    auto lower = [](std::string t) {
      for (char &c : t)
        c = char(std::tolower(static_cast<unsigned char>(c)));
      return t;
    };
    const std::string wanted = lower(only);
    std::vector<Section> kept;
    for (const Section &s : sections)
      if (lower(s.title).find(wanted) != std::string::npos)
        kept.push_back(s);
    if (kept.empty()) {
      std::fprintf(stderr,
                   "%s: no section's title contains \"%s\"; they are:\n", name,
                   only.c_str());
      for (const Section &s : sections)
        std::fprintf(stderr, "  %s\n", s.title);
      return 2;
    }
    sections = std::move(kept);
  }
  // The variant a Session of the model will run (KILN_CPU_TARGET applied).
  kiln::rt::apply_cpu_target(model);
  const std::string kernels =
      model.kernel_variants.empty()
          ? std::string()
          : std::string(kiln::rt::selected_kernel_target(model));
  auto stepsOf = [&](const Section &s) {
    return steps > 0 ? steps : s.defaultSteps;
  };

  // times[section][thread count]: kiln's and torch's ms per step. A
  // section that throws ends the timing; what was measured is printed.
  std::vector<std::vector<std::pair<double, double>>> times(sections.size());
  int rc = 0;
  try {
    for (int threads : threadCounts) {
      kiln::rt::set_num_threads(threads);
      for (size_t i = 0; i < sections.size(); ++i) {
        const Section &s = sections[i];
        std::fprintf(stderr, "%s: timing \"%s\" on %d thread%s\n", name,
                     s.title, threads, threads == 1 ? "" : "s");
        const double k = s.kilnMs(stepsOf(s));
        times[i].emplace_back(k, torchMsPerStep(s.script, threads, stepsOf(s)));
      }
    }
  } catch (const std::exception &e) {
    std::fprintf(stderr, "%s: %s\n", name, e.what());
    rc = 1;
  }

  for (size_t i = 0; i < sections.size(); ++i) {
    if (i > 0)
      std::printf("\n");
    std::printf("%s; best of 3 x %d steps\n", sections[i].title,
                stepsOf(sections[i]));
    if (!kernels.empty())
      std::printf("kernels: %s\n", kernels.c_str());
    std::printf("%-8s %12s %12s %8s\n", "threads", "kiln ms", "torch ms",
                "speedup");
    for (size_t j = 0; j < times[i].size(); ++j) {
      const auto [k, t] = times[i][j];
      if (t < 0)
        std::printf("%-8d %12.3f %12s %8s  (torch not installed)\n",
                    threadCounts[j], k, "-", "-");
      else
        std::printf("%-8d %12.3f %12.3f %7.2fx\n", threadCounts[j], k, t,
                    t / k);
    }
  }
  if (profile && rc == 0) {
    const int threads = threadCounts.back();
    kiln::rt::set_num_threads(threads);
    for (const Section &s : sections) {
      kiln::rt::Profiler prof;
      s.kilnMs(stepsOf(s));
      std::printf("\nper-kernel time of \"%s\", %d thread%s:\n%s", s.title,
                  threads, threads == 1 ? "" : "s", prof.report().c_str());
    }
  }
  return rc;
}

/// runModelBenches for a bench of one section.
inline int runModelBench(int argc, char **argv, const char *name,
                         const kiln::rt::ModelDesc &model, const char *title,
                         const char *script, int defaultSteps,
                         const std::function<double(int steps)> &kilnMs) {
  return runModelBenches(argc, argv, name, model,
                         {{title, script, defaultSteps, kilnMs}});
}

} // namespace kiln::bench
