// The generic form the DSL writes parses, prints in the pretty form, and the
// pretty form parses back to the same thing.
// RUN: kiln-opt %s | FileCheck %s
// RUN: kiln-opt %s | kiln-opt | FileCheck %s

// CHECK-LABEL: module attributes {kiln.model = "rt"}
module attributes {kiln.model = "rt"} {
  // CHECK: kiln.parameter @w : tensor<8x4xf32> init uniform [-5.000000e-01, 5.000000e-01]
  "kiln.parameter"() {sym_name = "w", type = tensor<8x4xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.5, 0.5>} : () -> ()
  // CHECK: kiln.parameter @b : tensor<8xf32> init zeros []
  "kiln.parameter"() {sym_name = "b", type = tensor<8xf32>, init = #kiln<init zeros>, init_args = array<f64>} : () -> ()
  // CHECK-LABEL: func.func @f(
  // CHECK-SAME: tensor<?x4xf32> {kiln.symbols = ["batch", ""]}
  func.func @f(%x: tensor<?x4xf32> {kiln.symbols = ["batch", ""]}) -> tensor<?x4xf32> attributes {kiln.entry = #kiln<entry infer>} {
    // CHECK: %[[W:.*]] = kiln.param_ref @w : tensor<8x4xf32>
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<8x4xf32>
    %b = "kiln.param_ref"() {name = @b} : () -> tensor<8xf32>
    // CHECK: kiln.matmul %{{.*}}, %[[W]] {transpose_b = true} : (tensor<?x4xf32>, tensor<8x4xf32>) -> tensor<?x8xf32>
    %h = "kiln.matmul"(%x, %w) {transpose_a = false, transpose_b = true} : (tensor<?x4xf32>, tensor<8x4xf32>) -> tensor<?x8xf32>
    // CHECK: kiln.add %{{.*}}, %{{.*}} : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
    %a = "kiln.add"(%h, %b) : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
    // CHECK: kiln.constant dense<5.000000e-01> : tensor<f32>
    %c = "kiln.constant"() {value = dense<5.000000e-01> : tensor<f32>} : () -> tensor<f32>
    // CHECK: kiln.mul
    %m = "kiln.mul"(%a, %c) : (tensor<?x8xf32>, tensor<f32>) -> tensor<?x8xf32>
    // CHECK: kiln.sub
    %s = "kiln.sub"(%m, %a) : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
    // CHECK: kiln.div
    %d = "kiln.div"(%s, %c) : (tensor<?x8xf32>, tensor<f32>) -> tensor<?x8xf32>
    // CHECK: kiln.max
    %mx = "kiln.max"(%d, %c) : (tensor<?x8xf32>, tensor<f32>) -> tensor<?x8xf32>
    // CHECK: kiln.min
    %mn = "kiln.min"(%mx, %c) : (tensor<?x8xf32>, tensor<f32>) -> tensor<?x8xf32>
    // CHECK: kiln.neg %{{.*}} : tensor<?x8xf32>
    %u0 = "kiln.neg"(%mn) : (tensor<?x8xf32>) -> tensor<?x8xf32>
    // CHECK: kiln.relu
    %u1 = "kiln.relu"(%u0) : (tensor<?x8xf32>) -> tensor<?x8xf32>
    // CHECK: kiln.sigmoid
    %u2 = "kiln.sigmoid"(%u1) : (tensor<?x8xf32>) -> tensor<?x8xf32>
    // CHECK: kiln.tanh
    %u3 = "kiln.tanh"(%u2) : (tensor<?x8xf32>) -> tensor<?x8xf32>
    // CHECK: kiln.exp
    %u4 = "kiln.exp"(%u3) : (tensor<?x8xf32>) -> tensor<?x8xf32>
    // CHECK: kiln.log
    %u5 = "kiln.log"(%u4) : (tensor<?x8xf32>) -> tensor<?x8xf32>
    // CHECK: kiln.softplus
    %u6 = "kiln.softplus"(%u5) : (tensor<?x8xf32>) -> tensor<?x8xf32>
    // CHECK: kiln.sqrt
    %u7 = "kiln.sqrt"(%u6) : (tensor<?x8xf32>) -> tensor<?x8xf32>
    // CHECK: kiln.abs
    %u8 = "kiln.abs"(%u7) : (tensor<?x8xf32>) -> tensor<?x8xf32>
    // CHECK: kiln.reduce_sum %{{.*}} {axis = 1 : i64, keepdim = true} : (tensor<?x8xf32>) -> tensor<?x1xf32>
    %r = "kiln.reduce_sum"(%u8) {axis = 1 : i64, keepdim = true} : (tensor<?x8xf32>) -> tensor<?x1xf32>
    // CHECK: kiln.reduce_mean %{{.*}} {axis = 0 : i64} : (tensor<?x8xf32>) -> tensor<8xf32>
    %rm = "kiln.reduce_mean"(%u8) {axis = 0 : i64} : (tensor<?x8xf32>) -> tensor<8xf32>
    // CHECK: kiln.reshape %{{.*}} : (tensor<?x8xf32>) -> tensor<?x2x4xf32>
    %rs = "kiln.reshape"(%u8) : (tensor<?x8xf32>) -> tensor<?x2x4xf32>
    // CHECK: kiln.slice %{{.*}} {axis = 1 : i64, size = 4 : i64, start = 4 : i64} : (tensor<?x8xf32>) -> tensor<?x4xf32>
    %sl = "kiln.slice"(%u8) {axis = 1 : i64, start = 4 : i64, size = 4 : i64} : (tensor<?x8xf32>) -> tensor<?x4xf32>
    // CHECK: kiln.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<?x4xf32>, tensor<?x1xf32>) -> tensor<?x5xf32>
    %cc = "kiln.concat"(%sl, %r) {axis = 1 : i64} : (tensor<?x4xf32>, tensor<?x1xf32>) -> tensor<?x5xf32>
    // CHECK: kiln.transpose %{{.*}} : (tensor<8x4xf32>) -> tensor<4x8xf32>
    %t = "kiln.transpose"(%w) : (tensor<8x4xf32>) -> tensor<4x8xf32>
    func.return %sl : tensor<?x4xf32>
  }
  // A slice of any length written into a buffer (a prompt's keys).
  // CHECK-LABEL: func.func @prefill(
  // CHECK: kiln.write_slice %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<1x8x4xf32>, tensor<1x?x4xf32>, tensor<i32>) -> tensor<1x8x4xf32>
  func.func @prefill(%c: tensor<1x8x4xf32>, %v: tensor<1x?x4xf32>, %p: tensor<i32>) -> tensor<1x8x4xf32> {
    %0 = "kiln.write_slice"(%c, %v, %p) {axis = 1 : i64} : (tensor<1x8x4xf32>, tensor<1x?x4xf32>, tensor<i32>) -> tensor<1x8x4xf32>
    func.return %0 : tensor<1x8x4xf32>
  }
  // A sum over the processes of a data-parallel job, and their number.
  // CHECK-LABEL: func.func @replicas(
  // CHECK: kiln.replica_count : tensor<f32>
  // CHECK: kiln.replica_sum %{{.*}} : tensor<?x3xf32>
  func.func @replicas(%x: tensor<?x3xf32>) -> (tensor<f32>, tensor<?x3xf32>) {
    %n = "kiln.replica_count"() : () -> tensor<f32>
    %s = "kiln.replica_sum"(%x) : (tensor<?x3xf32>) -> tensor<?x3xf32>
    func.return %n, %s : tensor<f32>, tensor<?x3xf32>
  }
  // Row normalisation and its gradient.
  // CHECK-LABEL: func.func @normalize(
  // CHECK: kiln.normalize %{{.*}} {eps = 1.000000e-05 : f64} : tensor<?x3x8xf32>
  // CHECK: kiln.normalize_grad %{{.*}}, %{{.*}} {eps = 1.000000e-05 : f64} : tensor<?x3x8xf32>
  func.func @normalize(%x: tensor<?x3x8xf32>, %g: tensor<?x3x8xf32>) -> (tensor<?x3x8xf32>, tensor<?x3x8xf32>) {
    %n = "kiln.normalize"(%x) {eps = 1.0e-5 : f64} : (tensor<?x3x8xf32>) -> tensor<?x3x8xf32>
    %d = "kiln.normalize_grad"(%x, %g) {eps = 1.0e-5 : f64} : (tensor<?x3x8xf32>, tensor<?x3x8xf32>) -> tensor<?x3x8xf32>
    func.return %n, %d : tensor<?x3x8xf32>, tensor<?x3x8xf32>
  }
  // Softmax cross-entropy against integer targets, and its gradient.
  // CHECK-LABEL: func.func @cross_entropy(
  // CHECK: kiln.cross_entropy %{{.*}}, %{{.*}} : (tensor<?x3x8xf32>, tensor<?x3xi32>) -> tensor<?x3xf32>
  // CHECK: kiln.cross_entropy_grad %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x3x8xf32>, tensor<?x3xi32>, tensor<?x3xf32>) -> tensor<?x3x8xf32>
  func.func @cross_entropy(%x: tensor<?x3x8xf32>, %t: tensor<?x3xi32>, %g: tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3x8xf32>) {
    %l = "kiln.cross_entropy"(%x, %t) : (tensor<?x3x8xf32>, tensor<?x3xi32>) -> tensor<?x3xf32>
    %d = "kiln.cross_entropy_grad"(%x, %t, %g) : (tensor<?x3x8xf32>, tensor<?x3xi32>, tensor<?x3xf32>) -> tensor<?x3x8xf32>
    func.return %l, %d : tensor<?x3xf32>, tensor<?x3x8xf32>
  }
}
