// A reshape that no kernel absorbs (between a reduction and a matmul) is a
// view: no kernel and no copy, the matmul reads the reduction's memory with
// the new shape, and the memory plan keeps that memory from being reused
// until the view's last user.
// RUN: kilnc %s --emit=mlir | FileCheck %s --check-prefix=PLAN
// RUN: kilnc %s --emit=plan | FileCheck %s

module attributes {kiln.model = "view"} {
  "kiln.parameter"() {sym_name = "w", type = tensor<4x6xf32>, init = #kiln<init zeros>, init_args = array<f64>} : () -> ()
  func.func @f(%x: tensor<?x2x3x5xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x4xf32> {kiln.name = "y"}, tensor<?x3xf32> {kiln.name = "s"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<4x6xf32>
    %h = "kiln.reduce_sum"(%x) {axis = 3 : i64} : (tensor<?x2x3x5xf32>) -> tensor<?x2x3xf32>
    %v = "kiln.reshape"(%h) : (tensor<?x2x3xf32>) -> tensor<?x6xf32>
    %s = "kiln.reduce_max"(%x) {axis = 1 : i64} : (tensor<?x2x3x5xf32>) -> tensor<?x3x5xf32>
    %t = "kiln.reduce_sum"(%s) {axis = 2 : i64} : (tensor<?x3x5xf32>) -> tensor<?x3xf32>
    %y = "kiln.matmul"(%v, %w) {transpose_b = true} : (tensor<?x6xf32>, tensor<4x6xf32>) -> tensor<?x4xf32>
    func.return %y, %t : tensor<?x4xf32>, tensor<?x3xf32>
  }
}

// PLAN: %[[H:.*]] = kiln.fused "kiln_view_f_k0" (%arg0)
// PLAN: } attributes {arena = array<i64: 0>, offset = array<i64: 0>}
// PLAN-NEXT: %[[V:.*]] = kiln.reshape %[[H]] : (tensor<?x2x3xf32>) -> tensor<?x6xf32>
// The maxima are stored while the view is still to be read: elsewhere.
// PLAN-NEXT: kiln.fused "kiln_view_f_k1" (%arg0)
// PLAN: } attributes {arena = array<i64: 0>, offset = array<i64: 128>}
// PLAN: kiln.fused "kiln_view_f_k3" (%[[V]], %{{.*}})
// PLAN-NOT: reshape

// CHECK-LABEL: void run_f(
// CHECK: check_kernel(kiln_view_f_k0(
// CHECK: check_kernel(kiln_view_f_k1(
// CHECK: check_kernel(kiln_view_f_k2(
// CHECK: BufferView b0(reinterpret_cast<float *>(arena0 + size_t(0) * sym_batch), std::array<int64_t, 2>{sym_batch, 6});
// CHECK: check_kernel(kiln_view_f_k3(
