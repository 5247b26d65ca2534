// A pointwise kernel whose innermost axis is made of pieces read from
// different tensors (a concatenation, or pads added: the gradient of
// chunks) tells schedule_pointwise the pieces' length: the greatest common
// divisor of the boundaries. Along another axis it does not.
// RUN: kilnc %s --emit=kernels | FileCheck %s

module attributes {kiln.model = "seg"} {
  func.func @join(%a: tensor<?x32xf32> {kiln.name = "a", kiln.symbols = ["batch", ""]}, %b: tensor<?x16xf32> {kiln.name = "b", kiln.symbols = ["batch", ""]}, %c: tensor<?x16xf32> {kiln.name = "c", kiln.symbols = ["batch", ""]}) -> (tensor<?x64xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %y = "kiln.concat"(%a, %b, %c) {axis = 1 : i64} : (tensor<?x32xf32>, tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<?x64xf32>
    func.return %y : tensor<?x64xf32>
  }
  func.func @pads(%a: tensor<?x16xf32> {kiln.name = "a", kiln.symbols = ["batch", ""]}, %b: tensor<?x32xf32> {kiln.name = "b", kiln.symbols = ["batch", ""]}) -> (tensor<?x48xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %pa = kiln.pad %a {axis = 1 : i64, before = 0 : i64, after = 32 : i64} : (tensor<?x16xf32>) -> tensor<?x48xf32>
    %pb = kiln.pad %b {axis = 1 : i64, before = 16 : i64, after = 0 : i64} : (tensor<?x32xf32>) -> tensor<?x48xf32>
    %y = "kiln.add"(%pa, %pb) : (tensor<?x48xf32>, tensor<?x48xf32>) -> tensor<?x48xf32>
    func.return %y : tensor<?x48xf32>
  }
  func.func @rows(%a: tensor<2x16xf32> {kiln.name = "a"}, %b: tensor<6x16xf32> {kiln.name = "b"}) -> (tensor<8x16xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %y = "kiln.concat"(%a, %b) {axis = 0 : i64} : (tensor<2x16xf32>, tensor<6x16xf32>) -> tensor<8x16xf32>
    func.return %y : tensor<8x16xf32>
  }
}

// CHECK-LABEL: // kiln_seg_join_k0: concat
// CHECK: kiln::halide::schedule_pointwise(out0, {d0, d1}, get_target(), 16);
// CHECK-LABEL: // kiln_seg_pads_k0: pad
// CHECK: kiln::halide::schedule_pointwise(out0, {d0, d1}, get_target(), 16);
// CHECK-LABEL: // kiln_seg_rows_k0: concat
// CHECK: kiln::halide::schedule_pointwise(out0, {d0, d1}, get_target());
