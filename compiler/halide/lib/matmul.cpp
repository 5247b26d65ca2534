// The matmul algorithm. It only says what is computed; matmul_schedule.cpp
// says how.
#include "kiln/halide/matmul.h"

namespace kiln::halide {

using namespace Halide;

Matmul matmul(const Func &a, const Func &b, const Expr &k_extent,
              MatmulLayout layout) {
  Matmul mm;
  mm.layout = layout;
  mm.a = a;
  mm.b = b;
  // Unique names keep several matmuls in one kernel apart and make the
  // lowered statement readable.
  const std::string name = Internal::unique_name("matmul");
  mm.n = Var(name + "_n");
  mm.m = Var(name + "_m");
  mm.result = Func(name);
  mm.k = RDom(0, k_extent, name + "_k");

  const Var &n = mm.n, &m = mm.m;
  const RVar &k = mm.k.x;
  const Expr lhs = layout.transpose_a ? a(m, k) : a(k, m); // op(A)[m, k]
  const Expr rhs = layout.transpose_b ? b(k, n) : b(n, k); // op(B)[k, n]
  mm.result(n, m) = cast(lhs.type(), 0);
  mm.result(n, m) += lhs * rhs;
  return mm;
}

} // namespace kiln::halide
