module attributes {kiln.model = "pointwise"} {
  func.func @neg(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.neg"(%arg0) : (tensor<?x37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @relu(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.relu"(%arg0) : (tensor<?x37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @sigmoid(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.sigmoid"(%arg0) : (tensor<?x37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @tanh(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.tanh"(%arg0) : (tensor<?x37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @exp(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.exp"(%arg0) : (tensor<?x37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @log(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.log"(%arg0) : (tensor<?x37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @softplus(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.softplus"(%arg0) : (tensor<?x37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @sqrt(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.sqrt"(%arg0) : (tensor<?x37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @abs(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.abs"(%arg0) : (tensor<?x37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @sin(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.sin"(%arg0) : (tensor<?x37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @cos(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.cos"(%arg0) : (tensor<?x37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @silu(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.silu"(%arg0) : (tensor<?x37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @gelu(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.gelu"(%arg0) : (tensor<?x37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @add(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}, %arg1: tensor<37xf32> {kiln.name = "input1", kiln.symbols = [""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.add"(%arg0, %arg1) : (tensor<?x37xf32>, tensor<37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @sub(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}, %arg1: tensor<37xf32> {kiln.name = "input1", kiln.symbols = [""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.sub"(%arg0, %arg1) : (tensor<?x37xf32>, tensor<37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @mul(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}, %arg1: tensor<37xf32> {kiln.name = "input1", kiln.symbols = [""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.mul"(%arg0, %arg1) : (tensor<?x37xf32>, tensor<37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @div(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}, %arg1: tensor<37xf32> {kiln.name = "input1", kiln.symbols = [""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.div"(%arg0, %arg1) : (tensor<?x37xf32>, tensor<37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @max(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}, %arg1: tensor<37xf32> {kiln.name = "input1", kiln.symbols = [""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.max"(%arg0, %arg1) : (tensor<?x37xf32>, tensor<37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @min(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}, %arg1: tensor<37xf32> {kiln.name = "input1", kiln.symbols = [""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.min"(%arg0, %arg1) : (tensor<?x37xf32>, tensor<37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @greater(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}, %arg1: tensor<37xf32> {kiln.name = "input1", kiln.symbols = [""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.greater"(%arg0, %arg1) : (tensor<?x37xf32>, tensor<37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @greater_equal(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}, %arg1: tensor<37xf32> {kiln.name = "input1", kiln.symbols = [""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.greater_equal"(%arg0, %arg1) : (tensor<?x37xf32>, tensor<37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @less(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}, %arg1: tensor<37xf32> {kiln.name = "input1", kiln.symbols = [""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.less"(%arg0, %arg1) : (tensor<?x37xf32>, tensor<37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @less_equal(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}, %arg1: tensor<37xf32> {kiln.name = "input1", kiln.symbols = [""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.less_equal"(%arg0, %arg1) : (tensor<?x37xf32>, tensor<37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @equal(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}, %arg1: tensor<37xf32> {kiln.name = "input1", kiln.symbols = [""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.equal"(%arg0, %arg1) : (tensor<?x37xf32>, tensor<37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @not_equal(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}, %arg1: tensor<37xf32> {kiln.name = "input1", kiln.symbols = [""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.not_equal"(%arg0, %arg1) : (tensor<?x37xf32>, tensor<37xf32>) -> tensor<?x37xf32>
    func.return %0 : tensor<?x37xf32>
  }
  func.func @where_greater(%arg0: tensor<?x37xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}, %arg1: tensor<37xf32> {kiln.name = "input1", kiln.symbols = [""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.greater"(%arg0, %arg1) : (tensor<?x37xf32>, tensor<37xf32>) -> tensor<?x37xf32>
    %1 = "kiln.select"(%0, %arg0, %arg1) : (tensor<?x37xf32>, tensor<?x37xf32>, tensor<37xf32>) -> tensor<?x37xf32>
    func.return %1 : tensor<?x37xf32>
  }
  func.func @where_scalar(%arg0: tensor<?x1xf32> {kiln.name = "input0", kiln.symbols = ["batch", ""]}, %arg1: tensor<?x37xf32> {kiln.name = "input1", kiln.symbols = ["batch", ""]}) -> (tensor<?x37xf32> {kiln.name = "output0"}) attributes {kiln.entry = #kiln<entry infer>} {
    %0 = "kiln.constant"() {value = dense<2.500000e-01> : tensor<f32>} : () -> tensor<f32>
    %1 = "kiln.select"(%arg0, %arg1, %0) : (tensor<?x1xf32>, tensor<?x37xf32>, tensor<f32>) -> tensor<?x37xf32>
    func.return %1 : tensor<?x37xf32>
  }
}
