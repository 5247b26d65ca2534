// A hand-written stand-in for a kilnc-generated plan, so the runtime and the
// CLI can be tested without the compiler. It uses the runtime the way
// generated code does: BufferView, Session::arena, params().at, check_kernel.
//
// Model "fake":
//   params  linear.bias [3] constant 0.5, embed.weight [4, 3] normal(0, 0.02)
//   state   affine.step [] zeros (optimizer state, for checkpoint tests)
//   affine  (infer) x [batch, 3] -> y [batch, 3]       y = 2 x + linear.bias
//   pair    (infer) a [batch, 3], b [batch, seq] -> out [batch, seq]
//                                                      out = b + a[:, 0]
//   wrong_shape (infer) x [batch, 3] -> y [batch, 3]   plan returns [batch, 4]
//   failing (infer) x [batch, 3] -> y [batch, 3]       kernel returns -4
#pragma once

#include "kiln/runtime/model.h"

// The same declaration kilnc's NAME.plan.cpp provides (global namespace).
const kiln::rt::ModelDesc &kiln_model_fake();
