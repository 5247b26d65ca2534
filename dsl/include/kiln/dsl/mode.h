// How layers that behave differently in training and evaluation run
// (BatchNorm, dropout). The model passes the mode down its forward
// functions; each entry point fixes it per call (docs/dsl.md, "Modes").
//
//   Tensor<B, 1, 28, 28> G(Tensor<B, 64> z, Mode mode) { ... bn(x, mode) ... }
//   auto images(Tensor<B, 64> z) { return G(z, Mode::eval); }
#pragma once

namespace kiln::dsl {

enum class Mode {
  // PyTorch's module.train(): BatchNorm normalises with the batch
  // statistics and updates its running statistics (only in train entry
  // points); dropout is on.
  train,
  // As train, but BatchNorm leaves its running statistics as they are (for
  // a second forward pass over a batch whose statistics were already
  // recorded, e.g. a GAN's generator step recomputing G(z)).
  train_no_stats_update,
  // PyTorch's module.eval(): BatchNorm uses the running statistics; dropout
  // is the identity.
  eval,
};

constexpr bool is_training(Mode mode) { return mode != Mode::eval; }

} // namespace kiln::dsl
