// Runs a PyTorch eager reference script (bench/torch_*.py) the way DESIGN.md
// says a fair CPU baseline needs: /usr/bin/python3 with Debian's
// python3-torch, OpenBLAS's OpenMP build, no OPENBLAS_CORETYPE override,
// torch and BLAS limited to `threads`. The script prints
// "torch_ms_per_step <ms>".
#pragma once

#include <cstdio>
#include <string>

#ifndef KILN_BENCH_DIR
#error "KILN_BENCH_DIR must name the bench/ source directory"
#endif

namespace kiln::bench {

/// ms per step, or a negative number when PyTorch is not available.
inline double torchMsPerStep(const char *script, int threads, int steps) {
  std::string cmd = "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "
                    "LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp "
                    "/usr/bin/python3 " KILN_BENCH_DIR "/" +
                    std::string(script) + " --threads " +
                    std::to_string(threads) + " --steps " +
                    std::to_string(steps) + " 2>&1";
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

} // namespace kiln::bench
