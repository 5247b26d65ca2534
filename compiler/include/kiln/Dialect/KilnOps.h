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

#include "kiln/Dialect/KilnInterfaces.h.inc"

#define GET_OP_CLASSES
#include "kiln/Dialect/KilnOps.h.inc"

namespace kiln {
/// True for ops computed one element at a time (binary and unary ops):
/// the ops fusion may merge into a neighbouring kernel.
bool isPointwise(mlir::Operation *op);
/// True for matmul and the convolutions: anchors that never absorb a
/// producer (it would be recomputed once per output column or channel).
bool isContraction(mlir::Operation *op);
/// True for reduce_sum, reduce_mean and reduce_max.
bool isReduction(mlir::Operation *op);
/// True for ops that anchor a kernel: contractions and reductions.
bool isAnchor(mlir::Operation *op);
} // namespace kiln
