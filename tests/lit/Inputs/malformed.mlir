module attributes {kiln.model = "bad"} {
  func.func @f(%x: tensor<?x4xf32> {kiln.symbols = ["batch", ""]}) -> tensor<?x4xf32>
      attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.relu"(%x : (tensor<?x4xf32>) -> tensor<?x4xf32>
    func.return %0 : tensor<?x4xf32>
  }
}
