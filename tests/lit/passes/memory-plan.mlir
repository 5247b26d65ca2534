// Memory plan: batch-sized buffers share region 0; a dead buffer's space is
// reused (k2's [batch, 1] result reuses k0's space, which dies at k1); the
// returned result gets no arena space.
// RUN: kiln-opt %inputs/small_mlp.mlir -kiln-fuse -kiln-memory-plan | FileCheck %s

// CHECK: kiln.arena = [{bytes = 256 : i64, region = 0 : i64, symbols = "batch"}]
// CHECK: kiln.fused "kiln_mlp_forward_k0"
// CHECK: } attributes {arena = array<i64: 0>, offset = array<i64: 0>}
// CHECK: kiln.fused "kiln_mlp_forward_k1"
// CHECK: } attributes {arena = array<i64: 0>, offset = array<i64: 128>}
// CHECK: kiln.fused "kiln_mlp_forward_k2"
// CHECK: } attributes {arena = array<i64: 0>, offset = array<i64: 0>}
// CHECK: kiln.fused "kiln_mlp_forward_k3"
// CHECK: } attributes {arena = array<i64: -1>, offset = array<i64: 0>}
