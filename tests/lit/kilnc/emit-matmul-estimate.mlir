// A matmul tells its schedule how long a symbolic K is expected to be
// (kiln::halide::matmul's k_estimate): kSymbolEstimate per symbol times the
// static coefficient (3*batch here; 128*batch, the rows of a whole sequence
// batch, in the GPT, whose weight gradients thus get the K-blocked
// schedule while those over a plain batch do not).
// RUN: kilnc %s --emit=kernels | FileCheck %s

module attributes {kiln.model = "estimate"} {
  func.func @f(%x: tensor<?x3x4xf32> {kiln.name = "x", kiln.symbols = ["batch", "", ""]}, %g: tensor<?x3x2xf32> {kiln.name = "g", kiln.symbols = ["batch", "", ""]}, %u: tensor<?x4xf32> {kiln.name = "u", kiln.symbols = ["batch", ""]}, %v: tensor<?x2xf32> {kiln.name = "v", kiln.symbols = ["batch", ""]}) -> (tensor<4x2xf32> {kiln.name = "dw"}, tensor<4x2xf32> {kiln.name = "dw_batch"}, tensor<?x2xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %xr = "kiln.reshape"(%x) {input_symbols = ["batch", "", ""], result_symbols = ["3*batch", ""]} : (tensor<?x3x4xf32>) -> tensor<?x4xf32>
    %gr = "kiln.reshape"(%g) {input_symbols = ["batch", "", ""], result_symbols = ["3*batch", ""]} : (tensor<?x3x2xf32>) -> tensor<?x2xf32>
    %dw = "kiln.matmul"(%xr, %gr) {transpose_a = true} : (tensor<?x4xf32>, tensor<?x2xf32>) -> tensor<4x2xf32>
    %db = "kiln.matmul"(%u, %v) {transpose_a = true} : (tensor<?x4xf32>, tensor<?x2xf32>) -> tensor<4x2xf32>
    %w = "kiln.matmul"(%u, %dw) : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
    func.return %dw, %db, %w : tensor<4x2xf32>, tensor<4x2xf32>, tensor<?x2xf32>
  }
}

// CHECK: // [3*batch, 4]
// CHECK: kiln::halide::matmul({{.*}}, {.transpose_a = true, .transpose_b = false}, 3 * kiln::halide::kSymbolEstimate);
// CHECK: kiln::halide::matmul({{.*}}, {.transpose_a = true, .transpose_b = false}, kiln::halide::kSymbolEstimate);
// A static K is its own estimate.
// CHECK: kiln::halide::matmul(in0, in1, 4, {.transpose_a = false, .transpose_b = false});
