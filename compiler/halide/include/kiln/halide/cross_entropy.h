// Softmax cross-entropy against integer targets for generated kernels: the
// algorithm (cross_entropy) and its schedule (schedule_cross_entropy),
// kept apart as in Halide's apps. A row is the innermost (Halide dimension
// 0) axis of the logits, the C classes; every other dimension numbers
// rows, and the targets have one index per row. With m the row's maximum
// and s = sum(exp(logits - m)),
//   Loss  loss = log(s) - (logits[target] - m)                per row
//   Grad  dlogits = g * (exp(logits - m) / s - onehot(target))  [C, rows]
// where g is the gradient of the row's loss. One kernel computes either
// from the logits alone (the row's statistics next to their use), where
// log_softmax and the one-hot product as separate ops took five kernels
// and stored the [rows, C] exponentials and one-hot matrix.
#pragma once

#include <Halide.h>

#include <vector>

namespace kiln::halide {

enum class CrossEntropyPart { Loss, Grad };

struct CrossEntropy {
  CrossEntropyPart part = CrossEntropyPart::Loss;
  // Loss: indexed by the rows; Grad: like the logits (pure).
  Halide::Func result;
  // Per row: -inf (0), then one update over `r`: the maximum of the
  // logits, and the sum of their exponentials less the maximum.
  Halide::Func row_max, row_sum;
  Halide::RDom r; // over the row's C classes
  int classes = 0;
};

// `logits` is a Func of `rank` dimensions whose dimension 0 has `classes`
// elements; `target` (rank - 1 dimensions) the class of each row, already
// checked to lie in [0, classes) (checked_index); `grad` (rank - 1
// dimensions) the gradient of each row's loss, for Grad only.
CrossEntropy cross_entropy(CrossEntropyPart part, const Halide::Func &logits,
                           const Halide::Func &target, const Halide::Func &grad,
                           int rank, int classes);

// Schedules a kernel whose output `out` is defined pointwise on
// ce.result(vars...); `vars` are out's pure vars, innermost first.
void schedule_cross_entropy(CrossEntropy &ce, Halide::Func out,
                            const std::vector<Halide::Var> &vars,
                            const Halide::Target &target);

} // namespace kiln::halide
