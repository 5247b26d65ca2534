// Autoscheduled kernels get a hand-scheduled twin for calls whose symbolic
// sizes are below the autoscheduler's estimates (128), and the plan picks
// one per call. Execution: tests/e2e/gemm_test.cpp.
// RUN: kilnc %inputs/small_mlp.mlir --emit=kernels --schedule=adams2019 | FileCheck %s --check-prefix=KERNELS
// RUN: kilnc %inputs/small_mlp.mlir --emit=plan --schedule=adams2019 | FileCheck %s --check-prefix=PLAN
// RUN: kilnc %inputs/small_mlp.mlir --emit=kernels | FileCheck %s --check-prefix=HEURISTIC

// Pointwise reads of an input clamp their indices when autoscheduled (an
// Adams2019 vector shifted before the input's start read out of bounds);
// a library call (the matmul) gets the input itself.
// KERNELS: kiln::halide::matmul(in0, in1,
// KERNELS: v1(d0, d1) = v0(d0, d1) + kiln::halide::read_input(in2, auto_schedule, {d0});
// KERNELS: HALIDE_REGISTER_GENERATOR(Kernel_kiln_mlp_forward_k0, kiln_mlp_forward_k0)
// KERNELS-NEXT: // Hand-scheduled twin for sizes below the estimates.
// KERNELS-NEXT: HALIDE_REGISTER_GENERATOR(Kernel_kiln_mlp_forward_k0, kiln_mlp_forward_k0_fallback)

// PLAN: if (sym_batch >= 128)
// PLAN-NEXT: check_kernel(kiln_mlp_forward_k0(b0.get(), b1.get(), b2.get(), b3.get()), "kiln_mlp_forward_k0");
// PLAN-NEXT: else
// PLAN-NEXT: check_kernel(kiln_mlp_forward_k0_fallback(b0.get(), b1.get(), b2.get(), b3.get()), "kiln_mlp_forward_k0_fallback");

// HEURISTIC-NOT: _fallback
// HEURISTIC-NOT: read_input
