module attributes {kiln.model = "reg"} {
  "kiln.parameter"() {sym_name = "l.weight", type = tensor<3x4xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.5, 0.5>} : () -> ()
  "kiln.parameter"() {sym_name = "l.bias", type = tensor<3xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.5, 0.5>} : () -> ()
  func.func @train_step(%x: tensor<?x4xf32> {kiln.name = "x", kiln.symbols = ["batch", ""]}, %t: tensor<?x3xf32> {kiln.name = "t", kiln.symbols = ["batch", ""]}) -> (tensor<f32> {kiln.name = "loss"}) attributes {kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "adam", lr = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64}} {
    %w = "kiln.param_ref"() {name = @"l.weight"} : () -> tensor<3x4xf32>
    %b = "kiln.param_ref"() {name = @"l.bias"} : () -> tensor<3xf32>
    %h = "kiln.matmul"(%x, %w) {transpose_a = false, transpose_b = true} : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
    %hb = "kiln.add"(%h, %b) : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
    %y = "kiln.tanh"(%hb) : (tensor<?x3xf32>) -> tensor<?x3xf32>
    %d = "kiln.sub"(%y, %t) : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
    %d2 = "kiln.mul"(%d, %d) : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
    %s = "kiln.reduce_sum"(%d2) {axis = 1 : i64} : (tensor<?x3xf32>) -> tensor<?xf32>
    %l = "kiln.reduce_mean"(%s) {axis = 0 : i64} : (tensor<?xf32>) -> tensor<f32>
    func.return %l : tensor<f32>
  }
}
