//===- EmitCommon.h - helpers shared by the emitters ------------*- C++ -*-===//
#pragma once

#include "kiln/Analysis/SymbolicShapes.h"
#include "kiln/Dialect/KilnOps.h"
#include "kiln/Emit/Emitters.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace kiln::emit {

/// A parameter as the runtime sees it.
struct ParamInfo {
  std::string name;
  ParameterOp op;
};

/// Parameters in declaration order; their index is the runtime's index.
std::vector<ParamInfo> collectParams(mlir::ModuleOp module);
/// Entry points in declaration order.
std::vector<mlir::func::FuncOp> collectEntries(mlir::ModuleOp module);

/// A valid C++ identifier derived from `name` ("decoder.0" -> "decoder_0").
std::string identifier(llvm::StringRef name);
/// A symbolic dimension's size as a C++ expression over the plan's and the
/// kernels' symbol variables: "sym_batch", "(128 * sym_batch * sym_seq)";
/// "1" for "" (DimProduct).
std::string symbolExpr(llvm::StringRef dim);
/// "float", "double" or "int32_t".
std::string cppElementType(mlir::Type tensorType);
/// C++ string literal with escapes.
std::string quoted(llvm::StringRef text);
/// The user-visible name of argument/result `index` (kiln.name or a default).
std::string argName(mlir::func::FuncOp func, unsigned index);
std::string resultName(mlir::func::FuncOp func, unsigned index);
/// Whether an autoscheduled kernel also gets a hand-scheduled twin named
/// `<kernel>_fallback` for calls whose symbolic sizes are below the
/// autoscheduler's estimates: its tiles are sized for the estimates and can
/// overrun smaller buffers. Only kernels with a symbolic dimension need it.
bool needsFallback(FusedOp fused, Schedule schedule);
inline constexpr llvm::StringLiteral kFallbackSuffix = "_fallback";
/// The estimate of every symbolic size given to the autoschedulers; the
/// same number as kiln::halide::kSymbolEstimate.
inline constexpr int64_t kSymbolEstimate = 128;

/// The symbols a kernel takes as int32 scalar arguments, sorted: those its
/// values' dimensions use (each factor of a product) that no input has as
/// a dimension of its own, so that the kernel cannot read them off a
/// buffer (a split of batch*seq into batch and seq). The plan passes their
/// values after the input buffers.
std::vector<std::string> kernelSymbolArgs(FusedOp fused,
                                          SymbolicShapes &shapes);

/// "file:line" of an op's location, or "" when it has none.
std::string sourceLine(mlir::Operation *op);

} // namespace kiln::emit
