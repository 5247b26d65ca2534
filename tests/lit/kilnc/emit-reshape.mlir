// A reshape inside a kernel: static trailing dimensions that both shapes
// share index straight through, so that the innermost stays a plain
// variable (a contiguous vector load) even when a symbolic dimension is
// merged with static ones; other dimensions go through the row-major flat
// index.
// RUN: kilnc %s --emit=kernels | FileCheck %s

module attributes {kiln.model = "rs"} {
  func.func @merge(%x: tensor<?x3x8xf32> {kiln.name = "x", kiln.symbols = ["batch", "", ""]}) -> (tensor<?x8xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %t = "kiln.tanh"(%x) : (tensor<?x3x8xf32>) -> tensor<?x3x8xf32>
    %r = "kiln.reshape"(%t) {input_symbols = ["batch", "", ""], result_symbols = ["3*batch", ""]} : (tensor<?x3x8xf32>) -> tensor<?x8xf32>
    func.return %r : tensor<?x8xf32>
  }
  func.func @regroup(%x: tensor<?x4x6xf32> {kiln.name = "x", kiln.symbols = ["batch", "", ""]}) -> (tensor<?x8xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %t = "kiln.tanh"(%x) : (tensor<?x4x6xf32>) -> tensor<?x4x6xf32>
    %r = "kiln.reshape"(%t) {input_symbols = ["batch", "", ""], result_symbols = ["3*batch", ""]} : (tensor<?x4x6xf32>) -> tensor<?x8xf32>
    func.return %r : tensor<?x8xf32>
  }
}

// CHECK-LABEL: // kiln_rs_merge_k0:
// CHECK: v1(d0, d1) = v0(d0, ((0 + d1 * 1) / 1) % 3, ((0 + d1 * 1) / (1 * 3)) % sym_batch);
// CHECK-LABEL: // kiln_rs_regroup_k0:
// CHECK: v1(d0, d1) = v0((((0 + d0 * 1) + d1 * (1 * 8)) / 1) % 6, (((0 + d0 * 1) + d1 * (1 * 8)) / (1 * 6)) % 4, (((0 + d0 * 1) + d1 * (1 * 8)) / ((1 * 6) * 4)) % sym_batch);
