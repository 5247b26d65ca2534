module attributes {kiln.model = "bad"} {
  func.func @f(%x: tensor<?x4xf32> {kiln.symbols = ["batch", ""]},
               %w: tensor<8x5xf32> {kiln.symbols = ["", ""]}) -> tensor<?x8xf32>
      attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.matmul"(%x, %w) {transpose_b = true}
        : (tensor<?x4xf32>, tensor<8x5xf32>) -> tensor<?x8xf32>
        loc("models/bad.cpp":7:3)
    func.return %0 : tensor<?x8xf32>
  }
}
