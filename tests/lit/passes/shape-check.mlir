// Symbolic dimensions must agree: mixing two symbols is reported at the op.
// RUN: kiln-opt %s -kiln-shape-check -split-input-file -verify-diagnostics

func.func @mixed(%a: tensor<?x8xf32> {kiln.symbols = ["batch", ""]},
                 %b: tensor<?x8xf32> {kiln.symbols = ["seq", ""]}) -> tensor<?x8xf32> {
  // expected-error @+1 {{mixes symbolic dimensions 'batch' and 'seq': [batch, 8] and [seq, 8]}}
  %0 = "kiln.add"(%a, %b) : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  func.return %0 : tensor<?x8xf32>
}

// -----

func.func @contract(%a: tensor<4x?xf32> {kiln.symbols = ["", "m"]},
                    %b: tensor<?x3xf32> {kiln.symbols = ["n", ""]}) -> tensor<4x3xf32> {
  // expected-error @+1 {{mixes symbolic dimensions 'm' and 'n': [4, m] and [n, 3]}}
  %0 = "kiln.matmul"(%a, %b) : (tensor<4x?xf32>, tensor<?x3xf32>) -> tensor<4x3xf32>
  func.return %0 : tensor<4x3xf32>
}

// -----

// Any op's type rule is its symbolic rule: three operands, and symbols
// carried through a reduction and a transpose.
func.func @select(%c: tensor<?x1xf32> {kiln.symbols = ["batch", ""]},
                  %a: tensor<?x8xf32> {kiln.symbols = ["batch", ""]},
                  %b: tensor<8x?xf32> {kiln.symbols = ["", "seq"]}) -> tensor<?x8xf32> {
  %t = "kiln.transpose"(%b) : (tensor<8x?xf32>) -> tensor<?x8xf32>
  %s = "kiln.reduce_sum"(%t) {axis = 1 : i64, keepdim = true} : (tensor<?x8xf32>) -> tensor<?x1xf32>
  // expected-error @+1 {{mixes symbolic dimensions 'batch' and 'seq': [batch, 1] and [batch, 8] and [seq, 1]}}
  %0 = "kiln.select"(%c, %a, %s) : (tensor<?x1xf32>, tensor<?x8xf32>, tensor<?x1xf32>) -> tensor<?x8xf32>
  func.return %0 : tensor<?x8xf32>
}

// -----

func.func @conv_weight_grad(%x: tensor<?x2x6x6xf32> {kiln.symbols = ["batch", "", "", ""]},
                            %g: tensor<?x3x6x6xf32> {kiln.symbols = ["other", "", "", ""]}) -> tensor<3x2x3x3xf32> {
  // expected-error @+1 {{mixes symbolic dimensions 'batch' and 'other'}}
  %0 = "kiln.conv2d_weight_grad"(%x, %g) {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, kernel_size = array<i64: 3, 3>} : (tensor<?x2x6x6xf32>, tensor<?x3x6x6xf32>) -> tensor<3x2x3x3xf32>
  func.return %0 : tensor<3x2x3x3xf32>
}

// -----

// expected-error @+1 {{argument 0 dimension 0 is symbolic but kiln.symbols does not name it}}
func.func @unnamed(%a: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = "kiln.relu"(%a) : (tensor<?x8xf32>) -> tensor<?x8xf32>
  func.return %0 : tensor<?x8xf32>
}

// -----

// The same symbol on both sides, or a symbol against 1, is fine.
func.func @ok(%a: tensor<?x8xf32> {kiln.symbols = ["batch", ""]},
              %b: tensor<?x1xf32> {kiln.symbols = ["batch", ""]},
              %c: tensor<1x8xf32> {kiln.symbols = ["", ""]}) -> tensor<?x8xf32> {
  %0 = "kiln.add"(%a, %b) : (tensor<?x8xf32>, tensor<?x1xf32>) -> tensor<?x8xf32>
  %1 = "kiln.mul"(%0, %c) : (tensor<?x8xf32>, tensor<1x8xf32>) -> tensor<?x8xf32>
  func.return %1 : tensor<?x8xf32>
}

// -----

// kiln.minimums: lower bounds the runtime checks when the entry point is
// called; each must be well formed and name one of its arguments' symbols.
// expected-error @+1 {{kiln.minimums names symbol 'seq', which no argument of 'unknown_symbol' has}}
func.func @unknown_symbol(%a: tensor<?x8xf32> {kiln.symbols = ["batch", ""]}) -> tensor<?x8xf32> attributes {kiln.minimums = [{min = 2 : i64, symbol = "seq", why = "test"}]} {
  func.return %a : tensor<?x8xf32>
}

// -----

// expected-error @+1 {{kiln.minimums: the minimum of 'batch' must be at least 1, got 0}}
func.func @zero(%a: tensor<?x8xf32> {kiln.symbols = ["batch", ""]}) -> tensor<?x8xf32> attributes {kiln.minimums = [{min = 0 : i64, symbol = "batch", why = "test"}]} {
  func.return %a : tensor<?x8xf32>
}

// -----

// expected-error @+1 {{kiln.minimums entries must be {min = N : i64, symbol = "name", why = "reason"}, got {min = 2 : i64, symbol = "batch"}}}
func.func @no_reason(%a: tensor<?x8xf32> {kiln.symbols = ["batch", ""]}) -> tensor<?x8xf32> attributes {kiln.minimums = [{min = 2 : i64, symbol = "batch"}]} {
  func.return %a : tensor<?x8xf32>
}

// -----

func.func @fine(%a: tensor<?x8xf32> {kiln.symbols = ["batch", ""]}) -> tensor<?x8xf32> attributes {kiln.minimums = [{min = 2 : i64, symbol = "batch", why = "test"}]} {
  func.return %a : tensor<?x8xf32>
}

// -----

func.func @normalize_grad(%x: tensor<?x8xf32> {kiln.symbols = ["batch", ""]},
                          %g: tensor<?x8xf32> {kiln.symbols = ["seq", ""]}) -> tensor<?x8xf32> {
  // expected-error @+1 {{mixes symbolic dimensions 'batch' and 'seq': [batch, 8] and [seq, 8]}}
  %0 = "kiln.normalize_grad"(%x, %g) {eps = 1.0e-5 : f64} : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  func.return %0 : tensor<?x8xf32>
}

// -----

func.func @cross_entropy(%x: tensor<?x8xf32> {kiln.symbols = ["batch", ""]},
                         %t: tensor<?xi32> {kiln.symbols = ["seq"]}) -> tensor<?xf32> {
  // expected-error @+1 {{mixes symbolic dimensions 'batch' and 'seq': [batch, 8] and [seq]}}
  %0 = "kiln.cross_entropy"(%x, %t) : (tensor<?x8xf32>, tensor<?xi32>) -> tensor<?xf32>
  func.return %0 : tensor<?xf32>
}
