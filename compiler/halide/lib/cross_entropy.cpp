// The softmax cross-entropy algorithm; cross_entropy_schedule.cpp says how
// it runs.
#include "kiln/halide/cross_entropy.h"

#include <limits>
#include <stdexcept>
#include <string>

namespace kiln::halide {

using namespace Halide;

CrossEntropy cross_entropy(CrossEntropyPart part, const Func &logits,
                           const Func &target, const Func &grad, int rank,
                           int classes) {
  if (rank < 1 || classes < 1) {
    throw std::invalid_argument(
        "kiln: cross_entropy needs a row of at least one class, got rank " +
        std::to_string(rank) + " and " + std::to_string(classes) + " classes");
  }
  if (part == CrossEntropyPart::Grad && !grad.defined()) {
    throw std::invalid_argument("kiln: cross_entropy's gradient needs grad");
  }
  CrossEntropy ce;
  ce.part = part;
  ce.classes = classes;
  const std::string name = Internal::unique_name("cross_entropy");
  ce.r = RDom(0, classes, name + "_r");

  std::vector<Var> rows; // every dimension but the classes
  for (int d = 1; d < rank; ++d) {
    rows.emplace_back(name + "_x" + std::to_string(d));
  }
  std::vector<Expr> at{ce.r.x}; // class r of the row
  at.insert(at.end(), rows.begin(), rows.end());
  const Type t = logits.output_types().at(0);

  ce.row_max = Func(name + "_max");
  ce.row_max(rows) = cast(t, -std::numeric_limits<float>::infinity());
  ce.row_max(rows) = max(ce.row_max(rows), logits(at));
  const Expr m = ce.row_max(rows);
  ce.row_sum = Func(name + "_sum");
  ce.row_sum(rows) = cast(t, 0);
  ce.row_sum(rows) += exp(logits(at) - m);

  std::vector<Expr> own{target(rows)}; // the row's target class
  own.insert(own.end(), rows.begin(), rows.end());
  ce.result = Func(name + "_result");
  if (part == CrossEntropyPart::Loss) {
    // x_t - m first: (log(s) + m) - x_t would round at the size of m
    // (3e-5 for logits near 1000 in f32, on a loss that may be 0.01).
    ce.result(rows) = log(ce.row_sum(rows)) - (logits(own) - m);
    return ce;
  }
  const Var c(name + "_c");
  std::vector<Var> args{c};
  args.insert(args.end(), rows.begin(), rows.end());
  std::vector<Expr> here(args.begin(), args.end());
  const Expr p = exp(logits(here) - m) / ce.row_sum(rows);
  ce.result(args) =
      grad(rows) * (p - select(c == target(rows), cast(t, 1), cast(t, 0)));
  return ce;
}

} // namespace kiln::halide
