module attributes {kiln.model = "mlp"} {
  "kiln.parameter"() {sym_name = "l0.weight", type = tensor<8x4xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.5, 0.5>} : () -> () loc("models/mlp.cpp":5:3)
  "kiln.parameter"() {sym_name = "l0.bias", type = tensor<8xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.5, 0.5>} : () -> () loc("models/mlp.cpp":5:3)
  "kiln.parameter"() {sym_name = "l1.weight", type = tensor<3x8xf32>, init = #kiln<init normal>, init_args = array<f64: 0.0, 0.02>} : () -> () loc("models/mlp.cpp":6:3)
  func.func @forward(%x: tensor<?x4xf32> {kiln.name = "x", kiln.symbols = ["batch", ""]}) -> (tensor<?x3xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @"l0.weight"} : () -> tensor<8x4xf32> loc("models/mlp.cpp":10:5)
    %b = "kiln.param_ref"() {name = @"l0.bias"} : () -> tensor<8xf32> loc("models/mlp.cpp":10:5)
    %h = "kiln.matmul"(%x, %w) {transpose_a = false, transpose_b = true} : (tensor<?x4xf32>, tensor<8x4xf32>) -> tensor<?x8xf32> loc("models/mlp.cpp":10:5)
    %hb = "kiln.add"(%h, %b) : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32> loc("models/mlp.cpp":10:5)
    %r = "kiln.relu"(%hb) : (tensor<?x8xf32>) -> tensor<?x8xf32> loc("models/mlp.cpp":10:12)
    %c = "kiln.constant"() {value = dense<5.000000e-01> : tensor<f32>} : () -> tensor<f32> loc("models/mlp.cpp":11:5)
    %s = "kiln.mul"(%r, %c) : (tensor<?x8xf32>, tensor<f32>) -> tensor<?x8xf32> loc("models/mlp.cpp":11:5)
    %w1 = "kiln.param_ref"() {name = @"l1.weight"} : () -> tensor<3x8xf32> loc("models/mlp.cpp":12:5)
    %y = "kiln.matmul"(%s, %w1) {transpose_a = false, transpose_b = true} : (tensor<?x8xf32>, tensor<3x8xf32>) -> tensor<?x3xf32> loc("models/mlp.cpp":12:5)
    %t = "kiln.tanh"(%y) : (tensor<?x3xf32>) -> tensor<?x3xf32> loc("models/mlp.cpp":12:5)
    %sum = "kiln.reduce_sum"(%t) {axis = 1 : i64, keepdim = true} : (tensor<?x3xf32>) -> tensor<?x1xf32> loc("models/mlp.cpp":13:5)
    %o = "kiln.sub"(%t, %sum) : (tensor<?x3xf32>, tensor<?x1xf32>) -> tensor<?x3xf32> loc("models/mlp.cpp":13:5)
    func.return %o : tensor<?x3xf32>
  }
}
