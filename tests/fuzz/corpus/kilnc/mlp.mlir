module attributes {kiln.model = "mlp"} {
  "kiln.parameter"() {init = #kiln<init uniform>, init_args = array<f64: -1.7677669529663687e-01, 1.7677669529663687e-01>, sym_name = "decoder.0.weight", type = tensor<256x32xf32>} : () -> ()
  "kiln.parameter"() {init = #kiln<init uniform>, init_args = array<f64: -1.7677669529663687e-01, 1.7677669529663687e-01>, sym_name = "decoder.0.bias", type = tensor<256xf32>} : () -> ()
  "kiln.parameter"() {init = #kiln<init uniform>, init_args = array<f64: -6.250000e-02, 6.250000e-02>, sym_name = "decoder.2.weight", type = tensor<512x256xf32>} : () -> ()
  "kiln.parameter"() {init = #kiln<init uniform>, init_args = array<f64: -6.250000e-02, 6.250000e-02>, sym_name = "decoder.2.bias", type = tensor<512xf32>} : () -> ()
  "kiln.parameter"() {init = #kiln<init uniform>, init_args = array<f64: -4.4194173824159216e-02, 4.4194173824159216e-02>, sym_name = "decoder.4.weight", type = tensor<784x512xf32>} : () -> ()
  "kiln.parameter"() {init = #kiln<init uniform>, init_args = array<f64: -4.4194173824159216e-02, 4.4194173824159216e-02>, sym_name = "decoder.4.bias", type = tensor<784xf32>} : () -> ()
  func.func @forward(%arg0: tensor<?x32xf32> {kiln.name = "z", kiln.symbols = ["batch", ""]}) -> (tensor<?x784xf32> {kiln.name = "logits"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.param_ref"() {name = @"decoder.0.weight"} : () -> tensor<256x32xf32>
    %1 = "kiln.matmul"(%arg0, %0) {transpose_a = false, transpose_b = true} : (tensor<?x32xf32>, tensor<256x32xf32>) -> tensor<?x256xf32>
    %2 = "kiln.param_ref"() {name = @"decoder.0.bias"} : () -> tensor<256xf32>
    %3 = "kiln.add"(%1, %2) : (tensor<?x256xf32>, tensor<256xf32>) -> tensor<?x256xf32>
    %4 = "kiln.relu"(%3) : (tensor<?x256xf32>) -> tensor<?x256xf32>
    %5 = "kiln.param_ref"() {name = @"decoder.2.weight"} : () -> tensor<512x256xf32>
    %6 = "kiln.matmul"(%4, %5) {transpose_a = false, transpose_b = true} : (tensor<?x256xf32>, tensor<512x256xf32>) -> tensor<?x512xf32>
    %7 = "kiln.param_ref"() {name = @"decoder.2.bias"} : () -> tensor<512xf32>
    %8 = "kiln.add"(%6, %7) : (tensor<?x512xf32>, tensor<512xf32>) -> tensor<?x512xf32>
    %9 = "kiln.relu"(%8) : (tensor<?x512xf32>) -> tensor<?x512xf32>
    %10 = "kiln.param_ref"() {name = @"decoder.4.weight"} : () -> tensor<784x512xf32>
    %11 = "kiln.matmul"(%9, %10) {transpose_a = false, transpose_b = true} : (tensor<?x512xf32>, tensor<784x512xf32>) -> tensor<?x784xf32>
    %12 = "kiln.param_ref"() {name = @"decoder.4.bias"} : () -> tensor<784xf32>
    %13 = "kiln.add"(%11, %12) : (tensor<?x784xf32>, tensor<784xf32>) -> tensor<?x784xf32>
    func.return %13 : tensor<?x784xf32>
  }
}
