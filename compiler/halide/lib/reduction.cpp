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

  // The leading run of reduced dimensions [0, k), split off when other
  // dimensions are reduced too (see Reduction::prefix).
  size_t k = 0;
  while (k < dims.size() && dims[k] == static_cast<int>(k)) {
    ++k;
  }
  const bool split = k > 0 && k < dims.size();
  const Type type = in.output_types().at(0);
  Func source = in;
  size_t first_rdim = 0; // accum reduces dims[first_rdim..]
  if (split) {
    Region prefix_region;
    red.prefix_count = 1;
    for (size_t i = 0; i < k; ++i) {
      prefix_region.emplace_back(0, extents[dims[i]]);
      red.prefix_count = red.prefix_count * extents[dims[i]];
    }
    red.prefix_r = RDom(prefix_region, name + "_pr");
    std::vector<Var> pvars;
    std::vector<Expr> pcall;
    for (size_t i = 0; i < k; ++i) {
      pcall.push_back(red.prefix_r[static_cast<int>(i)]);
    }
    for (int d = static_cast<int>(k); d < rank; ++d) {
      Var v(name + "_p" + std::to_string(d));
      pvars.push_back(v);
      pcall.push_back(v);
    }
    // Max/min combine as themselves; a mean's prefix is a plain sum.
    const ReduceOp pop = op == ReduceOp::Mean ? ReduceOp::Sum : op;
    red.prefix_accum = Func(name + "_prefix_accum");
    red.prefix_accum(pvars) = identity(pop, type);
    red.prefix_accum(pvars) = combine(pop, red.prefix_accum(pvars), in(pcall));
    red.prefix = Func(name + "_prefix");
    red.prefix(pvars) = red.prefix_accum(pvars);
    source = red.prefix;
    first_rdim = k;
  }

  Region region; // count: every point reduced into an output, for Mean
  red.count = split ? red.prefix_count : Expr(1);
  for (size_t i = first_rdim; i < dims.size(); ++i) {
    region.emplace_back(0, extents[dims[i]]);
    red.count = red.count * extents[dims[i]];
  }
  red.r = RDom(region, name + "_r");

  // Pure vars of accum/result: kept dims, or all dims with keep_dims.
  std::vector<Var> vars;
  std::vector<Expr> call; // where accum reads its input
  size_t next_rvar = 0;
  for (int d = 0; d < rank; ++d) {
    const bool reduced = std::find(dims.begin(), dims.end(), d) != dims.end();
    const bool in_prefix = split && d < static_cast<int>(k);
    Var v(name + "_x" + std::to_string(d));
    if (reduced) {
      if (!in_prefix) {
        call.push_back(red.r[static_cast<int>(next_rvar++)]);
      }
      if (keep_dims) {
        vars.push_back(v);
      }
    } else {
      call.push_back(v);
      vars.push_back(v);
    }
  }

  red.accum(vars) = identity(op, type);
  red.accum(vars) = combine(op, red.accum(vars), source(call));
  Expr value = red.accum(vars);
  if (op == ReduceOp::Mean) {
    value = value / cast(type, red.count);
  }
  red.result(vars) = value;
  return red;
}

} // namespace kiln::halide
