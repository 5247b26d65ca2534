//===- Emitters.h - from planned kiln IR to generated files -----*- C++ -*-===//
//
// Each emitter reads a module that went through the whole pipeline (every
// entry point is a sequence of kiln.fused kernels with an arena placement)
// and writes one file. Output is deterministic: the same module gives the
// same bytes.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

namespace kiln {

/// Who schedules the kernels: the hand schedule library, or one of the
/// autoscheduler plugins of Debian's Halide.
enum class Schedule { heuristic, adams2019, mullapudi2016, li2018 };
/// How kernels compute convolutions: the Halide library picks (Winograd for
/// stride-2 4x4 layers, docs/performance.md), direct sums (the smallest
/// rounding), or Winograd (an error where it cannot apply).
enum class ConvAlgorithm { automatic, direct, winograd };

/// "heuristic", ...; "auto", "direct", "winograd": the spellings of
/// kilnc's flags and of the generated files.
llvm::StringRef name(Schedule schedule);
llvm::StringRef name(ConvAlgorithm algorithm);
/// The value a flag spells, or none.
std::optional<Schedule> parseSchedule(llvm::StringRef text);
std::optional<ConvAlgorithm> parseConvAlgorithm(llvm::StringRef text);

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
