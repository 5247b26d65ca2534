// A reshape that only splits dimensions is an index remap even where a
// static 1 sits beside a symbolic dimension ([1, seq, 4] -> [1, seq, 2,
// 2], a prompt's heads at batch 1): the attention reads q, k and v through
// the slices, reshapes and permutes in place, in one kernel. (With the 1s
// counted, the input's 1 consumed no output dimension, the symbolic one
// then met the output's 1, and each head took a copy kernel of its own.)
// RUN: kiln-opt %s -kiln-fuse | FileCheck %s

module attributes {kiln.model = "ud"} {
  func.func @prefill(%x: tensor<1x?x12xf32> {kiln.name = "x", kiln.symbols = ["", "seq", ""]}) -> (tensor<1x2x?x2xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %q = "kiln.slice"(%x) {axis = 2 : i64, start = 0 : i64, size = 4 : i64} : (tensor<1x?x12xf32>) -> tensor<1x?x4xf32>
    %k = "kiln.slice"(%x) {axis = 2 : i64, start = 4 : i64, size = 4 : i64} : (tensor<1x?x12xf32>) -> tensor<1x?x4xf32>
    %v = "kiln.slice"(%x) {axis = 2 : i64, start = 8 : i64, size = 4 : i64} : (tensor<1x?x12xf32>) -> tensor<1x?x4xf32>
    %qh = "kiln.reshape"(%q) : (tensor<1x?x4xf32>) -> tensor<1x?x2x2xf32>
    %kh = "kiln.reshape"(%k) : (tensor<1x?x4xf32>) -> tensor<1x?x2x2xf32>
    %vh = "kiln.reshape"(%v) : (tensor<1x?x4xf32>) -> tensor<1x?x2x2xf32>
    %qp = "kiln.permute"(%qh) {permutation = array<i64: 0, 2, 1, 3>} : (tensor<1x?x2x2xf32>) -> tensor<1x2x?x2xf32>
    %kp = "kiln.permute"(%kh) {permutation = array<i64: 0, 2, 1, 3>} : (tensor<1x?x2x2xf32>) -> tensor<1x2x?x2xf32>
    %vp = "kiln.permute"(%vh) {permutation = array<i64: 0, 2, 1, 3>} : (tensor<1x?x2x2xf32>) -> tensor<1x2x?x2xf32>
    %o = "kiln.attention"(%qp, %kp, %vp) {scale = 0.5 : f64, causal = true} : (tensor<1x2x?x2xf32>, tensor<1x2x?x2xf32>, tensor<1x2x?x2xf32>) -> tensor<1x2x?x2xf32>
    func.return %o : tensor<1x2x?x2xf32>
  }
}

// CHECK-LABEL: func.func @prefill
// CHECK: kiln.fused "kiln_ud_prefill_k0"
// CHECK-NOT: kiln.fused
// CHECK-COUNT-3: kiln.permute
// CHECK-NOT: kiln.fused
// CHECK: kiln.attention
// CHECK-NEXT: kiln.yield
// CHECK-NOT: kiln.fused
