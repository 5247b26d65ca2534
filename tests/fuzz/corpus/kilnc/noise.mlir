module attributes {kiln.model = "noise"} {
  func.func @noise(%arg0: tensor<?x64xf32> {kiln.name = "x", kiln.symbols = ["batch", ""]}) -> (tensor<?x64xf32> {kiln.name = "a"}, tensor<?x64xf32> {kiln.name = "b"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.random_normal"(%arg0) {stream = 0 : i64} : (tensor<?x64xf32>) -> tensor<?x64xf32>
    %1 = "kiln.random_normal"(%arg0) {stream = 1 : i64} : (tensor<?x64xf32>) -> tensor<?x64xf32>
    func.return %0, %1 : tensor<?x64xf32>, tensor<?x64xf32>
  }
}
