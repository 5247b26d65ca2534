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

#include "kiln/Dialect/DimProduct.h"

#include "mlir/IR/Value.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace kiln {

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

/// "batch*seq" for the symbols of `symbols`' dimensions (each factor of a
/// product, sorted), "" if none: the unit a buffer's size is counted in.
std::string sizeClassKey(const DimSymbols &symbols);
/// The product of the coefficients of `symbols`' merged dimensions (1 when
/// there are none): what a static element count is multiplied by to count
/// per unit of sizeClassKey.
int64_t symbolCoefficient(const DimSymbols &symbols);

} // namespace kiln
