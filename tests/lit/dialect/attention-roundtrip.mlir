// Attention and its gradient ops: the generic form parses, prints in the
// pretty form (the key mask after `mask`), and parses back.
// RUN: kiln-opt %s | FileCheck %s
// RUN: kiln-opt %s | kiln-opt | FileCheck %s

// CHECK-LABEL: func.func @attend
func.func @attend(%q: tensor<?x4x8x32xf32>, %k: tensor<?x4x8x32xf32>, %v: tensor<?x4x8x16xf32>, %m: tensor<?x1x8xf32>) -> tensor<?x4x8x32xf32> {
  // CHECK: kiln.attention %{{.*}}, %{{.*}}, %{{.*}} {causal = true, scale = 1.250000e-01 : f64} : {{.*}} -> tensor<?x4x8x16xf32>
  %o = "kiln.attention"(%q, %k, %v) {scale = 0.125 : f64, causal = true} : (tensor<?x4x8x32xf32>, tensor<?x4x8x32xf32>, tensor<?x4x8x16xf32>) -> tensor<?x4x8x16xf32>
  // CHECK: kiln.attention_lse %{{.*}}, %{{.*}} mask %{{.*}} {scale = 1.250000e-01 : f64} : {{.*}} -> tensor<?x4x8xf32>
  %l = "kiln.attention_lse"(%q, %k, %m) {scale = 0.125 : f64} : (tensor<?x4x8x32xf32>, tensor<?x4x8x32xf32>, tensor<?x1x8xf32>) -> tensor<?x4x8xf32>
  // CHECK: kiln.attention_grad {{.*}} mask %{{.*}} {scale = 1.250000e-01 : f64, wrt = #kiln<operand query>} : {{.*}} -> tensor<?x4x8x32xf32>
  %dq = "kiln.attention_grad"(%q, %k, %v, %o, %l, %l, %m) {scale = 0.125 : f64, wrt = #kiln<operand query>} : (tensor<?x4x8x32xf32>, tensor<?x4x8x32xf32>, tensor<?x4x8x16xf32>, tensor<?x4x8x16xf32>, tensor<?x4x8xf32>, tensor<?x4x8xf32>, tensor<?x1x8xf32>) -> tensor<?x4x8x32xf32>
  func.return %dq : tensor<?x4x8x32xf32>
}
