module attributes {kiln.model = "attention_products"} {
  func.func @scores(%arg0: tensor<?x4x128x32xf32> {kiln.name = "input0", kiln.symbols = ["batch", "", "", ""]}, %arg1: tensor<?x4x128x32xf32> {kiln.name = "input1", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x4x128x128xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.matmul"(%arg0, %arg1) {transpose_a = false, transpose_b = true} : (tensor<?x4x128x32xf32>, tensor<?x4x128x32xf32>) -> tensor<?x4x128x128xf32>
    func.return %0 : tensor<?x4x128x128xf32>
  }
  func.func @attend(%arg0: tensor<?x4x128x128xf32> {kiln.name = "input0", kiln.symbols = ["batch", "", "", ""]}, %arg1: tensor<?x4x128x32xf32> {kiln.name = "input1", kiln.symbols = ["batch", "", "", ""]}) -> (tensor<?x4x128x32xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.matmul"(%arg0, %arg1) {transpose_a = false, transpose_b = false} : (tensor<?x4x128x128xf32>, tensor<?x4x128x32xf32>) -> tensor<?x4x128x32xf32>
    func.return %0 : tensor<?x4x128x32xf32>
  }
}
