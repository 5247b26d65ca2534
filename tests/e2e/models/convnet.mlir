// A small convolutional model written directly in the kiln dialect, built
// by kiln_add_mlir_model: one entry point per case of tests/e2e/conv_test.cpp
// (odd shapes: strides 1-3, padding 0-1, non-square images and kernels,
// output channels below and above one vector), and train entry points with
// SGD at lr 1 whose parameter updates expose the compiled gradients. The
// wino_* entries have shapes that take Winograd's algorithm (k4 s2, at least
// 16 input channels, output channels a multiple of 16:
// compiler/halide/include/kiln/halide/conv2d_winograd.h), the wino3_* ones
// its F(4x4, 3x3) (k3 s1, the same channel counts; wino3_wgrad* the weight
// gradient's F(3x3, 4x4)).
module attributes {kiln.model = "convnet"} {
  "kiln.parameter"() {sym_name = "a.weight", type = tensor<4x3x3x3xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "a.bias", type = tensor<4x1x1xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "b.weight", type = tensor<4x3x3x2xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "c.weight", type = tensor<32x3x3x3xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "c.bias", type = tensor<32x1x1xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "d.weight", type = tensor<48x5x3x3xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "e.weight", type = tensor<8x3x4x4xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "f.weight", type = tensor<6x32x4x4xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "g.weight", type = tensor<4x16x3x3xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "h.weight", type = tensor<4x16x2x3xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "t1.weight", type = tensor<8x2x3x3xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "t1.bias", type = tensor<8x1x1xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "t2.weight", type = tensor<16x8x3x3xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "t3.weight", type = tensor<16x4x4x4xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "wa.weight", type = tensor<32x16x4x4xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "wa.bias", type = tensor<32x1x1xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "wb.weight", type = tensor<16x20x4x4xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "wc.weight", type = tensor<32x16x4x4xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "wd.weight", type = tensor<16x32x4x4xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "we.weight", type = tensor<24x16x4x4xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "oa.weight", type = tensor<32x1x4x4xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "oa.bias", type = tensor<32x1x1xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "ob.weight", type = tensor<24x1x3x3xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "w1.weight", type = tensor<16x16x4x4xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.2, 0.2>} : () -> ()
  "kiln.parameter"() {sym_name = "w2.weight", type = tensor<16x16x4x4xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.2, 0.2>} : () -> ()
  "kiln.parameter"() {sym_name = "wf.weight", type = tensor<32x16x3x3xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "wf.bias", type = tensor<32x1x1xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "wg.weight", type = tensor<16x20x3x3xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "wh.weight", type = tensor<32x16x3x3xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "wi.weight", type = tensor<16x32x3x3xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "scratch", type = tensor<5xf32>, init = #kiln<init ones>, init_args = array<f64>, role = #kiln<role buffer>} : () -> ()
  "kiln.parameter"() {sym_name = "wj.weight", type = tensor<16x16x3x3xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "w3.weight", type = tensor<16x16x3x3xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.2, 0.2>} : () -> ()
  "kiln.parameter"() {sym_name = "w4.weight", type = tensor<32x16x3x3xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.2, 0.2>} : () -> ()
  "kiln.parameter"() {sym_name = "wt1.weight", type = tensor<24x40x1x1xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  "kiln.parameter"() {sym_name = "wt3.weight", type = tensor<8x40x3x3xf32>, init = #kiln<init uniform>, init_args = array<f64: -0.3, 0.3>} : () -> ()
  func.func @conv_bias_relu(%x: tensor<?x3x7x5xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x4x7x5xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %a_weight = "kiln.param_ref"() {name = @"a.weight"} : () -> tensor<4x3x3x3xf32>
    %a_bias = "kiln.param_ref"() {name = @"a.bias"} : () -> tensor<4x1x1xf32>
    %v0 = "kiln.conv2d"(%x, %a_weight) {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>} : (tensor<?x3x7x5xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x7x5xf32> loc("tests/e2e/models/convnet.mlir":1:1)
    %v1 = "kiln.add"(%v0, %a_bias) : (tensor<?x4x7x5xf32>, tensor<4x1x1xf32>) -> tensor<?x4x7x5xf32> loc("tests/e2e/models/convnet.mlir":2:1)
    %v2 = "kiln.relu"(%v1) : (tensor<?x4x7x5xf32>) -> tensor<?x4x7x5xf32> loc("tests/e2e/models/convnet.mlir":3:1)
    func.return %v2 : tensor<?x4x7x5xf32>
  }
  func.func @conv_s2_p0(%x: tensor<?x3x7x5xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x4x3x2xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %b_weight = "kiln.param_ref"() {name = @"b.weight"} : () -> tensor<4x3x3x2xf32>
    %v0 = "kiln.conv2d"(%x, %b_weight) {stride = array<i64: 2, 2>, padding = array<i64: 0, 0>} : (tensor<?x3x7x5xf32>, tensor<4x3x3x2xf32>) -> tensor<?x4x3x2xf32> loc("tests/e2e/models/convnet.mlir":4:1)
    func.return %v0 : tensor<?x4x3x2xf32>
  }
  func.func @conv_wide(%x: tensor<?x3x9x20xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x32x5x10xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %c_weight = "kiln.param_ref"() {name = @"c.weight"} : () -> tensor<32x3x3x3xf32>
    %c_bias = "kiln.param_ref"() {name = @"c.bias"} : () -> tensor<32x1x1xf32>
    %v0 = "kiln.conv2d"(%x, %c_weight) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x3x9x20xf32>, tensor<32x3x3x3xf32>) -> tensor<?x32x5x10xf32> loc("tests/e2e/models/convnet.mlir":5:1)
    %v1 = "kiln.add"(%v0, %c_bias) : (tensor<?x32x5x10xf32>, tensor<32x1x1xf32>) -> tensor<?x32x5x10xf32> loc("tests/e2e/models/convnet.mlir":6:1)
    %v2 = "kiln.tanh"(%v1) : (tensor<?x32x5x10xf32>) -> tensor<?x32x5x10xf32> loc("tests/e2e/models/convnet.mlir":7:1)
    func.return %v2 : tensor<?x32x5x10xf32>
  }
  func.func @conv_wide_s1(%x: tensor<?x5x6x13xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x48x6x13xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %d_weight = "kiln.param_ref"() {name = @"d.weight"} : () -> tensor<48x5x3x3xf32>
    %v0 = "kiln.conv2d"(%x, %d_weight) {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>} : (tensor<?x5x6x13xf32>, tensor<48x5x3x3xf32>) -> tensor<?x48x6x13xf32> loc("tests/e2e/models/convnet.mlir":8:1)
    func.return %v0 : tensor<?x48x6x13xf32>
  }
  func.func @convt_narrow(%x: tensor<?x8x5x3xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x3x10x6xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %e_weight = "kiln.param_ref"() {name = @"e.weight"} : () -> tensor<8x3x4x4xf32>
    %v0 = "kiln.conv_transpose2d"(%x, %e_weight) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x8x5x3xf32>, tensor<8x3x4x4xf32>) -> tensor<?x3x10x6xf32> loc("tests/e2e/models/convnet.mlir":9:1)
    func.return %v0 : tensor<?x3x10x6xf32>
  }
  func.func @convt_wide(%x: tensor<?x6x4x7xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x32x8x14xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %f_weight = "kiln.param_ref"() {name = @"f.weight"} : () -> tensor<6x32x4x4xf32>
    %v0 = "kiln.conv_transpose2d"(%x, %f_weight) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x6x4x7xf32>, tensor<6x32x4x4xf32>) -> tensor<?x32x8x14xf32> loc("tests/e2e/models/convnet.mlir":10:1)
    func.return %v0 : tensor<?x32x8x14xf32>
  }
  func.func @convt_output_padding(%x: tensor<?x4x5x3xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x16x10x6xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %g_weight = "kiln.param_ref"() {name = @"g.weight"} : () -> tensor<4x16x3x3xf32>
    %v0 = "kiln.conv_transpose2d"(%x, %g_weight) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, output_padding = array<i64: 1, 1>} : (tensor<?x4x5x3xf32>, tensor<4x16x3x3xf32>) -> tensor<?x16x10x6xf32> loc("tests/e2e/models/convnet.mlir":11:1)
    func.return %v0 : tensor<?x16x10x6xf32>
  }
  func.func @convt_stride3(%x: tensor<?x4x3x4xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x16x8x7xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %h_weight = "kiln.param_ref"() {name = @"h.weight"} : () -> tensor<4x16x2x3xf32>
    %v0 = "kiln.conv_transpose2d"(%x, %h_weight) {stride = array<i64: 3, 2>, padding = array<i64: 0, 1>} : (tensor<?x4x3x4xf32>, tensor<4x16x2x3xf32>) -> tensor<?x16x8x7xf32> loc("tests/e2e/models/convnet.mlir":12:1)
    func.return %v0 : tensor<?x16x8x7xf32>
  }
  func.func @wgrad_wide(%x: tensor<?x3x7x5xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %dy: tensor<?x32x4x3xf32> {kiln.name = "dy", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<32x3x3x3xf32> {kiln.name = "dw"}) attributes {kiln.entry = #kiln<entry infer>} {
    %v0 = "kiln.conv2d_weight_grad"(%x, %dy) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, kernel_size = array<i64: 3, 3>} : (tensor<?x3x7x5xf32>, tensor<?x32x4x3xf32>) -> tensor<32x3x3x3xf32> loc("tests/e2e/models/convnet.mlir":13:1)
    func.return %v0 : tensor<32x3x3x3xf32>
  }
  func.func @wgrad_narrow(%x: tensor<?x16x6x5xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %dy: tensor<?x4x6x5xf32> {kiln.name = "dy", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<4x16x3x3xf32> {kiln.name = "dw"}) attributes {kiln.entry = #kiln<entry infer>} {
    %v0 = "kiln.conv2d_weight_grad"(%x, %dy) {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, kernel_size = array<i64: 3, 3>} : (tensor<?x16x6x5xf32>, tensor<?x4x6x5xf32>) -> tensor<4x16x3x3xf32> loc("tests/e2e/models/convnet.mlir":14:1)
    func.return %v0 : tensor<4x16x3x3xf32>
  }
  func.func @max_h(%x: tensor<?x3x7x5xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x3x5xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %v0 = "kiln.reduce_max"(%x) {axis = 2 : i64} : (tensor<?x3x7x5xf32>) -> tensor<?x3x5xf32> loc("tests/e2e/models/convnet.mlir":15:1)
    func.return %v0 : tensor<?x3x5xf32>
  }
  func.func @max_w_keepdim(%x: tensor<?x3x7x5xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x3x7x1xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %v0 = "kiln.reduce_max"(%x) {axis = 3 : i64, keepdim = true} : (tensor<?x3x7x5xf32>) -> tensor<?x3x7x1xf32> loc("tests/e2e/models/convnet.mlir":16:1)
    func.return %v0 : tensor<?x3x7x1xf32>
  }
  func.func @uniform(%x: tensor<?x6x5xf32> {kiln.name = "x", kiln.symbols = ["batch", "", ""]}) -> (tensor<?x6x5xf32> {kiln.name = "u0"}, tensor<?x6x5xf32> {kiln.name = "u1"}) attributes {kiln.entry = #kiln<entry infer>} {
    %v0 = "kiln.random_uniform"(%x) {stream = 0 : i64} : (tensor<?x6x5xf32>) -> tensor<?x6x5xf32> loc("tests/e2e/models/convnet.mlir":17:1)
    %v1 = "kiln.random_uniform"(%x) {stream = 1 : i64} : (tensor<?x6x5xf32>) -> tensor<?x6x5xf32> loc("tests/e2e/models/convnet.mlir":18:1)
    func.return %v0, %v1 : tensor<?x6x5xf32>, tensor<?x6x5xf32>
  }
  func.func @conv_one_channel(%x: tensor<?x1x11x9xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x32x5x4xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @"oa.weight"} : () -> tensor<32x1x4x4xf32>
    %b = "kiln.param_ref"() {name = @"oa.bias"} : () -> tensor<32x1x1xf32>
    %v0 = "kiln.conv2d"(%x, %w) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x1x11x9xf32>, tensor<32x1x4x4xf32>) -> tensor<?x32x5x4xf32> loc("tests/e2e/models/convnet.mlir":45:1)
    %v1 = "kiln.add"(%v0, %b) : (tensor<?x32x5x4xf32>, tensor<32x1x1xf32>) -> tensor<?x32x5x4xf32> loc("tests/e2e/models/convnet.mlir":46:1)
    %v2 = "kiln.relu"(%v1) : (tensor<?x32x5x4xf32>) -> tensor<?x32x5x4xf32> loc("tests/e2e/models/convnet.mlir":47:1)
    func.return %v2 : tensor<?x32x5x4xf32>
  }
  func.func @conv_one_channel_mid(%x: tensor<?x1x9x27xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x32x4x13xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @"oa.weight"} : () -> tensor<32x1x4x4xf32>
    %b = "kiln.param_ref"() {name = @"oa.bias"} : () -> tensor<32x1x1xf32>
    %v0 = "kiln.conv2d"(%x, %w) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x1x9x27xf32>, tensor<32x1x4x4xf32>) -> tensor<?x32x4x13xf32> loc("tests/e2e/models/convnet.mlir":77:1)
    %v1 = "kiln.add"(%v0, %b) : (tensor<?x32x4x13xf32>, tensor<32x1x1xf32>) -> tensor<?x32x4x13xf32> loc("tests/e2e/models/convnet.mlir":78:1)
    %v2 = "kiln.relu"(%v1) : (tensor<?x32x4x13xf32>) -> tensor<?x32x4x13xf32> loc("tests/e2e/models/convnet.mlir":79:1)
    func.return %v2 : tensor<?x32x4x13xf32>
  }
  func.func @conv_one_channel_narrow(%x: tensor<?x1x6x5xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x32x3x2xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @"oa.weight"} : () -> tensor<32x1x4x4xf32>
    %v0 = "kiln.conv2d"(%x, %w) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x1x6x5xf32>, tensor<32x1x4x4xf32>) -> tensor<?x32x3x2xf32> loc("tests/e2e/models/convnet.mlir":80:1)
    func.return %v0 : tensor<?x32x3x2xf32>
  }
  func.func @conv_one_channel_wide(%x: tensor<?x1x7x40xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x24x7x40xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @"ob.weight"} : () -> tensor<24x1x3x3xf32>
    %v0 = "kiln.conv2d"(%x, %w) {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>} : (tensor<?x1x7x40xf32>, tensor<24x1x3x3xf32>) -> tensor<?x24x7x40xf32> loc("tests/e2e/models/convnet.mlir":48:1)
    func.return %v0 : tensor<?x24x7x40xf32>
  }
  func.func @wgrad_one_channel(%x: tensor<?x1x9x30xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %dy: tensor<?x32x4x15xf32> {kiln.name = "dy", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<32x1x4x4xf32> {kiln.name = "dw"}) attributes {kiln.entry = #kiln<entry infer>} {
    %v0 = "kiln.conv2d_weight_grad"(%x, %dy) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, kernel_size = array<i64: 4, 4>} : (tensor<?x1x9x30xf32>, tensor<?x32x4x15xf32>) -> tensor<32x1x4x4xf32> loc("tests/e2e/models/convnet.mlir":49:1)
    func.return %v0 : tensor<32x1x4x4xf32>
  }
  func.func @wgrad_one_channel_wide(%x: tensor<?x1x5x20xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %dy: tensor<?x16x5x20xf32> {kiln.name = "dy", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<16x1x3x3xf32> {kiln.name = "dw"}) attributes {kiln.entry = #kiln<entry infer>} {
    %v0 = "kiln.conv2d_weight_grad"(%x, %dy) {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, kernel_size = array<i64: 3, 3>} : (tensor<?x1x5x20xf32>, tensor<?x16x5x20xf32>) -> tensor<16x1x3x3xf32> loc("tests/e2e/models/convnet.mlir":50:1)
    func.return %v0 : tensor<16x1x3x3xf32>
  }
  func.func @wino_conv(%x: tensor<?x16x14x12xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x32x7x6xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @"wa.weight"} : () -> tensor<32x16x4x4xf32>
    %b = "kiln.param_ref"() {name = @"wa.bias"} : () -> tensor<32x1x1xf32>
    %v0 = "kiln.conv2d"(%x, %w) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x16x14x12xf32>, tensor<32x16x4x4xf32>) -> tensor<?x32x7x6xf32> loc("tests/e2e/models/convnet.mlir":29:1)
    %v1 = "kiln.add"(%v0, %b) : (tensor<?x32x7x6xf32>, tensor<32x1x1xf32>) -> tensor<?x32x7x6xf32> loc("tests/e2e/models/convnet.mlir":30:1)
    %v2 = "kiln.relu"(%v1) : (tensor<?x32x7x6xf32>) -> tensor<?x32x7x6xf32> loc("tests/e2e/models/convnet.mlir":31:1)
    func.return %v2 : tensor<?x32x7x6xf32>
  }
  func.func @wino_conv_p0(%x: tensor<?x20x10x13xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x16x4x5xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @"wb.weight"} : () -> tensor<16x20x4x4xf32>
    %v0 = "kiln.conv2d"(%x, %w) {stride = array<i64: 2, 2>, padding = array<i64: 0, 0>} : (tensor<?x20x10x13xf32>, tensor<16x20x4x4xf32>) -> tensor<?x16x4x5xf32> loc("tests/e2e/models/convnet.mlir":32:1)
    func.return %v0 : tensor<?x16x4x5xf32>
  }
  func.func @wino_convt(%x: tensor<?x32x5x3xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x16x10x6xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @"wc.weight"} : () -> tensor<32x16x4x4xf32>
    %v0 = "kiln.conv_transpose2d"(%x, %w) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x32x5x3xf32>, tensor<32x16x4x4xf32>) -> tensor<?x16x10x6xf32> loc("tests/e2e/models/convnet.mlir":33:1)
    %v1 = "kiln.tanh"(%v0) : (tensor<?x16x10x6xf32>) -> tensor<?x16x10x6xf32> loc("tests/e2e/models/convnet.mlir":34:1)
    func.return %v1 : tensor<?x16x10x6xf32>
  }
  func.func @wino_convt_p2(%x: tensor<?x16x6x4xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x32x10x6xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @"wd.weight"} : () -> tensor<16x32x4x4xf32>
    %v0 = "kiln.conv_transpose2d"(%x, %w) {stride = array<i64: 2, 2>, padding = array<i64: 2, 2>} : (tensor<?x16x6x4xf32>, tensor<16x32x4x4xf32>) -> tensor<?x32x10x6xf32> loc("tests/e2e/models/convnet.mlir":35:1)
    func.return %v0 : tensor<?x32x10x6xf32>
  }
  func.func @wino_convt_p0(%x: tensor<?x24x8x4xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x16x18x10xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @"we.weight"} : () -> tensor<24x16x4x4xf32>
    %v0 = "kiln.conv_transpose2d"(%x, %w) {stride = array<i64: 2, 2>, padding = array<i64: 0, 0>} : (tensor<?x24x8x4xf32>, tensor<24x16x4x4xf32>) -> tensor<?x16x18x10xf32> loc("tests/e2e/models/convnet.mlir":36:1)
    func.return %v0 : tensor<?x16x18x10xf32>
  }
  func.func @wino_wgrad(%x: tensor<?x16x9x11xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %dy: tensor<?x32x4x5xf32> {kiln.name = "dy", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<32x16x4x4xf32> {kiln.name = "dw"}) attributes {kiln.entry = #kiln<entry infer>} {
    %v0 = "kiln.conv2d_weight_grad"(%x, %dy) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, kernel_size = array<i64: 4, 4>} : (tensor<?x16x9x11xf32>, tensor<?x32x4x5xf32>) -> tensor<32x16x4x4xf32> loc("tests/e2e/models/convnet.mlir":43:1)
    func.return %v0 : tensor<32x16x4x4xf32>
  }
  func.func @wino_wgrad_p0(%x: tensor<?x16x16x7xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %dy: tensor<?x16x7x2xf32> {kiln.name = "dy", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<16x16x4x4xf32> {kiln.name = "dw"}) attributes {kiln.entry = #kiln<entry infer>} {
    %v0 = "kiln.conv2d_weight_grad"(%x, %dy) {stride = array<i64: 2, 2>, padding = array<i64: 0, 0>, kernel_size = array<i64: 4, 4>} : (tensor<?x16x16x7xf32>, tensor<?x16x7x2xf32>) -> tensor<16x16x4x4xf32> loc("tests/e2e/models/convnet.mlir":44:1)
    func.return %v0 : tensor<16x16x4x4xf32>
  }
  func.func @wino_train(%x: tensor<?x16x6x8xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %t: tensor<?x16x6x8xf32> {kiln.name = "t", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<f32> {kiln.name = "loss"}) attributes {kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "sgd", lr = 1.000000e+00 : f64, momentum = 0.000000e+00 : f64, weight_decay = 0.000000e+00 : f64}} {
    %w1 = "kiln.param_ref"() {name = @"w1.weight"} : () -> tensor<16x16x4x4xf32>
    %w2 = "kiln.param_ref"() {name = @"w2.weight"} : () -> tensor<16x16x4x4xf32>
    %v0 = "kiln.conv2d"(%x, %w1) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x16x6x8xf32>, tensor<16x16x4x4xf32>) -> tensor<?x16x3x4xf32> loc("tests/e2e/models/convnet.mlir":37:1)
    %v1 = "kiln.conv_transpose2d"(%v0, %w2) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x16x3x4xf32>, tensor<16x16x4x4xf32>) -> tensor<?x16x6x8xf32> loc("tests/e2e/models/convnet.mlir":38:1)
    %v2 = "kiln.mul"(%v1, %t) : (tensor<?x16x6x8xf32>, tensor<?x16x6x8xf32>) -> tensor<?x16x6x8xf32> loc("tests/e2e/models/convnet.mlir":39:1)
    %v3 = "kiln.reshape"(%v2) : (tensor<?x16x6x8xf32>) -> tensor<?x768xf32> loc("tests/e2e/models/convnet.mlir":40:1)
    %v4 = "kiln.reduce_sum"(%v3) {axis = 1 : i64} : (tensor<?x768xf32>) -> tensor<?xf32> loc("tests/e2e/models/convnet.mlir":41:1)
    %v5 = "kiln.reduce_mean"(%v4) {axis = 0 : i64} : (tensor<?xf32>) -> tensor<f32> loc("tests/e2e/models/convnet.mlir":42:1)
    func.return %v5 : tensor<f32>
  }
  func.func @train(%x: tensor<?x2x7x6xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %t: tensor<?x4x4xf32> {kiln.name = "t", kiln.symbols = ["batch", "", ""]}) -> (tensor<f32> {kiln.name = "loss"}) attributes {kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "sgd", lr = 1.000000e+00 : f64, momentum = 0.000000e+00 : f64, weight_decay = 0.000000e+00 : f64}} {
    %t1_weight = "kiln.param_ref"() {name = @"t1.weight"} : () -> tensor<8x2x3x3xf32>
    %t1_bias = "kiln.param_ref"() {name = @"t1.bias"} : () -> tensor<8x1x1xf32>
    %t2_weight = "kiln.param_ref"() {name = @"t2.weight"} : () -> tensor<16x8x3x3xf32>
    %t3_weight = "kiln.param_ref"() {name = @"t3.weight"} : () -> tensor<16x4x4x4xf32>
    %v0 = "kiln.conv2d"(%x, %t1_weight) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x2x7x6xf32>, tensor<8x2x3x3xf32>) -> tensor<?x8x4x3xf32> loc("tests/e2e/models/convnet.mlir":19:1)
    %v1 = "kiln.add"(%v0, %t1_bias) : (tensor<?x8x4x3xf32>, tensor<8x1x1xf32>) -> tensor<?x8x4x3xf32> loc("tests/e2e/models/convnet.mlir":20:1)
    %v2 = "kiln.relu"(%v1) : (tensor<?x8x4x3xf32>) -> tensor<?x8x4x3xf32> loc("tests/e2e/models/convnet.mlir":21:1)
    %v3 = "kiln.conv2d"(%v2, %t2_weight) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x8x4x3xf32>, tensor<16x8x3x3xf32>) -> tensor<?x16x2x2xf32> loc("tests/e2e/models/convnet.mlir":22:1)
    %v4 = "kiln.conv_transpose2d"(%v3, %t3_weight) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x16x2x2xf32>, tensor<16x4x4x4xf32>) -> tensor<?x4x4x4xf32> loc("tests/e2e/models/convnet.mlir":23:1)
    %v5 = "kiln.reduce_max"(%v4) {axis = 1 : i64} : (tensor<?x4x4x4xf32>) -> tensor<?x4x4xf32> loc("tests/e2e/models/convnet.mlir":24:1)
    %v6 = "kiln.mul"(%v5, %t) : (tensor<?x4x4xf32>, tensor<?x4x4xf32>) -> tensor<?x4x4xf32> loc("tests/e2e/models/convnet.mlir":25:1)
    %v7 = "kiln.reshape"(%v6) : (tensor<?x4x4xf32>) -> tensor<?x16xf32> loc("tests/e2e/models/convnet.mlir":26:1)
    %v8 = "kiln.reduce_sum"(%v7) {axis = 1 : i64} : (tensor<?x16xf32>) -> tensor<?xf32> loc("tests/e2e/models/convnet.mlir":27:1)
    %v9 = "kiln.reduce_mean"(%v8) {axis = 0 : i64} : (tensor<?xf32>) -> tensor<f32> loc("tests/e2e/models/convnet.mlir":28:1)
    func.return %v9 : tensor<f32>
  }
  func.func @wino3_conv(%x: tensor<?x16x7x13xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x32x7x13xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @"wf.weight"} : () -> tensor<32x16x3x3xf32>
    %b = "kiln.param_ref"() {name = @"wf.bias"} : () -> tensor<32x1x1xf32>
    %v0 = "kiln.conv2d"(%x, %w) {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>} : (tensor<?x16x7x13xf32>, tensor<32x16x3x3xf32>) -> tensor<?x32x7x13xf32> loc("tests/e2e/models/convnet.mlir":60:1)
    %v1 = "kiln.add"(%v0, %b) : (tensor<?x32x7x13xf32>, tensor<32x1x1xf32>) -> tensor<?x32x7x13xf32> loc("tests/e2e/models/convnet.mlir":61:1)
    %v2 = "kiln.relu"(%v1) : (tensor<?x32x7x13xf32>) -> tensor<?x32x7x13xf32> loc("tests/e2e/models/convnet.mlir":62:1)
    func.return %v2 : tensor<?x32x7x13xf32>
  }
  func.func @wino3_conv_p0(%x: tensor<?x20x10x6xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x16x8x4xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @"wg.weight"} : () -> tensor<16x20x3x3xf32>
    %v0 = "kiln.conv2d"(%x, %w) {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>} : (tensor<?x20x10x6xf32>, tensor<16x20x3x3xf32>) -> tensor<?x16x8x4xf32> loc("tests/e2e/models/convnet.mlir":63:1)
    func.return %v0 : tensor<?x16x8x4xf32>
  }
  func.func @wino3_conv_28(%x: tensor<?x16x28x28xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x16x28x28xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @"wj.weight"} : () -> tensor<16x16x3x3xf32>
    %v0 = "kiln.conv2d"(%x, %w) {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>} : (tensor<?x16x28x28xf32>, tensor<16x16x3x3xf32>) -> tensor<?x16x28x28xf32> loc("tests/e2e/models/convnet.mlir":72:1)
    func.return %v0 : tensor<?x16x28x28xf32>
  }
  func.func @convt_s1_1x1(%x: tensor<?x24x5x11xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x40x5x11xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @"wt1.weight"} : () -> tensor<24x40x1x1xf32>
    %v0 = "kiln.conv_transpose2d"(%x, %w) {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>} : (tensor<?x24x5x11xf32>, tensor<24x40x1x1xf32>) -> tensor<?x40x5x11xf32> loc("tests/e2e/models/convnet.mlir":75:1)
    func.return %v0 : tensor<?x40x5x11xf32>
  }
  func.func @convt_s1_3x3(%x: tensor<?x8x6x13xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x40x6x13xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @"wt3.weight"} : () -> tensor<8x40x3x3xf32>
    %v0 = "kiln.conv_transpose2d"(%x, %w) {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>} : (tensor<?x8x6x13xf32>, tensor<8x40x3x3xf32>) -> tensor<?x40x6x13xf32> loc("tests/e2e/models/convnet.mlir":76:1)
    func.return %v0 : tensor<?x40x6x13xf32>
  }
  func.func @wino3_convt(%x: tensor<?x32x6x9xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x16x6x9xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @"wh.weight"} : () -> tensor<32x16x3x3xf32>
    %v0 = "kiln.conv_transpose2d"(%x, %w) {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>} : (tensor<?x32x6x9xf32>, tensor<32x16x3x3xf32>) -> tensor<?x16x6x9xf32> loc("tests/e2e/models/convnet.mlir":64:1)
    func.return %v0 : tensor<?x16x6x9xf32>
  }
  func.func @wino3_convt_p0(%x: tensor<?x16x5x3xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x32x7x5xf32> {kiln.name = "y"}) attributes {kiln.entry = #kiln<entry infer>} {
    %w = "kiln.param_ref"() {name = @"wi.weight"} : () -> tensor<16x32x3x3xf32>
    %v0 = "kiln.conv_transpose2d"(%x, %w) {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>} : (tensor<?x16x5x3xf32>, tensor<16x32x3x3xf32>) -> tensor<?x32x7x5xf32> loc("tests/e2e/models/convnet.mlir":65:1)
    func.return %v0 : tensor<?x32x7x5xf32>
  }
  func.func @wino3_wgrad(%x: tensor<?x16x7x13xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %dy: tensor<?x32x7x13xf32> {kiln.name = "dy", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<32x16x3x3xf32> {kiln.name = "dw"}) attributes {kiln.entry = #kiln<entry infer>} {
    %v0 = "kiln.conv2d_weight_grad"(%x, %dy) {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, kernel_size = array<i64: 3, 3>} : (tensor<?x16x7x13xf32>, tensor<?x32x7x13xf32>) -> tensor<32x16x3x3xf32> loc("tests/e2e/models/convnet.mlir":73:1)
    func.return %v0 : tensor<32x16x3x3xf32>
  }
  func.func @wino3_wgrad_p0(%x: tensor<?x20x10x6xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %dy: tensor<?x16x8x4xf32> {kiln.name = "dy", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<16x20x3x3xf32> {kiln.name = "dw"}) attributes {kiln.entry = #kiln<entry infer>} {
    %v0 = "kiln.conv2d_weight_grad"(%x, %dy) {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, kernel_size = array<i64: 3, 3>} : (tensor<?x20x10x6xf32>, tensor<?x16x8x4xf32>) -> tensor<16x20x3x3xf32> loc("tests/e2e/models/convnet.mlir":74:1)
    func.return %v0 : tensor<16x20x3x3xf32>
  }
  func.func @wgrad_1x1(%x: tensor<?x22x5x7xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %dy: tensor<?x32x5x7xf32> {kiln.name = "dy", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<32x22x1x1xf32> {kiln.name = "dw"}) attributes {kiln.entry = #kiln<entry infer>} {
    %v0 = "kiln.conv2d_weight_grad"(%x, %dy) {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, kernel_size = array<i64: 1, 1>} : (tensor<?x22x5x7xf32>, tensor<?x32x5x7xf32>) -> tensor<32x22x1x1xf32> loc("tests/e2e/models/convnet.mlir":75:1)
    func.return %v0 : tensor<32x22x1x1xf32>
  }
  func.func @wino3_wgrad_28(%x: tensor<?x32x28x28xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %dy: tensor<?x32x28x28xf32> {kiln.name = "dy", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<32x32x3x3xf32> {kiln.name = "dw"}) attributes {kiln.entry = #kiln<entry infer>} {
    %v0 = "kiln.conv2d_weight_grad"(%x, %dy) {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>, kernel_size = array<i64: 3, 3>} : (tensor<?x32x28x28xf32>, tensor<?x32x28x28xf32>) -> tensor<32x32x3x3xf32> loc("tests/e2e/models/convnet.mlir":90:1)
    func.return %v0 : tensor<32x32x3x3xf32>
  }
  func.func @wgrad_1x1_chunks(%x: tensor<?x192x28x28xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %dy: tensor<?x64x28x28xf32> {kiln.name = "dy", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<64x192x1x1xf32> {kiln.name = "dw"}) attributes {kiln.entry = #kiln<entry infer>} {
    %v0 = "kiln.conv2d_weight_grad"(%x, %dy) {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, kernel_size = array<i64: 1, 1>} : (tensor<?x192x28x28xf32>, tensor<?x64x28x28xf32>) -> tensor<64x192x1x1xf32> loc("tests/e2e/models/convnet.mlir":91:1)
    func.return %v0 : tensor<64x192x1x1xf32>
  }
  func.func @wgrad_s2_chunks(%x: tensor<?x64x28x28xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %dy: tensor<?x64x14x14xf32> {kiln.name = "dy", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<64x64x3x3xf32> {kiln.name = "dw"}) attributes {kiln.entry = #kiln<entry infer>} {
    %v0 = "kiln.conv2d_weight_grad"(%x, %dy) {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, kernel_size = array<i64: 3, 3>} : (tensor<?x64x28x28xf32>, tensor<?x64x14x14xf32>) -> tensor<64x64x3x3xf32> loc("tests/e2e/models/convnet.mlir":92:1)
    func.return %v0 : tensor<64x64x3x3xf32>
  }
  func.func @wgrad_2x2(%x: tensor<?x6x5x4xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %dy: tensor<?x16x4x3xf32> {kiln.name = "dy", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<16x6x2x2xf32> {kiln.name = "dw"}) attributes {kiln.entry = #kiln<entry infer>} {
    %v0 = "kiln.conv2d_weight_grad"(%x, %dy) {stride = array<i64: 1, 1>, padding = array<i64: 0, 0>, kernel_size = array<i64: 2, 2>} : (tensor<?x6x5x4xf32>, tensor<?x16x4x3xf32>) -> tensor<16x6x2x2xf32> loc("tests/e2e/models/convnet.mlir":76:1)
    func.return %v0 : tensor<16x6x2x2xf32>
  }
  func.func @wino3_train(%x: tensor<?x16x6x9xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""]}, %t: tensor<?x32x6x9xf32> {kiln.name = "t", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<f32> {kiln.name = "loss"}) attributes {kiln.entry = #kiln<entry train>, kiln.optimizer = {kind = "sgd", lr = 1.000000e+00 : f64, momentum = 0.000000e+00 : f64, weight_decay = 0.000000e+00 : f64}} {
    %w3 = "kiln.param_ref"() {name = @"w3.weight"} : () -> tensor<16x16x3x3xf32>
    %w4 = "kiln.param_ref"() {name = @"w4.weight"} : () -> tensor<32x16x3x3xf32>
    %v0 = "kiln.conv2d"(%x, %w3) {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>} : (tensor<?x16x6x9xf32>, tensor<16x16x3x3xf32>) -> tensor<?x16x6x9xf32> loc("tests/e2e/models/convnet.mlir":66:1)
    %v1 = "kiln.conv2d"(%v0, %w4) {stride = array<i64: 1, 1>, padding = array<i64: 1, 1>} : (tensor<?x16x6x9xf32>, tensor<32x16x3x3xf32>) -> tensor<?x32x6x9xf32> loc("tests/e2e/models/convnet.mlir":67:1)
    %v2 = "kiln.mul"(%v1, %t) : (tensor<?x32x6x9xf32>, tensor<?x32x6x9xf32>) -> tensor<?x32x6x9xf32> loc("tests/e2e/models/convnet.mlir":68:1)
    %v3 = "kiln.reshape"(%v2) : (tensor<?x32x6x9xf32>) -> tensor<?x1728xf32> loc("tests/e2e/models/convnet.mlir":69:1)
    %v4 = "kiln.reduce_sum"(%v3) {axis = 1 : i64} : (tensor<?x1728xf32>) -> tensor<?xf32> loc("tests/e2e/models/convnet.mlir":70:1)
    %v5 = "kiln.reduce_mean"(%v4) {axis = 0 : i64} : (tensor<?xf32>) -> tensor<f32> loc("tests/e2e/models/convnet.mlir":71:1)
    func.return %v5 : tensor<f32>
  }
  func.func @constant_results(%x: tensor<?x3xf32> {kiln.name = "x", kiln.symbols = ["batch", ""]}) -> (tensor<?x3xf32> {kiln.name = "y"}, tensor<2xf32> {kiln.name = "k"}) attributes {kiln.entry = #kiln<entry infer>} {
    %c = "kiln.constant"() {value = dense<2.5> : tensor<2xf32>} : () -> tensor<2xf32>
    %s = "kiln.constant"() {value = dense<2.5> : tensor<f32>} : () -> tensor<f32>
    %zero = "kiln.constant"() {value = dense<-1.0> : tensor<5xf32>} : () -> tensor<5xf32>
    %y = "kiln.mul"(%x, %s) : (tensor<?x3xf32>, tensor<f32>) -> tensor<?x3xf32> loc("tests/e2e/models/convnet.mlir":73:1)
    "kiln.param_assign"(%zero) {name = @scratch} : (tensor<5xf32>) -> () loc("tests/e2e/models/convnet.mlir":74:1)
    func.return %y, %c : tensor<?x3xf32>, tensor<2xf32>
  }
}
