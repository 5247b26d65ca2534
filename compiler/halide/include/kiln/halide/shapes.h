// What a kernel knows about its buffer shapes: estimates for the
// autoschedulers (set_estimates) and, optionally, the static extents as
// constraints (constrain_shape).
#pragma once

#include <Halide.h>

#include <initializer_list>
#include <vector>

namespace kiln::halide {

// Estimate used for symbolic dimensions (the batch), whose size is only
// known when a kernel runs.
inline constexpr int kSymbolEstimate = 128;

// Marks a symbolic dimension in constrain_shape.
inline constexpr int kDynamic = -1;

// Region [0, extent) per dimension, in Halide order (dimension 0 innermost).
Halide::Region estimate_region(const std::vector<int> &extents);

// Sets the estimates of an Input<Buffer<>> or Output<Buffer<>>:
//   set_estimates(in0, {32, kSymbolEstimate});
// The autoschedulers need them on every input and output; the heuristic
// schedules ignore them.
template <typename InputOrOutput>
void set_estimates(InputOrOutput &io, std::initializer_list<int> extents) {
  io.set_estimates(estimate_region(std::vector<int>(extents)));
}

// in(index), each index clamped to the input's bounds when `clamped` (an
// autoscheduled kernel's pointwise reads; compiler/lib/Emit/
// HalideEmitter.cpp, readsClamped, says why). Clamped in the index rather
// than through a BoundaryConditions Func, which the autoscheduler would be
// free to stage.
template <typename Input>
Halide::Expr read_input(const Input &in, bool clamped,
                        std::vector<Halide::Expr> index) {
  if (clamped)
    for (size_t d = 0; d < index.size(); ++d)
      index[d] =
          Halide::clamp(index[d], in.dim(int(d)).min(), in.dim(int(d)).max());
  return in(index);
}

// Declares the buffer dense, row-major, at min 0, with the given static
// extents (Halide order; kDynamic for symbolic ones):
//   constrain_shape(in1, {784, 512});            // a weight
//   constrain_shape(in0, {784, kDynamic});       // a batch of inputs
// For an Output, call it after the output is defined. Optional. Halide
// then folds the extents into the code: specializations
// that cannot apply are dropped (e.g. NT 128x784->512 JIT compile 1.0 ->
// 0.75 s) and index arithmetic gets simpler. Calling a kernel with any
// other shape is a runtime error, which the kiln runtime never does.
template <typename InputOrOutput>
void constrain_shape(InputOrOutput &io, std::initializer_list<int> extents) {
  int d = 0;
  Halide::Expr stride = 1;
  for (int extent : extents) {
    if (extent == kDynamic) {
      io.dim(d).set_min(0);
    } else {
      io.dim(d).set_bounds(0, extent);
    }
    io.dim(d).set_stride(stride);
    stride = stride * io.dim(d).extent();
    ++d;
  }
}

// constrain_shape for every buffer of a multi-output (Tuple) Output, once
// it is defined: without it the outputs' strides stay symbolic and every
// store is indexed through them.
// Halide ties the later buffers' mins and extents to the first's, so only
// their strides are set.
template <typename TupleOutput>
void constrain_tuple_shape(TupleOutput &out,
                           std::initializer_list<int> extents) {
  const std::vector<Halide::OutputImageParam> buffers =
      Halide::Func(out).output_buffers();
  constrain_shape(buffers[0], extents);
  for (size_t b = 1; b < buffers.size(); ++b) {
    Halide::Expr stride = 1;
    for (size_t d = 0; d < extents.size(); ++d) {
      buffers[b].dim(d).set_stride(stride);
      stride = stride * buffers[b].dim(d).extent();
    }
  }
}

} // namespace kiln::halide
