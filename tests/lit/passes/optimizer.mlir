// The optimizer pass: Adam state becomes zero-initialised "state"
// parameters, the step counter advances, and each update ends in
// kiln.param_assign. Numbers: tests/e2e (optimizer against PyTorch's formulas).
// RUN: kiln-opt %inputs/small_train.mlir -kiln-autodiff -kiln-optimizer | FileCheck %s
// RUN: kiln-opt %s -kiln-autodiff -kiln-optimizer -split-input-file -verify-diagnostics

// CHECK: kiln.parameter @l.weight : tensor<3x4xf32>
// CHECK-NEXT: kiln.parameter @l.weight.exp_avg : tensor<3x4xf32> init zeros [] {role = #kiln<role state>}
// CHECK-NEXT: kiln.parameter @l.weight.exp_avg_sq : tensor<3x4xf32> init zeros [] {role = #kiln<role state>}
// CHECK: kiln.parameter @train_step.step : tensor<f32> init zeros [] {role = #kiln<role state>}
// CHECK-LABEL: func.func @train_step
// CHECK-NOT: kiln.gradient
// CHECK: %[[T:.*]] = kiln.param_ref @train_step.step
// CHECK: %[[T1:.*]] = kiln.add %[[T]], %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK: kiln.param_assign @train_step.step, %[[T1]]
// CHECK: kiln.param_assign @l.weight.exp_avg,
// CHECK: kiln.param_assign @l.weight.exp_avg_sq,
// CHECK: kiln.param_assign @l.weight,
// CHECK: kiln.param_assign @l.bias.exp_avg,
// CHECK: kiln.param_assign @l.bias.exp_avg_sq,
// CHECK: kiln.param_assign @l.bias,
// CHECK: return

// -----

module {
  "kiln.parameter"() {sym_name = "w", type = tensor<2xf32>, init = #kiln<init zeros>, init_args = array<f64>} : () -> ()
  // expected-error @+1 {{kiln.optimizer kind must be sgd, adam or adamw}}
  func.func @bad_kind() -> tensor<f32> attributes {kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "lion"}} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<2xf32>
    %s = "kiln.reduce_sum"(%w) {axis = 0 : i64} : (tensor<2xf32>) -> tensor<f32>
    func.return %s : tensor<f32>
  }
}

// -----

module {
  "kiln.parameter"() {sym_name = "w", type = tensor<2xf32>, init = #kiln<init zeros>, init_args = array<f64>} : () -> ()
  // expected-error @+1 {{kiln.optimizer has an out-of-range value}}
  func.func @nan_lr() -> tensor<f32> attributes {kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "adam", lr = 0x7FF8000000000000 : f64}} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<2xf32>
    %s = "kiln.reduce_sum"(%w) {axis = 0 : i64} : (tensor<2xf32>) -> tensor<f32>
    func.return %s : tensor<f32>
  }
}
