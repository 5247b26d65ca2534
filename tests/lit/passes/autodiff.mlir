// Autodiff: the loss's gradient is seeded with 1, each op's VJP is emitted in
// reverse order (execution tests: tests/compiler/gradcheck_test.cpp), and
// each parameter's gradient ends in a kiln.gradient op (or, with
// return-gradients, in an extra result).
// RUN: kiln-opt %inputs/small_train.mlir -kiln-autodiff -canonicalize -cse | FileCheck %s
// RUN: kiln-opt %inputs/small_train.mlir -kiln-autodiff=return-gradients | FileCheck %s --check-prefix=RET
// RUN: kiln-opt %s -kiln-autodiff -split-input-file -verify-diagnostics

// CHECK-LABEL: func.func @train_step
// CHECK: %[[ONE:.*]] = kiln.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[W:.*]] = kiln.param_ref @l.weight
// CHECK: %[[Y:.*]] = kiln.tanh
// mean over the batch: 1 / batch, from the symbol's value at run time
// (read from the summed tensor: the sum kept that axis).
// CHECK: %[[N:.*]] = kiln.dim_size %{{.*}} {axis = 0 : i64} : (tensor<?x3xf32>) -> tensor<f32>
// CHECK: kiln.div %[[ONE]], %[[N]]
// CHECK: kiln.broadcast_to
// tanh' = 1 - y^2
// CHECK: %[[Y2:.*]] = kiln.mul %[[Y]], %[[Y]]
// CHECK: kiln.sub %[[ONE]], %[[Y2]]
// The bias gradient sums over the batch; the weight gradient contracts it.
// CHECK: %[[GB:.*]] = kiln.reduce_sum %{{.*}} {axis = 0 : i64} : (tensor<?x3xf32>) -> tensor<3xf32>
// CHECK: %[[GW:.*]] = kiln.matmul %{{.*}}, %arg0 {transpose_a = true} : (tensor<?x3xf32>, tensor<?x4xf32>) -> tensor<3x4xf32>
// CHECK: kiln.gradient @l.weight, %[[GW]] : tensor<3x4xf32>
// CHECK: kiln.gradient @l.bias, %[[GB]] : tensor<3xf32>

// RET: -> (tensor<f32> {kiln.name = "loss"}, tensor<3x4xf32> {kiln.name = "grad:l.weight"}, tensor<3xf32> {kiln.name = "grad:l.bias"})

// -----

// expected-error @+1 {{a train entry point's first result is the loss and must be a scalar, got 'tensor<2xf32>'}}
func.func @not_scalar(%x: tensor<2xf32>) -> tensor<2xf32> attributes {kiln.entry = #kiln<entry train>} {
  func.return %x : tensor<2xf32>
}

// -----

module {
  "kiln.parameter"() {sym_name = "d.w", type = tensor<2xf32>, init = #kiln<init zeros>, init_args = array<f64>} : () -> ()
  // expected-error @+1 {{the loss depends on no parameter this entry point trains (check kiln.optimizer params)}}
  func.func @nothing() -> tensor<f32> attributes {kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "sgd", lr = 1.0 : f64, params = ["g."]}} {
    %d = "kiln.param_ref"() {name = @"d.w"} : () -> tensor<2xf32>
    %s = "kiln.reduce_sum"(%d) {axis = 0 : i64} : (tensor<2xf32>) -> tensor<f32>
    func.return %s : tensor<f32>
  }
}
