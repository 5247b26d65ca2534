// gpu_gemm_bench [N...]: kiln's GPU GEMM (schedule_matmul for CUDA) on
// N x N x N fp32 products (default 1024 and 4096) and the weight gradients
// of the GPT (A stored [K, M], K = 4096), in TFLOP/s, with a check of
// sampled entries against a double-precision reference. Needs an NVIDIA GPU;
// exits 77 without one. The card's fp32 peak is for the reader to divide
// by (H100/H200 SXM: about 67 TFLOP/s by NVIDIA's datasheet). The
// candidates (gpu_gemm_kernels.cpp) are other tilings measured against
// the library's.
#include "kiln_gpu_gemm_kernels.h"

#include "kiln/runtime/device.h"
#include "kiln/runtime/error.h"
#include "kiln/runtime/session.h"
#include "kiln/runtime/tensor.h"

#include <HalideRuntime.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <utility>
#include <vector>

namespace rt = kiln::rt;

namespace {

using Kernel = int (*)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *);

// C[M, N] = A @ B with A stored [M, K], or [K, M] when `transpose_a`.
double bench(rt::DeviceMemory &mem, int m, int n, int k, bool transpose_a,
             const char *name, Kernel kernel) {
  std::vector<float> a(size_t(m) * k), b(size_t(k) * n), c(size_t(m) * n, NAN);
  std::mt19937 gen(unsigned(m + n + k));
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (float &v : a)
    v = u(gen);
  for (float &v : b)
    v = u(gen);
  for (std::vector<float> *v : {&a, &b, &c}) {
    mem.add(v->data(), v->size() * 4);
    mem.upload(v->data());
  }
  const std::vector<int64_t> a_shape =
      transpose_a ? std::vector<int64_t>{k, m} : std::vector<int64_t>{m, k};
  rt::BufferView av(a.data(), a_shape),
      bv(b.data(), std::vector<int64_t>{k, n}),
      cv(c.data(), std::vector<int64_t>{m, n});
  for (rt::BufferView *v : {&av, &bv, &cv})
    mem.attach(v->buffer);
  auto run = [&] {
    rt::check_kernel(kernel(av.get(), bv.get(), cv.get()), name);
  };
  run(); // loads the module (the driver compiles the PTX)
  rt::check_halide(halide_device_sync(nullptr, cv.get()), "synchronizing");
  const double flops = 2.0 * m * double(n) * k;
  const int iters = std::max(3, int(2e11 / flops));
  double best = 1e30;
  for (int round = 0; round < 3; ++round) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < iters; ++i)
      run();
    rt::check_halide(halide_device_sync(nullptr, cv.get()), "synchronizing");
    const std::chrono::duration<double> dt =
        std::chrono::steady_clock::now() - t0;
    best = std::min(best, dt.count() / iters);
  }
  for (rt::BufferView *v : {&av, &bv, &cv})
    mem.release(v->buffer);
  mem.download(c.data());
  // Sampled entries against a double-precision dot product.
  double worst = 0;
  for (int s = 0; s < 64; ++s) {
    const int i = int(gen() % unsigned(m)), j = int(gen() % unsigned(n));
    double ref = 0, scale = 0;
    for (int p = 0; p < k; ++p) {
      const double x =
          transpose_a ? a[size_t(p) * m + i] : a[size_t(i) * k + p];
      ref += x * b[size_t(p) * n + j];
      scale += std::abs(x * b[size_t(p) * n + j]);
    }
    worst = std::max(worst, std::abs(c[size_t(i) * n + j] - ref) / scale);
  }
  std::printf("%s %dx%dx%d%s fp32: %.3f ms, %.1f TFLOP/s; max |error| / "
              "sum|terms| over 64 entries %.2e\n",
              name, m, n, k, transpose_a ? " (A stored [K, M])" : "",
              best * 1e3, flops / best * 1e-12, worst);
  for (std::vector<float> *v : {&a, &b, &c})
    mem.remove(v->data());
  return worst;
}

} // namespace

int main(int argc, char **argv) {
  std::vector<int> sizes;
  for (int i = 1; i < argc; ++i)
    sizes.push_back(std::atoi(argv[i]));
  if (sizes.empty())
    sizes = {1024, 4096};
  try {
    rt::DeviceMemory mem(rt::Device::cuda);
    const std::pair<const char *, Kernel> kernels[] = {
        {"kiln (schedule_matmul)", kiln_gpu_gemm},
        {"blocks 64x64, threads 4x8", kiln_gpu_gemm_64x64_4x8},
        {"blocks 128x64, threads 4x8", kiln_gpu_gemm_128x64_4x8},
        {"blocks 64x64, threads 4x4", kiln_gpu_gemm_64x64_4x4},
        {"blocks 128x64, threads 8x8", kiln_gpu_gemm_128x64_8x8}};
    for (int n : sizes)
      for (const auto &[name, kernel] : kernels)
        if (bench(mem, n, n, n, false, name, kernel) > 1e-4)
          return 1;
    // Weight gradients (x^T dy) of the GPT's layers at batch 32 x 128.
    for (const auto [m, n] : {std::pair{128, 384}, std::pair{512, 128}})
      if (bench(mem, m, n, 4096, true, "kiln (schedule_matmul, split-K)",
                kiln_gpu_gemm_tn) > 1e-4)
        return 1;
  } catch (const rt::Error &e) {
    std::printf("skipped: %s\n", e.what());
    return 77;
  }
  return 0;
}
