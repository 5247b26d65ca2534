// Fusion: a matmul anchors a kernel and takes its pointwise epilogue (bias,
// relu, a scalar multiply whose constant is copied in); a reduction anchors
// its own kernel; a broadcasting consumer starts a pointwise kernel.
// RUN: kiln-opt %inputs/small_mlp.mlir -kiln-fuse | FileCheck %s

// CHECK-LABEL: func.func @forward
// CHECK: %[[W0:.*]] = kiln.param_ref @l0.weight
// CHECK: %[[B0:.*]] = kiln.param_ref @l0.bias
// CHECK: %[[K0:.*]] = kiln.fused "kiln_mlp_forward_k0" (%arg0, %[[W0]], %[[B0]])
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.constant dense<5.000000e-01>
// CHECK-NEXT: kiln.matmul
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.relu
// CHECK-NEXT: kiln.mul
// CHECK-NEXT: kiln.yield
// CHECK: %[[W1:.*]] = kiln.param_ref @l1.weight
// CHECK: %[[K1:.*]] = kiln.fused "kiln_mlp_forward_k1" (%[[K0]], %[[W1]])
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.matmul
// CHECK-NEXT: kiln.tanh
// CHECK-NEXT: kiln.yield
// The tanh result has two users, so the reduction cannot join kernel k1.
// CHECK: %[[K2:.*]] = kiln.fused "kiln_mlp_forward_k2" (%[[K1]])
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.reduce_sum
// CHECK-NEXT: kiln.yield
// CHECK: %[[K3:.*]] = kiln.fused "kiln_mlp_forward_k3" (%[[K1]], %[[K2]])
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.sub
// CHECK-NEXT: kiln.yield
// CHECK: return %[[K3]]
// No constant is left outside the kernels.
// CHECK-NOT: kiln.constant
