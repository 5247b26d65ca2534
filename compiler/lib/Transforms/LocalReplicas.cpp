//===- LocalReplicas.cpp - replica ops where one process is the job -------===//
//
// kiln.replica_sum and kiln.replica_count only mean something in an entry
// point that runs as one process of a data-parallel job: the `gradients`
// half of a train step (kiln-data-parallel). Everywhere else the sum over
// the job is the value itself and the job has one process.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLOCALREPLICAS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

struct LocalReplicasPass
    : kiln::impl::KilnLocalReplicasBase<LocalReplicasPass> {
  void runOnOperation() override {
    for (auto f : getOperation().getOps<func::FuncOp>()) {
      if (f.isExternal() || entryKind(f) == EntryKind::gradients)
        continue;
      f.walk([](Operation *op) {
        if (auto sum = dyn_cast<ReplicaSumOp>(op)) {
          sum.replaceAllUsesWith(sum.getInput());
          sum.erase();
        } else if (auto count = dyn_cast<ReplicaCountOp>(op)) {
          OpBuilder b(count);
          auto type = count.getType();
          count.replaceAllUsesWith(
              b.create<ConstantOp>(count.getLoc(),
                                   DenseElementsAttr::get(type, 1.0f))
                  .getResult());
          count.erase();
        }
      });
    }
  }
};

} // namespace
