//===- DataParallel.cpp - train entry points split at the gradients -------===//
//
// Data-parallel training runs F_gradients on each process's share of the
// batch, averages the `grad:` results across processes, and runs F_update
// with the averages (docs/training.md). The split is at kiln.gradient, the
// seam autodiff leaves for this, before the optimizer pass turns gradients
// into updates: F_update then gets exactly F's update arithmetic, and its
// state names (kiln.optimizer_of), so either path continues the other's
// checkpoint.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace kiln {
#define GEN_PASS_DEF_KILNDATAPARALLEL
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

StringAttr gradName(Builder &b, GradientOp g) {
  return b.getStringAttr("grad:" + g.getName());
}

/// F's body with its kiln.gradient values returned instead.
func::FuncOp gradientsOf(func::FuncOp train, StringRef name) {
  auto f = cast<func::FuncOp>(train->clone());
  Builder b(f.getContext());
  f.setSymName(name);
  f->setAttr("kiln.entry",
             EntryKindAttr::get(f.getContext(), EntryKind::gradients));
  f->removeAttr("kiln.optimizer");
  f->removeAttr("kiln.batch"); // a train entry point's, and F keeps it
  Block &block = f.getBody().front();
  Operation *ret = block.getTerminator();
  SmallVector<Value> results(ret->getOperands());
  SmallVector<DictionaryAttr> attrs;
  for (unsigned i = 0; i < f.getNumResults(); ++i)
    attrs.push_back(f.getResultAttrDict(i));
  for (GradientOp g : llvm::make_early_inc_range(block.getOps<GradientOp>())) {
    results.push_back(g.getGrad());
    attrs.push_back(
        b.getDictionaryAttr(b.getNamedAttr("kiln.name", gradName(b, g))));
    g.erase();
  }
  ret->setOperands(results);
  f.setType(
      b.getFunctionType(f.getArgumentTypes(), ValueRange(results).getTypes()));
  f.setAllResultAttrs(attrs);
  return f;
}

/// One kiln.gradient per input: what the optimizer pass turns into F's
/// update.
func::FuncOp updateOf(func::FuncOp train, StringRef name) {
  OpBuilder b(train.getContext());
  SmallVector<GradientOp> grads(train.getBody().front().getOps<GradientOp>());
  SmallVector<Type> types;
  SmallVector<DictionaryAttr> attrs;
  for (GradientOp g : grads) {
    types.push_back(g.getGrad().getType());
    attrs.push_back(
        b.getDictionaryAttr(b.getNamedAttr("kiln.name", gradName(b, g))));
  }
  auto f =
      func::FuncOp::create(train.getLoc(), name, b.getFunctionType(types, {}));
  f.setAllArgAttrs(attrs);
  f->setAttr("kiln.entry",
             EntryKindAttr::get(f.getContext(), EntryKind::update));
  f->setAttr("kiln.optimizer", train->getAttr("kiln.optimizer"));
  f->setAttr("kiln.optimizer_of", train.getSymNameAttr());
  Block *block = f.addEntryBlock();
  b.setInsertionPointToStart(block);
  for (auto [g, arg] : llvm::zip(grads, block->getArguments()))
    b.create<GradientOp>(g.getLoc(), g.getNameAttr(), arg);
  b.create<func::ReturnOp>(train.getLoc());
  return f;
}

struct DataParallelPass : kiln::impl::KilnDataParallelBase<DataParallelPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable table(module);
    SmallVector<func::FuncOp> trains;
    for (auto f : module.getOps<func::FuncOp>())
      if (entryKind(f) == EntryKind::train &&
          !f.getBody().front().getOps<GradientOp>().empty())
        trains.push_back(f);
    for (func::FuncOp train : trains) {
      const std::string gradients = (train.getSymName() + "_gradients").str();
      const std::string update = (train.getSymName() + "_update").str();
      for (const std::string &name : {gradients, update})
        if (table.lookup(name)) {
          train.emitError() << "--data-parallel adds the entry point '" << name
                            << "', but the model already has one";
          return signalPassFailure();
        }
      table.insert(updateOf(train, update), Block::iterator(train));
      table.insert(gradientsOf(train, gradients), Block::iterator(train));
    }
  }
};

} // namespace
