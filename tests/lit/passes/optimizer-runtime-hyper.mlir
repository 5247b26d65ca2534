// A weight decay and a clip_grad_norm the model gives are read at run time
// from buffers beside ENTRY.lr, initialised to the model's values (kiln
// train --weight-decay / --clip-grad-norm set them); the decay skips the
// `no_decay` parameters; an entry point that gives neither reads neither.
// Numbers: tests/e2e/optimizer_test.cpp.
// RUN: kiln-opt %s -kiln-autodiff -kiln-optimizer | FileCheck %s

// CHECK: kiln.parameter @sgd.lr : tensor<f32> init constant [1.000000e-01] {role = #kiln<role buffer>}
// CHECK-NEXT: kiln.parameter @sgd.weight_decay : tensor<f32> init constant [2.500000e-01] {role = #kiln<role buffer>}
// CHECK-NEXT: kiln.parameter @sgd.clip_grad_norm : tensor<f32> init constant [5.000000e-01] {role = #kiln<role buffer>}
// CHECK-NEXT: kiln.parameter @plain.lr
// CHECK-NOT: @plain.weight_decay
// CHECK-NOT: @plain.clip_grad_norm
// CHECK-LABEL: func.func @sgd
// CHECK-DAG: %[[WD:.*]] = kiln.param_ref @sgd.weight_decay
// CHECK-DAG: %[[CLIP:.*]] = kiln.param_ref @sgd.clip_grad_norm
// CHECK: kiln.div %[[CLIP]],
// CHECK: kiln.mul %[[WD]], %{{.*}} :
// CHECK: kiln.param_assign @w,
// CHECK-NOT: kiln.mul %[[WD]]
// CHECK: kiln.param_assign @b,
// CHECK-LABEL: func.func @plain
// CHECK-NOT: weight_decay
// CHECK-NOT: clip_grad_norm
// CHECK: return
module attributes {kiln.model = "m"} {
  "kiln.parameter"() {sym_name = "w", type = tensor<2xf32>, init = #kiln<init zeros>, init_args = array<f64>} : () -> ()
  "kiln.parameter"() {sym_name = "b", type = tensor<2xf32>, init = #kiln<init zeros>, init_args = array<f64>} : () -> ()
  func.func @sgd() -> tensor<f32> attributes {kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "sgd", lr = 0.1 : f64, weight_decay = 0.25 : f64, clip_grad_norm = 0.5 : f64, no_decay = ["b"]}} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<2xf32>
    %b = "kiln.param_ref"() {name = @b} : () -> tensor<2xf32>
    %p = "kiln.mul"(%w, %b) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %s = "kiln.reduce_sum"(%p) {axis = 0 : i64} : (tensor<2xf32>) -> tensor<f32>
    func.return %s : tensor<f32>
  }
  func.func @plain() -> tensor<f32> attributes {kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "sgd", lr = 0.1 : f64}} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<2xf32>
    %s = "kiln.reduce_sum"(%w) {axis = 0 : i64} : (tensor<2xf32>) -> tensor<f32>
    func.return %s : tensor<f32>
  }
}
