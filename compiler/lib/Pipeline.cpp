//===- Pipeline.cpp - the kilnc pass pipeline -----------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

void kiln::buildKilnPipeline(mlir::OpPassManager &pm,
                             const PipelineOptions &options) {
  pm.addPass(createKilnShapeCheck());
  pm.addPass(createKilnAutodiff());
  if (options.dataParallel)
    pm.addPass(createKilnDataParallel());
  pm.addPass(createKilnOptimizer());
  pm.addPass(createKilnSequence());
  pm.addPass(createKilnLocalReplicas());
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addPass(mlir::createCSEPass());
  pm.addPass(createKilnFuse());
  pm.addPass(createKilnDedupeKernels());
  pm.addPass(createKilnMemoryPlan());
}

void kiln::registerKilnPipeline() {
  mlir::PassPipelineRegistration<>(
      "kiln-pipeline",
      "shape check, autodiff, optimizer, sequences, local replicas, "
      "canonicalize, CSE, fusion, kernel dedupe, memory plan",
      [](mlir::OpPassManager &pm) { buildKilnPipeline(pm); });
}
