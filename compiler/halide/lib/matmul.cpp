// The matmul algorithm. It only says what is computed; matmul_schedule.cpp
// says how.
#include "kiln/halide/matmul.h"

namespace kiln::halide {

using namespace Halide;

Matmul matmul(const Func &a, const Func &b, const Expr &k_extent,
              MatmulLayout layout) {
  Matmul mm;
  mm.layout = layout;
  // Unique names keep several matmuls in one kernel apart and make the
  // lowered statement readable.
  const std::string name = Internal::unique_name("matmul");
  mm.n = Var(name + "_n");
  mm.m = Var(name + "_m");
  mm.lhs = Func(name + "_lhs");
  mm.rhs = Func(name + "_rhs");
  mm.result = Func(name);
  mm.k = RDom(0, k_extent, name + "_k");

  const Var &n = mm.n, &m = mm.m;
  Var k(name + "_kv");
  mm.lhs(k, m) = layout.transpose_a ? a(m, k) : a(k, m);
  // rhs is op(B) with n innermost. For transpose_b this is a transpose;
  // the schedule materializes it in panels so that the vectorized n is
  // contiguous in memory.
  mm.rhs(n, k) = layout.transpose_b ? b(k, n) : b(n, k);

  const Type type = mm.lhs.output_types().at(0);
  mm.result(n, m) = cast(type, 0);
  mm.result(n, m) += mm.lhs(mm.k, m) * mm.rhs(n, mm.k);
  return mm;
}

} // namespace kiln::halide
