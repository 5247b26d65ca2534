// An entry point's contract (kiln.data, kiln.batch; docs/ir.md) is checked
// by kiln-shape-check: known kinds on the right side, shapes that fit them.
// RUN: kiln-opt %s -kiln-shape-check -split-input-file -verify-diagnostics

// expected-error @+1 {{kiln.data of argument 0 has kind 'score'; an argument may be images, onehot, noise, text, next_text, position, source, timestep, prev_timestep, eta, latent}}
func.func @output_kind_on_input(%z: tensor<?x4xf32> {kiln.symbols = ["batch", ""], kiln.data = {kind = "score"}}) -> tensor<?x4xf32> attributes {kiln.entry = #kiln<entry infer>} {
  func.return %z : tensor<?x4xf32>
}

// -----

// expected-error @+1 {{kiln.data of argument 0 'noise' must be [batch, L] (the batch symbolic, the rest static), got 'tensor<?x4x2xf32>'}}
func.func @noise_rank(%z: tensor<?x4x2xf32> {kiln.symbols = ["batch", "", ""], kiln.data = {kind = "noise"}}) -> tensor<?x4x2xf32> attributes {kiln.entry = #kiln<entry infer>} {
  func.return %z : tensor<?x4x2xf32>
}

// -----

// expected-error @+1 {{kiln.data of result 0 needs a pixel range min < max}}
func.func @reversed_range(%x: tensor<?x4xf32> {kiln.symbols = ["batch", ""]}) -> (tensor<?x4xf32> {kiln.data = {kind = "images", min = 1.0 : f64, max = 0.0 : f64}}) attributes {kiln.entry = #kiln<entry infer>} {
  func.return %x : tensor<?x4xf32>
}

// -----

// expected-error @+1 {{kiln.data of result 0 'score' must be [batch] (the batch symbolic, the rest static), got 'tensor<?x4xf32>'}}
func.func @score_shape(%x: tensor<?x4xf32> {kiln.symbols = ["batch", ""]}) -> (tensor<?x4xf32> {kiln.data = {kind = "score"}}) attributes {kiln.entry = #kiln<entry infer>} {
  func.return %x : tensor<?x4xf32>
}

// -----

// expected-error @+1 {{kiln.batch is for train entry points}}
func.func @batch_on_infer(%x: tensor<?x4xf32> {kiln.symbols = ["batch", ""]}) -> tensor<?x4xf32> attributes {kiln.entry = #kiln<entry infer>, kiln.batch = 8 : i64} {
  func.return %x : tensor<?x4xf32>
}

// -----

// expected-error @+1 {{kiln.data of argument 0 has an unexpected entry "classes" = 10 : i64}}
func.func @extra_entry(%x: tensor<?x10xf32> {kiln.symbols = ["batch", ""], kiln.data = {kind = "onehot", classes = 10 : i64}}) -> tensor<?x10xf32> attributes {kiln.entry = #kiln<entry infer>} {
  func.return %x : tensor<?x10xf32>
}

// -----

// A contract that fits passes.
func.func @ok(%x: tensor<?x1x28x28xf32> {kiln.symbols = ["batch", "", "", ""], kiln.data = {kind = "images", min = -1.0 : f64, max = 1.0 : f64}},
              %y: tensor<?x10xf32> {kiln.symbols = ["batch", ""], kiln.data = {kind = "onehot"}})
    -> (tensor<?x1x28x28xf32> {kiln.data = {kind = "images", min = -1.0 : f64, max = 1.0 : f64}},
        tensor<?x10xf32> {kiln.data = {kind = "logits"}})
    attributes {kiln.entry = #kiln<entry infer>} {
  func.return %x, %y : tensor<?x1x28x28xf32>, tensor<?x10xf32>
}

// -----

// Text is bytes: i32, not f32.
// expected-error @+1 {{kiln.data of argument 0 'text' must be [batch, T] of i32 bytes (static but maybe the batch and length), got 'tensor<?x8xf32>'}}
func.func @text_of_floats(%x: tensor<?x8xf32> {kiln.symbols = ["batch", ""], kiln.data = {kind = "text"}}) -> tensor<?x8xf32> attributes {kiln.entry = #kiln<entry infer>} {
  func.return %x : tensor<?x8xf32>
}

// -----

// expected-error @+1 {{kiln.data of argument 1 'position' must be an i32 scalar, got 'tensor<1xi32>'}}
func.func @position_not_scalar(%x: tensor<1x8xi32> {kiln.data = {kind = "text"}}, %at: tensor<1xi32> {kiln.data = {kind = "position"}}) -> tensor<1x8xi32> attributes {kiln.entry = #kiln<entry infer>} {
  func.return %x : tensor<1x8xi32>
}

// -----

// Logits may cover a prompt of any length, but the vocabulary is static.
// expected-error @+1 {{kiln.data of result 0 'next_logits' must be [batch, T, V] (static but maybe the batch and length), got 'tensor<?x?x?xf32>'}}
func.func @next_logits_symbolic_vocabulary(%x: tensor<?x?x?xf32> {kiln.symbols = ["batch", "seq", "vocab"]}) -> (tensor<?x?x?xf32> {kiln.data = {kind = "next_logits"}}) attributes {kiln.entry = #kiln<entry infer>} {
  func.return %x : tensor<?x?x?xf32>
}

// -----

// A source (a sequence task's input) has a static length.
// expected-error @+1 {{kiln.data of argument 0 'source' must be [batch, S] of i32 bytes (all static but maybe the batch), got 'tensor<?x?xi32>'}}
func.func @source_symbolic_length(%x: tensor<?x?xi32> {kiln.symbols = ["batch", "seq"], kiln.data = {kind = "source"}}) -> tensor<?x?xi32> attributes {kiln.entry = #kiln<entry infer>} {
  func.return %x : tensor<?x?xi32>
}

// -----

// A position's window must be a positive integer.
// expected-error @+1 {{kiln.data of argument 1 needs the number of window positions as max (a positive integer)}}
func.func @position_window(%x: tensor<1x8xi32> {kiln.data = {kind = "text"}}, %at: tensor<i32> {kiln.data = {kind = "position", min = 0.0 : f64, max = 0.5 : f64}}) -> tensor<1x8xi32> attributes {kiln.entry = #kiln<entry infer>} {
  func.return %x : tensor<1x8xi32>
}

// -----

// A kind spelt as a string, as before kiln.entry was typed.
// expected-error @+1 {{kiln.entry must be #kiln<entry infer> or #kiln<entry train> (or gradients or update, which kilnc --data-parallel adds), got "train"}}
func.func @string_kind(%x: tensor<?x4xf32> {kiln.symbols = ["batch", ""]}) -> tensor<?x4xf32> attributes {kiln.entry = "train"} {
  func.return %x : tensor<?x4xf32>
}
