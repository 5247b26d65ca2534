//===- Passes.h - kiln passes -----------------------------------*- C++ -*-===//
#pragma once

#include "kiln/Dialect/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace kiln {

#define GEN_PASS_DECL
#include "kiln/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "kiln/Transforms/Passes.h.inc"

struct PipelineOptions {
  /// Also split every train entry point at its gradients (kiln-data-parallel).
  bool dataParallel = false;
};

/// The whole kilnc pipeline: shape check, autodiff, [data-parallel split,]
/// optimizer, sequences, local replicas, canonicalize + CSE, fusion, memory
/// planning.
void buildKilnPipeline(mlir::OpPassManager &pm,
                       const PipelineOptions &options = {});
/// Registers the pipeline as `kiln-pipeline` (for kiln-opt).
void registerKilnPipeline();

} // namespace kiln
