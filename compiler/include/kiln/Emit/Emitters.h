//===- Emitters.h - from planned kiln IR to generated files -----*- C++ -*-===//
//
// Each emitter reads a module that went through the whole pipeline (every
// entry point is a sequence of kiln.fused kernels with an arena placement)
// and writes one file. Output is deterministic: the same module gives the
// same bytes.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "kiln/Dialect/KilnOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

namespace kiln {

// Schedule (who schedules the kernels: the hand schedule library, or one
// of the autoscheduler plugins of Debian's Halide) and ConvAlgorithm (the
// Halide library picks: Winograd for stride-2 4x4 and stride-1 3x3 layers,
// docs/performance.md; direct sums, the smallest rounding; or Winograd, an
// error where it cannot apply) come from KilnEnums.td, with their
// stringify/symbolize functions, which spell kilnc's flags.

struct EmitOptions {
  std::string model; // model name (the module's kiln.model)
  Schedule schedule = Schedule::heuristic;
  ConvAlgorithm convAlgorithm = ConvAlgorithm::automatic;
};

/// NAME.kernels.cpp: one Halide generator per kernel.
mlir::LogicalResult emitHalideKernels(mlir::ModuleOp module,
                                      const EmitOptions &options,
                                      llvm::raw_ostream &os);
/// NAME.plan.cpp: the ModelDesc and one function per entry point calling
/// kernels in order over the arena.
mlir::LogicalResult emitPlan(mlir::ModuleOp module, const EmitOptions &options,
                             llvm::raw_ostream &os);
/// NAME.h: a typed C++ class with one method per entry point.
mlir::LogicalResult emitModelHeader(mlir::ModuleOp module,
                                    const EmitOptions &options,
                                    llvm::raw_ostream &os);
/// NAME.manifest.json: parameters, entry points, kernels and the arena.
mlir::LogicalResult emitManifest(mlir::ModuleOp module,
                                 const EmitOptions &options,
                                 llvm::raw_ostream &os);

} // namespace kiln
