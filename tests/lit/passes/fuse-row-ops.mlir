// Row ops. A LayerNorm (kiln.normalize, then its scale and shift) is one
// kernel when nothing else reads the normalised value; in training the
// normalised value is kept for the weight's gradient, and the input's
// gradient is one kernel: kiln.normalize_grad with g = dy * weight computed
// in it, and the residual's gradient added as its epilogue. A normalize of
// a normalize is two kernels (not a chain of reductions). A softmax
// cross-entropy against integer targets is one kernel, and its gradient
// one kernel that takes the mean's gradient in.
// RUN: kiln-opt %s -kiln-autodiff -kiln-optimizer -kiln-fuse | FileCheck %s
// RUN: kilnc %s --emit=kernels | FileCheck %s --check-prefix=EMIT

module attributes {kiln.model = "ln"} {
  "kiln.parameter"() {sym_name = "w", type = tensor<8xf32>, init = #kiln<init ones>, init_args = array<f64>} : () -> ()
  "kiln.parameter"() {sym_name = "b", type = tensor<8xf32>, init = #kiln<init zeros>, init_args = array<f64>} : () -> ()
  "kiln.parameter"() {sym_name = "p", type = tensor<8xf32>, init = #kiln<init zeros>, init_args = array<f64>} : () -> ()

  func.func @infer(%x: tensor<?x8xf32> {kiln.name = "x", kiln.symbols = ["batch", ""]}) -> (tensor<?x8xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<8xf32>
    %b = "kiln.param_ref"() {name = @b} : () -> tensor<8xf32>
    %n = "kiln.normalize"(%x) {eps = 1.0e-5 : f64} : (tensor<?x8xf32>) -> tensor<?x8xf32>
    %s = "kiln.mul"(%n, %w) : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
    %y = "kiln.add"(%s, %b) : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
    func.return %y : tensor<?x8xf32>
  }

  func.func @twice(%x: tensor<?x8xf32> {kiln.name = "x", kiln.symbols = ["batch", ""]}) -> (tensor<?x8xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %n = "kiln.normalize"(%x) {eps = 1.0e-5 : f64} : (tensor<?x8xf32>) -> tensor<?x8xf32>
    %m = "kiln.normalize"(%n) {eps = 1.0e-5 : f64} : (tensor<?x8xf32>) -> tensor<?x8xf32>
    func.return %m : tensor<?x8xf32>
  }

  func.func @ce(%x: tensor<?x8xf32> {kiln.name = "x", kiln.symbols = ["batch", ""]}, %t: tensor<?xi32> {kiln.name = "t", kiln.symbols = ["batch"]}) -> (tensor<f32> {kiln.name = "loss"}) attributes {kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "sgd", lr = 0.1 : f64}} {
    %p = "kiln.param_ref"() {name = @p} : () -> tensor<8xf32>
    %xp = "kiln.add"(%x, %p) : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
    %l = "kiln.cross_entropy"(%xp, %t) : (tensor<?x8xf32>, tensor<?xi32>) -> tensor<?xf32>
    %m = "kiln.reduce_mean"(%l) {axis = 0 : i64} : (tensor<?xf32>) -> tensor<f32>
    func.return %m : tensor<f32>
  }

  func.func @train(%x: tensor<?x8xf32> {kiln.name = "x", kiln.symbols = ["batch", ""]}) -> (tensor<f32> {kiln.name = "loss"}) attributes {kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "sgd", lr = 0.1 : f64}} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<8xf32>
    %b = "kiln.param_ref"() {name = @b} : () -> tensor<8xf32>
    %p = "kiln.param_ref"() {name = @p} : () -> tensor<8xf32>
    %xp = "kiln.add"(%x, %p) : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
    %n = "kiln.normalize"(%xp) {eps = 1.0e-5 : f64} : (tensor<?x8xf32>) -> tensor<?x8xf32>
    %s = "kiln.mul"(%n, %w) : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
    %y = "kiln.add"(%s, %b) : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
    %h = "kiln.tanh"(%y) : (tensor<?x8xf32>) -> tensor<?x8xf32>
    %r = "kiln.add"(%h, %xp) : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
    %q = "kiln.mul"(%r, %r) : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
    %l1 = "kiln.reduce_sum"(%q) {axis = 1 : i64} : (tensor<?x8xf32>) -> tensor<?xf32>
    %l = "kiln.reduce_mean"(%l1) {axis = 0 : i64} : (tensor<?xf32>) -> tensor<f32>
    func.return %l : tensor<f32>
  }
}

// CHECK-LABEL: func.func @infer
// CHECK: kiln.fused "kiln_ln_infer_k0"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.normalize
// CHECK-NEXT: kiln.mul
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.yield
// CHECK-NOT: kiln.fused

// CHECK-LABEL: func.func @twice
// CHECK: kiln.fused "kiln_ln_twice_k0"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.normalize
// CHECK-NEXT: kiln.yield
// CHECK: kiln.fused "kiln_ln_twice_k1"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.normalize
// CHECK-NEXT: kiln.yield

// CHECK-LABEL: func.func @ce
// CHECK: kiln.fused "kiln_ln_ce_k0"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.cross_entropy
// CHECK-NEXT: kiln.yield
// CHECK: kiln.cross_entropy_grad
// CHECK-NEXT: kiln.yield

// The input's gradient: dy * w, normalize_grad, plus the residual's.
// CHECK-LABEL: func.func @train
// CHECK: kiln.fused "kiln_ln_train_k9"
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: %[[G:.*]] = kiln.mul %{{.*}}, %{{.*}} : (tensor<?x8xf32>, tensor<8xf32>)
// CHECK-NEXT: %[[X:.*]] = kiln.add
// CHECK-NEXT: kiln.normalize_grad %[[X]], %[[G]]
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.yield

// EMIT: kiln::halide::normalize(kiln::halide::NormalizationPart::Output, in0, Func(), 2, 8, 1.0000000000000001e-05)
// EMIT: kiln::halide::schedule_normalization(
// EMIT: kiln::halide::cross_entropy(kiln::halide::CrossEntropyPart::Loss,
// EMIT: kiln::halide::schedule_cross_entropy(
// EMIT: kiln::halide::cross_entropy(kiln::halide::CrossEntropyPart::Grad,
// EMIT: kiln::halide::normalize(kiln::halide::NormalizationPart::Grad,
