// Vectorizable float32 math for kernel bodies. Halide 14's own tanh calls
// libm per lane (measured 10.6 ns per element against 0.2 for these, 1M
// floats, 2 threads); its exp, log and erf already vectorize (0.08-0.2 ns)
// and need no replacement. Use these where a generated kernel needs them:
//   out0(d0, d1) = kiln::halide::math::tanh(v1(d0, d1));
#pragma once

#include <Halide.h>

namespace kiln::halide::math {

// tanh(x); relative error < 2e-7 (odd polynomial below |x| = 0.625,
// 1 - 2 / (exp(2|x|) + 1) above).
Halide::Expr tanh(const Halide::Expr &x);

// 1 / (1 + exp(-x)), without overflow for large |x|; relative error < 3e-7.
Halide::Expr sigmoid(const Halide::Expr &x);

// log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), finite for all x and
// accurate relative to the result also where it is tiny (x << 0); relative
// error < 2e-6 (bce_with_logits, softplus).
Halide::Expr softplus(const Halide::Expr &x);

} // namespace kiln::halide::math
