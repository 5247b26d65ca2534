// The convolution ops, reduce_max and random_uniform (docs/ir.md,
// "Convolutions, pooling and dropout"): the generic form the DSL writes
// parses, prints in the pretty form, and that parses back the same.
// RUN: kiln-opt %s | FileCheck %s
// RUN: kiln-opt %s | kiln-opt | FileCheck %s

module attributes {kiln.model = "conv"} {
  "kiln.parameter"() {sym_name = "w", type = tensor<64x1x4x4xf32>, init = #kiln<init normal>, init_args = array<f64: 0.0, 0.02>} : () -> ()
  "kiln.parameter"() {sym_name = "wt", type = tensor<64x1x4x4xf32>, init = #kiln<init normal>, init_args = array<f64: 0.0, 0.02>} : () -> ()
  // CHECK-LABEL: func.func @f(
  func.func @f(%x: tensor<?x1x28x28xf32> {kiln.symbols = ["batch", "", "", ""]}) -> tensor<?x1x28x28xf32> attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<64x1x4x4xf32>
    %wt = "kiln.param_ref"() {name = @wt} : () -> tensor<64x1x4x4xf32>
    // CHECK: %[[Y:.*]] = kiln.conv2d %arg0, %{{.*}} {padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x1x28x28xf32>, tensor<64x1x4x4xf32>) -> tensor<?x64x14x14xf32>
    %y = "kiln.conv2d"(%x, %w) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x1x28x28xf32>, tensor<64x1x4x4xf32>) -> tensor<?x64x14x14xf32>
    // output_padding is elided at its default, [0, 0].
    // CHECK: kiln.conv_transpose2d %[[Y]], %{{.*}} {padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x64x14x14xf32>, tensor<64x1x4x4xf32>) -> tensor<?x1x28x28xf32>
    %t = "kiln.conv_transpose2d"(%y, %wt) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x64x14x14xf32>, tensor<64x1x4x4xf32>) -> tensor<?x1x28x28xf32>
    // CHECK: kiln.conv_transpose2d %[[Y]], %{{.*}} {output_padding = array<i64: 1, 0>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x64x14x14xf32>, tensor<64x1x4x4xf32>) -> tensor<?x1x29x28xf32>
    %t2 = "kiln.conv_transpose2d"(%y, %wt) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, output_padding = array<i64: 1, 0>} : (tensor<?x64x14x14xf32>, tensor<64x1x4x4xf32>) -> tensor<?x1x29x28xf32>
    // CHECK: kiln.conv2d_weight_grad %arg0, %[[Y]] {kernel_size = array<i64: 4, 4>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x1x28x28xf32>, tensor<?x64x14x14xf32>) -> tensor<64x1x4x4xf32>
    %g = "kiln.conv2d_weight_grad"(%x, %y) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, kernel_size = array<i64: 4, 4>} : (tensor<?x1x28x28xf32>, tensor<?x64x14x14xf32>) -> tensor<64x1x4x4xf32>
    // CHECK: kiln.reduce_max %[[Y]] {axis = 1 : i64, keepdim = true} : (tensor<?x64x14x14xf32>) -> tensor<?x1x14x14xf32>
    %m = "kiln.reduce_max"(%y) {axis = 1 : i64, keepdim = true} : (tensor<?x64x14x14xf32>) -> tensor<?x1x14x14xf32>
    // CHECK: kiln.random_uniform %{{.*}} {stream = 3 : i64} : tensor<?x1x28x28xf32>
    %u = "kiln.random_uniform"(%t) {stream = 3 : i64} : (tensor<?x1x28x28xf32>) -> tensor<?x1x28x28xf32>
    func.return %u : tensor<?x1x28x28xf32>
  }
}
