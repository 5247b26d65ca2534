//===- Contract.h - what an entry point's tensors mean ----------*- C++ -*-===//
//
// A model states what its entry points consume and produce (kiln.data on
// arguments and results, kiln.batch on train entry points; docs/ir.md,
// "The model's contract") so that the tools that drive it read this instead
// of guessing from names. kiln-shape-check verifies it here; the plan and
// manifest emitters pass it on to the runtime.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <optional>

namespace kiln {

/// One tensor's meaning: its kind ("images", "noise", "loss", ...) and, for
/// images, the pixel range.
struct DataMeaning {
  llvm::StringRef kind;
  double min = 0, max = 0;
};

/// The kiln.data of argument `i` (or result `i`) of `func`, if it has one.
/// Only meaningful once checkContract() has passed.
std::optional<DataMeaning> argumentData(mlir::func::FuncOp func, unsigned i);
std::optional<DataMeaning> resultData(mlir::func::FuncOp func, unsigned i);

/// Each kiln.data names a known kind on the right side (an input kind on an
/// argument, an output kind on a result) and fits its tensor's shape;
/// kiln.batch is a positive integer on a train entry point.
mlir::LogicalResult checkContract(mlir::func::FuncOp func);

} // namespace kiln
