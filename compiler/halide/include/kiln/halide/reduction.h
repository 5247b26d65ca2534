// Reductions (sum, mean, max, min over any set of axes) for generated
// kernels: the algorithm (reduce) and its CPU schedule (schedule_reduction).
// A reduction kernel is out = epilogue(reduce(prologue(inputs))); prologue
// and epilogue are pointwise and get inlined.
#pragma once

#include <Halide.h>

#include <vector>

namespace kiln::halide {

enum class ReduceOp { Sum, Mean, Max, Min };

struct Reduction {
  // The reduced value, indexed by the kept dimensions in Halide order (or by
  // all dimensions, reduced ones of extent 1, with keep_dims). Mean divides
  // here. Defined pointwise on accum, so it is inlined.
  Halide::Func result;
  Halide::Func accum;    // identity init plus one update over r
  Halide::RDom r;        // one RVar per reduced dimension, in `dims` order
  Halide::Expr count;    // number of points reduced into each output
  std::vector<int> dims; // reduced Halide dimensions of the input, ascending
  int rank = 0;          // rank of the input
  bool keep_dims = false;
  ReduceOp op = ReduceOp::Sum;

  // Reduced dimensions that are not all contiguous (BatchNorm's W, H and N
  // around a kept C) are reduced in two steps: `prefix` combines the
  // leading run [0, k) of reduced dimensions, pointwise over the others,
  // and accum then combines prefix over the remaining ones (r). Reading
  // channel by channel jumped through memory (one 784-byte run per image)
  // and a [64, 64, 14, 14] mean took 0.28 ms on 1 thread. Undefined when
  // the reduced dimensions are one leading run or do not include 0.
  Halide::Func prefix;       // pure; prefix_accum wrapped
  Halide::Func prefix_accum; // identity init plus one update over prefix_r
  Halide::RDom prefix_r;
  Halide::Expr prefix_count;

  // True when accum's own input (prefix if defined, else the kernel input)
  // has its contiguous dimension 0 reduced.
  bool reduces_innermost() const {
    return !prefix.defined() && !dims.empty() && dims.front() == 0;
  }
};

// Reduces `in`, a Func of extents.size() dimensions (Halide order, extents
// of the input), over the Halide dimensions `dims`.
//   // tensor x [B, 784], x.sum(1): Halide dim 0 is the 784 axis.
//   auto red = reduce(ReduceOp::Sum, in0, {in0.dim(0).extent(),
//                     in0.dim(1).extent()}, {0});
//   out0(d0) = red.result(d0);
Reduction reduce(ReduceOp op, const Halide::Func &in,
                 const std::vector<Halide::Expr> &extents,
                 std::vector<int> dims, bool keep_dims = false);

// Schedules a kernel whose output `out` is defined pointwise on
// red.result(vars...). `vars` are out's pure vars, innermost first (empty for
// a scalar output).
void schedule_reduction(Reduction &red, Halide::Func out,
                        const std::vector<Halide::Var> &vars,
                        const Halide::Target &target);

} // namespace kiln::halide
