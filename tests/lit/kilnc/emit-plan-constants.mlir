// A constant that an entry point returns, or assigns to a parameter, is
// computed by no kernel (the gradient of c * p, once folded, or a buffer
// reset): the plan writes its value where the kernels' data lives
// (Session::fill_values), after the kernels for an assignment.
// RUN: kilnc %s --emit=plan | FileCheck %s

// CHECK-LABEL: void run_f(
// CHECK: check_kernel(kiln_c_f_k0(
// CHECK: s.fill_values(s.param_storage(0), float(0x0p+0));
// CHECK: s.fill_values(*out[1], float(0x1p+1));
module attributes {kiln.model = "c"} {
  "kiln.parameter"() {sym_name = "cache", type = tensor<4xf32>, init = #kiln<init zeros>, init_args = array<f64>, role = #kiln<role buffer>} : () -> ()
  func.func @f(%x: tensor<?x3xf32> {kiln.name = "x", kiln.symbols = ["batch", ""]}) -> (tensor<?x3xf32> {kiln.name = "y"}, tensor<f32> {kiln.name = "k"}) attributes {kiln.entry = #kiln<entry infer>} {
    %c = "kiln.constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32>
    %zero = "kiln.constant"() {value = dense<0.0> : tensor<4xf32>} : () -> tensor<4xf32>
    %y = "kiln.mul"(%x, %c) : (tensor<?x3xf32>, tensor<f32>) -> tensor<?x3xf32>
    "kiln.param_assign"(%zero) {name = @cache} : (tensor<4xf32>) -> ()
    func.return %y, %c : tensor<?x3xf32>, tensor<f32>
  }
}
