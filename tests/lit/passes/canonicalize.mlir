// The kiln dialect's canonicalizations, which gradients rely on so that a
// reduction chain is not kept alive only for its shapes: static dim_size
// folds to a constant; dim_size looks through reductions that kept the axis
// and through broadcasts; broadcast_to of broadcast_to folds; a scalar
// division moves before the broadcast it follows; a sum or mean of a
// negation negates the reduction; binary ops of constants fold; a permute
// that only moves dimensions of size 1 is a reshape; a reshape between two
// shapes of one type folds unless it reorders its symbols.
// RUN: kiln-opt %s -canonicalize | FileCheck %s

// CHECK-LABEL: func.func @dim_sizes
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x5xf32>, %[[L:.*]]: tensor<?x4xf32>)
func.func @dim_sizes(%x: tensor<?x3x5xf32>, %l: tensor<?x4xf32>) -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) {
  // CHECK-DAG: %[[FIVE:.*]] = kiln.constant dense<5.000000e+00> : tensor<f32>
  %static = "kiln.dim_size"(%x) {axis = 2 : i64} : (tensor<?x3x5xf32>) -> tensor<f32>
  // Kept axis 0 of a keepdim reduction over axis 2: read off %x.
  // CHECK-DAG: %[[N:.*]] = kiln.dim_size %[[X]] {axis = 0 : i64}
  %r = "kiln.reduce_sum"(%x) {axis = 2 : i64, keepdim = true} : (tensor<?x3x5xf32>) -> tensor<?x3x1xf32>
  %n = "kiln.dim_size"(%r) {axis = 0 : i64} : (tensor<?x3x1xf32>) -> tensor<f32>
  // Without keepdim, axis 0 of the result is axis 1 of the input: static 3.
  // CHECK-DAG: %[[THREE:.*]] = kiln.constant dense<3.000000e+00> : tensor<f32>
  %d = "kiln.reduce_sum"(%x) {axis = 0 : i64} : (tensor<?x3x5xf32>) -> tensor<3x5xf32>
  %three = "kiln.dim_size"(%d) {axis = 0 : i64} : (tensor<3x5xf32>) -> tensor<f32>
  // The reduced axis itself (size 1) stays a constant 1, not the input's.
  // CHECK-DAG: %[[ONE:.*]] = kiln.constant dense<1.000000e+00> : tensor<f32>
  %one = "kiln.dim_size"(%r) {axis = 2 : i64} : (tensor<?x3x1xf32>) -> tensor<f32>
  // Through a broadcast: the size is the like operand's.
  // CHECK-DAG: %[[NL:.*]] = kiln.dim_size %[[L]] {axis = 0 : i64}
  %s = "kiln.reduce_sum"(%l) {axis = 1 : i64, keepdim = true} : (tensor<?x4xf32>) -> tensor<?x1xf32>
  %b = "kiln.broadcast_to"(%s, %l) : (tensor<?x1xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %nb = "kiln.dim_size"(%b) {axis = 0 : i64} : (tensor<?x4xf32>) -> tensor<f32>
  // CHECK: return %[[FIVE]], %[[N]], %[[THREE]], %[[ONE]], %[[NL]]
  func.return %static, %n, %three, %one, %nb : tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>
}

// The gradient of a mean over two axes, as autodiff writes it: broadcast,
// divide, broadcast, divide. It becomes two divisions on the small tensor
// and one broadcast straight to %x: %r is no longer used.
// CHECK-LABEL: func.func @mean_gradient
// CHECK-SAME: (%[[G:.*]]: tensor<1x3x1xf32>, %[[X:.*]]: tensor<?x3x5xf32>, %[[A:.*]]: tensor<f32>, %[[B:.*]]: tensor<f32>)
func.func @mean_gradient(%g: tensor<1x3x1xf32>, %x: tensor<?x3x5xf32>, %a: tensor<f32>, %b: tensor<f32>) -> tensor<?x3x5xf32> {
  %r = "kiln.reduce_mean"(%x) {axis = 2 : i64, keepdim = true} : (tensor<?x3x5xf32>) -> tensor<?x3x1xf32>
  %g1 = "kiln.broadcast_to"(%g, %r) : (tensor<1x3x1xf32>, tensor<?x3x1xf32>) -> tensor<?x3x1xf32>
  %q1 = "kiln.div"(%g1, %a) : (tensor<?x3x1xf32>, tensor<f32>) -> tensor<?x3x1xf32>
  %g2 = "kiln.broadcast_to"(%q1, %x) : (tensor<?x3x1xf32>, tensor<?x3x5xf32>) -> tensor<?x3x5xf32>
  %q2 = "kiln.div"(%g2, %b) : (tensor<?x3x5xf32>, tensor<f32>) -> tensor<?x3x5xf32>
  // CHECK-NOT: kiln.reduce_mean
  // CHECK: %[[D1:.*]] = kiln.div %[[G]], %[[A]] : (tensor<1x3x1xf32>, tensor<f32>) -> tensor<1x3x1xf32>
  // CHECK: %[[D2:.*]] = kiln.div %[[D1]], %[[B]] : (tensor<1x3x1xf32>, tensor<f32>) -> tensor<1x3x1xf32>
  // CHECK: %[[R:.*]] = kiln.broadcast_to %[[D2]], %[[X]] : (tensor<1x3x1xf32>, tensor<?x3x5xf32>) -> tensor<?x3x5xf32>
  // CHECK: return %[[R]]
  func.return %q2 : tensor<?x3x5xf32>
}

// A sum or mean of a negation negates the reduction instead (the
// full-size negation is gone); a negation with another user stays.
// CHECK-LABEL: func.func @negate_after_reduction
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>)
func.func @negate_after_reduction(%x: tensor<?x8xf32>) -> (tensor<?xf32>, tensor<1x8xf32>, tensor<?x1xf32>, tensor<?x8xf32>) {
  // CHECK-DAG: %[[S:.*]] = kiln.reduce_sum %[[X]] {axis = 1 : i64}
  // CHECK-DAG: %[[NS:.*]] = kiln.neg %[[S]] : tensor<?xf32>
  %n = "kiln.neg"(%x) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %s = "kiln.reduce_sum"(%n) {axis = 1 : i64} : (tensor<?x8xf32>) -> tensor<?xf32>
  // CHECK-DAG: %[[M:.*]] = kiln.reduce_mean %[[X]] {axis = 0 : i64, keepdim = true}
  // CHECK-DAG: %[[NM:.*]] = kiln.neg %[[M]] : tensor<1x8xf32>
  %n2 = "kiln.neg"(%x) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %m = "kiln.reduce_mean"(%n2) {axis = 0 : i64, keepdim = true} : (tensor<?x8xf32>) -> tensor<1x8xf32>
  // CHECK-DAG: %[[KEPT:.*]] = kiln.neg %[[X]] : tensor<?x8xf32>
  // CHECK-DAG: %[[R:.*]] = kiln.reduce_sum %[[KEPT]] {axis = 1 : i64, keepdim = true}
  %n3 = "kiln.neg"(%x) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %r = "kiln.reduce_sum"(%n3) {axis = 1 : i64, keepdim = true} : (tensor<?x8xf32>) -> tensor<?x1xf32>
  // CHECK: return %[[NS]], %[[NM]], %[[R]], %[[KEPT]]
  func.return %s, %m, %r, %n3 : tensor<?xf32>, tensor<1x8xf32>, tensor<?x1xf32>, tensor<?x8xf32>
}

// Binary ops of two constants fold to a constant, rounded once to f32 (the
// kernel's own result); x * 1 and x / 1 fold to x, but not where the
// other operand would broadcast, and 1 / x stays.
// CHECK-LABEL: func.func @fold_constants
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
func.func @fold_constants(%x: tensor<3xf32>) -> (tensor<f32>, tensor<f32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2x3xf32>) {
  // CHECK-DAG: %[[THIRD:.*]] = kiln.constant dense<0.333333343> : tensor<f32>
  // CHECK-DAG: %[[MAX:.*]] = kiln.constant dense<3.000000e+00> : tensor<f32>
  %one = "kiln.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
  %three = "kiln.constant"() {value = dense<3.0> : tensor<f32>} : () -> tensor<f32>
  %ones = "kiln.constant"() {value = dense<1.0> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
  %q = "kiln.div"(%one, %three) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %m = "kiln.max"(%one, %three) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %a = "kiln.mul"(%x, %one) : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %b = "kiln.mul"(%one, %x) : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  %c = "kiln.div"(%x, %one) : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  // CHECK-DAG: %[[INV:.*]] = kiln.div %{{.*}}, %[[X]]
  %d = "kiln.div"(%one, %x) : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  // CHECK-DAG: %[[WIDE:.*]] = kiln.mul %[[X]], %{{.*}} : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %e = "kiln.mul"(%x, %ones) : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: return %[[THIRD]], %[[MAX]], %[[X]], %[[X]], %[[X]], %[[INV]], %[[WIDE]]
  func.return %q, %m, %a, %b, %c, %d, %e : tensor<f32>, tensor<f32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2x3xf32>
}

// A permute that keeps the order of its dimensions not of size 1 is a
// reshape (and a reshape of a reshape one reshape); one that reorders them,
// or swaps two symbolic dimensions (either may be 1 or not), stays.
// CHECK-LABEL: func.func @permute_of_unit_dims
// CHECK-SAME: (%[[H:.*]]: tensor<1x1x128xf32>, %[[B:.*]]: tensor<?x4x1x32xf32>, %[[Y:.*]]: tensor<1x4x8x32xf32>, %[[S:.*]]: tensor<?x?xf32>)
func.func @permute_of_unit_dims(%h: tensor<1x1x128xf32>, %b: tensor<?x4x1x32xf32>, %y: tensor<1x4x8x32xf32>, %s: tensor<?x?xf32>) -> (tensor<1x4x1x32xf32>, tensor<?x1x4x32xf32>, tensor<1x8x4x32xf32>, tensor<?x?xf32>) {
  // CHECK-DAG: %[[HEADS:.*]] = kiln.reshape %[[H]] : (tensor<1x1x128xf32>) -> tensor<1x4x1x32xf32>
  %split = "kiln.reshape"(%h) : (tensor<1x1x128xf32>) -> tensor<1x1x4x32xf32>
  %heads = "kiln.permute"(%split) {permutation = array<i64: 0, 2, 1, 3>} : (tensor<1x1x4x32xf32>) -> tensor<1x4x1x32xf32>
  // CHECK-DAG: %[[MERGED:.*]] = kiln.reshape %[[B]] : (tensor<?x4x1x32xf32>) -> tensor<?x1x4x32xf32>
  %merged = "kiln.permute"(%b) {permutation = array<i64: 0, 2, 1, 3>} : (tensor<?x4x1x32xf32>) -> tensor<?x1x4x32xf32>
  // CHECK-DAG: %[[MOVED:.*]] = kiln.permute %[[Y]] {permutation = array<i64: 0, 2, 1, 3>}
  %moved = "kiln.permute"(%y) {permutation = array<i64: 0, 2, 1, 3>} : (tensor<1x4x8x32xf32>) -> tensor<1x8x4x32xf32>
  // CHECK-DAG: %[[SWAPPED:.*]] = kiln.permute %[[S]] {permutation = array<i64: 1, 0>}
  %swapped = "kiln.permute"(%s) {permutation = array<i64: 1, 0>} : (tensor<?x?xf32>) -> tensor<?x?xf32>
  // CHECK: return %[[HEADS]], %[[MERGED]], %[[MOVED]], %[[SWAPPED]]
  func.return %heads, %merged, %moved, %swapped : tensor<1x4x1x32xf32>, tensor<?x1x4x32xf32>, tensor<1x8x4x32xf32>, tensor<?x?xf32>
}

// A reshape between two shapes of one type folds away, unless it names
// its symbols in another order: then it moves elements.
// CHECK-LABEL: func.func @same_type_reshapes
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x4xf32>)
func.func @same_type_reshapes(%x: tensor<?x?x4xf32>) -> (tensor<?x?x4xf32>, tensor<?x?x4xf32>) {
  %same = "kiln.reshape"(%x) {input_symbols = ["batch", "seq", ""], result_symbols = ["batch", "seq", ""]} : (tensor<?x?x4xf32>) -> tensor<?x?x4xf32>
  // CHECK: %[[SWAP:.*]] = kiln.reshape %[[X]] {input_symbols = ["batch", "seq", ""], result_symbols = ["seq", "batch", ""]}
  %swap = "kiln.reshape"(%x) {input_symbols = ["batch", "seq", ""], result_symbols = ["seq", "batch", ""]} : (tensor<?x?x4xf32>) -> tensor<?x?x4xf32>
  // CHECK: return %[[X]], %[[SWAP]]
  func.return %same, %swap : tensor<?x?x4xf32>, tensor<?x?x4xf32>
}
