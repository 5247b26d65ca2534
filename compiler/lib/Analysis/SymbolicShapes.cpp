//===- SymbolicShapes.cpp - names of symbolic dimensions ------------------===//

#include "kiln/Analysis/SymbolicShapes.h"
#include "kiln/Dialect/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>

using namespace mlir;
using namespace kiln;

namespace {

std::string describe(const DimSymbols &syms, ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, sym] : llvm::enumerate(syms)) {
    if (i)
      s += ", ";
    s += sym.empty() ? std::to_string(shape[i]) : sym.str();
  }
  return s + "]";
}

std::string describe(const DimSymbols &syms, Type type) {
  return describe(syms, cast<RankedTensorType>(type).getShape());
}

/// A shape with its symbols: the broadcast of several operands so far.
struct SymbolicShape {
  SmallVector<int64_t> sizes;
  DimSymbols symbols;
};

/// The broadcast rule of the pointwise ops, on symbols.
FailureOr<SymbolicShape> broadcastSymbols(Operation *op, const SymbolicShape &a,
                                          const SymbolicShape &b) {
  size_t rank = std::max(a.symbols.size(), b.symbols.size());
  SymbolicShape out{SmallVector<int64_t>(rank, 1), DimSymbols(rank)};
  for (size_t i = 0; i < rank; ++i) {
    int64_t ia = int64_t(i) - int64_t(rank - a.symbols.size());
    int64_t ib = int64_t(i) - int64_t(rank - b.symbols.size());
    StringRef sa = ia >= 0 ? a.symbols[ia] : "";
    StringRef sb = ib >= 0 ? b.symbols[ib] : "";
    if (!sa.empty() && !sb.empty() && sa != sb)
      return op->emitError() << "mixes symbolic dimensions '" << sa << "' and '"
                             << sb << "': " << describe(a.symbols, a.sizes)
                             << " and " << describe(b.symbols, b.sizes);
    out.symbols[i] = !sa.empty() ? sa : sb;
    int64_t da = ia >= 0 ? a.sizes[ia] : 1, db = ib >= 0 ? b.sizes[ib] : 1;
    out.sizes[i] = da == 1 ? db : da;
  }
  return out;
}

/// The broadcast of all of `op`'s operands, on symbols.
FailureOr<DimSymbols> broadcastOperands(Operation *op, SymbolicShapes &shapes) {
  SymbolicShape result;
  for (Value v : op->getOperands()) {
    auto syms = shapes.get(v);
    if (failed(syms))
      return failure();
    SymbolicShape next{
        SmallVector<int64_t>(cast<RankedTensorType>(v.getType()).getShape()),
        *syms};
    auto joined = broadcastSymbols(op, result, next);
    if (failed(joined))
      return failure();
    result = std::move(*joined);
  }
  return result.symbols;
}

} // namespace

std::string kiln::sizeClassKey(const DimSymbols &symbols) {
  SmallVector<StringRef> syms;
  for (StringRef s : symbols)
    if (!s.empty())
      syms.push_back(s);
  llvm::sort(syms);
  return llvm::join(syms, "*");
}

FailureOr<DimSymbols> SymbolicShapes::get(Value value) {
  auto it = cache_.find(value);
  if (it != cache_.end())
    return it->second;
  FailureOr<DimSymbols> result = compute(value);
  if (succeeded(result))
    cache_[value] = *result;
  return result;
}

FailureOr<DimSymbols> SymbolicShapes::compute(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  DimSymbols allStatic(type.getRank(), "");

  if (auto arg = dyn_cast<BlockArgument>(value)) {
    Operation *parent = arg.getOwner()->getParentOp();
    if (auto fused = dyn_cast<FusedOp>(parent))
      return get(fused.getInputs()[arg.getArgNumber()]);
    auto func = dyn_cast<func::FuncOp>(parent);
    if (!func)
      return parent->emitError("unexpected block argument owner");
    auto names =
        func.getArgAttrOfType<ArrayAttr>(arg.getArgNumber(), "kiln.symbols");
    DimSymbols syms = allStatic;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      StringRef name;
      if (names && d < int64_t(names.size()))
        if (auto s = dyn_cast<StringAttr>(names[d]))
          name = s.getValue();
      if (type.isDynamicDim(d) && name.empty())
        return func.emitError()
               << "argument " << arg.getArgNumber() << " dimension " << d
               << " is symbolic but kiln.symbols does not "
                  "name it";
      if (!type.isDynamicDim(d) && !name.empty())
        return func.emitError()
               << "argument " << arg.getArgNumber() << " dimension " << d
               << " is static (" << type.getDimSize(d) << ") but kiln.symbols "
               << "names it '" << name << "'";
      syms[d] = name;
    }
    return syms;
  }

  Operation *op = value.getDefiningOp();
  auto operand = [&](unsigned i) { return get(op->getOperand(i)); };
  // Every op with a formula broadcasts its operands (KilnOps.td).
  if (isa<PointwiseOpInterface, BroadcastToOp>(op))
    return broadcastOperands(op, *this);
  return llvm::TypeSwitch<Operation *, FailureOr<DimSymbols>>(op)
      .Case<ParamRefOp, ConstantOp>([&](auto) { return allStatic; })
      .Case<MatmulOp>([&](MatmulOp mm) -> FailureOr<DimSymbols> {
        auto a = operand(0), b = operand(1);
        if (failed(a) || failed(b))
          return failure();
        bool ta = mm.getTransposeA(), tb = mm.getTransposeB();
        StringRef ka = (*a)[ta ? 0 : 1], kb = (*b)[tb ? 1 : 0];
        if (ka != kb)
          return mm.emitError() << "contracts different symbolic dimensions '"
                                << ka << "' and '" << kb << "'";
        return DimSymbols{(*a)[ta ? 1 : 0], (*b)[tb ? 0 : 1]};
      })
      // Convolutions: the batch passes through; every other size is static.
      .Case<Conv2dOp, ConvTranspose2dOp>([&](auto) -> FailureOr<DimSymbols> {
        auto in = operand(0);
        if (failed(in))
          return failure();
        return DimSymbols{(*in)[0], "", "", ""};
      })
      .Case<Conv2dWeightGradOp>(
          [&](Conv2dWeightGradOp wg) -> FailureOr<DimSymbols> {
            auto x = operand(0), g = operand(1);
            if (failed(x) || failed(g))
              return failure();
            if ((*x)[0] != (*g)[0])
              return wg.emitError()
                     << "contracts different symbolic dimensions '" << (*x)[0]
                     << "' and '" << (*g)[0] << "'";
            return allStatic;
          })
      .Case<ReduceSumOp, ReduceMeanOp, ReduceMaxOp>(
          [&](auto red) -> FailureOr<DimSymbols> {
            auto in = operand(0);
            if (failed(in))
              return failure();
            DimSymbols out = *in;
            int64_t axis = red.getAxis();
            if (red.getKeepdim())
              out[axis] = "";
            else
              out.erase(out.begin() + axis);
            return out;
          })
      .Case<ReshapeOp>([&](ReshapeOp rs) -> FailureOr<DimSymbols> {
        auto in = operand(0);
        if (failed(in))
          return failure();
        // The verifier guarantees the same number of `?` on both sides;
        // they keep their order.
        SmallVector<StringRef> syms;
        for (StringRef s : *in)
          if (!s.empty())
            syms.push_back(s);
        DimSymbols out = allStatic;
        size_t next = 0;
        for (int64_t d = 0; d < type.getRank(); ++d)
          if (type.isDynamicDim(d))
            out[d] = syms[next++];
        return out;
      })
      .Case<ConcatOp>([&](ConcatOp cat) -> FailureOr<DimSymbols> {
        auto first = operand(0);
        if (failed(first))
          return failure();
        for (unsigned i = 1; i < op->getNumOperands(); ++i) {
          auto other = operand(i);
          if (failed(other))
            return failure();
          if (*other != *first)
            return cat.emitError()
                   << "concatenates tensors with different symbolic "
                      "dimensions: "
                   << describe(*first, op->getOperand(0).getType()) << " and "
                   << describe(*other, op->getOperand(i).getType());
        }
        return *first;
      })
      .Case<SliceOp, PadOp, RandomNormalOp, RandomUniformOp>(
          [&](auto) { return operand(0); })
      .Case<DimSizeOp>([&](auto) { return allStatic; })
      .Case<TransposeOp>([&](auto) -> FailureOr<DimSymbols> {
        auto in = operand(0);
        if (failed(in))
          return failure();
        return DimSymbols{(*in)[1], (*in)[0]};
      })
      .Case<FusedOp>([&](FusedOp fused) -> FailureOr<DimSymbols> {
        auto yield = cast<YieldOp>(fused.getBody().front().getTerminator());
        unsigned index = cast<OpResult>(value).getResultNumber();
        return get(yield.getValues()[index]);
      })
      .Default([&](Operation *other) -> FailureOr<DimSymbols> {
        return other->emitError("has no symbolic shape rule");
      });
}
