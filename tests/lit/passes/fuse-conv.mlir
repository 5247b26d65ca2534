// Fusion of convolutions: a conv2d anchors a kernel and takes its bias add
// and activation as the epilogue; it never absorbs a producer (the relu
// before the second conv2d stays in the first kernel); reduce_max anchors
// its own kernel like reduce_sum.
// RUN: kiln-opt %inputs/small_conv.mlir -kiln-fuse | FileCheck %s

// CHECK-LABEL: func.func @forward
// CHECK: %[[W1:.*]] = kiln.param_ref @c1.weight
// CHECK: %[[B1:.*]] = kiln.param_ref @c1.bias
// CHECK: %[[W2:.*]] = kiln.param_ref @c2.weight
// CHECK: %[[K0:.*]] = kiln.fused "kiln_conv_forward_k0" (%arg0, %[[W1]], %[[B1]])
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.conv2d
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.relu
// CHECK-NEXT: kiln.yield
// CHECK: %[[K1:.*]] = kiln.fused "kiln_conv_forward_k1" (%[[K0]], %[[W2]])
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.conv2d
// CHECK-NEXT: kiln.yield
// CHECK: %[[K2:.*]] = kiln.fused "kiln_conv_forward_k2" (%[[K1]])
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.reduce_max
// CHECK-NEXT: kiln.yield
// CHECK: return %[[K2]]
