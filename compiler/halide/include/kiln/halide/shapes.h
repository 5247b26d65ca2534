// Size estimates for the autoschedulers, and the symbolic-size stand-in.
#pragma once

#include <Halide.h>

#include <initializer_list>
#include <vector>

namespace kiln::halide {

// Estimate used for symbolic dimensions (the batch), whose size is only
// known when a kernel runs.
inline constexpr int kSymbolEstimate = 128;

// Region [0, extent) per dimension, in Halide order (dimension 0 innermost).
Halide::Region estimate_region(const std::vector<int> &extents);

// Sets the estimates of an Input<Buffer<>> or Output<Buffer<>>:
//   set_estimates(in0, {32, kSymbolEstimate});
// The autoschedulers need them on every input and output; the heuristic
// schedules ignore them.
template <typename InputOrOutput>
void set_estimates(InputOrOutput &io, std::initializer_list<int> extents) {
  io.set_estimates(estimate_region(std::vector<int>(extents)));
}

} // namespace kiln::halide
