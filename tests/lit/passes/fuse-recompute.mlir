// Memory traffic rules of kiln-fuse:
//  - a cheap pointwise op on stored values (x - mean, with x an argument
//    and mean a reduction) is recomputed in each consumer instead of being
//    written once and read back: the variance's reduction takes it as its
//    prologue and the normalisation recomputes it;
//  - shape-only operands (broadcast_to's like, dim_size's input) move to a
//    stored value of the same shape, so they keep nothing else alive;
//  - a consumer joins every producer group that only feeds it, but an
//    expensive per-channel group (sqrt) stays its own small kernel instead
//    of being recomputed per element (@expensive);
//  - an anchor's epilogue takes cheap groups that only feed it, such as a
//    ReLU mask (@mask).
// RUN: kiln-opt %s -kiln-fuse | FileCheck %s

module attributes {kiln.model = "t"} {
  func.func @bn(%x: tensor<?x3x5x7xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %w: tensor<1x3x1x1xf32> {kiln.name = "w", kiln.symbols = ["", "", "", ""]}) -> (tensor<?x3x5x7xf32> {kiln.name = "y"}, tensor<f32> {kiln.name = "n"}, tensor<?x3x5x7xf32> {kiln.name = "g"}) attributes {kiln.entry = #kiln<entry infer>} {
    %m1 = "kiln.reduce_mean"(%x) {axis = 3 : i64, keepdim = true} : (tensor<?x3x5x7xf32>) -> tensor<?x3x5x1xf32>
    %m2 = "kiln.reduce_mean"(%m1) {axis = 2 : i64, keepdim = true} : (tensor<?x3x5x1xf32>) -> tensor<?x3x1x1xf32>
    %m3 = "kiln.reduce_mean"(%m2) {axis = 0 : i64, keepdim = true} : (tensor<?x3x1x1xf32>) -> tensor<1x3x1x1xf32>
    %c = "kiln.sub"(%x, %m3) : (tensor<?x3x5x7xf32>, tensor<1x3x1x1xf32>) -> tensor<?x3x5x7xf32>
    %sq = "kiln.mul"(%c, %c) : (tensor<?x3x5x7xf32>, tensor<?x3x5x7xf32>) -> tensor<?x3x5x7xf32>
    %v1 = "kiln.reduce_mean"(%sq) {axis = 3 : i64, keepdim = true} : (tensor<?x3x5x7xf32>) -> tensor<?x3x5x1xf32>
    %v2 = "kiln.reduce_mean"(%v1) {axis = 2 : i64, keepdim = true} : (tensor<?x3x5x1xf32>) -> tensor<?x3x1x1xf32>
    %v3 = "kiln.reduce_mean"(%v2) {axis = 0 : i64, keepdim = true} : (tensor<?x3x1x1xf32>) -> tensor<1x3x1x1xf32>
    %sd = "kiln.sqrt"(%v3) : (tensor<1x3x1x1xf32>) -> tensor<1x3x1x1xf32>
    %s = "kiln.mul"(%w, %sd) : (tensor<1x3x1x1xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x1x1xf32>
    %y = "kiln.mul"(%c, %s) : (tensor<?x3x5x7xf32>, tensor<1x3x1x1xf32>) -> tensor<?x3x5x7xf32>
    // A gradient's shape operands, taken from the squares.
    %n = "kiln.dim_size"(%sq) {axis = 0 : i64} : (tensor<?x3x5x7xf32>) -> tensor<f32>
    %w2 = "kiln.add"(%w, %w) : (tensor<1x3x1x1xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x1x1xf32>
    %g = "kiln.broadcast_to"(%w2, %sq) : (tensor<1x3x1x1xf32>, tensor<?x3x5x7xf32>) -> tensor<?x3x5x7xf32>
    func.return %y, %n, %g : tensor<?x3x5x7xf32>, tensor<f32>, tensor<?x3x5x7xf32>
  }
  func.func @mask(%x: tensor<?x2x6x6xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %w: tensor<3x2x3x3xf32> {kiln.name = "w", kiln.symbols = ["", "", "", ""]}, %h: tensor<?x3x4x4xf32> {kiln.name = "h", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x3x4x4xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %c = "kiln.conv2d"(%x, %w) {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>} : (tensor<?x2x6x6xf32>, tensor<3x2x3x3xf32>) -> tensor<?x3x4x4xf32>
    %m = "kiln.step"(%h) : (tensor<?x3x4x4xf32>) -> tensor<?x3x4x4xf32>
    %y = "kiln.mul"(%m, %c) : (tensor<?x3x4x4xf32>, tensor<?x3x4x4xf32>) -> tensor<?x3x4x4xf32>
    func.return %y : tensor<?x3x4x4xf32>
  }
  func.func @expensive(%x: tensor<?x3x5x7xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %w: tensor<1x3x1x1xf32> {kiln.name = "w", kiln.symbols = ["", "", "", ""]}) -> (tensor<?x3x5x7xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %r = "kiln.sqrt"(%w) : (tensor<1x3x1x1xf32>) -> tensor<1x3x1x1xf32>
    %y = "kiln.mul"(%x, %r) : (tensor<?x3x5x7xf32>, tensor<1x3x1x1xf32>) -> tensor<?x3x5x7xf32>
    func.return %y : tensor<?x3x5x7xf32>
  }
}

// CHECK-LABEL: func.func @bn
// CHECK: %[[MEAN:.*]] = kiln.fused "kiln_t_bn_k0" (%arg0)
// The squares are never stored: the variance kernel recomputes x - mean
// (and takes the per-channel scale as its epilogue).
// CHECK: %[[SCALE:.*]] = kiln.fused "kiln_t_bn_k1" (%arg0, %[[MEAN]], %arg1) : {{.*}} -> tensor<1x3x1x1xf32>
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.sub
// CHECK-NEXT: kiln.mul
// CHECK-NEXT: kiln.reduce_mean
// CHECK-NEXT: kiln.reduce_mean
// CHECK-NEXT: kiln.reduce_mean
// CHECK-NEXT: kiln.sqrt
// CHECK-NEXT: kiln.mul
// CHECK-NEXT: kiln.yield
// The normalisation recomputes x - mean too.
// CHECK: kiln.fused "kiln_t_bn_k2" (%arg0, %[[MEAN]], %[[SCALE]]) : {{.*}} -> tensor<?x3x5x7xf32>
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.sub
// CHECK-NEXT: kiln.mul
// CHECK-NEXT: kiln.yield
// Shapes come from x; the cheap per-channel add joins the broadcast.
// CHECK: kiln.fused "kiln_t_bn_k3" (%arg0)
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.dim_size
// CHECK: kiln.fused "kiln_t_bn_k4" (%arg1, %arg0)
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.broadcast_to
// CHECK-NEXT: kiln.yield
// CHECK-NOT: kiln.fused

// The mask is computed in the convolution's epilogue, not stored.
// CHECK-LABEL: func.func @mask
// CHECK: kiln.fused "kiln_t_mask_k0" (%arg0, %arg1, %arg2)
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.conv2d
// CHECK-NEXT: kiln.step
// CHECK-NEXT: kiln.mul
// CHECK-NEXT: kiln.yield
// CHECK-NOT: kiln.fused "kiln_t_mask_k1"

// A per-channel sqrt is not recomputed per element.
// CHECK-LABEL: func.func @expensive
// CHECK: %[[R:.*]] = kiln.fused "kiln_t_expensive_k0" (%arg1)
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.sqrt
// CHECK-NEXT: kiln.yield
// CHECK: kiln.fused "kiln_t_expensive_k1" (%arg0, %[[R]])
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.mul
// CHECK-NEXT: kiln.yield
