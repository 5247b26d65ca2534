// The CPUs a kernel library is compiled for. One Halide target gives one
// variant of every kernel; several (Halide's multitarget convention: comma
// separated, most specific first, the last a baseline) give one variant per
// target and a dispatcher that runs the first one the CPU can use.
#pragma once

#include <Halide.h>

#include <string>
#include <vector>

namespace kiln::halide::aot {

// Parses `host` or a comma-separated list of Halide target
// strings. Throws std::invalid_argument naming the entry that is not a
// target, or the reason a list cannot share one library (arch, bits and OS
// differ, or a target appears twice).
std::vector<Halide::Target> parse_target_list(const std::string &spec);

// The target with only the features every one of `targets` has: code that
// all variants share (the Halide runtime) must run wherever any of them
// is chosen.
Halide::Target common_target(const std::vector<Halide::Target> &targets);

} // namespace kiln::halide::aot
