// kiln-dedupe-kernels: @b computes what @a does (a different location, the
// same ops and attributes), so its kernel takes @a's name; @c transposes
// its weight and @d reads an input of another symbol, so theirs keep their
// own. The Halide emitter then writes one generator for the shared name.
// RUN: kiln-opt %s -kiln-fuse -kiln-dedupe-kernels | FileCheck %s
// RUN: kilnc %s --emit=kernels | FileCheck %s --check-prefix=GEN

// CHECK-LABEL: func.func @a
// CHECK: kiln.fused "kiln_m_a_k0"
// CHECK-LABEL: func.func @b
// CHECK: kiln.fused "kiln_m_a_k0"
// CHECK-LABEL: func.func @c
// CHECK: kiln.fused "kiln_m_c_k0"
// CHECK-LABEL: func.func @d
// CHECK: kiln.fused "kiln_m_d_k0"

// GEN-COUNT-1: HALIDE_REGISTER_GENERATOR(Kernel_kiln_m_a_k0, kiln_m_a_k0)
// GEN-NOT: kiln_m_b_k0)
// GEN: HALIDE_REGISTER_GENERATOR(Kernel_kiln_m_c_k0, kiln_m_c_k0)
// GEN: HALIDE_REGISTER_GENERATOR(Kernel_kiln_m_d_k0, kiln_m_d_k0)

module attributes {kiln.model = "m"} {
  "kiln.parameter"() {sym_name = "w", type = tensor<4x4xf32>, init = #kiln<init ones>, init_args = array<f64>} : () -> ()
  func.func @a(%x: tensor<?x4xf32> {kiln.name = "x", kiln.symbols = ["batch", ""]}) -> (tensor<?x4xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<4x4xf32>
    %m = "kiln.matmul"(%x, %w) : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("a.cpp":1:1)
    %r = "kiln.relu"(%m) : (tensor<?x4xf32>) -> tensor<?x4xf32>
    func.return %r : tensor<?x4xf32>
  }
  func.func @b(%x: tensor<?x4xf32> {kiln.name = "x", kiln.symbols = ["batch", ""]}) -> (tensor<?x4xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<4x4xf32>
    %m = "kiln.matmul"(%x, %w) : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32> loc("b.cpp":2:2)
    %r = "kiln.relu"(%m) : (tensor<?x4xf32>) -> tensor<?x4xf32>
    func.return %r : tensor<?x4xf32>
  }
  func.func @c(%x: tensor<?x4xf32> {kiln.name = "x", kiln.symbols = ["batch", ""]}) -> (tensor<?x4xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<4x4xf32>
    %m = "kiln.matmul"(%x, %w) {transpose_b = true} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
    %r = "kiln.relu"(%m) : (tensor<?x4xf32>) -> tensor<?x4xf32>
    func.return %r : tensor<?x4xf32>
  }
  func.func @d(%x: tensor<?x4xf32> {kiln.name = "x", kiln.symbols = ["rows", ""]}) -> (tensor<?x4xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<4x4xf32>
    %m = "kiln.matmul"(%x, %w) : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
    %r = "kiln.relu"(%m) : (tensor<?x4xf32>) -> tensor<?x4xf32>
    func.return %r : tensor<?x4xf32>
  }
}
