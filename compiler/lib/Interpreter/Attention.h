//===- Attention.h - naive attention for the interpreter --------*- C++ -*-===//
//
// The kiln.attention ops (KilnOps.td) evaluated by their definitions, in
// double, with the whole score matrix of each batch index in memory.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "kiln/Interpreter/Interpreter.h"

namespace kiln::interp::detail {

struct AttentionArgs {
  const DTensor *q = nullptr, *k = nullptr, *v = nullptr;
  const DTensor *mask = nullptr; // optional
  double scale = 1;
  bool causal = false;
};

/// softmax(scale q k^T + mask) v.
DTensor attention(const AttentionArgs &a);
/// The row log-sum-exp of the masked scores.
DTensor attentionLse(const AttentionArgs &a);
/// dq (wrt 0), dk (1) or dv (2) from dO, the log-sum-exp and delta.
DTensor attentionGrad(const AttentionArgs &a, const DTensor &grad,
                      const DTensor &lse, const DTensor &delta, int wrt);

} // namespace kiln::interp::detail
