//===- Autodiff.cpp - reverse-mode differentiation as an IR pass ----------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

#include <map>

namespace kiln {
#define GEN_PASS_DEF_KILNAUTODIFF
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

Value one(OpBuilder &b, Location loc, RankedTensorType type) {
  Attribute attr = type.getElementType().isF64()
                       ? DenseElementsAttr::get(type, 1.0)
                       : DenseElementsAttr::get(type, 1.0f);
  return b.create<ConstantOp>(loc, cast<ElementsAttr>(attr));
}

LogicalResult differentiate(func::FuncOp func, bool returnGradients) {
  Block &block = func.getBody().front();
  Operation *ret = block.getTerminator();
  if (ret->getNumOperands() == 0)
    return func.emitError("a train entry point must return its loss");
  Value loss = ret->getOperand(0);
  auto lossType = cast<RankedTensorType>(loss.getType());
  if (lossType.getRank() != 0)
    return func.emitError() << "a train entry point's first result is the "
                               "loss and must be a scalar, got "
                            << lossType;

  OpBuilder b(ret);
  DenseMap<Value, Value> grads;
  grads[loss] = one(b, ret->getLoc(), lossType);

  SmallVector<Operation *> forward;
  for (Operation &op : block.without_terminator())
    forward.push_back(&op);
  for (Operation *op : llvm::reverse(forward)) {
    if (op->getNumResults() != 1)
      continue;
    Value g = grads.lookup(op->getResult(0));
    if (!g || isa<ParamRefOp, ConstantOp>(op))
      continue;
    auto diff = dyn_cast<DifferentiableOpInterface>(op);
    if (!diff)
      return op->emitError("has no gradient rule");
    SmallVector<Value> operandGrads;
    if (failed(diff.buildVjp(b, g, operandGrads)))
      return failure();
    if (operandGrads.size() != op->getNumOperands())
      return op->emitError("gradient rule returned ")
             << operandGrads.size() << " gradients for " << op->getNumOperands()
             << " operands";
    for (auto [operand, og] : llvm::zip(op->getOperands(), operandGrads)) {
      if (!og)
        continue;
      if (og.getType() != operand.getType())
        return op->emitError("gradient rule returned ")
               << og.getType() << " for an operand of type "
               << operand.getType();
      Value &acc = grads[operand];
      acc = acc ? b.create<AddOp>(op->getLoc(), acc, og).getResult() : og;
    }
  }

  // One gradient per parameter, in declaration order (CSE may not have run,
  // so a parameter can be read by several param_refs).
  auto module = func->getParentOfType<ModuleOp>();
  std::map<std::string, Value> perParam;
  for (Operation *op : forward) {
    auto ref = dyn_cast<ParamRefOp>(op);
    if (!ref)
      continue;
    Value g = grads.lookup(ref.getResult());
    if (!g)
      continue;
    Value &acc = perParam[ref.getName().str()];
    acc = acc ? b.create<AddOp>(ref.getLoc(), acc, g).getResult() : g;
  }
  SmallVector<Value> results(ret->getOperands());
  SmallVector<DictionaryAttr> resultAttrs;
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    resultAttrs.push_back(func.getResultAttrDict(i));
  // kiln.optimizer's `params` prefixes pick the parameters this entry
  // point trains (a GAN's two networks); by default, all it reads.
  SmallVector<StringRef> prefixes;
  if (auto opt = func->getAttrOfType<DictionaryAttr>("kiln.optimizer"))
    if (auto list = opt.getAs<ArrayAttr>("params")) {
      for (Attribute a : list) {
        auto prefix = dyn_cast<StringAttr>(a);
        if (!prefix)
          return func.emitError("kiln.optimizer params must be strings");
        prefixes.push_back(prefix.getValue());
      }
      if (prefixes.empty())
        return func.emitError("kiln.optimizer params is empty: the entry "
                              "point would train nothing");
    }
  auto trained = [&](StringRef name) {
    return prefixes.empty() || llvm::any_of(prefixes, [&](StringRef p) {
             return name.starts_with(p);
           });
  };
  bool any = false;
  for (auto param : module.getOps<ParameterOp>()) {
    if (param.getRole() != ParamRole::parameter || !trained(param.getSymName()))
      continue;
    auto it = perParam.find(param.getSymName().str());
    if (it == perParam.end())
      continue;
    any = true;
    if (returnGradients) {
      results.push_back(it->second);
      resultAttrs.push_back(b.getDictionaryAttr(b.getNamedAttr(
          "kiln.name", b.getStringAttr("grad:" + param.getSymName()))));
    } else {
      b.create<GradientOp>(ret->getLoc(),
                           FlatSymbolRefAttr::get(param.getSymNameAttr()),
                           it->second);
    }
  }
  if (!any)
    return func.emitError("the loss depends on no parameter this entry point "
                          "trains")
           << (prefixes.empty() ? "" : " (check kiln.optimizer params)");
  if (returnGradients) {
    ret->setOperands(results);
    func.setType(FunctionType::get(func.getContext(), func.getArgumentTypes(),
                                   ValueRange(results).getTypes()));
    func.setAllResultAttrs(resultAttrs);
  }
  return success();
}

struct AutodiffPass : kiln::impl::KilnAutodiffBase<AutodiffPass> {
  using KilnAutodiffBase::KilnAutodiffBase;
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (entryKind(func) != EntryKind::train)
        continue;
      if (failed(differentiate(func, returnGradients)))
        return signalPassFailure();
    }
  }
};

} // namespace
