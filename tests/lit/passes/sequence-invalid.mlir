// kiln.sequences errors: what the DSL checks (tests/dsl/training_test.cpp)
// and what only the compiler can (input types, output names).
// RUN: kiln-opt %s -kiln-sequence -split-input-file -verify-diagnostics

// expected-error @+1 {{kiln.sequences 'ab': 'i' is not a train entry point}}
module attributes {kiln.sequences = [{entries = ["a", "i"], name = "ab"}]} {
  func.func @a(%x: tensor<3xf32> {kiln.name = "x"}) -> (tensor<3xf32> {kiln.name = "l"}) attributes {kiln.entry = #kiln<entry train>} {
    func.return %x : tensor<3xf32>
  }
  func.func @i(%x: tensor<3xf32> {kiln.name = "x"}) -> (tensor<3xf32> {kiln.name = "m"}) attributes {kiln.entry = #kiln<entry infer>} {
    func.return %x : tensor<3xf32>
  }
}

// -----

// expected-error @+1 {{kiln.sequences 'ab': input 'x' of 'b' differs from the same input of an earlier entry point (type or symbols)}}
module attributes {kiln.sequences = [{entries = ["a", "b"], name = "ab"}]} {
  func.func @a(%x: tensor<3xf32> {kiln.name = "x"}) -> (tensor<3xf32> {kiln.name = "l"}) attributes {kiln.entry = #kiln<entry train>} {
    func.return %x : tensor<3xf32>
  }
  func.func @b(%x: tensor<4xf32> {kiln.name = "x"}) -> (tensor<4xf32> {kiln.name = "m"}) attributes {kiln.entry = #kiln<entry train>} {
    func.return %x : tensor<4xf32>
  }
}

// -----

// expected-error @+1 {{kiln.sequences 'ab': 'a' and 'b' both have an output 'l'; rename one with .outputs(...)}}
module attributes {kiln.sequences = [{entries = ["a", "b"], name = "ab"}]} {
  func.func @a(%x: tensor<3xf32> {kiln.name = "x"}) -> (tensor<3xf32> {kiln.name = "l"}) attributes {kiln.entry = #kiln<entry train>} {
    func.return %x : tensor<3xf32>
  }
  func.func @b(%x: tensor<3xf32> {kiln.name = "x"}) -> (tensor<3xf32> {kiln.name = "l"}) attributes {kiln.entry = #kiln<entry train>} {
    func.return %x : tensor<3xf32>
  }
}

// -----

// expected-error @+1 {{kiln.sequences 'a': names an existing symbol}}
module attributes {kiln.sequences = [{entries = ["a", "b"], name = "a"}]} {
  func.func @a(%x: tensor<3xf32> {kiln.name = "x"}) -> (tensor<3xf32> {kiln.name = "l"}) attributes {kiln.entry = #kiln<entry train>} {
    func.return %x : tensor<3xf32>
  }
  func.func @b(%x: tensor<3xf32> {kiln.name = "x"}) -> (tensor<3xf32> {kiln.name = "m"}) attributes {kiln.entry = #kiln<entry train>} {
    func.return %x : tensor<3xf32>
  }
}

// -----

// One call feeds its parts one batch: their kiln.batch must agree.
// expected-error @+1 {{kiln.sequences 'ab': its parts train with different batches (64 and 32)}}
module attributes {kiln.sequences = [{entries = ["a", "b"], name = "ab"}]} {
  func.func @a(%x: tensor<3xf32> {kiln.name = "x"}) -> (tensor<3xf32> {kiln.name = "l"}) attributes {kiln.entry = #kiln<entry train>, kiln.batch = 64 : i64} {
    func.return %x : tensor<3xf32>
  }
  func.func @b(%x: tensor<3xf32> {kiln.name = "x"}) -> (tensor<3xf32> {kiln.name = "m"}) attributes {kiln.entry = #kiln<entry train>, kiln.batch = 32 : i64} {
    func.return %x : tensor<3xf32>
  }
}
