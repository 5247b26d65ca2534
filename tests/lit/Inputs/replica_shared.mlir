module attributes {kiln.model = "sync"} {
  func.func @stats(%x: tensor<?x3xf32> {kiln.name = "x", kiln.symbols = ["batch", ""]}) -> (tensor<1x3xf32> {kiln.name = "local"}, tensor<1x3xf32> {kiln.name = "global"}) attributes {kiln.entry = #kiln<entry gradients>} {
    %m = "kiln.reduce_mean"(%x) {axis = 0 : i64, keepdim = true} : (tensor<?x3xf32>) -> tensor<1x3xf32>
    %s = "kiln.replica_sum"(%m) : (tensor<1x3xf32>) -> tensor<1x3xf32>
    %e = "kiln.exp"(%m) : (tensor<1x3xf32>) -> tensor<1x3xf32>
    func.return %e, %s : tensor<1x3xf32>, tensor<1x3xf32>
  }
}
