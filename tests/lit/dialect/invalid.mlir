// Verifier errors: every result type is recomputed from the operands, and a
// mismatch is reported at the op (with the detail, then the interface's
// summary "failed to infer returned types").
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

func.func @matmul_k(%a: tensor<4x3xf32>, %b: tensor<5x6xf32>) -> tensor<4x6xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{contracted dimensions differ}}
  %0 = "kiln.matmul"(%a, %b) : (tensor<4x3xf32>, tensor<5x6xf32>) -> tensor<4x6xf32>
  func.return %0 : tensor<4x6xf32>
}

// -----

func.func @matmul_result(%a: tensor<4x3xf32>, %b: tensor<3x6xf32>) -> tensor<4x7xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{inferred type(s) 'tensor<4x6xf32>' are incompatible with return type(s) of operation 'tensor<4x7xf32>'}}
  %0 = "kiln.matmul"(%a, %b) : (tensor<4x3xf32>, tensor<3x6xf32>) -> tensor<4x7xf32>
  func.return %0 : tensor<4x7xf32>
}

// -----

func.func @broadcast(%a: tensor<4x3xf32>, %b: tensor<4xf32>) -> tensor<4x3xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{cannot broadcast 'tensor<4x3xf32>' with 'tensor<4xf32>'}}
  %0 = "kiln.add"(%a, %b) : (tensor<4x3xf32>, tensor<4xf32>) -> tensor<4x3xf32>
  func.return %0 : tensor<4x3xf32>
}

// -----

func.func @element_types(%a: tensor<3xf32>, %b: tensor<3xf64>) -> tensor<3xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{operands have different element types}}
  %0 = "kiln.mul"(%a, %b) : (tensor<3xf32>, tensor<3xf64>) -> tensor<3xf32>
  func.return %0 : tensor<3xf32>
}

// -----

func.func @axis(%a: tensor<4x3xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{axis 2 is out of range}}
  %0 = "kiln.reduce_sum"(%a) {axis = 2 : i64} : (tensor<4x3xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

func.func @reshape_count(%a: tensor<?x6xf32>) -> tensor<?x7xf32> {
  // expected-error @+1 {{changes the element count}}
  %0 = "kiln.reshape"(%a) : (tensor<?x6xf32>) -> tensor<?x7xf32>
  func.return %0 : tensor<?x7xf32>
}

// -----

func.func @reshape_symbol(%a: tensor<?x6xf32>) -> tensor<6xf32> {
  // expected-error @+1 {{must keep each symbolic dimension whole}}
  %0 = "kiln.reshape"(%a) : (tensor<?x6xf32>) -> tensor<6xf32>
  func.return %0 : tensor<6xf32>
}

// -----

func.func @slice(%a: tensor<?x6xf32>) -> tensor<?x4xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{slice [4, 8) is out of range for axis 1}}
  %0 = "kiln.slice"(%a) {axis = 1 : i64, start = 4 : i64, size = 4 : i64} : (tensor<?x6xf32>) -> tensor<?x4xf32>
  func.return %0 : tensor<?x4xf32>
}

// -----

func.func @concat(%a: tensor<?x3xf32>, %b: tensor<?x3x1xf32>) -> tensor<?x6xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{cannot concatenate}}
  %0 = "kiln.concat"(%a, %b) {axis = 1 : i64} : (tensor<?x3xf32>, tensor<?x3x1xf32>) -> tensor<?x6xf32>
  func.return %0 : tensor<?x6xf32>
}

// -----

module {
  "kiln.parameter"() {sym_name = "w", type = tensor<4xf32>, init = #kiln<init zeros>, init_args = array<f64>} : () -> ()
  func.func @param_type() -> tensor<5xf32> {
    // expected-error @+1 {{has type 'tensor<5xf32>' but parameter @w is 'tensor<4xf32>'}}
    %0 = "kiln.param_ref"() {name = @w} : () -> tensor<5xf32>
    func.return %0 : tensor<5xf32>
  }
}

// -----

module {
  func.func @param_missing() -> tensor<5xf32> {
    // expected-error @+1 {{refers to @nope, which is not a kiln.parameter}}
    %0 = "kiln.param_ref"() {name = @nope} : () -> tensor<5xf32>
    func.return %0 : tensor<5xf32>
  }
}

// -----

// expected-error @+1 {{initialiser 'uniform' takes 2 argument(s), got 1}}
"kiln.parameter"() {sym_name = "w", type = tensor<4xf32>, init = #kiln<init uniform>, init_args = array<f64: 1.0>} : () -> ()

// -----

// expected-error @+2 {{expected ::kiln::InitKind to be one of: zeros, ones, constant, uniform, normal}}
// expected-error @+1 {{failed to parse Kiln_InitKindAttr parameter 'value'}}
"kiln.parameter"() {sym_name = "w", type = tensor<4xf32>, init = #kiln<init xavier>, init_args = array<f64>} : () -> ()

// -----

// An initialiser spelt as a string is not one.
// expected-error @+1 {{'kiln.parameter' op attribute 'init' failed to satisfy constraint: a parameter's initialiser}}
"kiln.parameter"() {sym_name = "w", type = tensor<4xf32>, init = "zeros", init_args = array<f64>} : () -> ()

// -----

func.func @constant() -> tensor<2xf32> {
  // expected-error @+1 {{failed to verify that all of {value, result} have same type}}
  %0 = "kiln.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<2xf32>
  func.return %0 : tensor<2xf32>
}

// -----

// The memory plan's attributes on a kernel: one entry per result.
func.func @arena_per_result(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.fused' op arena has 2 entries for 1 results}}
  %0 = kiln.fused "k" (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %r = kiln.relu %a : tensor<4xf32>
    kiln.yield %r : tensor<4xf32>
  } attributes {arena = array<i64: 0, 1>, offset = array<i64: 0, 64>}
  func.return %0 : tensor<4xf32>
}

// -----

func.func @offset_without_arena(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.fused' op needs both arena and offset, or neither}}
  %0 = kiln.fused "k" (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %r = kiln.relu %a : tensor<4xf32>
    kiln.yield %r : tensor<4xf32>
  } attributes {offset = array<i64: 0>}
  func.return %0 : tensor<4xf32>
}

// -----

func.func @assign_to_is_strings(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.fused' op attribute 'assign_to' failed to satisfy constraint: string array attribute}}
  %0 = kiln.fused "k" (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %r = kiln.relu %a : tensor<4xf32>
    kiln.yield %r : tensor<4xf32>
  } attributes {assign_to = [1]}
  func.return %0 : tensor<4xf32>
}

// -----

func.func @batch_dims(%a: tensor<2x4x3xf32>, %b: tensor<5x3x6xf32>) -> tensor<2x4x6xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{cannot broadcast 'tensor<2xf32>' with 'tensor<5xf32>'}}
  %0 = "kiln.matmul"(%a, %b) : (tensor<2x4x3xf32>, tensor<5x3x6xf32>) -> tensor<2x4x6xf32>
  func.return %0 : tensor<2x4x6xf32>
}

// -----

func.func @permutation(%a: tensor<2x3x4xf32>) -> tensor<3x3x4xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{is not a permutation of the 3 dimensions}}
  %0 = "kiln.permute"(%a) {permutation = array<i64: 1, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<3x3x4xf32>
  func.return %0 : tensor<3x3x4xf32>
}

// -----

func.func @reshape_merge_count(%a: tensor<?x?x6xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{changes the element count: tensor<?x?x6xf32> holds 6*batch*seq elements, tensor<?x3xf32> 3*batch*seq}}
  %0 = "kiln.reshape"(%a) {input_symbols = ["batch", "seq", ""], result_symbols = ["batch*seq", ""]} : (tensor<?x?x6xf32>) -> tensor<?x3xf32>
  func.return %0 : tensor<?x3xf32>
}

// -----

func.func @reshape_merge_unnamed(%a: tensor<?x?x6xf32>) -> tensor<?x6xf32> {
  // expected-error @+1 {{must keep each symbolic dimension whole}}
  %0 = "kiln.reshape"(%a) : (tensor<?x?x6xf32>) -> tensor<?x6xf32>
  func.return %0 : tensor<?x6xf32>
}

// -----

func.func @gather_float_ids(%t: tensor<5x3xf32>, %ids: tensor<4xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{operand #1 must be ranked tensor of 32-bit signless integer values}}
  %0 = "kiln.gather"(%t, %ids) {axis = 0 : i64} : (tensor<5x3xf32>, tensor<4xf32>) -> tensor<4x3xf32>
  func.return %0 : tensor<4x3xf32>
}

// -----

func.func @add_ints(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 64-bit float values}}
  %0 = "kiln.add"(%a, %a) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  func.return %0 : tensor<4xi32>
}

// -----

func.func @write_slice_too_long(%c: tensor<1x4x3xf32>, %v: tensor<1x5x3xf32>, %p: tensor<i32>) -> tensor<1x4x3xf32> {
  // expected-error @+1 {{does not fit 'tensor<1x4x3xf32>' along axis 1}}
  %0 = "kiln.write_slice"(%c, %v, %p) {axis = 1 : i64} : (tensor<1x4x3xf32>, tensor<1x5x3xf32>, tensor<i32>) -> tensor<1x4x3xf32>
  func.return %0 : tensor<1x4x3xf32>
}

// -----

// A value of any length along the axis is checked when the plan runs; the
// other dimensions must still equal the buffer's.
func.func @write_slice_dynamic_elsewhere(%c: tensor<1x4x3xf32>, %v: tensor<1x?x?xf32>, %p: tensor<i32>) -> tensor<1x4x3xf32> {
  // expected-error @+1 {{does not fit 'tensor<1x4x3xf32>' along axis 1}}
  %0 = "kiln.write_slice"(%c, %v, %p) {axis = 1 : i64} : (tensor<1x4x3xf32>, tensor<1x?x?xf32>, tensor<i32>) -> tensor<1x4x3xf32>
  func.return %0 : tensor<1x4x3xf32>
}

// -----

func.func @write_slice_dynamic_buffer(%c: tensor<1x?x3xf32>, %v: tensor<1x2x3xf32>, %p: tensor<i32>) -> tensor<1x?x3xf32> {
  // expected-error @+1 {{needs a buffer of static shape}}
  %0 = "kiln.write_slice"(%c, %v, %p) {axis = 1 : i64} : (tensor<1x?x3xf32>, tensor<1x2x3xf32>, tensor<i32>) -> tensor<1x?x3xf32>
  func.return %0 : tensor<1x?x3xf32>
}

// -----

func.func @normalize_dynamic_row(%x: tensor<4x?xf32>) -> tensor<4x?xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{normalize: the last axis (the rows) must be static and non-empty, got 'tensor<4x?xf32>'}}
  %0 = "kiln.normalize"(%x) {eps = 1.0e-5 : f64} : (tensor<4x?xf32>) -> tensor<4x?xf32>
  func.return %0 : tensor<4x?xf32>
}

// -----

func.func @normalize_scalar(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{normalize: the last axis (the rows) must be static and non-empty}}
  %0 = "kiln.normalize"(%x) {eps = 1.0e-5 : f64} : (tensor<f32>) -> tensor<f32>
  func.return %0 : tensor<f32>
}

// -----

func.func @normalize_negative_eps(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{eps must be >= 0, got -1}}
  %0 = "kiln.normalize"(%x) {eps = -1.0 : f64} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  func.return %0 : tensor<4x3xf32>
}

// -----

func.func @normalize_grad_mismatch(%x: tensor<4x3xf32>, %g: tensor<4x5xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{all of {input, grad} have same type}}
  %0 = "kiln.normalize_grad"(%x, %g) {eps = 1.0e-5 : f64} : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<4x3xf32>
  func.return %0 : tensor<4x3xf32>
}

// -----

func.func @cross_entropy_dynamic_classes(%x: tensor<4x?xf32>, %t: tensor<4xi32>) -> tensor<4xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{cross_entropy: the last axis of the logits (the classes) must be static and non-empty, got 'tensor<4x?xf32>'}}
  %0 = "kiln.cross_entropy"(%x, %t) : (tensor<4x?xf32>, tensor<4xi32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

func.func @cross_entropy_targets(%x: tensor<4x3x8xf32>, %t: tensor<4xi32>) -> tensor<4x3xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{cross_entropy: the targets must have the logits' shape without the classes, got logits 'tensor<4x3x8xf32>' and targets 'tensor<4xi32>'}}
  %0 = "kiln.cross_entropy"(%x, %t) : (tensor<4x3x8xf32>, tensor<4xi32>) -> tensor<4x3xf32>
  func.return %0 : tensor<4x3xf32>
}

// -----

func.func @cross_entropy_grad_shape(%x: tensor<4x8xf32>, %t: tensor<4xi32>, %g: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+2 {{failed to infer returned types}}
  // expected-error @+1 {{cross_entropy_grad: grad must be 'tensor<4xf32>', got 'tensor<4x8xf32>'}}
  %0 = "kiln.cross_entropy_grad"(%x, %t, %g) : (tensor<4x8xf32>, tensor<4xi32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %0 : tensor<4x8xf32>
}

// -----

func.func @replica_sum_changes_type(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{all of {input, result} have same type}}
  %0 = "kiln.replica_sum"(%x) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  func.return %0 : tensor<3x2xf32>
}

// -----

func.func @replica_count_not_a_scalar() -> tensor<2xf32> {
  // expected-error @+1 {{result #0 must be 0D tensor of 32-bit float values}}
  %0 = "kiln.replica_count"() : () -> tensor<2xf32>
  func.return %0 : tensor<2xf32>
}
