//===- ShapeCheck.cpp - symbolic dimensions agree -------------------------===//
//
// Also checks each entry point's kiln.minimums (docs/ir.md): lower bounds
// on its symbols that the runtime enforces when it is called; and its
// contract, kiln.data and kiln.batch (kiln/Analysis/Contract.h).
//
//===----------------------------------------------------------------------===//

#include "kiln/Analysis/Contract.h"
#include "kiln/Analysis/SymbolicShapes.h"
#include "kiln/Transforms/Passes.h"

namespace kiln {
#define GEN_PASS_DEF_KILNSHAPECHECK
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// kiln.minimums = [{min = N : i64, symbol = "s", why = "..."}, ...], each
/// symbol one of the entry point's arguments'.
LogicalResult checkMinimums(func::FuncOp func) {
  Attribute attr = func->getAttr("kiln.minimums");
  if (!attr)
    return success();
  auto list = dyn_cast<ArrayAttr>(attr);
  if (!list)
    return func.emitError("kiln.minimums must be an array of dictionaries");
  for (Attribute a : list) {
    auto dict = dyn_cast<DictionaryAttr>(a);
    auto symbol = dict ? dict.getAs<StringAttr>("symbol") : StringAttr();
    auto min = dict ? dict.getAs<IntegerAttr>("min") : IntegerAttr();
    auto why = dict ? dict.getAs<StringAttr>("why") : StringAttr();
    if (!symbol || !min || !why || dict.size() != 3)
      return func.emitError("kiln.minimums entries must be {min = N : i64, "
                            "symbol = \"name\", why = \"reason\"}, got ")
             << a;
    if (min.getInt() < 1)
      return func.emitError("kiln.minimums: the minimum of '")
             << symbol.getValue() << "' must be at least 1, got "
             << min.getInt();
    bool known = false;
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      if (auto syms = func.getArgAttrOfType<ArrayAttr>(i, "kiln.symbols"))
        for (Attribute s : syms)
          known |= s == symbol;
    if (!known)
      return func.emitError("kiln.minimums names symbol '")
             << symbol.getValue() << "', which no argument of '"
             << func.getSymName() << "' has";
  }
  return success();
}

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
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      for (BlockArgument arg : func.getArguments())
        if (failed(shapes.get(arg)))
          ok = false;
      if (failed(checkMinimums(func)) || failed(kiln::checkContract(func)))
        ok = false;
    }
    if (!ok)
      signalPassFailure();
  }
};

} // namespace
