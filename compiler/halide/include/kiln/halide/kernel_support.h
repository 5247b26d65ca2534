// Everything a generated NAME.kernels.cpp includes: the building blocks of
// kernels (matmul, conv2d, reduce), the schedule library (schedule_matmul,
// schedule_conv2d, schedule_pointwise, schedule_reduction), shape facts
// (set_estimates, constrain_shape) and vectorizable math (math::tanh, sigmoid,
// softplus). Each kernel is one Halide Generator whose generate() states the
// algorithm and whose schedule() sets estimates and, unless auto_schedule is
// on, calls one schedule_* function. See README.md.
#pragma once

#include <Halide.h>

#include "kiln/halide/attention.h"
#include "kiln/halide/conv2d.h"
#include "kiln/halide/cross_entropy.h"
#include "kiln/halide/math.h"
#include "kiln/halide/matmul.h"
#include "kiln/halide/normalization.h"
#include "kiln/halide/pointwise.h"
#include "kiln/halide/reduction.h"
#include "kiln/halide/scatter.h"
#include "kiln/halide/shapes.h"
