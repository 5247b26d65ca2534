//===- FusionPrep.cpp - rewrites before kiln-fuse groups ops --------------===//
//
// See FusionPrep.h. Whether a value is stored is decided from the ops
// alone, before grouping: an anchor's result, an argument, a parameter, a
// constant, or the last op of an anchor's epilogue.
//
//===----------------------------------------------------------------------===//

#include "FusionPrep.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace kiln::fusion {

namespace {

/// Large enough that storing it costs more than a kernel launch: a
/// batch-sized or at least 4096-element tensor.
bool isLarge(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  int64_t n = 1;
  for (int64_t d : type.getShape())
    n *= ShapedType::isDynamic(d) ? 4096 : d;
  return n >= 4096;
}

/// The epilogue of an anchor (a bias add after a convolution) stays in the
/// anchor's kernel: copying it out would recompute it from the anchor's
/// result in every consumer instead of once.
bool isEpilogue(Operation *op) {
  return llvm::any_of(op->getOperands(), [&](Value v) {
    Operation *def = v.getDefiningOp();
    return def && isAnchor(def) && v.hasOneUse() &&
           v.getType() == op->getResult(0).getType();
  });
}

/// Stored whether or not its consumers recompute from it: not a pointwise
/// op's (an anchor, an argument, a parameter, a constant), or the last op
/// of an anchor's epilogue.
bool isStored(Value v) {
  Operation *def = v.getDefiningOp();
  return !def || !isPointwise(def) || isa<DimSizeOp>(def) ||
         (isEpilogue(def) && !v.hasOneUse());
}

} // namespace

/// broadcast_to's and iota's `like` and dim_size's input only give a shape.
/// Gradients take them from whatever forward value had it ((x - mean)^2 for a
/// variance's), which would have to be stored for that alone; a same-shaped
/// operand that is stored anyway serves as well.
void retargetShapeOperands(Block &block) {
  auto stored = [](Value v) {
    Value at = v;
    while (!isStored(at)) {
      Operation *def = at.getDefiningOp();
      auto same = llvm::find_if(def->getOperands(), [&](Value operand) {
        return operand.getType() == at.getType();
      });
      if (same == def->getOperands().end())
        return v;
      at = *same;
    }
    return at;
  };
  for (Operation &op : block) {
    if (auto bc = dyn_cast<BroadcastToOp>(op))
      bc.getLikeMutable().assign(stored(bc.getLike()));
    else if (auto ds = dyn_cast<DimSizeOp>(op))
      ds.getInputMutable().assign(stored(ds.getInput()));
    else if (auto io = dyn_cast<IotaOp>(op))
      io.getLikeMutable().assign(stored(io.getLike()));
  }
}

/// Gives each pointwise or reduction user of a cheap pointwise op on stored
/// values its own copy, placed just before it. Other users (contractions,
/// layout ops, the return) keep the original.
void rematerializeCheapOps(Block &block) {
  SmallVector<Operation *> candidates;
  for (Operation &op : block)
    if (isCheap(&op) && !op.getResult(0).hasOneUse() &&
        isLarge(op.getResult(0)) && !isEpilogue(&op) &&
        llvm::all_of(op.getOperands(), isStored))
      candidates.push_back(&op);
  for (Operation *op : candidates) {
    Value result = op->getResult(0);
    llvm::SetVector<Operation *> users;
    for (Operation *user : result.getUsers())
      if (isPointwise(user) || isReduction(user))
        users.insert(user);
    for (Operation *user : users) {
      OpBuilder b(user);
      Value copy = b.clone(*op)->getResult(0);
      user->replaceUsesOfWith(result, copy);
    }
    if (op->use_empty())
      op->erase();
  }
}

} // namespace kiln::fusion
