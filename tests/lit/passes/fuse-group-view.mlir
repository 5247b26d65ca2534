// A reshape that merges dimensions into a row op's or a reduction's
// operand (GroupNorm's [N, C, H, W] -> [N, G, C / G * H * W]) is a view,
// in no kernel: the product dy * weight is written contiguously, and the
// row op and the reduction read their groups contiguously. A merge that
// is a view already is not read through by its consumer's kernel either
// (GroupNorm's scale and shift after the group view). A merge out of a
// pointwise kernel into other users stays in that kernel (a nearest
// upsampling's merge, written out as six dimensions, would be slower).
// Reshapes that divide no vectorized index join kernels as before: a
// bias's [8] -> [1, 8, 1, 1] (only unit dimensions added) and a merge of
// outer dimensions ([B, 4, 8] -> [4 B, 8]).
// RUN: kiln-opt %s -kiln-fuse | FileCheck %s

module attributes {kiln.model = "gv"} {
  "kiln.parameter"() {sym_name = "w", type = tensor<1x8x1x1xf32>, init = #kiln<init ones>, init_args = array<f64>} : () -> ()
  "kiln.parameter"() {sym_name = "b", type = tensor<8xf32>, init = #kiln<init zeros>, init_args = array<f64>} : () -> ()

  func.func @grad(%x: tensor<?x8x2x2xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %dy: tensor<?x8x2x2xf32> {kiln.name = "dy", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x2x16xf32> {kiln.name = "dx"}, tensor<?x2xf32> {kiln.name = "s"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<1x8x1x1xf32>
    %g = "kiln.mul"(%dy, %w) : (tensor<?x8x2x2xf32>, tensor<1x8x1x1xf32>) -> tensor<?x8x2x2xf32>
    %gv = "kiln.reshape"(%g) : (tensor<?x8x2x2xf32>) -> tensor<?x2x16xf32>
    %xv = "kiln.reshape"(%x) : (tensor<?x8x2x2xf32>) -> tensor<?x2x16xf32>
    %dx = "kiln.normalize_grad"(%xv, %gv) {eps = 1.0e-5 : f64} : (tensor<?x2x16xf32>, tensor<?x2x16xf32>) -> tensor<?x2x16xf32>
    %t = "kiln.tanh"(%dy) : (tensor<?x8x2x2xf32>) -> tensor<?x8x2x2xf32>
    %tv = "kiln.reshape"(%t) : (tensor<?x8x2x2xf32>) -> tensor<?x2x16xf32>
    %s = "kiln.reduce_sum"(%tv) {axis = 2 : i64} : (tensor<?x2x16xf32>) -> tensor<?x2xf32>
    func.return %dx, %s : tensor<?x2x16xf32>, tensor<?x2xf32>
  }

  func.func @back(%x: tensor<?x2x16xf32> {kiln.name = "x", kiln.symbols = ["batch", "", ""]}) -> (tensor<?x8x2x2xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<1x8x1x1xf32>
    %n = "kiln.normalize"(%x) {eps = 1.0e-5 : f64} : (tensor<?x2x16xf32>) -> tensor<?x2x16xf32>
    %r = "kiln.reshape"(%n) : (tensor<?x2x16xf32>) -> tensor<?x8x2x2xf32>
    %y = "kiln.mul"(%r, %w) : (tensor<?x8x2x2xf32>, tensor<1x8x1x1xf32>) -> tensor<?x8x2x2xf32>
    func.return %y : tensor<?x8x2x2xf32>
  }

  func.func @bias(%x: tensor<?x8x2x2xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x2xf32> {kiln.name = "s"}) attributes {kiln.entry = #kiln<entry infer>} {
    %b = "kiln.param_ref"() {name = @b} : () -> tensor<8xf32>
    %rb = "kiln.reshape"(%b) : (tensor<8xf32>) -> tensor<1x8x1x1xf32>
    %y = "kiln.add"(%x, %rb) : (tensor<?x8x2x2xf32>, tensor<1x8x1x1xf32>) -> tensor<?x8x2x2xf32>
    %v = "kiln.reshape"(%y) : (tensor<?x8x2x2xf32>) -> tensor<?x2x16xf32>
    %s = "kiln.reduce_sum"(%v) {axis = 2 : i64} : (tensor<?x2x16xf32>) -> tensor<?x2xf32>
    func.return %s : tensor<?x2xf32>
  }

  func.func @rows(%x: tensor<?x4x8xf32> {kiln.name = "x", kiln.symbols = ["batch", "", ""]}) -> (tensor<?xf32> {kiln.name = "s"}) attributes {kiln.entry = #kiln<entry infer>} {
    %t = "kiln.tanh"(%x) : (tensor<?x4x8xf32>) -> tensor<?x4x8xf32>
    %r = "kiln.reshape"(%t) {input_symbols = ["batch", "", ""], result_symbols = ["4*batch", ""]} : (tensor<?x4x8xf32>) -> tensor<?x8xf32>
    %s = "kiln.reduce_sum"(%r) {axis = 1 : i64} : (tensor<?x8xf32>) -> tensor<?xf32>
    func.return %s : tensor<?xf32>
  }

  func.func @flat(%x: tensor<?x8x2x2xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x32xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %t = "kiln.tanh"(%x) : (tensor<?x8x2x2xf32>) -> tensor<?x8x2x2xf32>
    %r = "kiln.reshape"(%t) : (tensor<?x8x2x2xf32>) -> tensor<?x32xf32>
    %e = "kiln.exp"(%r) : (tensor<?x32xf32>) -> tensor<?x32xf32>
    func.return %e : tensor<?x32xf32>
  }
}

// CHECK-LABEL: func.func @grad
// CHECK: kiln.fused "kiln_gv_grad_k0"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.mul
// CHECK-NEXT: kiln.yield
// CHECK: kiln.reshape
// CHECK: kiln.reshape
// CHECK: kiln.fused "kiln_gv_grad_k1"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.normalize_grad
// CHECK-NEXT: kiln.yield
// CHECK: kiln.fused "kiln_gv_grad_k2"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.tanh
// CHECK-NEXT: kiln.yield
// CHECK: kiln.reshape
// CHECK: kiln.fused "kiln_gv_grad_k3"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.reduce_sum
// CHECK-NEXT: kiln.yield

// CHECK-LABEL: func.func @back
// CHECK: kiln.fused "kiln_gv_back_k0"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.normalize
// CHECK-NEXT: kiln.yield
// CHECK: kiln.reshape
// CHECK: kiln.fused "kiln_gv_back_k1"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.mul
// CHECK-NEXT: kiln.yield

// CHECK-LABEL: func.func @bias
// CHECK: kiln.fused "kiln_gv_bias_k0"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.reshape
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.yield
// CHECK: kiln.reshape
// CHECK: kiln.fused "kiln_gv_bias_k1"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.reduce_sum
// CHECK-NEXT: kiln.yield

// CHECK-LABEL: func.func @rows
// CHECK: kiln.fused "kiln_gv_rows_k0"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.tanh
// CHECK-NEXT: kiln.reshape
// CHECK-NEXT: kiln.reduce_sum
// CHECK-NEXT: kiln.yield
// CHECK-NOT: kiln.fused

// CHECK-LABEL: func.func @flat
// CHECK: kiln.fused "kiln_gv_flat_k0"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.tanh
// CHECK-NEXT: kiln.reshape
// CHECK-NEXT: kiln.exp
// CHECK-NEXT: kiln.yield
// CHECK-NOT: kiln.fused
