// Schedule for kernels whose output is a pointwise function of inputs
// (all producers inlined).
#pragma once

#include <Halide.h>

#include <vector>

namespace kiln::halide {

// `vars` are out's pure vars, innermost (Halide dimension 0) first.
// Vectorizes the innermost dimension whose static extent is not 1 (those
// of extent 1 before it go outermost), fuses the rest into one loop and
// spreads it over threads in chunks. Correct for every size.
// `inner_segment` (optional): the innermost dimension is made of pieces of
// this many elements that the kernel reads from different places (a
// concatenation or sum of pads along it, whose boundaries are multiples of
// it); see pointwise_schedule.cpp.
void schedule_pointwise(Halide::Func out, const std::vector<Halide::Var> &vars,
                        const Halide::Target &target, int inner_segment = 0);

} // namespace kiln::halide
