// Matrix multiplication for generated kernels: the algorithm (matmul) and
// its CPU schedule (schedule_matmul), kept apart as in Halide's apps.
#pragma once

#include <Halide.h>

#include <vector>

namespace kiln::halide {

// How the operands are stored. Tensors are dense row-major; tensor [R, C]
// is the Halide buffer (c, r), dimension 0 innermost.
struct MatmulLayout {
  bool transpose_a = false; // A is stored [K, M] instead of [M, K]
  bool transpose_b = false; // B is stored [N, K] instead of [K, N] (Linear)
};

// C[..., M, N] = op(A) @ op(B) per batch index, as built by matmul().
struct Matmul {
  Halide::Func result; // (n, m, batch...): zero init plus one update over k
  Halide::Func a, b;   // the operands as passed (stored per `layout`)
  Halide::RDom k;      // [0, k_extent)
  Halide::Var n, m;    // pure vars of result
  std::vector<Halide::Var> batch; // and its batch vars, innermost first
  MatmulLayout layout;
  int k_estimate = 0; // the expected K (a constant K itself); 0: unknown
  // The algorithm is only `result`: no helper Funcs, so autoschedulers see
  // a plain reduction. Packing stages are made by schedule_matmul with
  // Func::in().
};

// Defines the product of `a` and `b` (Halide dim order, see MatmulLayout).
// `k_extent` is the length of the contraction. Dimensions of a and b after
// the first two are batch dimensions, the same number in both (the caller
// broadcasts): result(n, m, b0, ...) = sum_k op(A)(k, m, b0, ...) *
// op(B)(n, k, b0, ...). `k_estimate` is K's expected size, a scheduling
// hint only (kilnc passes a symbolic K's coefficient times
// kSymbolEstimate): a long K with A stored [K, M] is scheduled in K
// chunks. A constant `k_extent` is its own estimate (a buffer extent
// fixed by constrain_shape is not a constant here: pass it).
Matmul matmul(const Halide::Func &a, const Halide::Func &b,
              const Halide::Expr &k_extent, MatmulLayout layout = {},
              int k_estimate = 0);

// Schedules a kernel whose output `out` is defined pointwise on
// mm.result(inner, outer, batch...) (an epilogue such as bias and
// activation; Funcs between are inlined). `inner` and `outer` are out's
// pure vars, inner first, then its batch vars. Correct for every size, fast
// from a few rows on; see matmul_schedule.cpp for the measured choices.
void schedule_matmul(Matmul &mm, Halide::Func out, const Halide::Var &inner,
                     const Halide::Var &outer,
                     const std::vector<Halide::Var> &batch,
                     const Halide::Target &target);
inline void schedule_matmul(Matmul &mm, Halide::Func out,
                            const Halide::Var &inner, const Halide::Var &outer,
                            const Halide::Target &target) {
  schedule_matmul(mm, std::move(out), inner, outer, {}, target);
}

} // namespace kiln::halide
