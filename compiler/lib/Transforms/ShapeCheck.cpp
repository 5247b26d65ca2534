//===- ShapeCheck.cpp - symbolic dimensions agree -------------------------===//

#include "kiln/Analysis/SymbolicShapes.h"
#include "kiln/Transforms/Passes.h"

namespace kiln {
#define GEN_PASS_DEF_KILNSHAPECHECK
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

struct ShapeCheckPass : kiln::impl::KilnShapeCheckBase<ShapeCheckPass> {
  void runOnOperation() override {
    kiln::SymbolicShapes shapes;
    bool ok = true;
    getOperation().walk([&](Operation *op) {
      for (Value result : op->getResults())
        if (isa<RankedTensorType>(result.getType()) &&
            failed(shapes.get(result)))
          ok = false;
    });
    for (auto func : getOperation().getOps<func::FuncOp>())
      for (BlockArgument arg : func.getArguments())
        if (failed(shapes.get(arg)))
          ok = false;
    if (!ok)
      signalPassFailure();
  }
};

} // namespace
