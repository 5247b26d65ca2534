#include "kiln/halide/math.h"

namespace kiln::halide::math {

using namespace Halide;

Expr tanh(const Expr &x) {
  // Cephes tanhf: below 0.625 the polynomial avoids the cancellation in
  // 1 - 2 / (e + 1); above, tanh is within 2 ulp of it. |x| is clamped at 10
  // where tanh is 1 in float, which also keeps exp finite.
  const Expr ax = min(abs(x), 10.0f);
  const Expr s = x * x;
  const Expr poly =
      ((((-5.70498872745e-3f * s + 2.06390887954e-2f) * s - 5.37397155531e-2f) *
            s +
        1.33314422036e-1f) *
           s -
       3.33332819422e-1f) *
          s * x +
      x;
  const Expr e = exp(2.0f * ax);
  const Expr big = 1.0f - 2.0f / (e + 1.0f);
  return select(ax < 0.625f, poly, select(x < 0, -big, big));
}

Expr sigmoid(const Expr &x) {
  // exp of a non-positive argument only: no overflow.
  const Expr e = exp(-abs(x));
  return select(x >= 0, 1.0f / (1.0f + e), e / (1.0f + e));
}

Expr softplus(const Expr &x) {
  // log1p(y) for y = exp(-|x|) in (0, 1]. log(1 + y) loses y's low bits
  // when y is small (relative error ~ 2^-24 / y), so below y = 1/16 a Taylor
  // series takes over (degree 6: truncation error < 1e-8 relative there).
  // Tricks that rely on the rounding of 1 + y cancelling do not survive
  // Halide's float simplifications.
  const Expr y = exp(-abs(x));
  const Expr series =
      y *
      (1.0f + y * (-1.0f / 2 +
                   y * (1.0f / 3 +
                        y * (-1.0f / 4 + y * (1.0f / 5 + y * (-1.0f / 6))))));
  const Expr log1p_y = select(y < 0.0625f, series, log(1.0f + y));
  return max(x, 0.0f) + log1p_y;
}

} // namespace kiln::halide::math
