// Replica ops (kiln.replica_sum, kiln.replica_count; synchronised BatchNorm
// in a data-parallel job) mean something only in a `gradients` entry point,
// which runs as one process of the job. Everywhere else kiln-local-replicas
// makes the sum its input and the count 1, and canonicalization folds the
// division by 1 and the constants away: the single-process step is the
// graph without them. The gradient of a replica_sum is a replica_sum.
// RUN: kiln-opt %s -kiln-autodiff -kiln-data-parallel -kiln-local-replicas -canonicalize | FileCheck %s

// CHECK-LABEL: func.func @train_step_gradients
// CHECK-DAG: %[[COUNT:.*]] = kiln.replica_count : tensor<f32>
// CHECK-DAG: %[[LOCAL:.*]] = kiln.reduce_mean
// CHECK: %[[SHARE:.*]] = kiln.div %[[LOCAL]], %[[COUNT]]
// CHECK: kiln.replica_sum %[[SHARE]] : tensor<1x2xf32>
// The backward pass sums the mean's gradient over the processes too.
// CHECK: kiln.replica_sum %{{.*}} : tensor<1x2xf32>
// CHECK: return

// CHECK-LABEL: func.func @train_step(
// CHECK-NOT: kiln.replica
// CHECK-NOT: kiln.div
// n * count / (n * count - 1) for n = 4 rows: one constant.
// CHECK: kiln.constant dense<1.33333337> : tensor<f32>
// CHECK-NOT: kiln.replica
// CHECK: return
module attributes {kiln.model = "m"} {
  "kiln.parameter"() {sym_name = "w", type = tensor<2xf32>, init = #kiln<init ones>, init_args = array<f64>} : () -> ()
  func.func @train_step(%x: tensor<4x2xf32> {kiln.name = "x"}) -> (tensor<f32> {kiln.name = "loss"}, tensor<f32> {kiln.name = "correction"}) attributes {kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "sgd", lr = 0.1 : f64}} {
    %w = "kiln.param_ref"() {name = @w} : () -> tensor<2xf32>
    %y = "kiln.mul"(%x, %w) : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
    %count = "kiln.replica_count"() : () -> tensor<f32>
    %m = "kiln.reduce_mean"(%y) {axis = 0 : i64, keepdim = true} : (tensor<4x2xf32>) -> tensor<1x2xf32>
    %share = "kiln.div"(%m, %count) : (tensor<1x2xf32>, tensor<f32>) -> tensor<1x2xf32>
    %mean = "kiln.replica_sum"(%share) : (tensor<1x2xf32>) -> tensor<1x2xf32>
    %c = "kiln.sub"(%y, %mean) : (tensor<4x2xf32>, tensor<1x2xf32>) -> tensor<4x2xf32>
    %sq = "kiln.mul"(%c, %c) : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
    %r = "kiln.reduce_sum"(%sq) {axis = 1 : i64} : (tensor<4x2xf32>) -> tensor<4xf32>
    %s = "kiln.reduce_mean"(%r) {axis = 0 : i64} : (tensor<4xf32>) -> tensor<f32>
    %four = "kiln.constant"() {value = dense<4.0> : tensor<f32>} : () -> tensor<f32>
    %one = "kiln.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
    %n = "kiln.mul"(%four, %count) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %n1 = "kiln.sub"(%n, %one) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %corr = "kiln.div"(%n, %n1) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    func.return %s, %corr : tensor<f32>, tensor<f32>
  }
}
