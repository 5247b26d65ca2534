// Autodiff of the convolutions (execution tests:
// tests/compiler/gradcheck_test.cpp). conv2d's input gradient is a
// conv_transpose2d of dy with the same weight; here (8 + 2 - 3) % 2 = 1 and
// (6 + 2 - 3) % 2 = 1 rows and columns of the padded input lie past the
// last whole stride, so it carries output_padding [1, 1] to give back the
// input's 8 x 6. The weight gradient is conv2d_weight_grad. reduce_max's
// gradient goes to the elements equal to the maximum, shared among ties.
// RUN: kiln-opt %inputs/small_conv.mlir -kiln-autodiff -canonicalize -cse | FileCheck %s

// CHECK-LABEL: func.func @train_step
// CHECK: %[[X:.*]] = kiln.conv2d %arg0, %{{.*}} {padding = array<i64: 1, 1>, stride = array<i64: 2, 2>}
// CHECK: %[[H:.*]] = kiln.relu
// CHECK: %[[C2:.*]] = kiln.conv2d %[[H]], %[[W2:[^ ]*]] {padding = array<i64: 1, 1>, stride = array<i64: 1, 1>}
// CHECK: %[[M:.*]] = kiln.reduce_max %[[C2]] {axis = 1 : i64}
// reduce_max: mask = 1 - step(max - x), divided by the number of ties.
// CHECK: %[[MB:.*]] = kiln.broadcast_to %{{.*}}, %[[C2]]
// CHECK: %[[D:.*]] = kiln.sub %[[MB]], %[[C2]]
// CHECK: %[[S:.*]] = kiln.step %[[D]]
// CHECK: %[[MASK:.*]] = kiln.sub %{{.*}}, %[[S]]
// CHECK: %[[CNT:.*]] = kiln.reduce_sum %[[MASK]] {axis = 1 : i64, keepdim = true}
// CHECK: %[[SHARE:.*]] = kiln.div %{{.*}}, %[[CNT]]
// CHECK: %[[G:.*]] = kiln.mul %[[MASK]], %[[SHARE]]
// Second conv2d (stride 1, padding 1, nothing left over): no output_padding.
// CHECK: %[[DH:.*]] = kiln.conv_transpose2d %[[G]], %[[W2]] {padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<?x6x4x3xf32>, tensor<6x4x3x3xf32>) -> tensor<?x4x4x3xf32>
// CHECK: %[[GW2:.*]] = kiln.conv2d_weight_grad %[[H]], %[[G]] {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<?x4x4x3xf32>, tensor<?x6x4x3xf32>) -> tensor<6x4x3x3xf32>
// CHECK: %[[GA:.*]] = kiln.mul %[[DH]], %{{.*}}
// The bias [4, 1, 1] sums dy over the batch and the spatial dimensions.
// CHECK: kiln.reduce_sum %[[GA]] {axis = 0 : i64}
// The first conv2d's input is an argument: its conv_transpose2d (with
// output_padding [1, 1]) is dead and removed; only the weight gradient stays.
// CHECK-NOT: kiln.conv_transpose2d
// CHECK: %[[GW1:.*]] = kiln.conv2d_weight_grad %arg0, %[[GA]] {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x1x8x6xf32>, tensor<?x4x4x3xf32>) -> tensor<4x1x3x3xf32>
// CHECK: kiln.gradient @c1.weight, %[[GW1]]
// CHECK: kiln.gradient @c2.weight, %[[GW2]]

// RUN: kiln-opt %inputs/small_conv.mlir -kiln-autodiff | FileCheck %s --check-prefix=RAW
// RAW-LABEL: func.func @train_step
// RAW: kiln.conv_transpose2d %{{.*}} {output_padding = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x4x4x3xf32>, tensor<4x1x3x3xf32>) -> tensor<?x1x8x6xf32>
