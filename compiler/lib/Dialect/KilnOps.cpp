//===- KilnOps.cpp - kiln dialect ops -------------------------------------===//
//
// Result-type rules and verifiers. Every rule is exact, so a type written by
// the DSL that disagrees with the operands is a located verifier error.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/KilnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace kiln;

namespace {

std::string shapeString(RankedTensorType type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << type;
  return s;
}

/// NumPy broadcasting of two ranked shapes. A symbolic dimension only
/// broadcasts against 1 or another symbolic one (which the shape check
/// pass then requires to be the same symbol).
LogicalResult inferBroadcast(std::optional<Location> loc, Value lhs, Value rhs,
                             SmallVectorImpl<Type> &results) {
  auto a = cast<RankedTensorType>(lhs.getType());
  auto b = cast<RankedTensorType>(rhs.getType());
  if (a.getElementType() != b.getElementType())
    return emitOptionalError(loc, "operands have different element types: ", a,
                             " and ", b);
  int64_t rank = std::max(a.getRank(), b.getRank());
  SmallVector<int64_t> shape(rank);
  for (int64_t i = 0; i < rank; ++i) {
    int64_t ia = i - (rank - a.getRank()), ib = i - (rank - b.getRank());
    int64_t da = ia >= 0 ? a.getDimSize(ia) : 1;
    int64_t db = ib >= 0 ? b.getDimSize(ib) : 1;
    if (da == db || db == 1)
      shape[i] = da;
    else if (da == 1)
      shape[i] = db;
    else
      return emitOptionalError(loc, "cannot broadcast ", a, " with ", b,
                               " (dimension ", i, ")");
  }
  results.push_back(RankedTensorType::get(shape, a.getElementType()));
  return success();
}

LogicalResult checkAxis(std::optional<Location> loc, RankedTensorType type,
                        int64_t axis) {
  if (axis < 0 || axis >= type.getRank())
    return emitOptionalError(loc, "axis ", axis, " is out of range for ", type);
  return success();
}

LogicalResult inferReduce(std::optional<Location> loc, Value input,
                          int64_t axis, bool keepdim,
                          SmallVectorImpl<Type> &results) {
  auto type = cast<RankedTensorType>(input.getType());
  if (failed(checkAxis(loc, type, axis)))
    return failure();
  SmallVector<int64_t> shape(type.getShape());
  if (keepdim)
    shape[axis] = 1;
  else
    shape.erase(shape.begin() + axis);
  results.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

} // namespace

bool kiln::isPointwise(Operation *op) {
  return isa<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp, NegOp, ReluOp, SigmoidOp,
             TanhOp, ExpOp, LogOp, SoftplusOp, SqrtOp, AbsOp, StepOp,
             BroadcastToOp, RandomNormalOp, DimSizeOp>(op);
}

bool kiln::isAnchor(Operation *op) {
  return isa<MatmulOp, ReduceSumOp, ReduceMeanOp>(op);
}

//===----------------------------------------------------------------------===//
// ParameterOp, ParamRefOp, ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ParameterOp::verify() {
  static const std::pair<StringRef, size_t> kInits[] = {{"zeros", 0},
                                                        {"ones", 0},
                                                        {"constant", 1},
                                                        {"uniform", 2},
                                                        {"normal", 2}};
  for (auto [name, arity] : kInits) {
    if (getInit() != name)
      continue;
    if (getInitArgs().size() != arity)
      return emitOpError() << "initialiser '" << name << "' takes " << arity
                           << " argument(s), got " << getInitArgs().size();
    if (name == "uniform" && getInitArgs()[0] > getInitArgs()[1])
      return emitOpError() << "uniform bounds are reversed";
    if (name == "normal" && getInitArgs()[1] < 0)
      return emitOpError() << "normal standard deviation is negative";
    if (getRole() != "parameter" && getRole() != "state")
      return emitOpError() << "role must be \"parameter\" or \"state\", got \""
                           << getRole() << "\"";
    if (!cast<RankedTensorType>(getType()).hasStaticShape())
      return emitOpError() << "parameter shape must be static, got "
                           << getType();
    return success();
  }
  return emitOpError() << "unknown initialiser '" << getInit()
                       << "' (expected zeros, ones, constant, uniform or "
                          "normal)";
}

LogicalResult ParamRefOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto param =
      symbolTable.lookupNearestSymbolFrom<ParameterOp>(*this, getNameAttr());
  if (!param)
    return emitOpError() << "refers to " << getNameAttr()
                         << ", which is not a kiln.parameter";
  if (param.getType() != getType())
    return emitOpError() << "has type " << getType() << " but parameter "
                         << getNameAttr() << " is " << param.getType();
  return success();
}

LogicalResult ConstantOp::verify() {
  if (getValue().getType() != getType())
    return emitOpError() << "value has type " << getValue().getType()
                         << " but the result is " << getType();
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Result types
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto a = cast<RankedTensorType>(adaptor.getA().getType());
  auto b = cast<RankedTensorType>(adaptor.getB().getType());
  if (a.getRank() != 2 || b.getRank() != 2)
    return emitOptionalError(loc, "matmul needs 2-D operands, got ", a, " and ",
                             b);
  if (a.getElementType() != b.getElementType())
    return emitOptionalError(loc, "operands have different element types: ", a,
                             " and ", b);
  bool ta = adaptor.getTransposeA(), tb = adaptor.getTransposeB();
  int64_t m = a.getDimSize(ta ? 1 : 0), ka = a.getDimSize(ta ? 0 : 1);
  int64_t kb = b.getDimSize(tb ? 1 : 0), n = b.getDimSize(tb ? 0 : 1);
  if (ka != kb)
    return emitOptionalError(loc, "contracted dimensions differ: ", a,
                             ta ? " (transposed)" : "", " and ", b,
                             tb ? " (transposed)" : "");
  results.push_back(RankedTensorType::get({m, n}, a.getElementType()));
  return success();
}

#define KILN_BINARY_INFER(Op)                                                  \
  LogicalResult Op::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &results) {                                        \
    return inferBroadcast(loc, adaptor.getLhs(), adaptor.getRhs(), results);   \
  }
KILN_BINARY_INFER(AddOp)
KILN_BINARY_INFER(SubOp)
KILN_BINARY_INFER(MulOp)
KILN_BINARY_INFER(DivOp)
KILN_BINARY_INFER(MaxOp)
KILN_BINARY_INFER(MinOp)
#undef KILN_BINARY_INFER

LogicalResult ReduceSumOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  return inferReduce(loc, adaptor.getInput(), adaptor.getAxis(),
                     adaptor.getKeepdim(), results);
}

LogicalResult ReduceMeanOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &results) {
  return inferReduce(loc, adaptor.getInput(), adaptor.getAxis(),
                     adaptor.getKeepdim(), results);
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(loc, "concat needs at least one input");
  auto first = cast<RankedTensorType>(adaptor.getInputs()[0].getType());
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(loc, first, axis)))
    return failure();
  SmallVector<int64_t> shape(first.getShape());
  if (ShapedType::isDynamic(shape[axis]))
    return emitOptionalError(loc, "cannot concatenate along symbolic axis ",
                             axis, " of ", first);
  for (Value v : adaptor.getInputs().drop_front()) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != first.getRank() ||
        t.getElementType() != first.getElementType())
      return emitOptionalError(loc, "cannot concatenate ", first, " and ", t);
    for (int64_t d = 0; d < t.getRank(); ++d) {
      if (d == axis)
        continue;
      if (t.getDimSize(d) != first.getDimSize(d))
        return emitOptionalError(loc, "cannot concatenate ", first, " and ", t,
                                 ": dimension ", d, " differs");
    }
    if (t.isDynamicDim(axis))
      return emitOptionalError(loc, "cannot concatenate along symbolic axis ",
                               axis, " of ", t);
    shape[axis] += t.getDimSize(axis);
  }
  results.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(loc, type, axis)))
    return failure();
  int64_t start = adaptor.getStart(), size = adaptor.getSize();
  if (type.isDynamicDim(axis))
    return emitOptionalError(loc, "cannot slice symbolic axis ", axis, " of ",
                             type);
  if (start < 0 || size <= 0 || start + size > type.getDimSize(axis))
    return emitOptionalError(loc, "slice [", start, ", ", start + size,
                             ") is out of range for axis ", axis, " of ", type);
  SmallVector<int64_t> shape(type.getShape());
  shape[axis] = size;
  results.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  if (type.getRank() != 2)
    return emitOptionalError(loc, "transpose needs a 2-D tensor, got ", type);
  results.push_back(RankedTensorType::get(
      {type.getDimSize(1), type.getDimSize(0)}, type.getElementType()));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(loc, type, axis)))
    return failure();
  if (type.isDynamicDim(axis))
    return emitOptionalError(loc, "cannot pad symbolic axis ", axis, " of ",
                             type);
  if (adaptor.getBefore() < 0 || adaptor.getAfter() < 0)
    return emitOptionalError(loc, "padding must not be negative");
  SmallVector<int64_t> shape(type.getShape());
  shape[axis] += adaptor.getBefore() + adaptor.getAfter();
  results.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// BroadcastToOp, DimSizeOp, GradientOp, ParamAssignOp
//===----------------------------------------------------------------------===//

LogicalResult BroadcastToOp::verify() {
  SmallVector<Type> inferred;
  if (failed(inferBroadcast(getLoc(), getInput(), getLike(), inferred)))
    return failure();
  if (inferred[0] != getType())
    return emitOpError() << "cannot broadcast " << getInput().getType()
                         << " to " << getType();
  return success();
}

LogicalResult DimSizeOp::verify() {
  auto in = getInput().getType();
  if (getAxis() < 0 || getAxis() >= in.getRank())
    return emitOpError() << "axis " << getAxis() << " is out of range for "
                         << in;
  if (getType().getRank() != 0 ||
      getType().getElementType() != in.getElementType())
    return emitOpError() << "result must be a scalar of the input's element "
                            "type, got "
                         << getType();
  return success();
}

/// A parameter symbol whose type is `type`.
static LogicalResult verifyParamUse(Operation *op, FlatSymbolRefAttr name,
                                    Type type,
                                    SymbolTableCollection &symbolTable) {
  auto param = symbolTable.lookupNearestSymbolFrom<ParameterOp>(op, name);
  if (!param)
    return op->emitOpError()
           << "refers to " << name << ", which is not a kiln.parameter";
  if (param.getType() != type)
    return op->emitOpError() << "has type " << type << " but parameter " << name
                             << " is " << param.getType();
  return success();
}

LogicalResult GradientOp::verifySymbolUses(SymbolTableCollection &table) {
  return verifyParamUse(*this, getNameAttr(), getGrad().getType(), table);
}

LogicalResult ParamAssignOp::verifySymbolUses(SymbolTableCollection &table) {
  return verifyParamUse(*this, getNameAttr(), getValue().getType(), table);
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  auto in = getInput().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError() << "changes the element type: " << in << " to " << out;
  auto staticPart = [](RankedTensorType t, int64_t &dynamic) {
    int64_t n = 1;
    for (int64_t d : t.getShape()) {
      if (ShapedType::isDynamic(d))
        ++dynamic;
      else
        n *= d;
    }
    return n;
  };
  int64_t dynIn = 0, dynOut = 0;
  int64_t nIn = staticPart(in, dynIn), nOut = staticPart(out, dynOut);
  if (dynIn != dynOut)
    return emitOpError() << "must keep each symbolic dimension whole: "
                         << shapeString(in) << " -> " << shapeString(out);
  if (nIn != nOut)
    return emitOpError() << "changes the element count: " << shapeString(in)
                         << " (" << nIn << " per symbol) -> "
                         << shapeString(out) << " (" << nOut << ")";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // reshape(reshape(x)) -> reshape(x)
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// FusedOp and YieldOp
//===----------------------------------------------------------------------===//

void FusedOp::build(OpBuilder &builder, OperationState &state,
                    TypeRange resultTypes, ValueRange inputs,
                    StringRef kernel) {
  state.addOperands(inputs);
  state.addAttribute(getKernelAttrName(state.name),
                     builder.getStringAttr(kernel));
  state.addTypes(resultTypes);
  Region *body = state.addRegion();
  Block *block = new Block();
  for (Value v : inputs)
    block->addArgument(v.getType(), v.getLoc());
  body->push_back(block);
}

// kiln.fused "name" (%a, %b) : (types) -> types {
// ^bb0(...): ...
// } attr-dict
ParseResult FusedOp::parse(OpAsmParser &parser, OperationState &result) {
  StringAttr kernel;
  SmallVector<OpAsmParser::UnresolvedOperand> operands;
  FunctionType type;
  if (parser.parseAttribute(kernel, "kernel", result.attributes) ||
      parser.parseOperandList(operands, OpAsmParser::Delimiter::Paren) ||
      parser.parseColonType(type) ||
      parser.resolveOperands(operands, type.getInputs(),
                             parser.getCurrentLocation(), result.operands))
    return failure();
  result.addTypes(type.getResults());
  Region *body = result.addRegion();
  if (parser.parseRegion(*body) ||
      parser.parseOptionalAttrDictWithKeyword(result.attributes))
    return failure();
  FusedOp::ensureTerminator(*body, parser.getBuilder(), result.location);
  return success();
}

void FusedOp::print(OpAsmPrinter &p) {
  p << ' ';
  p.printAttributeWithoutType(getKernelAttr());
  p << " (" << getInputs() << ") : ";
  p.printFunctionalType(getInputs().getTypes(), getResultTypes());
  p << ' ';
  p.printRegion(getBody(), /*printEntryBlockArgs=*/true,
                /*printBlockTerminators=*/true);
  p.printOptionalAttrDictWithKeyword((*this)->getAttrs(), {"kernel"});
}

LogicalResult FusedOp::verify() {
  Block &block = getBody().front();
  if (block.getNumArguments() != getInputs().size())
    return emitOpError() << "region has " << block.getNumArguments()
                         << " arguments for " << getInputs().size()
                         << " inputs";
  for (auto [arg, input] : llvm::zip(block.getArguments(), getInputs()))
    if (arg.getType() != input.getType())
      return emitOpError() << "region argument type " << arg.getType()
                           << " differs from input type " << input.getType();
  if (getResults().empty())
    return emitOpError() << "a kernel must produce at least one result";
  return success();
}

LogicalResult YieldOp::verify() {
  auto parent = cast<FusedOp>((*this)->getParentOp());
  if (getValues().getTypes() != parent.getResultTypes())
    return emitOpError() << "yields " << getValues().size()
                         << " value(s) whose types differ from the kernel's "
                            "results";
  return success();
}

#define GET_OP_CLASSES
#include "kiln/Dialect/KilnOps.cpp.inc"
