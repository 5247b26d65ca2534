// Attention's operands are checked by its type inference (KilnOps.cpp,
// checkAttention): a clear error at the op for each kind of mismatch.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

func.func @head_sizes(%q: tensor<2x4x8xf32>, %k: tensor<2x5x6xf32>, %v: tensor<2x5x3xf32>) -> tensor<2x4x3xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{k must be [..., K, D] with q's batch dimensions and head size}}
  %0 = "kiln.attention"(%q, %k, %v) {scale = 1.0 : f64} : (tensor<2x4x8xf32>, tensor<2x5x6xf32>, tensor<2x5x3xf32>) -> tensor<2x4x3xf32>
  func.return %0 : tensor<2x4x3xf32>
}

// -----

func.func @value_keys(%q: tensor<2x4x8xf32>, %k: tensor<2x5x8xf32>, %v: tensor<2x6x3xf32>) -> tensor<2x4x3xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{v must be [..., K, Dv] with k's batch dimensions and keys}}
  %0 = "kiln.attention"(%q, %k, %v) {scale = 1.0 : f64} : (tensor<2x4x8xf32>, tensor<2x5x8xf32>, tensor<2x6x3xf32>) -> tensor<2x4x3xf32>
  func.return %0 : tensor<2x4x3xf32>
}

// -----

func.func @dynamic_head(%q: tensor<2x4x?xf32>, %k: tensor<2x5x?xf32>, %v: tensor<2x5x3xf32>) -> tensor<2x4x3xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{must be static}}
  %0 = "kiln.attention"(%q, %k, %v) {scale = 1.0 : f64} : (tensor<2x4x?xf32>, tensor<2x5x?xf32>, tensor<2x5x3xf32>) -> tensor<2x4x3xf32>
  func.return %0 : tensor<2x4x3xf32>
}

// -----

func.func @mask_keys(%q: tensor<2x4x8xf32>, %k: tensor<2x5x8xf32>, %v: tensor<2x5x3xf32>, %m: tensor<1x6xf32>) -> tensor<2x4x3xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{mask must be [..., K]}}
  %0 = "kiln.attention"(%q, %k, %v, %m) {scale = 1.0 : f64} : (tensor<2x4x8xf32>, tensor<2x5x8xf32>, tensor<2x5x3xf32>, tensor<1x6xf32>) -> tensor<2x4x3xf32>
  func.return %0 : tensor<2x4x3xf32>
}

// -----

func.func @wrt(%q: tensor<2x4x8xf32>, %k: tensor<2x5x8xf32>, %v: tensor<2x5x3xf32>, %g: tensor<2x4x3xf32>, %l: tensor<2x4xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+2 {{expected ::kiln::AttentionOperand to be one of: query, key, value}}
  // expected-error @+1 {{failed to parse Kiln_AttentionOperandAttr parameter 'value'}}
  %0 = "kiln.attention_grad"(%q, %k, %v, %g, %l, %l) {scale = 1.0 : f64, wrt = #kiln<operand mask>} : (tensor<2x4x8xf32>, tensor<2x5x8xf32>, tensor<2x5x3xf32>, tensor<2x4x3xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4x8xf32>
  func.return %0 : tensor<2x4x8xf32>
}

// -----

func.func @grad_shape(%q: tensor<2x4x8xf32>, %k: tensor<2x5x8xf32>, %v: tensor<2x5x3xf32>, %g: tensor<2x4x8xf32>, %l: tensor<2x4xf32>) -> tensor<2x5x8xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{grad (the result's gradient) must be 'tensor<2x4x3xf32>'}}
  %0 = "kiln.attention_grad"(%q, %k, %v, %g, %l, %l) {scale = 1.0 : f64, wrt = #kiln<operand key>} : (tensor<2x4x8xf32>, tensor<2x5x8xf32>, tensor<2x5x3xf32>, tensor<2x4x8xf32>, tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x5x8xf32>
  func.return %0 : tensor<2x5x8xf32>
}
