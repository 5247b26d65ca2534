// The matmul algorithm. It only says what is computed; matmul_schedule.cpp
// says how.
#include "kiln/halide/matmul.h"

#include <stdexcept>
#include <string>

namespace kiln::halide {

using namespace Halide;

Matmul matmul(const Func &a, const Func &b, const Expr &k_extent,
              MatmulLayout layout, int k_estimate) {
  Matmul mm;
  mm.layout = layout;
  const int64_t *static_k = Internal::as_const_int(k_extent);
  mm.k_estimate = static_k ? int(*static_k) : k_estimate;
  mm.a = a;
  mm.b = b;
  // Unique names keep several matmuls in one kernel apart and make the
  // lowered statement readable.
  const std::string name = Internal::unique_name("matmul");
  mm.n = Var(name + "_n");
  mm.m = Var(name + "_m");
  mm.result = Func(name);
  mm.k = RDom(0, k_extent, name + "_k");

  if (a.dimensions() != b.dimensions() || a.dimensions() < 2)
    throw std::invalid_argument(
        "kiln::halide::matmul: operands need 2 + the same number of batch "
        "dimensions, got " +
        std::to_string(a.dimensions()) + " and " +
        std::to_string(b.dimensions()));
  std::vector<Expr> batch;
  for (int i = 2; i < a.dimensions(); ++i) {
    mm.batch.push_back(Var(name + "_b" + std::to_string(i - 2)));
    batch.push_back(mm.batch.back());
  }
  auto at = [&](const Func &f, Expr x, Expr y) {
    std::vector<Expr> args{std::move(x), std::move(y)};
    args.insert(args.end(), batch.begin(), batch.end());
    return f(args);
  };
  std::vector<Var> vars{mm.n, mm.m};
  vars.insert(vars.end(), mm.batch.begin(), mm.batch.end());

  const Var &n = mm.n, &m = mm.m;
  const RVar &k = mm.k.x;
  const Expr lhs =
      layout.transpose_a ? at(a, m, k) : at(a, k, m); // op(A)[m, k]
  const Expr rhs =
      layout.transpose_b ? at(b, k, n) : at(b, n, k); // op(B)[k, n]
  mm.result(vars) = cast(lhs.type(), 0);
  mm.result(vars) += lhs * rhs;
  return mm;
}

} // namespace kiln::halide
