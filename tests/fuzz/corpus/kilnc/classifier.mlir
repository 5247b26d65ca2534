module attributes {kiln.model = "classifier"} {
  "kiln.parameter"() {init = #kiln<init uniform>, init_args = array<f64: -3.3333333333333331e-01, 3.3333333333333331e-01>, sym_name = "net.0.weight", type = tensor<32x1x3x3xf32>} : () -> ()
  "kiln.parameter"() {init = #kiln<init uniform>, init_args = array<f64: -3.3333333333333331e-01, 3.3333333333333331e-01>, sym_name = "net.0.bias", type = tensor<32xf32>} : () -> ()
  "kiln.parameter"() {init = #kiln<init uniform>, init_args = array<f64: -5.8925565098878967e-02, 5.8925565098878967e-02>, sym_name = "net.3.weight", type = tensor<64x32x3x3xf32>} : () -> ()
  "kiln.parameter"() {init = #kiln<init uniform>, init_args = array<f64: -5.8925565098878967e-02, 5.8925565098878967e-02>, sym_name = "net.3.bias", type = tensor<64xf32>} : () -> ()
  "kiln.parameter"() {init = #kiln<init uniform>, init_args = array<f64: -1.7857142857142856e-02, 1.7857142857142856e-02>, sym_name = "net.7.weight", type = tensor<128x3136xf32>} : () -> ()
  "kiln.parameter"() {init = #kiln<init uniform>, init_args = array<f64: -1.7857142857142856e-02, 1.7857142857142856e-02>, sym_name = "net.7.bias", type = tensor<128xf32>} : () -> ()
  "kiln.parameter"() {init = #kiln<init uniform>, init_args = array<f64: -8.8388347648318433e-02, 8.8388347648318433e-02>, sym_name = "net.10.weight", type = tensor<10x128xf32>} : () -> ()
  "kiln.parameter"() {init = #kiln<init uniform>, init_args = array<f64: -8.8388347648318433e-02, 8.8388347648318433e-02>, sym_name = "net.10.bias", type = tensor<10xf32>} : () -> ()
  func.func @train_step(%arg0: tensor<?x1x28x28xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""], kiln.data = {kind = "images", max = 1.000000e+00 : f64, min = 0.000000e+00 : f64}}, %arg1: tensor<?x10xf32> {kiln.name = "onehot", kiln.symbols = ["batch", ""], kiln.data = {kind = "onehot"}}) -> (tensor<f32> {kiln.name = "loss"}) attributes {kiln.entry = #kiln<entry train>, kiln.batch = 128 : i64, kiln.optimizer = {beta1 = 9.000000e-01 : f64, beta2 = 9.990000e-01 : f64, eps = 1.000000e-08 : f64, kind = "adam", lr = 1.000000e-03 : f64, weight_decay = 0.000000e+00 : f64}} {
    %0 = "kiln.param_ref"() {name = @"net.0.weight"} : () -> tensor<32x1x3x3xf32>
    %1 = "kiln.conv2d"(%arg0, %0) {padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<?x1x28x28xf32>, tensor<32x1x3x3xf32>) -> tensor<?x32x28x28xf32>
    %2 = "kiln.param_ref"() {name = @"net.0.bias"} : () -> tensor<32xf32>
    %3 = "kiln.reshape"(%2) : (tensor<32xf32>) -> tensor<32x1x1xf32>
    %4 = "kiln.add"(%1, %3) : (tensor<?x32x28x28xf32>, tensor<32x1x1xf32>) -> tensor<?x32x28x28xf32>
    %5 = "kiln.relu"(%4) : (tensor<?x32x28x28xf32>) -> tensor<?x32x28x28xf32>
    %6 = "kiln.reshape"(%5) : (tensor<?x32x28x28xf32>) -> tensor<?x32x14x2x14x2xf32>
    %7 = "kiln.reduce_max"(%6) {axis = 5 : i64, keepdim = false} : (tensor<?x32x14x2x14x2xf32>) -> tensor<?x32x14x2x14xf32>
    %8 = "kiln.reduce_max"(%7) {axis = 3 : i64, keepdim = false} : (tensor<?x32x14x2x14xf32>) -> tensor<?x32x14x14xf32>
    %9 = "kiln.param_ref"() {name = @"net.3.weight"} : () -> tensor<64x32x3x3xf32>
    %10 = "kiln.conv2d"(%8, %9) {padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<?x32x14x14xf32>, tensor<64x32x3x3xf32>) -> tensor<?x64x14x14xf32>
    %11 = "kiln.param_ref"() {name = @"net.3.bias"} : () -> tensor<64xf32>
    %12 = "kiln.reshape"(%11) : (tensor<64xf32>) -> tensor<64x1x1xf32>
    %13 = "kiln.add"(%10, %12) : (tensor<?x64x14x14xf32>, tensor<64x1x1xf32>) -> tensor<?x64x14x14xf32>
    %14 = "kiln.relu"(%13) : (tensor<?x64x14x14xf32>) -> tensor<?x64x14x14xf32>
    %15 = "kiln.reshape"(%14) : (tensor<?x64x14x14xf32>) -> tensor<?x64x7x2x7x2xf32>
    %16 = "kiln.reduce_max"(%15) {axis = 5 : i64, keepdim = false} : (tensor<?x64x7x2x7x2xf32>) -> tensor<?x64x7x2x7xf32>
    %17 = "kiln.reduce_max"(%16) {axis = 3 : i64, keepdim = false} : (tensor<?x64x7x2x7xf32>) -> tensor<?x64x7x7xf32>
    %18 = "kiln.reshape"(%17) : (tensor<?x64x7x7xf32>) -> tensor<?x3136xf32>
    %19 = "kiln.param_ref"() {name = @"net.7.weight"} : () -> tensor<128x3136xf32>
    %20 = "kiln.matmul"(%18, %19) {transpose_a = false, transpose_b = true} : (tensor<?x3136xf32>, tensor<128x3136xf32>) -> tensor<?x128xf32>
    %21 = "kiln.param_ref"() {name = @"net.7.bias"} : () -> tensor<128xf32>
    %22 = "kiln.add"(%20, %21) : (tensor<?x128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
    %23 = "kiln.relu"(%22) : (tensor<?x128xf32>) -> tensor<?x128xf32>
    %24 = "kiln.random_uniform"(%23) {stream = 0 : i64} : (tensor<?x128xf32>) -> tensor<?x128xf32>
    %25 = "kiln.constant"() {value = dense<2.500000e-01> : tensor<f32>} : () -> tensor<f32>
    %26 = "kiln.sub"(%24, %25) : (tensor<?x128xf32>, tensor<f32>) -> tensor<?x128xf32>
    %27 = "kiln.step"(%26) : (tensor<?x128xf32>) -> tensor<?x128xf32>
    %28 = "kiln.constant"() {value = dense<1.33333337e+00> : tensor<f32>} : () -> tensor<f32>
    %29 = "kiln.mul"(%27, %28) : (tensor<?x128xf32>, tensor<f32>) -> tensor<?x128xf32>
    %30 = "kiln.mul"(%23, %29) : (tensor<?x128xf32>, tensor<?x128xf32>) -> tensor<?x128xf32>
    %31 = "kiln.param_ref"() {name = @"net.10.weight"} : () -> tensor<10x128xf32>
    %32 = "kiln.matmul"(%30, %31) {transpose_a = false, transpose_b = true} : (tensor<?x128xf32>, tensor<10x128xf32>) -> tensor<?x10xf32>
    %33 = "kiln.param_ref"() {name = @"net.10.bias"} : () -> tensor<10xf32>
    %34 = "kiln.add"(%32, %33) : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    %35 = "kiln.reduce_max"(%34) {axis = 1 : i64, keepdim = true} : (tensor<?x10xf32>) -> tensor<?x1xf32>
    %36 = "kiln.sub"(%34, %35) : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<?x10xf32>
    %37 = "kiln.exp"(%36) : (tensor<?x10xf32>) -> tensor<?x10xf32>
    %38 = "kiln.reduce_sum"(%37) {axis = 1 : i64, keepdim = true} : (tensor<?x10xf32>) -> tensor<?x1xf32>
    %39 = "kiln.log"(%38) : (tensor<?x1xf32>) -> tensor<?x1xf32>
    %40 = "kiln.sub"(%36, %39) : (tensor<?x10xf32>, tensor<?x1xf32>) -> tensor<?x10xf32>
    %41 = "kiln.mul"(%arg1, %40) : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<?x10xf32>
    %42 = "kiln.reduce_sum"(%41) {axis = 1 : i64, keepdim = false} : (tensor<?x10xf32>) -> tensor<?xf32>
    %43 = "kiln.neg"(%42) : (tensor<?xf32>) -> tensor<?xf32>
    %44 = "kiln.reduce_mean"(%43) {axis = 0 : i64, keepdim = false} : (tensor<?xf32>) -> tensor<f32>
    func.return %44 : tensor<f32>
  }
  func.func @logits(%arg0: tensor<?x1x28x28xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""], kiln.data = {kind = "images", max = 1.000000e+00 : f64, min = 0.000000e+00 : f64}}) -> (tensor<?x10xf32> {kiln.name = "logits", kiln.data = {kind = "logits"}}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.param_ref"() {name = @"net.0.weight"} : () -> tensor<32x1x3x3xf32>
    %1 = "kiln.conv2d"(%arg0, %0) {padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<?x1x28x28xf32>, tensor<32x1x3x3xf32>) -> tensor<?x32x28x28xf32>
    %2 = "kiln.param_ref"() {name = @"net.0.bias"} : () -> tensor<32xf32>
    %3 = "kiln.reshape"(%2) : (tensor<32xf32>) -> tensor<32x1x1xf32>
    %4 = "kiln.add"(%1, %3) : (tensor<?x32x28x28xf32>, tensor<32x1x1xf32>) -> tensor<?x32x28x28xf32>
    %5 = "kiln.relu"(%4) : (tensor<?x32x28x28xf32>) -> tensor<?x32x28x28xf32>
    %6 = "kiln.reshape"(%5) : (tensor<?x32x28x28xf32>) -> tensor<?x32x14x2x14x2xf32>
    %7 = "kiln.reduce_max"(%6) {axis = 5 : i64, keepdim = false} : (tensor<?x32x14x2x14x2xf32>) -> tensor<?x32x14x2x14xf32>
    %8 = "kiln.reduce_max"(%7) {axis = 3 : i64, keepdim = false} : (tensor<?x32x14x2x14xf32>) -> tensor<?x32x14x14xf32>
    %9 = "kiln.param_ref"() {name = @"net.3.weight"} : () -> tensor<64x32x3x3xf32>
    %10 = "kiln.conv2d"(%8, %9) {padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<?x32x14x14xf32>, tensor<64x32x3x3xf32>) -> tensor<?x64x14x14xf32>
    %11 = "kiln.param_ref"() {name = @"net.3.bias"} : () -> tensor<64xf32>
    %12 = "kiln.reshape"(%11) : (tensor<64xf32>) -> tensor<64x1x1xf32>
    %13 = "kiln.add"(%10, %12) : (tensor<?x64x14x14xf32>, tensor<64x1x1xf32>) -> tensor<?x64x14x14xf32>
    %14 = "kiln.relu"(%13) : (tensor<?x64x14x14xf32>) -> tensor<?x64x14x14xf32>
    %15 = "kiln.reshape"(%14) : (tensor<?x64x14x14xf32>) -> tensor<?x64x7x2x7x2xf32>
    %16 = "kiln.reduce_max"(%15) {axis = 5 : i64, keepdim = false} : (tensor<?x64x7x2x7x2xf32>) -> tensor<?x64x7x2x7xf32>
    %17 = "kiln.reduce_max"(%16) {axis = 3 : i64, keepdim = false} : (tensor<?x64x7x2x7xf32>) -> tensor<?x64x7x7xf32>
    %18 = "kiln.reshape"(%17) : (tensor<?x64x7x7xf32>) -> tensor<?x3136xf32>
    %19 = "kiln.param_ref"() {name = @"net.7.weight"} : () -> tensor<128x3136xf32>
    %20 = "kiln.matmul"(%18, %19) {transpose_a = false, transpose_b = true} : (tensor<?x3136xf32>, tensor<128x3136xf32>) -> tensor<?x128xf32>
    %21 = "kiln.param_ref"() {name = @"net.7.bias"} : () -> tensor<128xf32>
    %22 = "kiln.add"(%20, %21) : (tensor<?x128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
    %23 = "kiln.relu"(%22) : (tensor<?x128xf32>) -> tensor<?x128xf32>
    %24 = "kiln.param_ref"() {name = @"net.10.weight"} : () -> tensor<10x128xf32>
    %25 = "kiln.matmul"(%23, %24) {transpose_a = false, transpose_b = true} : (tensor<?x128xf32>, tensor<10x128xf32>) -> tensor<?x10xf32>
    %26 = "kiln.param_ref"() {name = @"net.10.bias"} : () -> tensor<10xf32>
    %27 = "kiln.add"(%25, %26) : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    func.return %27 : tensor<?x10xf32>
  }
  func.func @features(%arg0: tensor<?x1x28x28xf32> {kiln.name = "x", kiln.symbols = ["batch", "", "", ""], kiln.data = {kind = "images", max = 1.000000e+00 : f64, min = 0.000000e+00 : f64}}) -> (tensor<?x128xf32> {kiln.name = "features", kiln.data = {kind = "features"}}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.param_ref"() {name = @"net.0.weight"} : () -> tensor<32x1x3x3xf32>
    %1 = "kiln.conv2d"(%arg0, %0) {padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<?x1x28x28xf32>, tensor<32x1x3x3xf32>) -> tensor<?x32x28x28xf32>
    %2 = "kiln.param_ref"() {name = @"net.0.bias"} : () -> tensor<32xf32>
    %3 = "kiln.reshape"(%2) : (tensor<32xf32>) -> tensor<32x1x1xf32>
    %4 = "kiln.add"(%1, %3) : (tensor<?x32x28x28xf32>, tensor<32x1x1xf32>) -> tensor<?x32x28x28xf32>
    %5 = "kiln.relu"(%4) : (tensor<?x32x28x28xf32>) -> tensor<?x32x28x28xf32>
    %6 = "kiln.reshape"(%5) : (tensor<?x32x28x28xf32>) -> tensor<?x32x14x2x14x2xf32>
    %7 = "kiln.reduce_max"(%6) {axis = 5 : i64, keepdim = false} : (tensor<?x32x14x2x14x2xf32>) -> tensor<?x32x14x2x14xf32>
    %8 = "kiln.reduce_max"(%7) {axis = 3 : i64, keepdim = false} : (tensor<?x32x14x2x14xf32>) -> tensor<?x32x14x14xf32>
    %9 = "kiln.param_ref"() {name = @"net.3.weight"} : () -> tensor<64x32x3x3xf32>
    %10 = "kiln.conv2d"(%8, %9) {padding = array<i64: 1, 1>, stride = array<i64: 1, 1>} : (tensor<?x32x14x14xf32>, tensor<64x32x3x3xf32>) -> tensor<?x64x14x14xf32>
    %11 = "kiln.param_ref"() {name = @"net.3.bias"} : () -> tensor<64xf32>
    %12 = "kiln.reshape"(%11) : (tensor<64xf32>) -> tensor<64x1x1xf32>
    %13 = "kiln.add"(%10, %12) : (tensor<?x64x14x14xf32>, tensor<64x1x1xf32>) -> tensor<?x64x14x14xf32>
    %14 = "kiln.relu"(%13) : (tensor<?x64x14x14xf32>) -> tensor<?x64x14x14xf32>
    %15 = "kiln.reshape"(%14) : (tensor<?x64x14x14xf32>) -> tensor<?x64x7x2x7x2xf32>
    %16 = "kiln.reduce_max"(%15) {axis = 5 : i64, keepdim = false} : (tensor<?x64x7x2x7x2xf32>) -> tensor<?x64x7x2x7xf32>
    %17 = "kiln.reduce_max"(%16) {axis = 3 : i64, keepdim = false} : (tensor<?x64x7x2x7xf32>) -> tensor<?x64x7x7xf32>
    %18 = "kiln.reshape"(%17) : (tensor<?x64x7x7xf32>) -> tensor<?x3136xf32>
    %19 = "kiln.param_ref"() {name = @"net.7.weight"} : () -> tensor<128x3136xf32>
    %20 = "kiln.matmul"(%18, %19) {transpose_a = false, transpose_b = true} : (tensor<?x3136xf32>, tensor<128x3136xf32>) -> tensor<?x128xf32>
    %21 = "kiln.param_ref"() {name = @"net.7.bias"} : () -> tensor<128xf32>
    %22 = "kiln.add"(%20, %21) : (tensor<?x128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
    %23 = "kiln.relu"(%22) : (tensor<?x128xf32>) -> tensor<?x128xf32>
    func.return %23 : tensor<?x128xf32>
  }
}
