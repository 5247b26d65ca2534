// A leaky ReLU, max(x, 0.2 x), over a convolution's output joins the
// convolution's kernel as its epilogue, 0.2 x included: x is not stored.
// RUN: kiln-opt %s -kiln-fuse | FileCheck %s

// CHECK-LABEL: func.func @conv_leaky
// CHECK: kiln.fused "kiln_m_conv_leaky_k0"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.constant
// CHECK-NEXT: kiln.conv2d
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.mul
// CHECK-NEXT: kiln.max
// CHECK-NEXT: kiln.yield
// CHECK-NOT: kiln.fused
module attributes {kiln.model = "m"} {
  "kiln.parameter"() {sym_name = "w", type = tensor<16x1x4x4xf32>, init = #kiln<init ones>, init_args = array<f64>} : () -> ()
  "kiln.parameter"() {sym_name = "b", type = tensor<16x1x1xf32>, init = #kiln<init zeros>, init_args = array<f64>} : () -> ()
  func.func @conv_leaky(%x: tensor<?x1x8x8xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x16x4x4xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<16x1x4x4xf32>
    %b = "kiln.param_ref"() {name = @b} : () -> tensor<16x1x1xf32>
    %c = "kiln.constant"() {value = dense<2.000000e-01> : tensor<f32>} : () -> tensor<f32>
    %0 = "kiln.conv2d"(%x, %w) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x1x8x8xf32>, tensor<16x1x4x4xf32>) -> tensor<?x16x4x4xf32>
    %1 = "kiln.add"(%0, %b) : (tensor<?x16x4x4xf32>, tensor<16x1x1xf32>) -> tensor<?x16x4x4xf32>
    %2 = "kiln.mul"(%c, %1) : (tensor<f32>, tensor<?x16x4x4xf32>) -> tensor<?x16x4x4xf32>
    %3 = "kiln.max"(%1, %2) : (tensor<?x16x4x4xf32>, tensor<?x16x4x4xf32>) -> tensor<?x16x4x4xf32>
    func.return %3 : tensor<?x16x4x4xf32>
  }
}
