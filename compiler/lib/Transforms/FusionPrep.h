//===- FusionPrep.h - rewrites before kiln-fuse groups ops ------*- C++ -*-===//
//
// The pointwise kernels of a training step are bound by memory traffic (a
// pass over a [64, 64, 14, 14] tensor costs ~0.1 ms in cache, ~0.5 ms out
// of it), so before grouping, kiln-fuse rewrites the entry point to store
// less: shape-only operands move to tensors that are stored anyway, and
// cheap ops on stored values are recomputed in each consumer.
//
//===----------------------------------------------------------------------===//

#pragma once

#include "kiln/Dialect/KilnOps.h"

namespace kiln::fusion {

/// broadcast_to's `like` and dim_size's input only give a shape; moves each
/// to a same-shaped value that is stored anyway.
void retargetShapeOperands(mlir::Block &block);

/// Gives each pointwise or reduction user of a cheap pointwise op on stored
/// values its own copy, placed just before it.
void rematerializeCheapOps(mlir::Block &block);

} // namespace kiln::fusion
