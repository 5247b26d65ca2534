// kilnc --data-parallel splits each train entry point at its gradients:
// F_gradients returns F's results then grad:<param> per gradient and
// updates nothing; F_update takes the gradients and applies F's optimizer,
// whose state keeps F's names (kiln.optimizer_of), shared with F itself.
// Numbers: tests/runtime/data_parallel.cmake (2 processes vs one).
// RUN: kiln-opt %s -kiln-autodiff -kiln-data-parallel -kiln-optimizer | FileCheck %s
// RUN: not kiln-opt %s -kiln-autodiff -kiln-data-parallel -kiln-data-parallel 2>&1 | FileCheck %s --check-prefix=TWICE

// The state is declared once, for F.
// CHECK-COUNT-1: kiln.parameter @w.exp_avg :
// CHECK-COUNT-1: kiln.parameter @train_step.lr :
// CHECK-COUNT-1: kiln.parameter @train_step.weight_decay :
// CHECK-COUNT-1: kiln.parameter @train_step.clip_grad_norm :

// CHECK-LABEL: func.func @train_step_update
// CHECK-SAME: (%[[G:.*]]: tensor<2xf32> {kiln.name = "grad:w"})
// CHECK-SAME: kiln.entry = #kiln<entry update>
// CHECK-SAME: kiln.optimizer_of = "train_step"
// CHECK-NOT: kiln.gradient
// CHECK: kiln.param_ref @train_step.lr
// CHECK: kiln.param_ref @train_step.weight_decay
// CHECK: kiln.param_ref @train_step.clip_grad_norm
// CHECK: kiln.param_assign @w.exp_avg
// CHECK: kiln.param_assign @w,
// CHECK: return{{$}}

// CHECK-LABEL: func.func @train_step_gradients
// CHECK-SAME: -> (tensor<f32> {kiln.name = "loss"}, tensor<2xf32> {kiln.name = "grad:w"})
// CHECK-SAME: kiln.entry = #kiln<entry gradients>
// CHECK-NOT: kiln.param_assign
// CHECK-NOT: kiln.gradient
// CHECK: return

// CHECK-LABEL: func.func @train_step(
// CHECK: kiln.param_assign @w.exp_avg
// CHECK: kiln.param_assign @w,

// TWICE: error: --data-parallel adds the entry point 'train_step_gradients', but the model already has one
module attributes {kiln.model = "m"} {
  "kiln.parameter"() {sym_name = "w", type = tensor<2xf32>, init = #kiln<init zeros>, init_args = array<f64>} : () -> ()
  func.func @train_step(%x: tensor<?x2xf32> {kiln.name = "x", kiln.symbols = ["batch", ""]}) -> (tensor<f32> {kiln.name = "loss"}) attributes {kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "adam", lr = 0.01 : f64, weight_decay = 0.1 : f64, clip_grad_norm = 1.0 : f64}} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<2xf32>
    %y = "kiln.mul"(%x, %w) : (tensor<?x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
    %r = "kiln.reduce_sum"(%y) {axis = 1 : i64} : (tensor<?x2xf32>) -> tensor<?xf32>
    %s = "kiln.reduce_mean"(%r) {axis = 0 : i64} : (tensor<?xf32>) -> tensor<f32>
    func.return %s : tensor<f32>
  }
}
