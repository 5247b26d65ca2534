//===- kiln-opt.cpp - mlir-opt with the kiln dialect and passes -----------===//

#include "kiln/Dialect/KilnDialect.h"
#include "kiln/Support/LargeStack.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses(); // canonicalize, cse, ...
  kiln::registerKilnPasses();
  kiln::registerKilnPipeline();
  mlir::DialectRegistry registry;
  registry.insert<kiln::KilnDialect, mlir::func::FuncDialect>();
  return kiln::runOnLargeStack([&] {
    return mlir::asMainReturnCode(
        mlir::MlirOptMain(argc, argv, "kiln optimizer driver\n", registry));
  });
}
