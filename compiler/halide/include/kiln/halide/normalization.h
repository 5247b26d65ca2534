// Row normalisation for generated kernels: the algorithm (normalize) and
// its schedule (schedule_normalization), kept apart as in Halide's apps.
// A row is the innermost (Halide dimension 0) axis of a tensor, of static
// width C; every other dimension numbers rows. With the biased statistics
// of a row,
//   Output  y  = (x - mean) / sqrt(var + eps)
//   Grad    dx = (g - mean(g) - y * mean(g * y)) / sqrt(var + eps)
// where g is the gradient of y (y recomputed from x). One kernel computes
// either from x (and g) alone: the schedule computes a row's sums next to
// its use, so the row is read from cache, not memory, after its first
// pass. This is LayerNorm's forward and backward (kiln.normalize and
// kiln.normalize_grad) in one kernel each, where the composite of means,
// differences, squares and a square root took four kernels.
#pragma once

#include <Halide.h>

#include <vector>

namespace kiln::halide {

enum class NormalizationPart { Output, Grad };

struct Normalization {
  NormalizationPart part = NormalizationPart::Output;
  Halide::Func result; // indexed like x (pure)
  // Per row (the pure vars are x's but the innermost): zero, then one
  // update over `r`. `sum` adds x, `centred` (x - mean)^2; for Grad
  // `grad_sum` adds g and `grad_dot` g * (x - mean).
  Halide::Func sum, centred, grad_sum, grad_dot;
  Halide::RDom r; // over the row's C elements
  int width = 0;

  // The row sums this part needs, in the order they are computed.
  std::vector<Halide::Func> sums() const {
    if (part == NormalizationPart::Output)
      return {sum, centred};
    return {sum, centred, grad_sum, grad_dot};
  }
};

// `x` (and for Grad `g`, shaped like x) are Funcs of `rank` dimensions whose
// dimension 0 has `width` elements.
//   // tensor x [N, T, 128]: Halide Func (c, t, n)
//   auto n = normalize(NormalizationPart::Output, in0, Func(), 3, 128, 1e-5);
//   out0(d0, d1, d2) = n.result(d0, d1, d2);
Normalization normalize(NormalizationPart part, const Halide::Func &x,
                        const Halide::Func &g, int rank, int width, double eps);

// Schedules a kernel whose output `out` is defined pointwise on
// n.result(vars...) (the LayerNorm's scale and shift, a residual sum).
// `vars` are out's pure vars, innermost first.
void schedule_normalization(Normalization &n, Halide::Func out,
                            const std::vector<Halide::Var> &vars,
                            const Halide::Target &target);

} // namespace kiln::halide
