// The Halide generators kilnc writes: one class per kernel, Halide's
// innermost-first dimension order, the symbol read off an input, the
// schedule chosen by the kernel's anchor.
// RUN: kilnc %inputs/small_mlp.mlir --emit=kernels | FileCheck %s
// RUN: kilnc %inputs/small_train.mlir --emit=kernels | FileCheck %s --check-prefix=REDUCE

// CHECK: #include "kiln/halide/kernel_support.h"
// CHECK-LABEL: // kiln_mlp_forward_k0: matmul (models/mlp.cpp:10) add (models/mlp.cpp:10) relu (models/mlp.cpp:10) mul (models/mlp.cpp:11)
// CHECK: Input<Buffer<float>> in0{"in0", 2}; // [batch, 4]
// CHECK: Input<Buffer<float>> in1{"in1", 2}; // [8, 4]
// CHECK: Output<Buffer<float>> out0{"out0", 2}; // [batch, 8]
// CHECK: mm0 = kiln::halide::matmul(in0, in1, 4, {.transpose_a = false, .transpose_b = true});
// CHECK: v1(d0, d1) = v0(d0, d1) + in2(d0);
// CHECK: v2(d0, d1) = max(v1(d0, d1), Expr(0x0p+0f));
// CHECK: v3(d0, d1) = v2(d0, d1) * Expr(0x1p-1f);
// CHECK: kiln::halide::set_estimates(in0, {4, kiln::halide::kSymbolEstimate});
// CHECK: kiln::halide::schedule_matmul(mm0, out0, d0, d1, get_target());
// CHECK: HALIDE_REGISTER_GENERATOR(Kernel_kiln_mlp_forward_k0, kiln_mlp_forward_k0)

// A reduction over a short static axis is written out as a sum.
// CHECK-LABEL: // kiln_mlp_forward_k2: reduce_sum
// CHECK: v0(d0, d1) = in0(0, d1) + in0(1, d1) + in0(2, d1);
// CHECK: kiln::halide::schedule_pointwise(out0, {d0, d1}, get_target());

// Longer or symbolic axes go through the reduction building block.
// REDUCE: red0 = kiln::halide::reduce(kiln::halide::ReduceOp::Mean, in0, {sym_batch}, {0}, false);
// REDUCE: kiln::halide::schedule_reduction(red0, out0, {}, get_target());

// Broadcasting reads index 0 of the size-1 dimension.
// CHECK-LABEL: // kiln_mlp_forward_k3: sub
// CHECK: v0(d0, d1) = in0(d0, d1) - in1(0, d1);
// CHECK: kiln::halide::schedule_pointwise(out0, {d0, d1}, get_target());
