// Chains of reductions of one kind (a BatchNorm mean over N, H, W; a bias
// gradient that drops the batch axis and keeps the others) become one
// kernel, which the emitter writes as one multi-axis reduce(); a link that
// is used elsewhere too ends its chain; a different kind starts a new one.
// RUN: kiln-opt %s -kiln-fuse | FileCheck %s --check-prefix=FUSE
// RUN: kilnc %s --emit=kernels | FileCheck %s --check-prefix=EMIT

module attributes {kiln.model = "red"} {
  func.func @stats(%x: tensor<?x3x5x7xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<1x3x1x1xf32> {kiln.name = "mean"}, tensor<3x1x1xf32> {kiln.name = "sum"}, tensor<?x3x5x1xf32> {kiln.name = "rows"}, tensor<?x3x1x1xf32> {kiln.name = "planes"}, tensor<?xf32> {kiln.name = "max"}) attributes {kiln.entry = #kiln<entry infer>} {
    %m1 = "kiln.reduce_mean"(%x) {axis = 3 : i64, keepdim = true} : (tensor<?x3x5x7xf32>) -> tensor<?x3x5x1xf32>
    %m2 = "kiln.reduce_mean"(%m1) {axis = 2 : i64, keepdim = true} : (tensor<?x3x5x1xf32>) -> tensor<?x3x1x1xf32>
    %m3 = "kiln.reduce_mean"(%m2) {axis = 0 : i64, keepdim = true} : (tensor<?x3x1x1xf32>) -> tensor<1x3x1x1xf32>
    %s1 = "kiln.reduce_sum"(%x) {axis = 0 : i64} : (tensor<?x3x5x7xf32>) -> tensor<3x5x7xf32>
    %s2 = "kiln.reduce_sum"(%s1) {axis = 1 : i64, keepdim = true} : (tensor<3x5x7xf32>) -> tensor<3x1x7xf32>
    %s3 = "kiln.reduce_sum"(%s2) {axis = 2 : i64, keepdim = true} : (tensor<3x1x7xf32>) -> tensor<3x1x1xf32>
    %t1 = "kiln.reduce_sum"(%x) {axis = 3 : i64, keepdim = true} : (tensor<?x3x5x7xf32>) -> tensor<?x3x5x1xf32>
    %t2 = "kiln.reduce_sum"(%t1) {axis = 2 : i64, keepdim = true} : (tensor<?x3x5x1xf32>) -> tensor<?x3x1x1xf32>
    %u1 = "kiln.reduce_sum"(%x) {axis = 1 : i64} : (tensor<?x3x5x7xf32>) -> tensor<?x5x7xf32>
    %u2 = "kiln.reduce_max"(%u1) {axis = 2 : i64} : (tensor<?x5x7xf32>) -> tensor<?x5xf32>
    %u3 = "kiln.reduce_max"(%u2) {axis = 1 : i64} : (tensor<?x5xf32>) -> tensor<?xf32>
    func.return %m3, %s3, %t1, %t2, %u3 : tensor<1x3x1x1xf32>, tensor<3x1x1xf32>, tensor<?x3x5x1xf32>, tensor<?x3x1x1xf32>, tensor<?xf32>
  }
}

// FUSE-LABEL: func.func @stats
// FUSE: kiln.fused "kiln_red_stats_k0" (%arg0)
// FUSE-NEXT: ^bb0(
// FUSE-NEXT: kiln.reduce_mean %{{.*}} {axis = 3 : i64, keepdim = true}
// FUSE-NEXT: kiln.reduce_mean %{{.*}} {axis = 2 : i64, keepdim = true}
// FUSE-NEXT: kiln.reduce_mean %{{.*}} {axis = 0 : i64, keepdim = true}
// FUSE-NEXT: kiln.yield
// FUSE: kiln.fused "kiln_red_stats_k1" (%arg0)
// FUSE-NEXT: ^bb0(
// FUSE-NEXT: kiln.reduce_sum %{{.*}} {axis = 0 : i64}
// FUSE-NEXT: kiln.reduce_sum %{{.*}} {axis = 1 : i64, keepdim = true}
// FUSE-NEXT: kiln.reduce_sum %{{.*}} {axis = 2 : i64, keepdim = true}
// FUSE-NEXT: kiln.yield
// %t1 is a result as well as %t2's input: two kernels.
// FUSE: %[[T1:.*]] = kiln.fused "kiln_red_stats_k2" (%arg0)
// FUSE: kiln.fused "kiln_red_stats_k3" (%[[T1]])
// The sum and the maxima are kernels of their own; the maxima chain.
// FUSE: %[[U1:.*]] = kiln.fused "kiln_red_stats_k4" (%arg0)
// FUSE: kiln.fused "kiln_red_stats_k5" (%[[U1]])
// FUSE-NEXT: ^bb0(
// FUSE-NEXT: kiln.reduce_max
// FUSE-NEXT: kiln.reduce_max
// FUSE-NEXT: kiln.yield

// Halide dimensions: W = 0, H = 1, C = 2, N = 3.
// EMIT-LABEL: // kiln_red_stats_k0: reduce_mean
// EMIT: red0 = kiln::halide::reduce(kiln::halide::ReduceOp::Mean, in0, {7, 5, 3, sym_batch}, {0, 1, 3}, true);
// EMIT: v0(d0, d1, d2, d3) = red0.result(d0, d1, d2, d3);
// Drops N, keeps H and W: all kept, the kept reduced ones read at 0.
// EMIT-LABEL: // kiln_red_stats_k1: reduce_sum
// EMIT: red0 = kiln::halide::reduce(kiln::halide::ReduceOp::Sum, in0, {7, 5, 3, sym_batch}, {0, 1, 3}, true);
// EMIT: v0(d0, d1, d2) = red0.result(0, 0, d2, 0);
// EMIT-LABEL: // kiln_red_stats_k5: reduce_max
// EMIT: red0 = kiln::halide::reduce(kiln::halide::ReduceOp::Max, in0, {7, 5, sym_batch}, {0, 1}, false);
// EMIT: v0(d0) = red0.result(d0);
