//===- DedupeKernels.cpp - one name per distinct kernel -------------------===//
//
// Kernels are compared op by op (OperationEquivalence, locations ignored)
// after their region arguments are matched; a hash of the ops' names and
// types keeps the comparisons to likely matches.
//
//===----------------------------------------------------------------------===//

#include "kiln/Analysis/SymbolicShapes.h"
#include "kiln/Dialect/KilnOps.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/IR/OperationSupport.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/Hashing.h"

namespace kiln {
#define GEN_PASS_DEF_KILNDEDUPEKERNELS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

/// What two equal kernels share: region argument and result types, and the
/// ops' names and result types in order.
llvm::hash_code shapeHash(FusedOp f) {
  llvm::hash_code h = llvm::hash_combine(f.getNumResults());
  for (Type t : f.getBody().getArgumentTypes())
    h = llvm::hash_combine(h, t.getAsOpaquePointer());
  for (Type t : f.getResultTypes())
    h = llvm::hash_combine(h, t.getAsOpaquePointer());
  for (Operation &op : f.getBody().front())
    h = llvm::hash_combine(h, op.getName().getAsOpaquePointer(),
                           op.getNumResults()
                               ? op.getResult(0).getType().getAsOpaquePointer()
                               : nullptr);
  return h;
}

/// The same computation: the same region, op for op, on inputs of the same
/// types and symbols.
bool sameKernel(FusedOp a, FusedOp b, SymbolicShapes &shapes) {
  Block &ba = a.getBody().front(), &bb = b.getBody().front();
  if (a.getResultTypes() != b.getResultTypes() ||
      ba.getArgumentTypes() != bb.getArgumentTypes() ||
      ba.getOperations().size() != bb.getOperations().size())
    return false;
  for (auto [x, y] : llvm::zip(a.getInputs(), b.getInputs())) {
    auto sx = shapes.get(x), sy = shapes.get(y);
    if (failed(sx) || failed(sy) || *sx != *sy)
      return false;
  }
  DenseMap<Value, Value> map;
  for (auto [x, y] : llvm::zip(ba.getArguments(), bb.getArguments()))
    map[x] = y;
  for (auto [x, y] : llvm::zip(ba, bb)) {
    bool equal = OperationEquivalence::isEquivalentTo(
        &x, &y, [&](Value l, Value r) { return success(map.lookup(l) == r); },
        [&](Value l, Value r) { map[l] = r; },
        OperationEquivalence::IgnoreLocations);
    if (!equal)
      return false;
  }
  return true;
}

struct DedupeKernelsPass
    : kiln::impl::KilnDedupeKernelsBase<DedupeKernelsPass> {
  void runOnOperation() override {
    SymbolicShapes shapes;
    DenseMap<unsigned, SmallVector<FusedOp>> seen; // by shapeHash
    getOperation().walk([&](FusedOp f) {
      auto &candidates = seen[static_cast<unsigned>(shapeHash(f))];
      for (FusedOp first : candidates)
        if (sameKernel(first, f, shapes)) {
          f.setKernel(first.getKernel());
          return;
        }
      candidates.push_back(f);
    });
  }
};

} // namespace
