module attributes {kiln.model = "kv_cache"} {
  "kiln.parameter"() {init = #kiln<init uniform>, init_args = array<f64: -5.7735026918962584e-01, 5.7735026918962584e-01>, sym_name = "proj.weight", type = tensor<4x3xf32>} : () -> ()
  "kiln.parameter"() {init = #kiln<init uniform>, init_args = array<f64: -5.7735026918962584e-01, 5.7735026918962584e-01>, sym_name = "proj.bias", type = tensor<4xf32>} : () -> ()
  "kiln.parameter"() {init = #kiln<init zeros>, init_args = array<f64>, role = #kiln<role buffer>, sym_name = "cache.k", type = tensor<2x6x4xf32>} : () -> ()
  func.func @append(%arg0: tensor<2x1x3xf32> {kiln.name = "input0", kiln.symbols = ["", "", ""]}, %arg1: tensor<i32> {kiln.name = "input1", kiln.symbols = []}) -> (tensor<2x6x4xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.param_ref"() {name = @"proj.weight"} : () -> tensor<4x3xf32>
    %1 = "kiln.reshape"(%arg0) : (tensor<2x1x3xf32>) -> tensor<2x3xf32>
    %2 = "kiln.matmul"(%1, %0) {transpose_a = false, transpose_b = true} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
    %3 = "kiln.param_ref"() {name = @"proj.bias"} : () -> tensor<4xf32>
    %4 = "kiln.add"(%2, %3) : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
    %5 = "kiln.reshape"(%4) : (tensor<2x4xf32>) -> tensor<2x1x4xf32>
    %6 = "kiln.param_ref"() {name = @"cache.k"} : () -> tensor<2x6x4xf32>
    %7 = "kiln.write_slice"(%6, %5, %arg1) {axis = 1 : i64} : (tensor<2x6x4xf32>, tensor<2x1x4xf32>, tensor<i32>) -> tensor<2x6x4xf32>
    "kiln.param_assign"(%7) {name = @"cache.k"} : (tensor<2x6x4xf32>) -> ()
    func.return %7 : tensor<2x6x4xf32>
  }
  func.func @scores(%arg0: tensor<2x1x4xf32> {kiln.name = "input0", kiln.symbols = ["", "", ""]}, %arg1: tensor<i32> {kiln.name = "input1", kiln.symbols = []}) -> (tensor<2x1x6xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.param_ref"() {name = @"cache.k"} : () -> tensor<2x6x4xf32>
    %1 = "kiln.matmul"(%arg0, %0) {transpose_a = false, transpose_b = true} : (tensor<2x1x4xf32>, tensor<2x6x4xf32>) -> tensor<2x1x6xf32>
    %2 = "kiln.iota"(%1) {axis = 2 : i64} : (tensor<2x1x6xf32>) -> tensor<2x1x6xf32>
    %3 = "kiln.to_float"(%arg1) : (tensor<i32>) -> tensor<f32>
    %4 = "kiln.greater"(%2, %3) : (tensor<2x1x6xf32>, tensor<f32>) -> tensor<2x1x6xf32>
    %5 = "kiln.constant"() {value = dense<-1.000000e+30> : tensor<f32>} : () -> tensor<f32>
    %6 = "kiln.select"(%4, %5, %1) : (tensor<2x1x6xf32>, tensor<f32>, tensor<2x1x6xf32>) -> tensor<2x1x6xf32>
    func.return %6 : tensor<2x1x6xf32>
  }
}
