// ema = d keeps a moving average of each updated parameter: a zero state
// tensor PARAM.ema, set to the new weights at the first call (the decay is
// d * step(t - 1.5): 0 at t = 1) and d ema + (1 - d) w after; SGD gets the
// step counter for it. Numbers: tests/e2e/optimizer_test.cpp.
// RUN: kiln-opt %s -kiln-autodiff -kiln-optimizer | FileCheck %s

// CHECK: kiln.parameter @w.ema : tensor<2xf32> init zeros [] {role = #kiln<role state>}
// CHECK: kiln.parameter @sgd.step : tensor<f32> init zeros [] {role = #kiln<role state>}
// CHECK-LABEL: func.func @sgd
// CHECK: kiln.param_assign @sgd.step
// CHECK: kiln.step
// CHECK: kiln.param_assign @w, %[[NEW:[^ ]*]]
// CHECK: %[[EMA:.*]] = kiln.param_ref @w.ema
// CHECK: kiln.param_assign @w.ema
module attributes {kiln.model = "m"} {
  "kiln.parameter"() {sym_name = "w", type = tensor<2xf32>, init = #kiln<init zeros>, init_args = array<f64>} : () -> ()
  func.func @sgd() -> tensor<f32> attributes {kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "sgd", lr = 0.1 : f64, ema = 0.9 : f64}} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<2xf32>
    %s = "kiln.reduce_sum"(%w) {axis = 0 : i64} : (tensor<2xf32>) -> tensor<f32>
    func.return %s : tensor<f32>
  }
}
