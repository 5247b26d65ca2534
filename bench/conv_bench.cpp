// The GAN's convolution layers (MODELS.md: D conv 1->64 on 28x28 and 64->128
// on 14x14, G conv_transpose 128->64 7->14 and 64->1 14->28; k4 s2 p1,
// batch 64): kiln's Halide kernels (heuristic schedules, compiler/halide/
// lib/conv2d_schedule.cpp) for the forward pass and both gradients, next to
// PyTorch eager's forward and backward (autograd: input and weight
// gradients) on the same shapes and thread counts, measured in the same run
// (bench/torch_conv.py with DESIGN.md's fair-baseline settings; skipped
// with a message where Debian's python3-torch is not installed;
// KILN_TORCH_PYTHON=PATH runs it with another interpreter, e.g. PyTorch 2.x
// from PyPI). The kernels are built `portable`: KILN_CPU_TARGET=TARGET
// measures the AVX2 (or baseline) variant on an AVX-512 machine.
//   build/bin/conv_bench [--iters N] [--threads N] [--kiln-only] [--cold]
#include "kiln_conv_bench_kernels.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/kernel_variants.h"
#include "kiln/runtime/model.h"
#include "kiln/runtime/scratch.h"
#include "kiln/runtime/threads.h"

#include <HalideBuffer.h>
#include <HalideRuntime.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#ifndef KILN_BENCH_DIR
#error "KILN_BENCH_DIR must name the bench/ source directory"
#endif

namespace {

using Halide::Runtime::Buffer;
using KernelFn = int (*)(halide_buffer_t *, halide_buffer_t *,
                         halide_buffer_t *);
using Shape = std::vector<int>; // NCHW

constexpr int kBatch = 64;

struct Kernel {
  const char *name;
  KernelFn fn;
  Shape in0, in1, out;
  double flops; // 2 N O OH OW C KH KW of the layer
};

// D1: conv2d 1 -> 64, 28 -> 14; D2: conv2d 64 -> 128, 14 -> 7.
const double kFlopsD1 = 2.0 * kBatch * 64 * 14 * 14 * 1 * 16;
const double kFlopsD2 = 2.0 * kBatch * 128 * 7 * 7 * 64 * 16;
// The DDPM's stride-1 3x3 layers: C -> C channels at S x S, as many outputs.
constexpr double flops3x3(int c, int s) {
  return 2.0 * kBatch * c * s * s * c * 9;
}
// The DDPM's 1x1 skips: C -> O channels at S x S.
constexpr double flops1x1(int c, int o, int s) {
  return 2.0 * kBatch * c * s * s * o;
}

const Kernel kKernels[] = {
    {"d1_fwd",
     kiln_conv_bench_d1_fwd,
     {kBatch, 1, 28, 28},
     {64, 1, 4, 4},
     {kBatch, 64, 14, 14},
     kFlopsD1},
    {"d1_dx",
     kiln_conv_bench_d1_dx,
     {kBatch, 64, 14, 14},
     {64, 1, 4, 4},
     {kBatch, 1, 28, 28},
     kFlopsD1},
    {"d1_dw",
     kiln_conv_bench_d1_dw,
     {kBatch, 1, 28, 28},
     {kBatch, 64, 14, 14},
     {64, 1, 4, 4},
     kFlopsD1},
    {"d2_fwd",
     kiln_conv_bench_d2_fwd,
     {kBatch, 64, 14, 14},
     {128, 64, 4, 4},
     {kBatch, 128, 7, 7},
     kFlopsD2},
    {"d2_dx",
     kiln_conv_bench_d2_dx,
     {kBatch, 128, 7, 7},
     {128, 64, 4, 4},
     {kBatch, 64, 14, 14},
     kFlopsD2},
    {"d2_dw",
     kiln_conv_bench_d2_dw,
     {kBatch, 64, 14, 14},
     {kBatch, 128, 7, 7},
     {128, 64, 4, 4},
     kFlopsD2},
    // The direct convolution where d2_fwd, d2_dx and d2_dw take Winograd's.
    {"d2_fwd_direct",
     kiln_conv_bench_d2_fwd_direct,
     {kBatch, 64, 14, 14},
     {128, 64, 4, 4},
     {kBatch, 128, 7, 7},
     kFlopsD2},
    {"d2_dx_direct",
     kiln_conv_bench_d2_dx_direct,
     {kBatch, 128, 7, 7},
     {128, 64, 4, 4},
     {kBatch, 64, 14, 14},
     kFlopsD2},
    {"d2_dw_direct",
     kiln_conv_bench_d2_dw_direct,
     {kBatch, 64, 14, 14},
     {kBatch, 128, 7, 7},
     {128, 64, 4, 4},
     kFlopsD2},
    // The DDPM's stride-1 3x3 layers (Winograd's F(4x4, 3x3)) and their
    // direct twins.
    {"u28_fwd",
     kiln_conv_bench_u28_fwd,
     {kBatch, 32, 28, 28},
     {32, 32, 3, 3},
     {kBatch, 32, 28, 28},
     flops3x3(32, 28)},
    {"u28_fwd_direct",
     kiln_conv_bench_u28_fwd_direct,
     {kBatch, 32, 28, 28},
     {32, 32, 3, 3},
     {kBatch, 32, 28, 28},
     flops3x3(32, 28)},
    {"u14_fwd",
     kiln_conv_bench_u14_fwd,
     {kBatch, 64, 14, 14},
     {64, 64, 3, 3},
     {kBatch, 64, 14, 14},
     flops3x3(64, 14)},
    {"u14_fwd_direct",
     kiln_conv_bench_u14_fwd_direct,
     {kBatch, 64, 14, 14},
     {64, 64, 3, 3},
     {kBatch, 64, 14, 14},
     flops3x3(64, 14)},
    {"u7_fwd",
     kiln_conv_bench_u7_fwd,
     {kBatch, 128, 7, 7},
     {128, 128, 3, 3},
     {kBatch, 128, 7, 7},
     flops3x3(128, 7)},
    {"u7_fwd_direct",
     kiln_conv_bench_u7_fwd_direct,
     {kBatch, 128, 7, 7},
     {128, 128, 3, 3},
     {kBatch, 128, 7, 7},
     flops3x3(128, 7)},
    {"u14_dx",
     kiln_conv_bench_u14_dx,
     {kBatch, 64, 14, 14},
     {64, 64, 3, 3},
     {kBatch, 64, 14, 14},
     flops3x3(64, 14)},
    {"u14_dx_direct",
     kiln_conv_bench_u14_dx_direct,
     {kBatch, 64, 14, 14},
     {64, 64, 3, 3},
     {kBatch, 64, 14, 14},
     flops3x3(64, 14)},
    // The smallest layer Auto gives F(4x4, 3x3).
    {"s28_fwd",
     kiln_conv_bench_s28_fwd,
     {kBatch, 16, 28, 28},
     {16, 16, 3, 3},
     {kBatch, 16, 28, 28},
     flops3x3(16, 28)},
    {"s28_fwd_direct",
     kiln_conv_bench_s28_fwd_direct,
     {kBatch, 16, 28, 28},
     {16, 16, 3, 3},
     {kBatch, 16, 28, 28},
     flops3x3(16, 28)},
    // The weight gradients of the DDPM's levels (F(3x3, 4x4)) and their
    // direct twins.
    {"u28_dw",
     kiln_conv_bench_u28_dw,
     {kBatch, 32, 28, 28},
     {kBatch, 32, 28, 28},
     {32, 32, 3, 3},
     flops3x3(32, 28)},
    {"u28_dw_direct",
     kiln_conv_bench_u28_dw_direct,
     {kBatch, 32, 28, 28},
     {kBatch, 32, 28, 28},
     {32, 32, 3, 3},
     flops3x3(32, 28)},
    {"u14_dw",
     kiln_conv_bench_u14_dw,
     {kBatch, 64, 14, 14},
     {kBatch, 64, 14, 14},
     {64, 64, 3, 3},
     flops3x3(64, 14)},
    {"u14_dw_direct",
     kiln_conv_bench_u14_dw_direct,
     {kBatch, 64, 14, 14},
     {kBatch, 64, 14, 14},
     {64, 64, 3, 3},
     flops3x3(64, 14)},
    {"u7_dw",
     kiln_conv_bench_u7_dw,
     {kBatch, 128, 7, 7},
     {kBatch, 128, 7, 7},
     {128, 128, 3, 3},
     flops3x3(128, 7)},
    {"u7_dw_direct",
     kiln_conv_bench_u7_dw_direct,
     {kBatch, 128, 7, 7},
     {kBatch, 128, 7, 7},
     {128, 128, 3, 3},
     flops3x3(128, 7)},
    // The weight gradients of the DDPM's 1x1 skips (direct).
    {"k1_28_dw",
     kiln_conv_bench_k1_28_dw,
     {kBatch, 96, 28, 28},
     {kBatch, 32, 28, 28},
     {32, 96, 1, 1},
     flops1x1(96, 32, 28)},
    {"k1_14_dw",
     kiln_conv_bench_k1_14_dw,
     {kBatch, 192, 14, 14},
     {kBatch, 64, 14, 14},
     {64, 192, 1, 1},
     flops1x1(192, 64, 14)},
    // The smallest weight gradient Auto gives F(3x3, 4x4).
    {"s28_dw",
     kiln_conv_bench_s28_dw,
     {kBatch, 16, 28, 28},
     {kBatch, 16, 28, 28},
     {16, 16, 3, 3},
     flops3x3(16, 28)},
    {"s28_dw_direct",
     kiln_conv_bench_s28_dw_direct,
     {kBatch, 16, 28, 28},
     {kBatch, 16, 28, 28},
     {16, 16, 3, 3},
     flops3x3(16, 28)},
    // The DDPM's wider layers, one image per Winograd task.
    {"w14_fwd",
     kiln_conv_bench_w14_fwd,
     {kBatch, 128, 14, 14},
     {128, 128, 3, 3},
     {kBatch, 128, 14, 14},
     flops3x3(128, 14)},
    {"w28_fwd",
     kiln_conv_bench_w28_fwd,
     {kBatch, 96, 28, 28},
     {32, 96, 3, 3},
     {kBatch, 32, 28, 28},
     2.0 * kBatch * 96 * 28 * 28 * 32 * 9},
    // The DDPM's 1x1 skips and their input gradients.
    {"k1_28_fwd",
     kiln_conv_bench_k1_28_fwd,
     {kBatch, 96, 28, 28},
     {32, 96, 1, 1},
     {kBatch, 32, 28, 28},
     flops1x1(96, 32, 28)},
    {"k1_28_dx",
     kiln_conv_bench_k1_28_dx,
     {kBatch, 32, 28, 28},
     {32, 96, 1, 1},
     {kBatch, 96, 28, 28},
     flops1x1(96, 32, 28)},
    {"k1_14_fwd",
     kiln_conv_bench_k1_14_fwd,
     {kBatch, 192, 14, 14},
     {64, 192, 1, 1},
     {kBatch, 64, 14, 14},
     flops1x1(192, 64, 14)},
    {"k1_14_dx",
     kiln_conv_bench_k1_14_dx,
     {kBatch, 64, 14, 14},
     {64, 192, 1, 1},
     {kBatch, 192, 14, 14},
     flops1x1(192, 64, 14)},
};

// Each layer's forward, input gradient and weight gradient, by kernel: a
// transposed convolution's forward is a convolution's input gradient and
// the other way round.
struct Layer {
  const char *name;
  const char *fwd, *dx, *dw;
};
const Layer kLayers[] = {
    {"D.conv1", "d1_fwd", "d1_dx", "d1_dw"},
    {"D.conv2", "d2_fwd", "d2_dx", "d2_dw"},
    {"G.convT1", "d2_dx", "d2_fwd", "d2_dw"},
    {"G.convT2", "d1_dx", "d1_fwd", "d1_dw"},
};

Buffer<float> buffer(const Shape &s, uint32_t seed) {
  Buffer<float> b(s[3], s[2], s[1], s[0]); // Halide order: w, h, c, n
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> u(-1, 1);
  b.for_each_value([&](float &v) { v = u(gen); });
  return b;
}

// --cold: 64 MiB written between calls (more than L3) evicts the kernel's
// operands and scratch, as the rest of a training step does; each call is
// then timed alone. A GAN step's Winograd kernels take about these times.
void evictCaches() {
  static std::vector<float> junk(size_t(16) << 20);
  for (float &v : junk)
    v += 1;
}

double kilnMs(const Kernel &k, int iters, bool cold) {
  Buffer<float> a = buffer(k.in0, 1), b = buffer(k.in1, 2);
  Buffer<float> out = buffer(k.out, 3);
  auto call = [&] {
    if (k.fn(a.raw_buffer(), b.raw_buffer(), out.raw_buffer()) != 0) {
      std::fprintf(stderr, "kernel %s failed\n", k.name);
      std::exit(1);
    }
  };
  for (int i = 0; i < 3; ++i)
    call();
  using Clock = std::chrono::steady_clock;
  double best = 1e30;
  for (int rep = 0; rep < 5; ++rep) { // best of five: the machine is noisy
    std::chrono::duration<double, std::milli> total{0};
    auto t0 = Clock::now();
    for (int i = 0; i < iters; ++i) {
      if (cold) {
        evictCaches();
        t0 = Clock::now();
      }
      call();
      if (cold)
        total += Clock::now() - t0;
    }
    if (!cold)
      total = Clock::now() - t0;
    best = std::min(best, total.count() / iters);
  }
  return best;
}

const Kernel &kernelNamed(const std::string &name) {
  for (const Kernel &k : kKernels)
    if (name == k.name)
      return k;
  std::fprintf(stderr, "no kernel %s\n", name.c_str());
  std::exit(1);
}

/// max |a - b| / max |b| of two kernels' results on the same inputs: how far
/// Winograd's rounding moves the result from the direct convolution's.
double relDiff(const Kernel &a, const Kernel &b) {
  Buffer<float> x = buffer(a.in0, 1), w = buffer(a.in1, 2);
  Buffer<float> ya = buffer(a.out, 3), yb = buffer(b.out, 3);
  if (a.fn(x.raw_buffer(), w.raw_buffer(), ya.raw_buffer()) != 0 ||
      b.fn(x.raw_buffer(), w.raw_buffer(), yb.raw_buffer()) != 0) {
    std::fprintf(stderr, "kernel %s or %s failed\n", a.name, b.name);
    std::exit(1);
  }
  double err = 0, scale = 0;
  yb.for_each_element([&](const int *pos) {
    err = std::max(err, double(std::abs(ya(pos) - yb(pos))));
    scale = std::max(scale, double(std::abs(yb(pos))));
  });
  return err / scale;
}

struct TorchTimes {
  double fwd = -1, bwd = -1;
};

/// Per layer, from torch_conv.py; empty when torch is unavailable.
std::map<std::string, TorchTimes> torchMs(int threads, int iters) {
  const char *python = std::getenv("KILN_TORCH_PYTHON");
  std::string cmd =
      (python ? std::string(python)
              : std::string("env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "
                            "LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/"
                            "openblas-openmp /usr/bin/python3")) +
      " " KILN_BENCH_DIR "/torch_conv.py --threads " + std::to_string(threads) +
      " --iters " + std::to_string(iters) + " 2>&1";
  std::map<std::string, TorchTimes> out;
  FILE *p = popen(cmd.c_str(), "r");
  if (!p)
    return out;
  char line[512], name[64];
  TorchTimes t;
  while (std::fgets(line, sizeof line, p))
    if (std::sscanf(line, "torch %63s %lf %lf", name, &t.fwd, &t.bwd) == 3)
      out[name] = t;
  pclose(p);
  return out;
}

} // namespace

int main(int argc, char **argv) {
  int iters = 20;
  std::vector<int> threadCounts{1, 2};
  bool kilnOnly = false, cold = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--iters") && i + 1 < argc)
      iters = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
      threadCounts = {std::atoi(argv[++i])};
    else if (!std::strcmp(argv[i], "--kiln-only"))
      kilnOnly = true;
    else if (!std::strcmp(argv[i], "--cold"))
      kilnOnly = cold = true; // PyTorch's side has no such mode
    else {
      std::fprintf(stderr, "usage: conv_bench [--iters N] [--threads N] "
                           "[--kiln-only] [--cold]\n");
      return 2;
    }
  }
  kiln::rt::install_scratch_allocator(); // as a model's Session does
  // The kernels' variants, as a model's plan lists them for its Session.
  const kiln::rt::ModelDesc kernels{
      "conv_bench", {}, {}, {KILN_KERNEL_VARIANTS_conv_bench}};
  try {
    kiln::rt::apply_cpu_target(kernels);
  } catch (const kiln::rt::Error &e) {
    std::fprintf(stderr, "conv_bench: %s\n", e.what());
    return 2;
  }
  std::printf("kernels: %s\n",
              std::string(kiln::rt::selected_kernel_target(kernels)).c_str());
  std::printf("GAN convolution layers (MODELS.md), batch %d, k4 s2 p1; ms, "
              "best of 5 x %d calls%s\n",
              kBatch, iters,
              cold ? ", caches evicted before each (--cold)" : "");
  for (int threads : threadCounts) {
    kiln::rt::set_num_threads(threads); // kiln's pool, as in a model
    std::map<std::string, double> ms;
    std::printf("\n%d thread(s). kiln kernels:\n", threads);
    for (const Kernel &k : kKernels) {
      ms[k.name] = kilnMs(k, iters, cold);
      std::printf("  %-13s %8.3f ms %7.1f GFLOP/s\n", k.name, ms[k.name],
                  k.flops / ms[k.name] / 1e6);
    }
    if (kilnOnly)
      continue;
    auto torch = torchMs(threads, iters);
    std::printf("  %-9s %9s %9s %7s %11s %11s %7s\n", "layer", "kiln fwd",
                "torch fwd", "ratio", "kiln dx+dw", "torch bwd", "ratio");
    double kTotal = 0, tTotal = 0;
    for (const Layer &l : kLayers) {
      double kf = ms[l.fwd], kb = ms[l.dx] + ms[l.dw];
      kTotal += kf + kb;
      auto it = torch.find(l.name);
      if (it == torch.end()) {
        std::printf("  %-9s %9.3f %9s %7s %11.3f %11s %7s\n", l.name, kf, "-",
                    "-", kb, "-", "-");
        continue;
      }
      tTotal += it->second.fwd + it->second.bwd;
      std::printf("  %-9s %9.3f %9.3f %6.2fx %11.3f %11.3f %6.2fx\n", l.name,
                  kf, it->second.fwd, it->second.fwd / kf, kb, it->second.bwd,
                  it->second.bwd / kb);
    }
    if (torch.empty())
      std::printf("  (PyTorch not measured: no torch for /usr/bin/python3 "
                  "or $KILN_TORCH_PYTHON)\n");
    else
      std::printf("  all four layers, forward + backward: kiln %.3f ms, "
                  "torch %.3f ms (%.2fx)\n",
                  kTotal, tTotal, tTotal / kTotal);
  }
  // After the timings, on the last thread count.
  std::printf("\n");
  for (const char *name :
       {"d2_fwd", "d2_dx", "d2_dw", "u28_fwd", "u14_fwd", "u7_fwd", "u14_dx",
        "s28_fwd", "u28_dw", "u14_dw", "u7_dw", "s28_dw"}) {
    const std::string direct = std::string(name) + "_direct";
    std::printf("%s (Winograd) against %s: max relative difference %.2g\n",
                name, direct.c_str(),
                relDiff(kernelNamed(name), kernelNamed(direct)));
  }
  return 0;
}
