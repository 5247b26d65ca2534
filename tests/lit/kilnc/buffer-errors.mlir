// A buffer written in place by kiln.write_slice: reading its value from
// before the write afterwards is an error (it would see the new data), and
// only buffer parameters can be written so.
// RUN: split-file %s %t
// RUN: not kilnc %t/stale.mlir --emit=plan 2>&1 | FileCheck %s --check-prefix=STALE
// RUN: not kilnc %t/param.mlir --emit=plan 2>&1 | FileCheck %s --check-prefix=PARAM

// STALE: stale.mlir:{{[0-9]+}}:{{[0-9]+}}: error: reads buffer 'cache' as it was before a kiln.write_slice that overwrites it in place
// PARAM: param.mlir:{{[0-9]+}}:{{[0-9]+}}: error: writes a value that is not a buffer parameter (role = #kiln<role buffer>)

//--- stale.mlir
module attributes {kiln.model = "m"} {
  "kiln.parameter"() {sym_name = "cache", type = tensor<4x3xf32>, init = #kiln<init zeros>, init_args = array<f64>, role = #kiln<role buffer>} : () -> ()
  func.func @f(%v: tensor<1x3xf32> {kiln.symbols = ["", ""]}, %p: tensor<i32> {kiln.symbols = []}) -> (tensor<4x3xf32>, tensor<4x3xf32>) attributes {kiln.entry = #kiln<entry infer>} {
    %c = "kiln.param_ref"() {name = @cache} : () -> tensor<4x3xf32>
    %w = "kiln.write_slice"(%c, %v, %p) {axis = 0 : i64} : (tensor<4x3xf32>, tensor<1x3xf32>, tensor<i32>) -> tensor<4x3xf32>
    %old = "kiln.mul"(%c, %c) : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    "kiln.param_assign"(%w) {name = @cache} : (tensor<4x3xf32>) -> ()
    func.return %w, %old : tensor<4x3xf32>, tensor<4x3xf32>
  }
}

//--- param.mlir
module attributes {kiln.model = "m"} {
  "kiln.parameter"() {sym_name = "w", type = tensor<4x3xf32>, init = #kiln<init zeros>, init_args = array<f64>} : () -> ()
  func.func @f(%v: tensor<1x3xf32> {kiln.symbols = ["", ""]}, %p: tensor<i32> {kiln.symbols = []}) -> tensor<4x3xf32> attributes {kiln.entry = #kiln<entry infer>} {
    %c = "kiln.param_ref"() {name = @w} : () -> tensor<4x3xf32>
    %w = "kiln.write_slice"(%c, %v, %p) {axis = 0 : i64} : (tensor<4x3xf32>, tensor<1x3xf32>, tensor<i32>) -> tensor<4x3xf32>
    func.return %w : tensor<4x3xf32>
  }
}
