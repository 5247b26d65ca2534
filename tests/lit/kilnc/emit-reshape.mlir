// A reshape inside a kernel: static trailing dimensions that both shapes
// share index straight through, so that the innermost stays a plain
// variable (a contiguous vector load) even when a symbolic dimension is
// merged with static ones; other dimensions go through the row-major flat
// index. A static 1 pairs with nothing: [1, seq, 8] <-> [seq, 8] (a prompt
// at batch 1) maps seq to seq, with no division by it. Symbolic dimensions
// pair only with the same symbol: [1, batch, seq] -> [seq, batch] goes
// through the flat index.
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
  func.func @unit(%x: tensor<1x?x8xf32> {kiln.name = "x", kiln.symbols = ["", "seq", ""]}) -> (tensor<1x?x8xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %r = "kiln.reshape"(%x) : (tensor<1x?x8xf32>) -> tensor<?x8xf32>
    %t = "kiln.tanh"(%r) : (tensor<?x8xf32>) -> tensor<?x8xf32>
    %b = "kiln.reshape"(%t) : (tensor<?x8xf32>) -> tensor<1x?x8xf32>
    func.return %b : tensor<1x?x8xf32>
  }
  func.func @swap(%x: tensor<1x?x?xf32> {kiln.name = "x", kiln.symbols = ["", "batch", "seq"]}) -> (tensor<?x?xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %r = "kiln.reshape"(%x) {input_symbols = ["", "batch", "seq"], result_symbols = ["seq", "batch"]} : (tensor<1x?x?xf32>) -> tensor<?x?xf32>
    %t = "kiln.tanh"(%r) : (tensor<?x?xf32>) -> tensor<?x?xf32>
    func.return %t : tensor<?x?xf32>
  }
}

// CHECK-LABEL: // kiln_rs_merge_k0:
// CHECK: v1(d0, d1) = v0(d0, ((0 + d1 * 1) / 1) % 3, ((0 + d1 * 1) / (1 * 3)) % sym_batch);
// CHECK-LABEL: // kiln_rs_regroup_k0:
// CHECK: v1(d0, d1) = v0((((0 + d0 * 1) + d1 * (1 * 8)) / 1) % 6, (((0 + d0 * 1) + d1 * (1 * 8)) / (1 * 6)) % 4, (((0 + d0 * 1) + d1 * (1 * 8)) / ((1 * 6) * 4)) % sym_batch);
// CHECK-LABEL: // kiln_rs_unit_k0:
// CHECK-NOT: sym_seq
// CHECK: v0(d0, d1) = in0((d0), d1, 0);
// CHECK: v2(d0, d1, d2) = v1((d0), d1);
// CHECK-LABEL: // kiln_rs_swap_k0:
// CHECK: v0(d0, d1) = in0((((0 + d0 * 1) + d1 * (1 * sym_batch)) / 1) % sym_seq, (((0 + d0 * 1) + d1 * (1 * sym_batch)) / (1 * sym_seq)) % sym_batch, (((0 + d0 * 1) + d1 * (1 * sym_batch)) / ((1 * sym_seq) * sym_batch)) % 1);
