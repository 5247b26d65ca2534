// A train entry point with `params` prefixes updates only those parameters.
// RUN: kiln-opt %s -kiln-autodiff | FileCheck %s

// CHECK-LABEL: func.func @g_step
// CHECK: kiln.gradient @g.w
// CHECK-NOT: kiln.gradient @d.w
module {
  "kiln.parameter"() {sym_name = "g.w", type = tensor<2xf32>, init = #kiln<init zeros>, init_args = array<f64>} : () -> ()
  "kiln.parameter"() {sym_name = "d.w", type = tensor<2xf32>, init = #kiln<init zeros>, init_args = array<f64>} : () -> ()
  func.func @g_step() -> tensor<f32> attributes {kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "sgd", lr = 1.0 : f64, params = ["g."]}} {
    %g = "kiln.param_ref"() {name = @"g.w"} : () -> tensor<2xf32>
    %d = "kiln.param_ref"() {name = @"d.w"} : () -> tensor<2xf32>
    %p = "kiln.mul"(%g, %d) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %s = "kiln.reduce_sum"(%p) {axis = 0 : i64} : (tensor<2xf32>) -> tensor<f32>
    func.return %s : tensor<f32>
  }
}
