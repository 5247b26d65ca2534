// The gradients of relu and of a leaky ReLU (max(x, s x), 0 <= s < 1) read
// the activation's result, not its input, so the input need not be kept
// for the backward pass; any other max reads both operands. Values:
// tests/compiler/gradcheck_test.cpp, tests/torch.
// RUN: kiln-opt %s -kiln-autodiff=return-gradients | FileCheck %s

module {
"kiln.parameter"() {sym_name = "w", type = tensor<4xf32>, init = #kiln<init ones>, init_args = array<f64>} : () -> ()

// CHECK-LABEL: func.func @relu
// CHECK: %[[H:.*]] = kiln.mul %arg0, %{{.*}}
// CHECK: %[[Y:.*]] = kiln.relu %[[H]]
// CHECK: kiln.step %[[Y]]
// CHECK-NOT: kiln.step %[[H]]
func.func @relu(%x: tensor<4xf32> {kiln.name = "x"}) -> (tensor<f32> {kiln.name = "loss"}) attributes {kiln.entry = #kiln<entry train>} {
  %w = "kiln.param_ref"() {name = @w} : () -> tensor<4xf32>
  %h = "kiln.mul"(%x, %w) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %y = "kiln.relu"(%h) : (tensor<4xf32>) -> tensor<4xf32>
  %l = "kiln.reduce_sum"(%y) {axis = 0 : i64} : (tensor<4xf32>) -> tensor<f32>
  func.return %l : tensor<f32>
}

// CHECK-LABEL: func.func @leaky
// CHECK: %[[H:.*]] = kiln.mul %arg0, %{{.*}}
// CHECK: %[[S:.*]] = kiln.mul %{{.*}}, %[[H]]
// CHECK: %[[Y:.*]] = kiln.max %[[H]], %[[S]]
// CHECK: kiln.step %[[Y]]
func.func @leaky(%x: tensor<4xf32> {kiln.name = "x"}) -> (tensor<f32> {kiln.name = "loss"}) attributes {kiln.entry = #kiln<entry train>} {
  %w = "kiln.param_ref"() {name = @w} : () -> tensor<4xf32>
  %c = "kiln.constant"() {value = dense<2.000000e-01> : tensor<f32>} : () -> tensor<f32>
  %h = "kiln.mul"(%x, %w) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %s = "kiln.mul"(%c, %h) : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %y = "kiln.max"(%h, %s) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %l = "kiln.reduce_sum"(%y) {axis = 0 : i64} : (tensor<4xf32>) -> tensor<f32>
  func.return %l : tensor<f32>
}

// A slope of 1.5 is not a leaky ReLU of this form (max picks 1.5 x for
// x > 0): the difference of the operands decides.
// CHECK-LABEL: func.func @steep
// CHECK: %[[H:.*]] = kiln.mul %arg0, %{{.*}}
// CHECK: %[[S:.*]] = kiln.mul %{{.*}}, %[[H]]
// CHECK: %[[Y:.*]] = kiln.max %[[H]], %[[S]]
// CHECK: %[[D:.*]] = kiln.sub %[[H]], %[[S]]
// CHECK: kiln.step %[[D]]
func.func @steep(%x: tensor<4xf32> {kiln.name = "x"}) -> (tensor<f32> {kiln.name = "loss"}) attributes {kiln.entry = #kiln<entry train>} {
  %w = "kiln.param_ref"() {name = @w} : () -> tensor<4xf32>
  %c = "kiln.constant"() {value = dense<1.500000e+00> : tensor<f32>} : () -> tensor<f32>
  %h = "kiln.mul"(%x, %w) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %s = "kiln.mul"(%c, %h) : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %y = "kiln.max"(%h, %s) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %l = "kiln.reduce_sum"(%y) {axis = 0 : i64} : (tensor<4xf32>) -> tensor<f32>
  func.return %l : tensor<f32>
}
}
