// Verifier errors of the convolution ops and reduce_max: each result type
// is recomputed from the operands and attributes (docs/ir.md), and a bad
// operand or attribute is reported at the op with what is wrong.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

func.func @rank(%x: tensor<?x1x28xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<?x4x26x26xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{conv2d needs a 4-D input [N, C, H, W], got 'tensor<?x1x28xf32>'}}
  %0 = "kiln.conv2d"(%x, %w) {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>} : (tensor<?x1x28xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x26x26xf32>
  func.return %0 : tensor<?x4x26x26xf32>
}

// -----

func.func @channels(%x: tensor<?x2x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{conv2d: input 'tensor<?x2x8x8xf32>' has 2 channels but weight 'tensor<4x3x3x3xf32>' expects 3}}
  %0 = "kiln.conv2d"(%x, %w) {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>} : (tensor<?x2x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  func.return %0 : tensor<?x4x6x6xf32>
}

// -----

func.func @symbolic_height(%x: tensor<?x2x?x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<?x4x6x6xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{conv2d needs a static input [N, C, H, W] (only the batch may be symbolic)}}
  %0 = "kiln.conv2d"(%x, %w) {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>} : (tensor<?x2x?x8xf32>, tensor<4x2x3x3xf32>) -> tensor<?x4x6x6xf32>
  func.return %0 : tensor<?x4x6x6xf32>
}

// -----

func.func @stride_entries(%x: tensor<?x2x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<?x4x6x6xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{conv2d stride must have 2 entries (h, w), got 1}}
  %0 = "kiln.conv2d"(%x, %w) {stride = array<i64: 1>, padding = array<i64: 0, 0>} : (tensor<?x2x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<?x4x6x6xf32>
  func.return %0 : tensor<?x4x6x6xf32>
}

// -----

func.func @stride_zero(%x: tensor<?x2x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<?x4x6x6xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{conv2d stride must be positive, got [0, 1]}}
  %0 = "kiln.conv2d"(%x, %w) {stride = array<i64: 0, 1>, padding = array<i64: 0, 0>} : (tensor<?x2x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<?x4x6x6xf32>
  func.return %0 : tensor<?x4x6x6xf32>
}

// -----

func.func @negative_padding(%x: tensor<?x2x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<?x4x6x6xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{conv2d padding must be non-negative, got [-1, 0]}}
  %0 = "kiln.conv2d"(%x, %w) {stride = array<i64: 1, 1>, padding = array<i64: -1, 0>} : (tensor<?x2x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<?x4x6x6xf32>
  func.return %0 : tensor<?x4x6x6xf32>
}

// -----

func.func @kernel_too_big(%x: tensor<?x2x2x8xf32>, %w: tensor<4x2x5x3xf32>) -> tensor<?x4x1x6xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{conv2d: kernel height 5 is larger than the padded input height 4}}
  %0 = "kiln.conv2d"(%x, %w) {stride = array<i64: 1, 1>, padding = array<i64: 1, 0>} : (tensor<?x2x2x8xf32>, tensor<4x2x5x3xf32>) -> tensor<?x4x1x6xf32>
  func.return %0 : tensor<?x4x1x6xf32>
}

// -----

func.func @result_type(%x: tensor<?x1x28x28xf32>, %w: tensor<64x1x4x4xf32>) -> tensor<?x64x13x13xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{inferred type(s) 'tensor<?x64x14x14xf32>' are incompatible with return type(s) of operation 'tensor<?x64x13x13xf32>'}}
  %0 = "kiln.conv2d"(%x, %w) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x1x28x28xf32>, tensor<64x1x4x4xf32>) -> tensor<?x64x13x13xf32>
  func.return %0 : tensor<?x64x13x13xf32>
}

// -----

func.func @transpose_channels(%x: tensor<?x128x7x7xf32>, %w: tensor<64x128x4x4xf32>) -> tensor<?x128x14x14xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{conv_transpose2d: input 'tensor<?x128x7x7xf32>' has 128 channels but weight 'tensor<64x128x4x4xf32>' expects 64}}
  %0 = "kiln.conv_transpose2d"(%x, %w) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x128x7x7xf32>, tensor<64x128x4x4xf32>) -> tensor<?x128x14x14xf32>
  func.return %0 : tensor<?x128x14x14xf32>
}

// -----

func.func @transpose_output_padding(%x: tensor<?x128x7x7xf32>, %w: tensor<128x64x4x4xf32>) -> tensor<?x64x16x14xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{conv_transpose2d output_padding [2, 0] must be smaller than the stride [2, 2]}}
  %0 = "kiln.conv_transpose2d"(%x, %w) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, output_padding = array<i64: 2, 0>} : (tensor<?x128x7x7xf32>, tensor<128x64x4x4xf32>) -> tensor<?x64x16x14xf32>
  func.return %0 : tensor<?x64x16x14xf32>
}

// -----

func.func @transpose_empty(%x: tensor<?x3x1x1xf32>, %w: tensor<3x2x2x2xf32>) -> tensor<?x2x1x1xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{conv_transpose2d: padding [1, 1] leaves an empty result}}
  %0 = "kiln.conv_transpose2d"(%x, %w) {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>} : (tensor<?x3x1x1xf32>, tensor<3x2x2x2xf32>) -> tensor<?x2x1x1xf32>
  func.return %0 : tensor<?x2x1x1xf32>
}

// -----

func.func @weight_grad_size(%x: tensor<?x1x28x28xf32>, %g: tensor<?x64x13x14xf32>) -> tensor<64x1x4x4xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{conv2d_weight_grad: grad 'tensor<?x64x13x14xf32>' is not the conv2d output size 14x14 for input 'tensor<?x1x28x28xf32>'}}
  %0 = "kiln.conv2d_weight_grad"(%x, %g) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, kernel_size = array<i64: 4, 4>} : (tensor<?x1x28x28xf32>, tensor<?x64x13x14xf32>) -> tensor<64x1x4x4xf32>
  func.return %0 : tensor<64x1x4x4xf32>
}

// -----

func.func @weight_grad_batch(%x: tensor<2x1x28x28xf32>, %g: tensor<3x64x14x14xf32>) -> tensor<64x1x4x4xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{conv2d_weight_grad: batch of input 'tensor<2x1x28x28xf32>' differs from batch of grad 'tensor<3x64x14x14xf32>'}}
  %0 = "kiln.conv2d_weight_grad"(%x, %g) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, kernel_size = array<i64: 4, 4>} : (tensor<2x1x28x28xf32>, tensor<3x64x14x14xf32>) -> tensor<64x1x4x4xf32>
  func.return %0 : tensor<64x1x4x4xf32>
}

// -----

func.func @element_types(%x: tensor<?x2x8x8xf32>, %w: tensor<4x2x3x3xf64>) -> tensor<?x4x6x6xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{operands have different element types}}
  %0 = "kiln.conv2d"(%x, %w) {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>} : (tensor<?x2x8x8xf32>, tensor<4x2x3x3xf64>) -> tensor<?x4x6x6xf32>
  func.return %0 : tensor<?x4x6x6xf32>
}

// -----

func.func @reduce_max_axis(%a: tensor<4x3xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{axis 2 is out of range}}
  %0 = "kiln.reduce_max"(%a) {axis = 2 : i64} : (tensor<4x3xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

func.func @random_uniform_type(%a: tensor<4x3xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{all of {like, result} have same type}}
  %0 = "kiln.random_uniform"(%a) {stream = 0 : i64} : (tensor<4x3xf32>) -> tensor<4x4xf32>
  func.return %0 : tensor<4x4xf32>
}
