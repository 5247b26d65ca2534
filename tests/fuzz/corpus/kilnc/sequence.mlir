module attributes {kiln.model = "sequence"} {
  "kiln.parameter"() {init = #kiln<init uniform>, init_args = array<f64: -4.0824829046386307e-01, 4.0824829046386307e-01>, sym_name = "proj.weight", type = tensor<8x6xf32>} : () -> ()
  "kiln.parameter"() {init = #kiln<init uniform>, init_args = array<f64: -4.0824829046386307e-01, 4.0824829046386307e-01>, sym_name = "proj.bias", type = tensor<8xf32>} : () -> ()
  "kiln.parameter"() {init = #kiln<init normal>, init_args = array<f64: 0.000000e+00, 1.000000e+00>, sym_name = "wte.weight", type = tensor<11x8xf32>} : () -> ()
  func.func @project(%arg0: tensor<?x?x6xf32> {kiln.name = "input0", kiln.symbols = ["batch", "seq", ""]}) -> (tensor<?x?x8xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.param_ref"() {name = @"proj.weight"} : () -> tensor<8x6xf32>
    %1 = "kiln.reshape"(%arg0) {input_symbols = ["batch", "seq", ""], result_symbols = ["batch*seq", ""]} : (tensor<?x?x6xf32>) -> tensor<?x6xf32>
    %2 = "kiln.matmul"(%1, %0) {transpose_a = false, transpose_b = true} : (tensor<?x6xf32>, tensor<8x6xf32>) -> tensor<?x8xf32>
    %3 = "kiln.param_ref"() {name = @"proj.bias"} : () -> tensor<8xf32>
    %4 = "kiln.add"(%2, %3) : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
    %5 = "kiln.reshape"(%4) {input_symbols = ["batch*seq", ""], result_symbols = ["batch", "seq", ""]} : (tensor<?x8xf32>) -> tensor<?x?x8xf32>
    func.return %5 : tensor<?x?x8xf32>
  }
  func.func @merge(%arg0: tensor<?x?x6xf32> {kiln.name = "input0", kiln.symbols = ["batch", "seq", ""]}) -> (tensor<?x6xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.reshape"(%arg0) {input_symbols = ["batch", "seq", ""], result_symbols = ["batch*seq", ""]} : (tensor<?x?x6xf32>) -> tensor<?x6xf32>
    %1 = "kiln.constant"() {value = dense<2.000000e+00> : tensor<f32>} : () -> tensor<f32>
    %2 = "kiln.mul"(%0, %1) : (tensor<?x6xf32>, tensor<f32>) -> tensor<?x6xf32>
    func.return %2 : tensor<?x6xf32>
  }
  func.func @merge_split(%arg0: tensor<?x?x6xf32> {kiln.name = "input0", kiln.symbols = ["batch", "seq", ""]}) -> (tensor<?x?x6xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.reshape"(%arg0) {input_symbols = ["batch", "seq", ""], result_symbols = ["batch*seq", ""]} : (tensor<?x?x6xf32>) -> tensor<?x6xf32>
    %1 = "kiln.mul"(%0, %0) : (tensor<?x6xf32>, tensor<?x6xf32>) -> tensor<?x6xf32>
    %2 = "kiln.reshape"(%1) {input_symbols = ["batch*seq", ""], result_symbols = ["batch", "seq", ""]} : (tensor<?x6xf32>) -> tensor<?x?x6xf32>
    func.return %2 : tensor<?x?x6xf32>
  }
  func.func @scores(%arg0: tensor<?x?x8xf32> {kiln.name = "input0", kiln.symbols = ["batch", "seq", ""]}, %arg1: tensor<?x?x8xf32> {kiln.name = "input1", kiln.symbols = ["batch", "seq", ""]}) -> (tensor<?x2x?x?xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.reshape"(%arg0) : (tensor<?x?x8xf32>) -> tensor<?x?x2x4xf32>
    %1 = "kiln.permute"(%0) {permutation = array<i64: 0, 2, 1, 3>} : (tensor<?x?x2x4xf32>) -> tensor<?x2x?x4xf32>
    %2 = "kiln.reshape"(%arg1) : (tensor<?x?x8xf32>) -> tensor<?x?x2x4xf32>
    %3 = "kiln.permute"(%2) {permutation = array<i64: 0, 2, 1, 3>} : (tensor<?x?x2x4xf32>) -> tensor<?x2x?x4xf32>
    %4 = "kiln.matmul"(%1, %3) {transpose_a = false, transpose_b = true} : (tensor<?x2x?x4xf32>, tensor<?x2x?x4xf32>) -> tensor<?x2x?x?xf32>
    func.return %4 : tensor<?x2x?x?xf32>
  }
  func.func @causal_scores(%arg0: tensor<?x?x8xf32> {kiln.name = "input0", kiln.symbols = ["batch", "seq", ""]}, %arg1: tensor<?x?x8xf32> {kiln.name = "input1", kiln.symbols = ["batch", "seq", ""]}) -> (tensor<?x2x?x?xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.reshape"(%arg0) : (tensor<?x?x8xf32>) -> tensor<?x?x2x4xf32>
    %1 = "kiln.permute"(%0) {permutation = array<i64: 0, 2, 1, 3>} : (tensor<?x?x2x4xf32>) -> tensor<?x2x?x4xf32>
    %2 = "kiln.reshape"(%arg1) : (tensor<?x?x8xf32>) -> tensor<?x?x2x4xf32>
    %3 = "kiln.permute"(%2) {permutation = array<i64: 0, 2, 1, 3>} : (tensor<?x?x2x4xf32>) -> tensor<?x2x?x4xf32>
    %4 = "kiln.matmul"(%1, %3) {transpose_a = false, transpose_b = true} : (tensor<?x2x?x4xf32>, tensor<?x2x?x4xf32>) -> tensor<?x2x?x?xf32>
    %5 = "kiln.iota"(%4) {axis = 3 : i64} : (tensor<?x2x?x?xf32>) -> tensor<?x2x?x?xf32>
    %6 = "kiln.iota"(%4) {axis = 2 : i64} : (tensor<?x2x?x?xf32>) -> tensor<?x2x?x?xf32>
    %7 = "kiln.greater"(%5, %6) : (tensor<?x2x?x?xf32>, tensor<?x2x?x?xf32>) -> tensor<?x2x?x?xf32>
    %8 = "kiln.constant"() {value = dense<-1.000000e+30> : tensor<f32>} : () -> tensor<f32>
    %9 = "kiln.select"(%7, %8, %4) : (tensor<?x2x?x?xf32>, tensor<f32>, tensor<?x2x?x?xf32>) -> tensor<?x2x?x?xf32>
    func.return %9 : tensor<?x2x?x?xf32>
  }
  func.func @attend(%arg0: tensor<?x2x?x?xf32> {kiln.name = "input0", kiln.symbols = ["batch", "", "seq", "seq"]}, %arg1: tensor<?x?x8xf32> {kiln.name = "input1", kiln.symbols = ["batch", "seq", ""]}) -> (tensor<?x?x8xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.reshape"(%arg1) : (tensor<?x?x8xf32>) -> tensor<?x?x2x4xf32>
    %1 = "kiln.permute"(%0) {permutation = array<i64: 0, 2, 1, 3>} : (tensor<?x?x2x4xf32>) -> tensor<?x2x?x4xf32>
    %2 = "kiln.matmul"(%arg0, %1) {transpose_a = false, transpose_b = false} : (tensor<?x2x?x?xf32>, tensor<?x2x?x4xf32>) -> tensor<?x2x?x4xf32>
    %3 = "kiln.permute"(%2) {permutation = array<i64: 0, 2, 1, 3>} : (tensor<?x2x?x4xf32>) -> tensor<?x?x2x4xf32>
    %4 = "kiln.reshape"(%3) : (tensor<?x?x2x4xf32>) -> tensor<?x?x8xf32>
    func.return %4 : tensor<?x?x8xf32>
  }
  func.func @shared(%arg0: tensor<?x?x8xf32> {kiln.name = "input0", kiln.symbols = ["batch", "seq", ""]}, %arg1: tensor<8x6xf32> {kiln.name = "input1", kiln.symbols = ["", ""]}) -> (tensor<?x?x6xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.reshape"(%arg0) {input_symbols = ["batch", "seq", ""], result_symbols = ["batch*seq", ""]} : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
    %1 = "kiln.matmul"(%0, %arg1) {transpose_a = false, transpose_b = false} : (tensor<?x8xf32>, tensor<8x6xf32>) -> tensor<?x6xf32>
    %2 = "kiln.reshape"(%1) {input_symbols = ["batch*seq", ""], result_symbols = ["batch", "seq", ""]} : (tensor<?x6xf32>) -> tensor<?x?x6xf32>
    func.return %2 : tensor<?x?x6xf32>
  }
  func.func @scaled(%arg0: tensor<?x?x8xf32> {kiln.name = "input0", kiln.symbols = ["batch", "seq", ""]}) -> (tensor<?x?x8xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.constant"() {value = dense<[5.000000e-01, -1.000000e+00, 2.000000e+00, 2.500000e-01, 3.000000e+00, -1.250000e-01, 1.500000e+00, 4.000000e+00]> : tensor<8xf32>} : () -> tensor<8xf32>
    %1 = "kiln.mul"(%arg0, %0) : (tensor<?x?x8xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
    %2 = "kiln.constant"() {value = dense<[[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00]]> : tensor<1x8xf32>} : () -> tensor<1x8xf32>
    %3 = "kiln.add"(%1, %2) : (tensor<?x?x8xf32>, tensor<1x8xf32>) -> tensor<?x?x8xf32>
    func.return %3 : tensor<?x?x8xf32>
  }
  func.func @left_shared(%arg0: tensor<3x4xf32> {kiln.name = "input0", kiln.symbols = ["", ""]}, %arg1: tensor<?x2x4x5xf32> {kiln.name = "input1", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x2x3x5xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.matmul"(%arg0, %arg1) {transpose_a = false, transpose_b = false} : (tensor<3x4xf32>, tensor<?x2x4x5xf32>) -> tensor<?x2x3x5xf32>
    func.return %0 : tensor<?x2x3x5xf32>
  }
  func.func @one_head(%arg0: tensor<?x1x?x4xf32> {kiln.name = "input0", kiln.symbols = ["batch", "", "seq", ""]}, %arg1: tensor<?x2x4x5xf32> {kiln.name = "input1", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x2x?x5xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.matmul"(%arg0, %arg1) {transpose_a = false, transpose_b = false} : (tensor<?x1x?x4xf32>, tensor<?x2x4x5xf32>) -> tensor<?x2x?x5xf32>
    func.return %0 : tensor<?x2x?x5xf32>
  }
  func.func @attention_train(%arg0: tensor<?x?x6xf32> {kiln.name = "input0", kiln.symbols = ["batch", "seq", ""]}, %arg1: tensor<?x?x8xf32> {kiln.name = "input1", kiln.symbols = ["batch", "seq", ""]}) -> (tensor<f32> {kiln.name = "loss"}) attributes {kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "sgd", lr = 1.000000e+00 : f64, momentum = 0.000000e+00 : f64, params = ["proj"], weight_decay = 0.000000e+00 : f64}} {
    %0 = "kiln.param_ref"() {name = @"proj.weight"} : () -> tensor<8x6xf32>
    %1 = "kiln.reshape"(%arg0) {input_symbols = ["batch", "seq", ""], result_symbols = ["batch*seq", ""]} : (tensor<?x?x6xf32>) -> tensor<?x6xf32>
    %2 = "kiln.matmul"(%1, %0) {transpose_a = false, transpose_b = true} : (tensor<?x6xf32>, tensor<8x6xf32>) -> tensor<?x8xf32>
    %3 = "kiln.param_ref"() {name = @"proj.bias"} : () -> tensor<8xf32>
    %4 = "kiln.add"(%2, %3) : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
    %5 = "kiln.reshape"(%4) {input_symbols = ["batch*seq", ""], result_symbols = ["batch", "seq", ""]} : (tensor<?x8xf32>) -> tensor<?x?x8xf32>
    %6 = "kiln.reshape"(%5) : (tensor<?x?x8xf32>) -> tensor<?x?x2x4xf32>
    %7 = "kiln.permute"(%6) {permutation = array<i64: 0, 2, 1, 3>} : (tensor<?x?x2x4xf32>) -> tensor<?x2x?x4xf32>
    %8 = "kiln.matmul"(%7, %7) {transpose_a = false, transpose_b = true} : (tensor<?x2x?x4xf32>, tensor<?x2x?x4xf32>) -> tensor<?x2x?x?xf32>
    %9 = "kiln.matmul"(%8, %7) {transpose_a = false, transpose_b = false} : (tensor<?x2x?x?xf32>, tensor<?x2x?x4xf32>) -> tensor<?x2x?x4xf32>
    %10 = "kiln.permute"(%9) {permutation = array<i64: 0, 2, 1, 3>} : (tensor<?x2x?x4xf32>) -> tensor<?x?x2x4xf32>
    %11 = "kiln.reshape"(%10) : (tensor<?x?x2x4xf32>) -> tensor<?x?x8xf32>
    %12 = "kiln.mul"(%11, %arg1) : (tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
    %13 = "kiln.reduce_sum"(%12) {axis = 0 : i64, keepdim = false} : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
    %14 = "kiln.reduce_sum"(%13) {axis = 0 : i64, keepdim = false} : (tensor<?x8xf32>) -> tensor<8xf32>
    %15 = "kiln.reduce_sum"(%14) {axis = 0 : i64, keepdim = false} : (tensor<8xf32>) -> tensor<f32>
    func.return %15 : tensor<f32>
  }
  func.func @embed(%arg0: tensor<?x?xi32> {kiln.name = "input0", kiln.symbols = ["batch", "seq"]}) -> (tensor<?x?x8xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.param_ref"() {name = @"wte.weight"} : () -> tensor<11x8xf32>
    %1 = "kiln.gather"(%0, %arg0) {axis = 0 : i64} : (tensor<11x8xf32>, tensor<?x?xi32>) -> tensor<?x?x8xf32>
    func.return %1 : tensor<?x?x8xf32>
  }
  func.func @labels(%arg0: tensor<?xi32> {kiln.name = "input0", kiln.symbols = ["batch"]}) -> (tensor<?x10xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.one_hot"(%arg0) {classes = 10 : i64} : (tensor<?xi32>) -> tensor<?x10xf32>
    func.return %0 : tensor<?x10xf32>
  }
  func.func @halves(%arg0: tensor<?xi32> {kiln.name = "input0", kiln.symbols = ["batch"]}) -> (tensor<?xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.to_float"(%arg0) : (tensor<?xi32>) -> tensor<?xf32>
    %1 = "kiln.constant"() {value = dense<5.000000e-01> : tensor<f32>} : () -> tensor<f32>
    %2 = "kiln.mul"(%0, %1) : (tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
    func.return %2 : tensor<?xf32>
  }
  func.func @embed_train(%arg0: tensor<?x?xi32> {kiln.name = "input0", kiln.symbols = ["batch", "seq"]}, %arg1: tensor<?x?x8xf32> {kiln.name = "input1", kiln.symbols = ["batch", "seq", ""]}) -> (tensor<f32> {kiln.name = "loss"}) attributes {kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "sgd", lr = 1.000000e+00 : f64, momentum = 0.000000e+00 : f64, params = ["wte"], weight_decay = 0.000000e+00 : f64}} {
    %0 = "kiln.param_ref"() {name = @"wte.weight"} : () -> tensor<11x8xf32>
    %1 = "kiln.gather"(%0, %arg0) {axis = 0 : i64} : (tensor<11x8xf32>, tensor<?x?xi32>) -> tensor<?x?x8xf32>
    %2 = "kiln.reshape"(%1) : (tensor<?x?x8xf32>) -> tensor<?x?x2x4xf32>
    %3 = "kiln.permute"(%2) {permutation = array<i64: 0, 2, 1, 3>} : (tensor<?x?x2x4xf32>) -> tensor<?x2x?x4xf32>
    %4 = "kiln.matmul"(%3, %3) {transpose_a = false, transpose_b = true} : (tensor<?x2x?x4xf32>, tensor<?x2x?x4xf32>) -> tensor<?x2x?x?xf32>
    %5 = "kiln.matmul"(%4, %3) {transpose_a = false, transpose_b = false} : (tensor<?x2x?x?xf32>, tensor<?x2x?x4xf32>) -> tensor<?x2x?x4xf32>
    %6 = "kiln.permute"(%5) {permutation = array<i64: 0, 2, 1, 3>} : (tensor<?x2x?x4xf32>) -> tensor<?x?x2x4xf32>
    %7 = "kiln.reshape"(%6) : (tensor<?x?x2x4xf32>) -> tensor<?x?x8xf32>
    %8 = "kiln.mul"(%7, %arg1) : (tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
    %9 = "kiln.reduce_sum"(%8) {axis = 0 : i64, keepdim = false} : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
    %10 = "kiln.reduce_sum"(%9) {axis = 0 : i64, keepdim = false} : (tensor<?x8xf32>) -> tensor<8xf32>
    %11 = "kiln.reduce_sum"(%10) {axis = 0 : i64, keepdim = false} : (tensor<8xf32>) -> tensor<f32>
    func.return %11 : tensor<f32>
  }
}
