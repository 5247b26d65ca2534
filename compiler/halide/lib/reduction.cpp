// The reduction algorithm; reduction_schedule.cpp says how it runs.
#include "kiln/halide/reduction.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace kiln::halide {

using namespace Halide;

namespace {

Expr identity(ReduceOp op, Type t) {
  switch (op) {
  case ReduceOp::Max:
    return t.is_float() ? cast(t, -std::numeric_limits<float>::infinity())
                        : t.min();
  case ReduceOp::Min:
    return t.is_float() ? cast(t, std::numeric_limits<float>::infinity())
                        : t.max();
  case ReduceOp::Sum:
  case ReduceOp::Mean:
    break;
  }
  return cast(t, 0);
}

Expr combine(ReduceOp op, const Expr &acc, const Expr &value) {
  switch (op) {
  case ReduceOp::Max:
    return max(acc, value);
  case ReduceOp::Min:
    return min(acc, value);
  case ReduceOp::Sum:
  case ReduceOp::Mean:
    break;
  }
  return acc + value;
}

} // namespace

Reduction reduce(ReduceOp op, const Func &in, const std::vector<Expr> &extents,
                 std::vector<int> dims, bool keep_dims) {
  const int rank = static_cast<int>(extents.size());
  std::sort(dims.begin(), dims.end());
  dims.erase(std::unique(dims.begin(), dims.end()), dims.end());
  if (dims.empty() || dims.front() < 0 || dims.back() >= rank) {
    throw std::invalid_argument(
        "kiln: reduce needs reduced dimensions in [0, " + std::to_string(rank) +
        ")");
  }

  Reduction red;
  red.op = op;
  red.rank = rank;
  red.dims = dims;
  red.keep_dims = keep_dims;
  const std::string name = Internal::unique_name("reduce");
  red.accum = Func(name);
  red.result = Func(name + "_result");

  Region region;
  red.count = 1;
  for (int d : dims) {
    region.emplace_back(0, extents[d]);
    red.count = red.count * extents[d];
  }
  red.r = RDom(region, name + "_r");

  // Pure vars of accum/result: kept dims, or all dims with keep_dims.
  std::vector<Var> vars;
  std::vector<Expr> call; // where accum reads the input
  size_t next_rvar = 0;
  for (int d = 0; d < rank; ++d) {
    const bool reduced = next_rvar < dims.size() && dims[next_rvar] == d;
    Var v(name + "_x" + std::to_string(d));
    if (reduced) {
      call.push_back(red.r[static_cast<int>(next_rvar++)]);
      if (keep_dims) {
        vars.push_back(v);
      }
    } else {
      call.push_back(v);
      vars.push_back(v);
    }
  }

  const Type type = in.output_types().at(0);
  red.accum(vars) = identity(op, type);
  red.accum(vars) = combine(op, red.accum(vars), in(call));

  Expr value = red.accum(vars);
  if (op == ReduceOp::Mean) {
    value = value / cast(type, red.count);
  }
  red.result(vars) = value;
  return red;
}

} // namespace kiln::halide
