// A KV-cache append must cost time proportional to the slice written, not
// to the cache: one position of [1, 4, 1, 32] (the decode step of a GPT
// with 4 heads of 32) appended to a cache of 128 positions and to one of
// 8192 (64x larger, 4 MiB), in the same run. Each call also computes the
// slice (k * 1) in a kernel and returns one position, so the ratio of the
// two times is the whole story; a copy of the cache would make it ~64.
//   build/bin/kv_bench [--steps N]
#include "kv_append.h"
#include "model_bench.h"

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char **argv) {
  int steps = 20000;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--steps" && i + 1 < argc)
      steps = std::atoi(argv[++i]);
    else {
      std::fprintf(stderr, "usage: kv_bench [--steps N]\n");
      return 2;
    }
  }
  kiln::rt::set_num_threads(1);
  kiln::models::kv_append::Model model(/*seed=*/0);
  kiln::rt::Tensor k({1, 4, 1, 32});
  kiln::rt::Tensor out;
  kiln::rt::Tensor *outputs[] = {&out};
  auto time = [&](const char *entry, int32_t size) {
    int32_t pos = 0;
    kiln::rt::Tensor p = kiln::rt::Tensor::of_ints({}, {0});
    const kiln::rt::Tensor *inputs[] = {&k, &p};
    return kiln::bench::bestMsPerStep(steps, 100, [&] {
      p.ints()[0] = pos;
      pos = (pos + 1) % size;
      model.session().run(entry, inputs, outputs);
    });
  };
  const double small = time("append_small", 128);
  const double large = time("append_large", 8192);
  std::printf("KV-cache append of [1, 4, 1, 32], 1 thread, best of 3 x %d "
              "calls\n",
              steps);
  std::printf("cache 128 positions:  %8.2f us\n", small * 1e3);
  std::printf("cache 8192 positions: %8.2f us  (%.2fx the 128-position "
              "time; a copy of the cache would be ~64x)\n",
              large * 1e3, large / small);
  return 0;
}
