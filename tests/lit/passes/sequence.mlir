// kiln.sequences: @ab runs @a then @b in one call. Inputs are matched by
// name (x once), results concatenated; @b's param_ref of a parameter @a
// assigned reads @a's value (@s, @w), the others stay param_refs (@v); only
// the last assignment of @s is kept; the batch one part states is the
// sequence's. After CSE, what both compute alike
// (tanh(x), here) is computed once.
// RUN: kiln-opt %s -kiln-sequence | FileCheck %s
// RUN: kiln-opt %s -kiln-sequence -cse | FileCheck %s --check-prefix=CSE

// CHECK-LABEL: func.func @ab(
// CHECK-SAME: %[[X:.*]]: tensor<?x3xf32> {kiln.name = "x", kiln.symbols = ["batch", ""]}
// CHECK-SAME: %[[Y:.*]]: tensor<3xf32> {kiln.name = "y"}
// CHECK-SAME: -> (tensor<f32> {kiln.name = "la"}, tensor<f32> {kiln.name = "lb"})
// CHECK-SAME: kiln.batch = 16 : i64
// CHECK-SAME: kiln.entry = #kiln<entry train>
// CHECK-SAME: kiln.minimums = [{min = 2 : i64, symbol = "batch", why = "a"}]
// CHECK: %[[W:.*]] = kiln.param_ref @w
// CHECK: %[[S:.*]] = kiln.param_ref @s
// CHECK: %[[W1:.*]] = kiln.sub %[[W]], %[[Y]]
// CHECK: %[[S1:.*]] = kiln.add %[[S]], %[[W]]
// CHECK: kiln.param_assign @w, %[[W1]]
// CHECK-NOT: kiln.param_assign @s
// CHECK: %[[V:.*]] = kiln.param_ref @v
// CHECK-NOT: kiln.param_ref @w
// CHECK-NOT: kiln.param_ref @s
// CHECK: kiln.mul %{{.*}}, %[[W1]]
// CHECK: %[[S2:.*]] = kiln.mul %[[S1]], %[[V]]
// CHECK: kiln.param_assign @s, %[[S2]]
// CHECK: return

// CSE-LABEL: func.func @ab(
// CSE-COUNT-1: kiln.tanh
// CSE-NOT: kiln.tanh
// CSE: return

module attributes {kiln.sequences = [{entries = ["a", "b"], name = "ab"}]} {
  "kiln.parameter"() {sym_name = "w", type = tensor<3xf32>, init = #kiln<init ones>, init_args = array<f64>} : () -> ()
  "kiln.parameter"() {sym_name = "v", type = tensor<3xf32>, init = #kiln<init ones>, init_args = array<f64>} : () -> ()
  "kiln.parameter"() {sym_name = "s", type = tensor<3xf32>, init = #kiln<init zeros>, init_args = array<f64>, role = #kiln<role state>} : () -> ()
  func.func @a(%x: tensor<?x3xf32> {kiln.name = "x", kiln.symbols = ["batch", ""]}, %y: tensor<3xf32> {kiln.name = "y"}) -> (tensor<f32> {kiln.name = "la"}) attributes {kiln.entry = #kiln<entry train>, kiln.batch = 16 : i64, kiln.minimums = [{min = 2 : i64, symbol = "batch", why = "a"}]} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<3xf32>
    %s = "kiln.param_ref"() {name = @s} : () -> tensor<3xf32>
    %t = "kiln.tanh"(%x) : (tensor<?x3xf32>) -> tensor<?x3xf32>
    %h = "kiln.mul"(%t, %w) : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
    %r = "kiln.reduce_sum"(%h) {axis = 1 : i64} : (tensor<?x3xf32>) -> tensor<?xf32>
    %l = "kiln.reduce_mean"(%r) {axis = 0 : i64} : (tensor<?xf32>) -> tensor<f32>
    %w1 = "kiln.sub"(%w, %y) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %s1 = "kiln.add"(%s, %w) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    "kiln.param_assign"(%w1) {name = @w} : (tensor<3xf32>) -> ()
    "kiln.param_assign"(%s1) {name = @s} : (tensor<3xf32>) -> ()
    func.return %l : tensor<f32>
  }
  func.func @b(%x: tensor<?x3xf32> {kiln.name = "x", kiln.symbols = ["batch", ""]}) -> (tensor<f32> {kiln.name = "lb"}) attributes {kiln.entry = #kiln<entry train>, kiln.minimums = [{min = 2 : i64, symbol = "batch", why = "a"}]} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<3xf32>
    %v = "kiln.param_ref"() {name = @v} : () -> tensor<3xf32>
    %s = "kiln.param_ref"() {name = @s} : () -> tensor<3xf32>
    %t = "kiln.tanh"(%x) : (tensor<?x3xf32>) -> tensor<?x3xf32>
    %h = "kiln.mul"(%t, %w) : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
    %r = "kiln.reduce_sum"(%h) {axis = 1 : i64} : (tensor<?x3xf32>) -> tensor<?xf32>
    %l = "kiln.reduce_mean"(%r) {axis = 0 : i64} : (tensor<?xf32>) -> tensor<f32>
    %s2 = "kiln.mul"(%s, %v) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    "kiln.param_assign"(%s2) {name = @s} : (tensor<3xf32>) -> ()
    func.return %l : tensor<f32>
  }
}
