// Pieces shared by the direct (conv2d.cpp) and Winograd
// (conv2d_winograd.cpp) convolution algorithms.
#pragma once

#include "kiln/halide/conv2d.h"

#include <string>

namespace kiln::halide::detail {

// x (w, h, c, n) with zeros outside [0, W) x [0, H).
Halide::Func zero_border(const Halide::Func &x, const Conv2dParams &p,
                         const std::string &name);

// A Conv2d of `kind` with its result Func and pure vars named after `name`;
// throws std::invalid_argument on impossible parameters.
Conv2d start(ConvKind kind, const Conv2dParams &p, const std::string &name);

} // namespace kiln::halide::detail
