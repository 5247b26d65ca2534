//===- SymbolicShapes.cpp - names of symbolic dimensions ------------------===//

#include "kiln/Analysis/SymbolicShapes.h"
#include "kiln/Dialect/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"

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
  SmallVector<int64_t> ones(symbols.size(), 1);
  DimProduct p = DimProduct::of(ones, symbols);
  return llvm::join(p.symbols, "*");
}

int64_t kiln::symbolCoefficient(const DimSymbols &symbols) {
  SmallVector<int64_t> ones(symbols.size(), 1);
  return DimProduct::of(ones, symbols).coefficient;
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

/// The i-th prime above 10^9: a symbol's stand-in size. Far above any static
/// size, and a product of two still fits in int64_t.
static int64_t standInSize(size_t i) {
  static std::vector<int64_t> primes;
  for (int64_t n = primes.empty() ? 1000000000 : primes.back() + 1;
       primes.size() <= i; ++n) {
    bool prime = n % 2 != 0;
    for (int64_t f = 3; prime && f * f <= n; f += 2)
      prime = n % f != 0;
    if (prime)
      primes.push_back(n);
  }
  return primes[i];
}

FailureOr<DimSymbols> SymbolicShapes::inferSymbols(InferTypeOpInterface infer,
                                                   OpResult result) {
  Operation *op = infer.getOperation();
  // The op's own type rule, run on operand types whose symbolic dimensions
  // are stood in for by a size per symbol: equal symbols then agree, and
  // different ones do not, exactly as the rule compares sizes. Each
  // symbolic dimension of the result is the symbol whose size it has.
  Block standIns;
  SmallVector<DimSymbols> operandSymbols;
  for (Value v : op->getOperands()) {
    auto syms = get(v);
    if (failed(syms))
      return failure();
    auto t = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> shape(t.getShape());
    for (auto [d, sym] : llvm::enumerate(*syms))
      if (!sym.empty())
        shape[d] = standInSize(symbolIndex(sym));
    standIns.addArgument(RankedTensorType::get(shape, t.getElementType()),
                         op->getLoc());
    operandSymbols.push_back(*syms);
  }
  SmallVector<Type> inferred;
  if (failed(infer.inferReturnTypes(
          op->getContext(), std::nullopt, standIns.getArguments(),
          op->getAttrDictionary(), op->getPropertiesStorage(), op->getRegions(),
          inferred))) {
    // The rule accepted the same operands with `?` (the verifier ran), so
    // two different symbols met where it needs equal sizes.
    llvm::SetVector<StringRef> seen;
    for (const DimSymbols &syms : operandSymbols)
      for (StringRef s : syms)
        if (!s.empty())
          seen.insert(s);
    InFlightDiagnostic diag = op->emitError("mixes symbolic dimensions");
    for (auto [i, s] : llvm::enumerate(seen))
      diag << (i == 0 ? " '" : i + 1 == seen.size() ? "' and '" : "', '") << s;
    diag << "':";
    for (auto [i, syms] : llvm::enumerate(operandSymbols))
      diag << (i ? " and " : " ")
           << describe(syms, op->getOperand(i).getType());
    return failure();
  }
  auto real = cast<RankedTensorType>(result.getType());
  auto guess = cast<RankedTensorType>(inferred[result.getResultNumber()]);
  DimSymbols out(real.getRank(), "");
  for (int64_t d = 0; d < real.getRank(); ++d) {
    if (!real.isDynamicDim(d))
      continue;
    auto it = llvm::find_if(symbols_, [&](StringRef s) {
      return standInSize(symbolIndex(s)) == guess.getDimSize(d);
    });
    if (it == symbols_.end())
      return op->emitError() << "result dimension " << d
                             << " is symbolic but is no operand's symbol";
    out[d] = *it;
  }
  return out;
}

size_t SymbolicShapes::symbolIndex(StringRef symbol) {
  auto it = llvm::find(symbols_, symbol);
  if (it != symbols_.end())
    return it - symbols_.begin();
  symbols_.push_back(symbol);
  return symbols_.size() - 1;
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
      if (auto p = DimProduct::parse(name);
          !name.empty() &&
          (!p || p->coefficient != 1 || p->symbols.size() != 1))
        return func.emitError()
               << "argument " << arg.getArgNumber() << " dimension " << d
               << " is named '" << name
               << "' in kiln.symbols, which is not a symbol (a name of "
                  "letters, digits and '_'): an argument's dimensions bind "
                  "symbols, they cannot be products";
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
  if (isa<ParamRefOp, ConstantOp, DimSizeOp, WriteSliceOp, ReplicaCountOp>(op))
    return allStatic;
  if (auto sum = dyn_cast<ReplicaSumOp>(op))
    return get(sum.getInput());
  if (auto fused = dyn_cast<FusedOp>(op)) {
    auto yield = cast<YieldOp>(fused.getBody().front().getTerminator());
    return get(yield.getValues()[cast<OpResult>(value).getResultNumber()]);
  }
  if (auto rs = dyn_cast<ReshapeOp>(op)) {
    auto in = get(rs.getInput());
    if (failed(in))
      return failure();
    // A reshape that names its symbols (it merges or splits them) must be
    // given the input it names: its verifier checked the rest.
    if (auto named = rs.getInputSymbols()) {
      DimSymbols expected;
      for (Attribute a : *named)
        expected.push_back(cast<StringAttr>(a).getValue());
      if (expected != *in)
        return rs.emitOpError() << "names its input "
                                << describe(expected, rs.getInput().getType())
                                << " but the input is "
                                << describe(*in, rs.getInput().getType());
      DimSymbols out;
      for (Attribute a : rs.getResultSymbolsAttr())
        out.push_back(cast<StringAttr>(a).getValue());
      return out;
    }
    // Otherwise the verifier guarantees the same number of `?` on both
    // sides; they keep their order.
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
  }
  if (auto infer = dyn_cast<InferTypeOpInterface>(op))
    return inferSymbols(infer, cast<OpResult>(value));
  // Elementwise ops without a type rule of their own (unary ops,
  // broadcast_to, random numbers shaped like their operand).
  if (isPointwise(op))
    return broadcastOperands(op, *this);
  return op->emitError("has no symbolic shape rule");
}
