//===- SymbolicShapes.h - names of symbolic dimensions ----------*- C++ -*-===//
//
// Types say a dimension is `?`; this analysis says which symbol it is.
// Entry point arguments name their symbols (`kiln.symbols`); each op's own
// type inference (its one shape rule) carries them to its results, run on
// a stand-in size per symbol. The memory planner sizes buffers with them,
// the plan emitter binds them, and the Halide emitter reads their extents.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "mlir/IR/Value.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace kiln {

/// One entry per dimension: the symbol's name, or "" for a static size.
using DimSymbols = llvm::SmallVector<llvm::StringRef, 4>;

class SymbolicShapes {
public:
  /// The symbols of `value`'s dimensions. Emits a located error and fails
  /// when the graph mixes symbols or an argument does not name them.
  mlir::FailureOr<DimSymbols> get(mlir::Value value);

private:
  mlir::FailureOr<DimSymbols> compute(mlir::Value value);
  /// The symbols of an op's result from the op's own type inference.
  mlir::FailureOr<DimSymbols> inferSymbols(mlir::InferTypeOpInterface infer,
                                           mlir::OpResult result);
  size_t symbolIndex(llvm::StringRef symbol);
  llvm::DenseMap<mlir::Value, DimSymbols> cache_;
  llvm::SmallVector<llvm::StringRef> symbols_; // interned, by first use
};

/// "batch*seq" for the symbolic dims of `symbols` (sorted), "" if none.
std::string sizeClassKey(const DimSymbols &symbols);

} // namespace kiln
