#include "kiln/runtime/threads.h"

#include "kiln/runtime/error.h"
#include "kiln/runtime/thread_pool.h"

#include <HalideRuntime.h>
#include <fmt/format.h>

#include <cstdlib>
#include <string>

// Weak: kiln_runtime does not link the Halide runtime (each model's kernels
// bring it), and a program without models must still link. When the Halide
// runtime is present the symbol resolves and a running pool is resized.
#pragma weak halide_set_num_threads

namespace kiln::rt {

void set_num_threads(int n) {
  if (n < 0)
    throw Error(fmt::format("thread count must be >= 0, got {}", n));
  // Kernels run their parallel loops on kiln's pool (thread_pool.cpp),
  // resized here. Halide's own, used instead with KILN_THREAD_POOL=halide,
  // reads HL_NUM_THREADS when it starts (on the first parallel kernel).
  install_thread_pool();
  if (n == 0)
    ::unsetenv("HL_NUM_THREADS");
  else
    ::setenv("HL_NUM_THREADS", std::to_string(n).c_str(), 1);
  if (&halide_set_num_threads != nullptr)
    halide_set_num_threads(n); // 0 means Halide's default here too
  configure_thread_pool(n);
}

} // namespace kiln::rt
