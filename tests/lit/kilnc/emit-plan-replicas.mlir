// kiln.replica_sum in a gradients entry point: the plan sums the kernel
// result over the job's processes where it lies (Session::replica_sum,
// every element: here the 3 channel means of a batch), and kernels read
// the job's size from the Session (replica_count). A value another kernel
// also reads cannot be summed in place: refused, with the op's location.
// RUN: kilnc %s --emit=plan | FileCheck %s
// RUN: not kilnc %inputs/replica_shared.mlir --emit=plan -o %t.cpp 2>&1 | FileCheck %s --check-prefix=SHARED

// CHECK-LABEL: void run_stats(
// CHECK: BufferView b{{[0-9]+}}(s.replica_count().data(), std::array<int64_t, 0>{});
// CHECK: check_kernel(kiln_sync_stats_k0(
// CHECK-NEXT: }
// CHECK-NEXT: s.replica_sum(reinterpret_cast<float *>(arena{{[0-9]+}} + size_t(0) * {{.*}}), size_t(3));
// CHECK: check_kernel(kiln_sync_stats_k1(
// SHARED: replica_shared.mlir:4:10: error: sums, in place, a value that is also read elsewhere
module attributes {kiln.model = "sync"} {
  func.func @stats(%x: tensor<?x3xf32> {kiln.name = "x", kiln.symbols = ["batch", ""]}) -> (tensor<?x3xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry gradients>} {
    %count = "kiln.replica_count"() : () -> tensor<f32>
    %m = "kiln.reduce_mean"(%x) {axis = 0 : i64, keepdim = true} : (tensor<?x3xf32>) -> tensor<1x3xf32>
    %share = "kiln.div"(%m, %count) : (tensor<1x3xf32>, tensor<f32>) -> tensor<1x3xf32>
    %mean = "kiln.replica_sum"(%share) : (tensor<1x3xf32>) -> tensor<1x3xf32>
    %y = "kiln.sub"(%x, %mean) : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
    func.return %y : tensor<?x3xf32>
  }
}
