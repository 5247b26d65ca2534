// fp32 GEMM: kiln's Halide kernels (heuristic schedule and Adams2019) next
// to OpenBLAS sgemm (sgemv for the single-row case), measured in the same
// run, alternating round by round so that all see the same machine load.
//
// Run with OPENBLAS_CORETYPE=SkylakeX: OpenBLAS 0.3.21 takes Zen 5 for
// Haswell and then runs AVX2 kernels at about half speed (DESIGN.md).
//   OPENBLAS_CORETYPE=SkylakeX build/bin/gemm_bench [--threads N] [--rounds R]
// The kernels are built `portable`: KILN_CPU_TARGET=TARGET measures the AVX2
// variant on an AVX-512 machine (then compare with OPENBLAS_CORETYPE=Haswell).
#include "kiln_gemm_bench_adams2019_kernels.h"
#include "kiln_gemm_bench_kernels.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/kernel_variants.h"
#include "kiln/runtime/model.h"
#include "kiln/runtime/threads.h"

#include <HalideBuffer.h>
#include <HalideRuntime.h>
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using Halide::Runtime::Buffer;
using Kernel = int (*)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *);

struct Case {
  const char *name;
  int m, n, k;
  bool transpose_b;
  Kernel heuristic, adams2019;
  bool transpose_a = false; // A stored [K, M]
};

const Case kCases[] = {
    {"256^3", 256, 256, 256, false, kiln_bench_nn_256,
     kiln_bench_nn_256_adams2019},
    {"1024^3", 1024, 1024, 1024, false, kiln_bench_nn_1024,
     kiln_bench_nn_1024_adams2019},
    {"1024^3 B^T", 1024, 1024, 1024, true, kiln_bench_nt_1024,
     kiln_bench_nt_1024_adams2019},
    {"128x784->512", 128, 512, 784, true, kiln_bench_vae_784_512,
     kiln_bench_vae_784_512_adams2019},
    {"128x512->256", 128, 256, 512, true, kiln_bench_vae_512_256,
     kiln_bench_vae_512_256_adams2019},
    {"128x256->32", 128, 32, 256, true, kiln_bench_vae_256_32,
     kiln_bench_vae_256_32_adams2019},
    {"128x32->256", 128, 256, 32, true, kiln_bench_vae_32_256,
     kiln_bench_vae_32_256_adams2019},
    {"128x256->512", 128, 512, 256, true, kiln_bench_vae_256_512,
     kiln_bench_vae_256_512_adams2019},
    {"128x512->784", 128, 784, 512, true, kiln_bench_vae_512_784,
     kiln_bench_vae_512_784_adams2019},
    // Batch-1 generation: static single row, GEMV schedule.
    {"1x1024->1024", 1, 1024, 1024, true, kiln_bench_gemv_1024,
     kiln_bench_gemv_1024_adams2019},
    // The GPT's MLP at batch 32 x 128 (rows 4096): forward, input and
    // weight gradients (A^T: A stored [4096, M]).
    {"gpt fc1", 4096, 512, 128, true, kiln_bench_gpt_fc1,
     kiln_bench_gpt_fc1_adams2019},
    {"gpt fc2", 4096, 128, 512, true, kiln_bench_gpt_fc2,
     kiln_bench_gpt_fc2_adams2019},
    {"gpt fc2 dx", 4096, 512, 128, false, kiln_bench_gpt_fc2_dx,
     kiln_bench_gpt_fc2_dx_adams2019},
    {"gpt fc2 dw", 512, 128, 4096, false, kiln_bench_gpt_fc2_dw,
     kiln_bench_gpt_fc2_dw_adams2019, true},
    {"gpt fc1 dw", 128, 512, 4096, false, kiln_bench_gpt_fc1_dw,
     kiln_bench_gpt_fc1_dw_adams2019, true},
};

Buffer<float> random_buffer(int width, int height, uint32_t seed) {
  Buffer<float> b(width, height);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  b.for_each_value([&](float &v) { v = dist(rng); });
  return b;
}

double max_relative_difference(const Buffer<float> &x, const Buffer<float> &y) {
  double err = 0, ref = 1e-30;
  x.for_each_element([&](int i, int j) {
    err = std::max(err, double(std::abs(x(i, j) - y(i, j))));
    ref = std::max(ref, double(std::abs(y(i, j))));
  });
  return err / ref;
}

// Median over rounds of the time per call, in ms, for each contender.
// Each round runs every contender `iters` times, one after the other.
std::vector<double> race(const std::vector<std::function<void()>> &fns,
                         int rounds, int iters) {
  std::vector<std::vector<double>> times(fns.size());
  for (const auto &f : fns) {
    f(); // warm caches, thread pools and page tables
    f();
  }
  for (int r = 0; r < rounds; ++r) {
    for (size_t i = 0; i < fns.size(); ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int it = 0; it < iters; ++it) {
        fns[i]();
      }
      const std::chrono::duration<double, std::milli> dt =
          std::chrono::steady_clock::now() - t0;
      times[i].push_back(dt.count() / iters);
    }
  }
  std::vector<double> medians;
  for (auto &t : times) {
    std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
    medians.push_back(t[t.size() / 2]);
  }
  return medians;
}

} // namespace

int main(int argc, char **argv) {
  int threads = static_cast<int>(std::thread::hardware_concurrency());
  int rounds = 11;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--threads")) {
      threads = std::atoi(argv[i + 1]);
    } else if (!std::strcmp(argv[i], "--rounds")) {
      rounds = std::atoi(argv[i + 1]);
    }
  }
  openblas_set_num_threads(threads);
  kiln::rt::set_num_threads(threads); // kiln's pool, as in a model
  // The kernels' variants, as a model's plan lists them for its Session
  // (both libraries were built for the same targets).
  const kiln::rt::ModelDesc kernels{
      "gemm_bench", {}, {}, {KILN_KERNEL_VARIANTS_gemm_bench}};
  const kiln::rt::ModelDesc adams{"gemm_bench_adams2019",
                                  {},
                                  {},
                                  {KILN_KERNEL_VARIANTS_gemm_bench_adams2019}};
  try {
    kiln::rt::apply_cpu_target(kernels);
    kiln::rt::apply_cpu_target(adams);
  } catch (const kiln::rt::Error &e) {
    std::fprintf(stderr, "gemm_bench: %s\n", e.what());
    return 2;
  }

  const char *coretype = std::getenv("OPENBLAS_CORETYPE");
  std::printf("gemm_bench: fp32 C[M,N] = A[M,K] @ op(B), median of %d rounds\n",
              rounds);
  std::printf("OpenBLAS: OPENBLAS_CORETYPE=%s, core %s, threads %d (%s)\n",
              coretype ? coretype : "(unset)", openblas_get_corename(),
              openblas_get_num_threads(), openblas_get_config());
  if (!coretype) {
    std::printf("WARNING: OPENBLAS_CORETYPE is unset; OpenBLAS may take an "
                "AVX-512 machine for Haswell and run at about half speed "
                "(SkylakeX against AVX-512 kernels, Haswell against AVX2)\n");
  }
  std::printf("kiln: Halide 14 AOT kernels for %s, threads %d\n\n",
              std::string(kiln::rt::selected_kernel_target(kernels)).c_str(),
              threads);
  // "x BLAS" = OpenBLAS time / kiln time: above 1 means kiln is faster.
  std::printf("%-13s %-4s | %9s %7s %7s | %9s %7s %7s | %9s %7s\n", "shape",
              "op(B)", "heur ms", "GFLOP/s", "x BLAS", "adams ms", "GFLOP/s",
              "x BLAS", "BLAS ms", "GFLOP/s");
  for (const Case &c : kCases) {
    Buffer<float> a =
        c.transpose_a ? random_buffer(c.m, c.k, 1) : random_buffer(c.k, c.m, 1);
    Buffer<float> b =
        c.transpose_b ? random_buffer(c.k, c.n, 2) : random_buffer(c.n, c.k, 2);
    Buffer<float> c_heur(c.n, c.m), c_adams(c.n, c.m), c_blas(c.n, c.m);
    const int ldb = c.transpose_b ? c.k : c.n;
    auto blas = [&] {
      if (c.m == 1 && c.transpose_b) {
        // A single row: sgemv is OpenBLAS's fast path (sgemm is 5x slower).
        cblas_sgemv(CblasRowMajor, CblasNoTrans, c.n, c.k, 1.0f, b.data(), c.k,
                    a.data(), 1, 0.0f, c_blas.data(), 1);
        return;
      }
      cblas_sgemm(CblasRowMajor, c.transpose_a ? CblasTrans : CblasNoTrans,
                  c.transpose_b ? CblasTrans : CblasNoTrans, c.m, c.n, c.k,
                  1.0f, a.data(), c.transpose_a ? c.m : c.k, b.data(), ldb,
                  0.0f, c_blas.data(), c.n);
    };
    int status = 0;
    auto heur = [&] { status |= c.heuristic(a, b, c_heur); };
    auto adams = [&] { status |= c.adams2019(a, b, c_adams); };

    const double flops = 2.0 * c.m * c.n * c.k;
    // About 20 ms of work per contender per round at 400 GFLOP/s.
    const int iters = std::max(1, static_cast<int>(8e9 / flops));
    const std::vector<double> ms = race({heur, adams, blas}, rounds, iters);
    if (status != 0) {
      std::printf("%-14s kernel returned an error\n", c.name);
      return 1;
    }
    const double err = std::max(max_relative_difference(c_heur, c_blas),
                                max_relative_difference(c_adams, c_blas));
    auto gflops = [&](double t) { return flops / t / 1e6; };
    std::printf("%-13s %-5s| %9.4f %7.1f %7.2f | %9.4f %7.1f %7.2f | %9.4f "
                "%7.1f%s\n",
                c.name, c.transpose_a ? "A^T" : (c.transpose_b ? "B^T" : "B"),
                ms[0], gflops(ms[0]), ms[2] / ms[0], ms[1], gflops(ms[1]),
                ms[2] / ms[1], ms[2], gflops(ms[2]),
                err < 1e-4 ? "" : "  MISMATCH vs OpenBLAS");
  }
  return 0;
}
