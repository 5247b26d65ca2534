module attributes {kiln.model = "conv"} {
  "kiln.parameter"() {sym_name = "c1.weight", type = tensor<4x1x3x3xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "c1.bias", type = tensor<4x1x1xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "c2.weight", type = tensor<6x4x3x3xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  func.func @forward(%x: tensor<?x1x8x6xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x4x3xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w1 = "kiln.param_ref"() {name = @"c1.weight"} : () -> tensor<4x1x3x3xf32>
    %b1 = "kiln.param_ref"() {name = @"c1.bias"} : () -> tensor<4x1x1xf32>
    %w2 = "kiln.param_ref"() {name = @"c2.weight"} : () -> tensor<6x4x3x3xf32>
    %c1 = "kiln.conv2d"(%x, %w1) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x1x8x6xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x4x3xf32> loc("models/conv.cpp":10:5)
    %a1 = "kiln.add"(%c1, %b1) : (tensor<?x4x4x3xf32>, tensor<4x1x1xf32>) -> tensor<?x4x4x3xf32> loc("models/conv.cpp":10:5)
    %h = "kiln.relu"(%a1) : (tensor<?x4x4x3xf32>) -> tensor<?x4x4x3xf32> loc("models/conv.cpp":11:5)
    %c2 = "kiln.conv2d"(%h, %w2) {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>} : (tensor<?x4x4x3xf32>, tensor<6x4x3x3xf32>) -> tensor<?x6x4x3xf32> loc("models/conv.cpp":12:5)
    %m = "kiln.reduce_max"(%c2) {axis = 1 : i64} : (tensor<?x6x4x3xf32>) -> tensor<?x4x3xf32> loc("models/conv.cpp":13:5)
    func.return %m : tensor<?x4x3xf32>
  }
  func.func @train_step(%x: tensor<?x1x8x6xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<f32> {kiln.name = "loss"}) attributes {kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "sgd", lr = 1.0 : f64, momentum = 0.0 : f64, weight_decay = 0.0 : f64}} {
    %w1 = "kiln.param_ref"() {name = @"c1.weight"} : () -> tensor<4x1x3x3xf32>
    %b1 = "kiln.param_ref"() {name = @"c1.bias"} : () -> tensor<4x1x1xf32>
    %w2 = "kiln.param_ref"() {name = @"c2.weight"} : () -> tensor<6x4x3x3xf32>
    %c1 = "kiln.conv2d"(%x, %w1) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x1x8x6xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x4x3xf32> loc("models/conv.cpp":20:5)
    %a1 = "kiln.add"(%c1, %b1) : (tensor<?x4x4x3xf32>, tensor<4x1x1xf32>) -> tensor<?x4x4x3xf32> loc("models/conv.cpp":20:5)
    %h = "kiln.relu"(%a1) : (tensor<?x4x4x3xf32>) -> tensor<?x4x4x3xf32> loc("models/conv.cpp":21:5)
    %c2 = "kiln.conv2d"(%h, %w2) {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>} : (tensor<?x4x4x3xf32>, tensor<6x4x3x3xf32>) -> tensor<?x6x4x3xf32> loc("models/conv.cpp":22:5)
    %m = "kiln.reduce_max"(%c2) {axis = 1 : i64} : (tensor<?x6x4x3xf32>) -> tensor<?x4x3xf32> loc("models/conv.cpp":23:5)
    %r = "kiln.reshape"(%m) : (tensor<?x4x3xf32>) -> tensor<?x12xf32> loc("models/conv.cpp":24:5)
    %s = "kiln.reduce_sum"(%r) {axis = 1 : i64} : (tensor<?x12xf32>) -> tensor<?xf32> loc("models/conv.cpp":24:5)
    %l = "kiln.reduce_mean"(%s) {axis = 0 : i64} : (tensor<?xf32>) -> tensor<f32> loc("models/conv.cpp":24:5)
    func.return %l : tensor<f32>
  }
}
