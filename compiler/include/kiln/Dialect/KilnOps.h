//===- KilnOps.h - kiln dialect ops -----------------------------*- C++ -*-===//
#pragma once

#include "kiln/Dialect/KilnDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "kiln/Dialect/DimProduct.h"
#include "kiln/Dialect/Formula.h"
#include "kiln/Dialect/KilnEnums.h.inc"
#define GET_ATTRDEF_CLASSES
#include "kiln/Dialect/KilnAttrs.h.inc"
#include "kiln/Dialect/KilnTraits.h"

#include "kiln/Dialect/KilnInterfaces.h.inc"

#define GET_OP_CLASSES
#include "kiln/Dialect/KilnOps.h.inc"

namespace kiln {
/// The traits of KilnTraits.h, asked of an Operation *.
inline bool isPointwise(mlir::Operation *op) {
  return op->hasTrait<OpTrait::Elementwise>();
}
inline bool isContraction(mlir::Operation *op) {
  return op->hasTrait<OpTrait::Contraction>();
}
inline bool isReduction(mlir::Operation *op) {
  return op->hasTrait<OpTrait::Reduction>();
}
inline bool isLayout(mlir::Operation *op) {
  return op->hasTrait<OpTrait::Layout>();
}
inline bool isCheap(mlir::Operation *op) {
  return op->hasTrait<OpTrait::Cheap>();
}
/// Contractions and reductions: the ops that anchor a kernel.
inline bool isAnchor(mlir::Operation *op) {
  return isContraction(op) || isReduction(op);
}

/// The kind of entry point `op` is (its kiln.entry), or none for a function
/// that is no entry point or spells an unknown kind.
std::optional<EntryKind> entryKind(mlir::Operation *op);

/// The NumPy broadcast of the operands' types: a located error when they
/// do not broadcast or their element types differ. A `?` matches `?` (the
/// shape check pass then requires the same symbol) and 1.
mlir::LogicalResult inferBroadcast(std::optional<mlir::Location> loc,
                                   mlir::ValueRange operands,
                                   llvm::SmallVectorImpl<mlir::Type> &results);

/// `op`'s other operand where it multiplies by a splat 1 or divides by one
/// (x * 1 and x / 1 are x exactly, NaN and -0 included) and that operand
/// has the result's type; else null.
mlir::Value foldUnitOperand(mlir::Operation *op, mlir::Attribute lhs,
                            mlir::Attribute rhs);

/// A binary op of two splat constants, as a splat of `resultType`:
/// `formula` evaluated in double and rounded once to the element type,
/// which for +, -, *, / of f32 operands is the f32 operation's own result
/// (double has more than 2 * 24 + 2 bits), so a folded constant is what the
/// kernel would have computed. Null when an operand is not a splat.
mlir::OpFoldResult
foldSplats(mlir::Type resultType, mlir::Attribute lhs, mlir::Attribute rhs,
           llvm::function_ref<double(double, double)> formula);
} // namespace kiln
