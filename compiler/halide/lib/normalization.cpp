// The row normalisation algorithm; normalization_schedule.cpp says how it
// runs.
#include "kiln/halide/normalization.h"

#include <stdexcept>
#include <string>

namespace kiln::halide {

using namespace Halide;

Normalization normalize(NormalizationPart part, const Func &x, const Func &g,
                        int rank, int width, double eps) {
  if (rank < 1 || width < 1) {
    throw std::invalid_argument("kiln: normalize needs a row of at least one "
                                "element, got rank " +
                                std::to_string(rank) + " and width " +
                                std::to_string(width));
  }
  if (part == NormalizationPart::Grad && !g.defined()) {
    throw std::invalid_argument("kiln: normalize's gradient needs g");
  }
  Normalization n;
  n.part = part;
  n.width = width;
  const std::string name = Internal::unique_name("normalize");
  n.r = RDom(0, width, name + "_r");

  std::vector<Var> rows; // every dimension but the row's
  for (int d = 1; d < rank; ++d) {
    rows.emplace_back(name + "_x" + std::to_string(d));
  }
  std::vector<Expr> at{n.r.x}; // element r of the row
  at.insert(at.end(), rows.begin(), rows.end());
  const Type t = x.output_types().at(0);
  const Expr count = cast(t, width);

  auto row_sum = [&](const std::string &what, const Expr &value) {
    Func f(name + "_" + what);
    f(rows) = cast(t, 0);
    f(rows) += value;
    return f;
  };
  n.sum = row_sum("sum", x(at));
  const Expr mean = n.sum(rows) / count;
  // Two passes (the mean, then the squares about it), as PyTorch's Welford
  // update is exact to rounding: E[x^2] - mean^2 cancels for rows far from
  // zero. The second pass reads the row from cache.
  n.centred = row_sum("centred", (x(at) - mean) * (x(at) - mean));
  const Expr inv_std = 1 / sqrt(n.centred(rows) / count + cast(t, Expr(eps)));

  const Var c(name + "_c");
  std::vector<Expr> here{c};
  here.insert(here.end(), rows.begin(), rows.end());
  std::vector<Var> args{c};
  args.insert(args.end(), rows.begin(), rows.end());
  n.result = Func(name + "_result");
  const Expr y = (x(here) - mean) * inv_std;
  if (part == NormalizationPart::Output) {
    n.result(args) = y;
    return n;
  }
  n.grad_sum = row_sum("grad_sum", g(at));
  n.grad_dot = row_sum("grad_dot", g(at) * (x(at) - mean));
  // mean(g * y) = mean(g * (x - mean)) * inv_std
  const Expr mean_gy = n.grad_dot(rows) * inv_std / count;
  n.result(args) = (g(here) - n.grad_sum(rows) / count - y * mean_gy) * inv_std;
  return n;
}

} // namespace kiln::halide
