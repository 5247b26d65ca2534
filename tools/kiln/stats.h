// Summary statistics of an output, to judge a run at a glance.
#pragma once

#include <cstdint>
#include <span>

namespace kiln::cli {

struct Summary {
  int64_t count = 0; // finite values, over which the rest is computed
  int64_t nan = 0;
  int64_t inf = 0;
  double mean = 0, std = 0, min = 0, max = 0; // std: population
};

// Accumulates in double (two passes), so large tensors stay accurate.
Summary summarize(std::span<const float> values);

} // namespace kiln::cli
