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
#include "mlir/IR/PatternMatch.h"
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

/// A (h, w) pair attribute: two entries, each at least `min`.
LogicalResult checkPair(std::optional<Location> loc, StringRef op,
                        StringRef name, ArrayRef<int64_t> pair, int64_t min) {
  if (pair.size() != 2)
    return emitOptionalError(loc, op, " ", name,
                             " must have 2 entries (h, w), got ", pair.size());
  if (pair[0] < min || pair[1] < min)
    return emitOptionalError(loc, op, " ", name, " must be ",
                             min > 0 ? "positive" : "non-negative", ", got [",
                             pair[0], ", ", pair[1], "]");
  return success();
}

/// A 4-D operand whose dimensions from `firstStatic` on are static.
FailureOr<RankedTensorType> conv4d(std::optional<Location> loc, StringRef op,
                                   StringRef what, Value v,
                                   int64_t firstStatic) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getRank() != 4)
    return emitOptionalError(loc, op, " needs a 4-D ", what, ", got ", t);
  for (int64_t d = firstStatic; d < 4; ++d)
    if (t.isDynamicDim(d))
      return emitOptionalError(loc, op, " needs a static ", what,
                               " (only the batch may be symbolic), got ", t);
  return t;
}

struct ConvOperands {
  RankedTensorType x, w;
};

/// Ranks, static sizes, element types and the stride and padding pairs
/// shared by the convolution ops. `wName` describes the second operand.
FailureOr<ConvOperands> checkConv(std::optional<Location> loc, StringRef op,
                                  Value x, Value w, StringRef xName,
                                  StringRef wName, int64_t wFirstStatic,
                                  ArrayRef<int64_t> stride,
                                  ArrayRef<int64_t> padding) {
  auto xt = conv4d(loc, op, xName, x, 1);
  if (failed(xt))
    return failure();
  auto wt = conv4d(loc, op, wName, w, wFirstStatic);
  if (failed(wt))
    return failure();
  if (xt->getElementType() != wt->getElementType())
    return emitOptionalError(
        loc, "operands have different element types: ", *xt, " and ", *wt);
  if (failed(checkPair(loc, op, "stride", stride, 1)) ||
      failed(checkPair(loc, op, "padding", padding, 0)))
    return failure();
  return ConvOperands{*xt, *wt};
}

/// (in + 2 pad - kernel) / stride + 1, the output size of a convolution,
/// or an error when the kernel does not fit the padded input.
FailureOr<int64_t> convOutSize(std::optional<Location> loc, StringRef op,
                               StringRef dim, int64_t in, int64_t kernel,
                               int64_t stride, int64_t pad) {
  if (in + 2 * pad < kernel)
    return emitOptionalError(loc, op, ": kernel ", dim, " ", kernel,
                             " is larger than the padded input ", dim, " ",
                             in + 2 * pad);
  return (in + 2 * pad - kernel) / stride + 1;
}

} // namespace

/// NumPy broadcasting of two shapes. A symbolic dimension only broadcasts
/// against 1 or another symbolic one (which the shape check pass then
/// requires to be the same symbol).
static FailureOr<SmallVector<int64_t>>
broadcastShapes(std::optional<Location> loc, ArrayRef<int64_t> a,
                ArrayRef<int64_t> b, Type elem) {
  int64_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (int64_t i = 0; i < rank; ++i) {
    int64_t ia = i - (rank - int64_t(a.size()));
    int64_t ib = i - (rank - int64_t(b.size()));
    int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    if (da == db || db == 1)
      out[i] = da;
    else if (da == 1)
      out[i] = db;
    else
      return emitOptionalError(
          loc, "cannot broadcast ", RankedTensorType::get(a, elem), " with ",
          RankedTensorType::get(b, elem), " (dimension ", i, ")");
  }
  return out;
}

LogicalResult kiln::inferBroadcast(std::optional<Location> loc,
                                   ValueRange operands,
                                   SmallVectorImpl<Type> &results) {
  auto first = cast<RankedTensorType>(operands[0].getType());
  SmallVector<int64_t> shape(first.getShape());
  for (Value v : operands.drop_front()) {
    auto b = cast<RankedTensorType>(v.getType());
    if (b.getElementType() != first.getElementType())
      return emitOptionalError(
          loc, "operands have different element types: ", first, " and ", b);
    auto out =
        broadcastShapes(loc, shape, b.getShape(), first.getElementType());
    if (failed(out))
      return failure();
    shape = std::move(*out);
  }
  results.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// ParameterOp, ParamRefOp, ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ParameterOp::verify() {
  const InitKind init = getInit();
  size_t arity = 0;
  switch (init) {
  case InitKind::zeros:
  case InitKind::ones:
    arity = 0;
    break;
  case InitKind::constant:
    arity = 1;
    break;
  case InitKind::uniform:
  case InitKind::normal:
    arity = 2;
    break;
  }
  if (getInitArgs().size() != arity)
    return emitOpError() << "initialiser '" << stringifyInitKind(init)
                         << "' takes " << arity << " argument(s), got "
                         << getInitArgs().size();
  if (init == InitKind::uniform && getInitArgs()[0] > getInitArgs()[1])
    return emitOpError() << "uniform bounds are reversed";
  if (init == InitKind::normal && getInitArgs()[1] < 0)
    return emitOpError() << "normal standard deviation is negative";
  if (!cast<RankedTensorType>(getType()).hasStaticShape())
    return emitOpError() << "parameter shape must be static, got " << getType();
  return success();
}

std::optional<EntryKind> kiln::entryKind(Operation *op) {
  auto kind = op->getAttrOfType<EntryKindAttr>("kiln.entry");
  return kind ? std::optional(kind.getValue()) : std::nullopt;
}

/// A parameter symbol whose type is `type`.
static LogicalResult verifyParamUse(Operation *op, FlatSymbolRefAttr name,
                                    Type type,
                                    SymbolTableCollection &symbolTable);

LogicalResult ParamRefOp::verifySymbolUses(SymbolTableCollection &table) {
  return verifyParamUse(*this, getNameAttr(), getType(), table);
}

LogicalResult ConstantOp::verify() {
  if (getValue().getType() != getType())
    return emitOpError() << "value has type " << getValue().getType()
                         << " but the result is " << getType();
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

static bool isSplatOne(Attribute value) {
  auto splat = dyn_cast_or_null<SplatElementsAttr>(value);
  return splat && isa<FloatType>(splat.getElementType()) &&
         splat.getSplatValue<APFloat>().isExactlyValue(1.0);
}

Value kiln::foldUnitOperand(Operation *op, Attribute lhs, Attribute rhs) {
  Type result = op->getResult(0).getType();
  Value a = op->getOperand(0), b = op->getOperand(1);
  if (isa<MulOp, DivOp>(op) && isSplatOne(rhs) && a.getType() == result)
    return a;
  if (isa<MulOp>(op) && isSplatOne(lhs) && b.getType() == result)
    return b;
  return {};
}

OpFoldResult kiln::foldSplats(Type resultType, Attribute lhs, Attribute rhs,
                              llvm::function_ref<double(double, double)> f) {
  auto a = dyn_cast_or_null<SplatElementsAttr>(lhs);
  auto b = dyn_cast_or_null<SplatElementsAttr>(rhs);
  auto type = dyn_cast<RankedTensorType>(resultType);
  if (!a || !b || !type || !type.hasStaticShape() ||
      !isa<FloatType>(a.getElementType()) ||
      !isa<FloatType>(b.getElementType()))
    return {};
  const double v = f(a.getSplatValue<APFloat>().convertToDouble(),
                     b.getSplatValue<APFloat>().convertToDouble());
  if (type.getElementType().isF32())
    return DenseElementsAttr::get(type, static_cast<float>(v));
  if (type.getElementType().isF64())
    return DenseElementsAttr::get(type, v);
  return {};
}

//===----------------------------------------------------------------------===//
// Result types
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto a = cast<RankedTensorType>(adaptor.getA().getType());
  auto b = cast<RankedTensorType>(adaptor.getB().getType());
  if (a.getRank() < 2 || b.getRank() < 2)
    return emitOptionalError(loc,
                             "matmul needs operands of rank 2 or more, "
                             "got ",
                             a, " and ", b);
  if (a.getElementType() != b.getElementType())
    return emitOptionalError(loc, "operands have different element types: ", a,
                             " and ", b);
  // The last two dimensions are the matrices; those before them are batch
  // dimensions, broadcast.
  int64_t ra = a.getRank(), rb = b.getRank();
  bool ta = adaptor.getTransposeA(), tb = adaptor.getTransposeB();
  int64_t m = a.getDimSize(ra - (ta ? 1 : 2)),
          ka = a.getDimSize(ra - (ta ? 2 : 1));
  int64_t kb = b.getDimSize(rb - (tb ? 1 : 2)),
          n = b.getDimSize(rb - (tb ? 2 : 1));
  if (ka != kb)
    return emitOptionalError(loc, "contracted dimensions differ: ", a,
                             ta ? " (transposed)" : "", " and ", b,
                             tb ? " (transposed)" : "");
  auto shape = broadcastShapes(loc, a.getShape().drop_back(2),
                               b.getShape().drop_back(2), a.getElementType());
  if (failed(shape))
    return failure();
  shape->push_back(m);
  shape->push_back(n);
  results.push_back(RankedTensorType::get(*shape, a.getElementType()));
  return success();
}

/// Attention's operands (KilnOps.td): q [..., S, D], k [..., K, D], the
/// optional v [..., K, Dv] and mask [..., K] (batch dimensions equal to
/// q's or 1), every operand of q's element type, D and Dv static.
static LogicalResult checkAttention(std::optional<Location> loc, StringRef op,
                                    Value qv, Value kv, Value vv, Value maskv) {
  auto q = cast<RankedTensorType>(qv.getType());
  auto k = cast<RankedTensorType>(kv.getType());
  int64_t r = q.getRank();
  if (r < 2)
    return emitOptionalError(loc, op, ": q must be [..., S, D], got ", q);
  auto sameBatch = [&](RankedTensorType t) {
    return t.getRank() == r &&
           t.getShape().drop_back(2) == q.getShape().drop_back(2);
  };
  if (!sameBatch(k) || k.getDimSize(r - 1) != q.getDimSize(r - 1))
    return emitOptionalError(loc, op, ": k must be [..., K, D] with q's batch ",
                             "dimensions and head size, got q ", q, " and k ",
                             k);
  if (q.isDynamicDim(r - 1))
    return emitOptionalError(loc, op, ": the head size of q ", q,
                             " must be static");
  for (Value other : {kv, vv, maskv})
    if (other && cast<RankedTensorType>(other.getType()).getElementType() !=
                     q.getElementType())
      return emitOptionalError(loc, op, ": operands have different element ",
                               "types: ", q, " and ", other.getType());
  if (vv) {
    auto v = cast<RankedTensorType>(vv.getType());
    if (!sameBatch(v) || v.getDimSize(r - 2) != k.getDimSize(r - 2) ||
        v.isDynamicDim(r - 1))
      return emitOptionalError(loc, op, ": v must be [..., K, Dv] with k's ",
                               "batch dimensions and keys and a static Dv, ",
                               "got k ", k, " and v ", v);
  }
  if (maskv) {
    auto m = cast<RankedTensorType>(maskv.getType());
    bool ok =
        m.getRank() == r - 1 && m.getDimSize(r - 2) == k.getDimSize(r - 2);
    for (int64_t d = 0; ok && d + 2 < r; ++d)
      ok = m.getDimSize(d) == 1 || m.getDimSize(d) == q.getDimSize(d);
    if (!ok)
      return emitOptionalError(loc, op, ": mask must be [..., K] with q's ",
                               "batch dimensions (or 1) and k's keys, got q ",
                               q, ", k ", k, " and mask ", m);
  }
  return success();
}

LogicalResult AttentionOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  if (failed(checkAttention(loc, "attention", adaptor.getQ(), adaptor.getK(),
                            adaptor.getV(), adaptor.getMask())))
    return failure();
  auto q = cast<RankedTensorType>(adaptor.getQ().getType());
  auto v = cast<RankedTensorType>(adaptor.getV().getType());
  SmallVector<int64_t> shape(q.getShape());
  shape.back() = v.getShape().back();
  results.push_back(RankedTensorType::get(shape, q.getElementType()));
  return success();
}

LogicalResult AttentionLseOp::inferReturnTypes(MLIRContext *,
                                               std::optional<Location> loc,
                                               Adaptor adaptor,
                                               SmallVectorImpl<Type> &results) {
  if (failed(checkAttention(loc, "attention_lse", adaptor.getQ(),
                            adaptor.getK(), nullptr, adaptor.getMask())))
    return failure();
  auto q = cast<RankedTensorType>(adaptor.getQ().getType());
  results.push_back(
      RankedTensorType::get(q.getShape().drop_back(), q.getElementType()));
  return success();
}

bool AttentionLseOp::isStatisticOf(AttentionOp att) {
  return att.getQ() == getQ() && att.getK() == getK() &&
         att.getMask() == getMask() && att.getScale() == getScale() &&
         att.getCausal() == getCausal();
}

bool AttentionGradOp::pairsWith(AttentionGradOp other) {
  auto keyOrValue = [](AttentionOperand w) {
    return w == AttentionOperand::key || w == AttentionOperand::value;
  };
  return keyOrValue(getWrt()) && keyOrValue(other.getWrt()) &&
         getWrt() != other.getWrt() && getType() == other.getType() &&
         llvm::equal(getOperands(), other.getOperands()) &&
         getScale() == other.getScale() && getCausal() == other.getCausal();
}

LogicalResult
AttentionGradOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &results) {
  if (failed(checkAttention(loc, "attention_grad", adaptor.getQ(),
                            adaptor.getK(), adaptor.getV(), adaptor.getMask())))
    return failure();
  if (!adaptor.getWrtAttr())
    return emitOptionalError(loc, "attention_grad: missing wrt (query, key "
                                  "or value)");
  const AttentionOperand wrt = adaptor.getWrt();
  auto q = cast<RankedTensorType>(adaptor.getQ().getType());
  auto v = cast<RankedTensorType>(adaptor.getV().getType());
  SmallVector<int64_t> out(q.getShape());
  out.back() = v.getShape().back();
  SmallVector<int64_t> rows(q.getShape().drop_back());
  auto expect = [&](Value x, ArrayRef<int64_t> shape, StringRef what) {
    auto t = cast<RankedTensorType>(x.getType());
    if (t.getShape() == shape && t.getElementType() == q.getElementType())
      return success();
    return emitOptionalError(loc, "attention_grad: ", what, " must be ",
                             RankedTensorType::get(shape, q.getElementType()),
                             ", got ", t);
  };
  if (failed(expect(adaptor.getGrad(), out, "grad (the result's gradient)")) ||
      failed(expect(adaptor.getLse(), rows, "lse")) ||
      failed(expect(adaptor.getDelta(), rows, "delta")))
    return failure();
  Value of = wrt == AttentionOperand::query ? adaptor.getQ()
             : wrt == AttentionOperand::key ? adaptor.getK()
                                            : adaptor.getV();
  results.push_back(of.getType());
  return success();
}

LogicalResult Conv2dOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto ops = checkConv(loc, "conv2d", adaptor.getInput(), adaptor.getWeight(),
                       "input [N, C, H, W]", "weight [O, C, KH, KW]", 0,
                       adaptor.getStride(), adaptor.getPadding());
  if (failed(ops))
    return failure();
  auto [x, w] = *ops;
  if (x.getDimSize(1) != w.getDimSize(1))
    return emitOptionalError(loc, "conv2d: input ", x, " has ", x.getDimSize(1),
                             " channels but weight ", w, " expects ",
                             w.getDimSize(1));
  ArrayRef<int64_t> s = adaptor.getStride(), p = adaptor.getPadding();
  auto oh = convOutSize(loc, "conv2d", "height", x.getDimSize(2),
                        w.getDimSize(2), s[0], p[0]);
  auto ow = convOutSize(loc, "conv2d", "width", x.getDimSize(3),
                        w.getDimSize(3), s[1], p[1]);
  if (failed(oh) || failed(ow))
    return failure();
  results.push_back(RankedTensorType::get(
      {x.getDimSize(0), w.getDimSize(0), *oh, *ow}, x.getElementType()));
  return success();
}

LogicalResult
ConvTranspose2dOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                    Adaptor adaptor,
                                    SmallVectorImpl<Type> &results) {
  auto ops = checkConv(loc, "conv_transpose2d", adaptor.getInput(),
                       adaptor.getWeight(), "input [N, C, H, W]",
                       "weight [C, O, KH, KW]", 0, adaptor.getStride(),
                       adaptor.getPadding());
  if (failed(ops))
    return failure();
  auto [x, w] = *ops;
  if (x.getDimSize(1) != w.getDimSize(0))
    return emitOptionalError(loc, "conv_transpose2d: input ", x, " has ",
                             x.getDimSize(1), " channels but weight ", w,
                             " expects ", w.getDimSize(0));
  ArrayRef<int64_t> s = adaptor.getStride(), p = adaptor.getPadding();
  ArrayRef<int64_t> op = adaptor.getOutputPadding();
  if (failed(checkPair(loc, "conv_transpose2d", "output_padding", op, 0)))
    return failure();
  if (op[0] >= s[0] || op[1] >= s[1])
    return emitOptionalError(loc, "conv_transpose2d output_padding [", op[0],
                             ", ", op[1], "] must be smaller than the stride [",
                             s[0], ", ", s[1], "]");
  int64_t size[2];
  for (int i = 0; i < 2; ++i) {
    size[i] = (x.getDimSize(2 + i) - 1) * s[i] - 2 * p[i] +
              w.getDimSize(2 + i) + op[i];
    if (size[i] <= 0)
      return emitOptionalError(loc, "conv_transpose2d: padding [", p[0], ", ",
                               p[1], "] leaves an empty result for input ", x,
                               " and weight ", w);
  }
  results.push_back(RankedTensorType::get(
      {x.getDimSize(0), w.getDimSize(1), size[0], size[1]},
      x.getElementType()));
  return success();
}

LogicalResult
Conv2dWeightGradOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                     Adaptor adaptor,
                                     SmallVectorImpl<Type> &results) {
  auto ops =
      checkConv(loc, "conv2d_weight_grad", adaptor.getInput(),
                adaptor.getGrad(), "input [N, C, H, W]", "grad [N, O, OH, OW]",
                1, adaptor.getStride(), adaptor.getPadding());
  if (failed(ops))
    return failure();
  auto [x, g] = *ops;
  ArrayRef<int64_t> s = adaptor.getStride(), p = adaptor.getPadding();
  ArrayRef<int64_t> k = adaptor.getKernelSize();
  if (failed(checkPair(loc, "conv2d_weight_grad", "kernel_size", k, 1)))
    return failure();
  if (x.getDimSize(0) != g.getDimSize(0))
    return emitOptionalError(loc, "conv2d_weight_grad: batch of input ", x,
                             " differs from batch of grad ", g);
  auto oh = convOutSize(loc, "conv2d_weight_grad", "height", x.getDimSize(2),
                        k[0], s[0], p[0]);
  auto ow = convOutSize(loc, "conv2d_weight_grad", "width", x.getDimSize(3),
                        k[1], s[1], p[1]);
  if (failed(oh) || failed(ow))
    return failure();
  if (*oh != g.getDimSize(2) || *ow != g.getDimSize(3))
    return emitOptionalError(loc, "conv2d_weight_grad: grad ", g,
                             " is not the conv2d output size ", *oh, "x", *ow,
                             " for input ", x);
  results.push_back(RankedTensorType::get(
      {g.getDimSize(1), x.getDimSize(1), k[0], k[1]}, x.getElementType()));
  return success();
}

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

LogicalResult ReduceMaxOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  return inferReduce(loc, adaptor.getInput(), adaptor.getAxis(),
                     adaptor.getKeepdim(), results);
}

/// kiln.normalize's rows: a static last axis of at least one element. The
/// result has the input's type.
static LogicalResult inferNormalize(std::optional<Location> loc, StringRef op,
                                    Value input,
                                    SmallVectorImpl<Type> &results) {
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getRank() < 1 || type.isDynamicDim(type.getRank() - 1) ||
      type.getDimSize(type.getRank() - 1) < 1)
    return emitOptionalError(loc, op,
                             ": the last axis (the rows) must be static and "
                             "non-empty, got ",
                             type);
  results.push_back(type);
  return success();
}

/// Attributes are checked here, not when inferring the type: the parser
/// infers it before the op has them.
static LogicalResult verifyEps(Operation *op, APFloat eps) {
  if ((eps.isNegative() && !eps.isZero()) || eps.isNaN())
    return op->emitOpError("eps must be >= 0, got ") << eps.convertToDouble();
  return success();
}

LogicalResult NormalizeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  return inferNormalize(loc, "normalize", adaptor.getInput(), results);
}

LogicalResult NormalizeOp::verify() { return verifyEps(*this, getEps()); }

LogicalResult
NormalizeGradOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &results) {
  // Also what catches two different symbols in x and grad (the shape check
  // runs this rule on stand-in sizes; AllTypesMatch sees only `?`).
  if (adaptor.getGrad().getType() != adaptor.getInput().getType())
    return emitOptionalError(loc,
                             "normalize_grad: grad must have the "
                             "input's shape ",
                             adaptor.getInput().getType(), ", got ",
                             adaptor.getGrad().getType());
  return inferNormalize(loc, "normalize_grad", adaptor.getInput(), results);
}

LogicalResult NormalizeGradOp::verify() { return verifyEps(*this, getEps()); }

/// kiln.cross_entropy's rows: static classes last, one i32 target per row.
/// Returns the rows' shape.
static FailureOr<SmallVector<int64_t>>
crossEntropyRows(std::optional<Location> loc, StringRef op, Value logits,
                 Value targets) {
  auto lt = cast<RankedTensorType>(logits.getType());
  auto tt = cast<RankedTensorType>(targets.getType());
  if (lt.getRank() < 1 || lt.isDynamicDim(lt.getRank() - 1) ||
      lt.getDimSize(lt.getRank() - 1) < 1)
    return emitOptionalError(loc, op,
                             ": the last axis of the logits (the classes) "
                             "must be static and non-empty, got ",
                             lt);
  SmallVector<int64_t> rows(lt.getShape().drop_back());
  if (tt.getShape() != ArrayRef<int64_t>(rows))
    return emitOptionalError(loc, op,
                             ": the targets must have the logits' shape "
                             "without the classes, got logits ",
                             lt, " and targets ", tt);
  return rows;
}

LogicalResult CrossEntropyOp::inferReturnTypes(MLIRContext *,
                                               std::optional<Location> loc,
                                               Adaptor adaptor,
                                               SmallVectorImpl<Type> &results) {
  auto rows = crossEntropyRows(loc, "cross_entropy", adaptor.getLogits(),
                               adaptor.getTargets());
  if (failed(rows))
    return failure();
  auto lt = cast<RankedTensorType>(adaptor.getLogits().getType());
  results.push_back(RankedTensorType::get(*rows, lt.getElementType()));
  return success();
}

LogicalResult
CrossEntropyGradOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                     Adaptor adaptor,
                                     SmallVectorImpl<Type> &results) {
  auto rows = crossEntropyRows(loc, "cross_entropy_grad", adaptor.getLogits(),
                               adaptor.getTargets());
  if (failed(rows))
    return failure();
  auto lt = cast<RankedTensorType>(adaptor.getLogits().getType());
  auto expected = RankedTensorType::get(*rows, lt.getElementType());
  if (adaptor.getGrad().getType() != expected)
    return emitOptionalError(loc, "cross_entropy_grad: grad must be ", expected,
                             ", got ", adaptor.getGrad().getType());
  results.push_back(lt);
  return success();
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

LogicalResult PermuteOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  auto type = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> perm = adaptor.getPermutation();
  SmallVector<bool> seen(type.getRank(), false);
  bool ok = int64_t(perm.size()) == type.getRank();
  for (int64_t p : perm) {
    ok = ok && p >= 0 && p < type.getRank() && !seen[p];
    if (ok)
      seen[p] = true;
  }
  if (!ok)
    return emitOptionalError(loc, "permutation [",
                             llvm::make_range(perm.begin(), perm.end()),
                             "] is not a permutation of the ", type.getRank(),
                             " dimensions of ", type);
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  results.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto table = cast<RankedTensorType>(adaptor.getTable().getType());
  auto indices = cast<RankedTensorType>(adaptor.getIndices().getType());
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(loc, table, axis)))
    return failure();
  if (table.isDynamicDim(axis))
    return emitOptionalError(loc, "cannot gather along symbolic axis ", axis,
                             " of ", table);
  SmallVector<int64_t> shape(table.getShape().take_front(axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, table.getShape().drop_front(axis + 1));
  results.push_back(RankedTensorType::get(shape, table.getElementType()));
  return success();
}

LogicalResult ScatterAddOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &results) {
  auto values = cast<RankedTensorType>(adaptor.getValues().getType());
  auto indices = cast<RankedTensorType>(adaptor.getIndices().getType());
  int64_t axis = adaptor.getAxis(), size = adaptor.getSize();
  int64_t span = indices.getRank();
  if (axis < 0 || axis + span > values.getRank())
    return emitOptionalError(loc, "indices ", indices, " do not fit ", values,
                             " from axis ", axis);
  if (values.getShape().slice(axis, span) != indices.getShape())
    return emitOptionalError(loc, "dimensions ", axis, " to ", axis + span - 1,
                             " of ", values, " must be those of the indices ",
                             indices);
  if (size < 1)
    return emitOptionalError(loc, "size must be positive, got ", size);
  SmallVector<int64_t> shape(values.getShape().take_front(axis));
  shape.push_back(size);
  llvm::append_range(shape, values.getShape().drop_front(axis + span));
  results.push_back(RankedTensorType::get(shape, values.getElementType()));
  return success();
}

LogicalResult OneHotOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto indices = cast<RankedTensorType>(adaptor.getIndices().getType());
  if (adaptor.getClasses() < 1)
    return emitOptionalError(loc, "classes must be positive, got ",
                             adaptor.getClasses());
  SmallVector<int64_t> shape(indices.getShape());
  shape.push_back(adaptor.getClasses());
  results.push_back(RankedTensorType::get(shape, Float32Type::get(ctx)));
  return success();
}

LogicalResult WriteSliceOp::verify() {
  auto buffer = getBuffer().getType(), value = getValue().getType();
  int64_t axis = getAxis();
  if (getType() != buffer)
    return emitOpError() << "result " << getType() << " must be the buffer's "
                         << buffer;
  if (!buffer.hasStaticShape())
    return emitOpError() << "needs a buffer of static shape, got " << buffer;
  if (buffer.getRank() != value.getRank() || axis < 0 ||
      axis >= buffer.getRank())
    return emitOpError() << "value " << value << " and axis " << axis
                         << " do not fit " << buffer;
  // The value's size along the axis may be dynamic (a prompt of any
  // length): the plan checks that it fits when the entry point runs.
  for (int64_t d = 0; d < buffer.getRank(); ++d)
    if (d == axis ? !value.isDynamicDim(d) &&
                        value.getDimSize(d) > buffer.getDimSize(d)
                  : value.getDimSize(d) != buffer.getDimSize(d))
      return emitOpError() << "value " << value << " does not fit " << buffer
                           << " along axis " << axis;
  if (getPosition().getType().getRank() != 0)
    return emitOpError() << "position must be a scalar, got "
                         << getPosition().getType();
  return success();
}

LogicalResult IotaOp::verify() {
  auto like = cast<RankedTensorType>(getLike().getType());
  if (like.getShape() != getType().getShape())
    return emitOpError() << "result " << getType() << " must have the shape of "
                         << like;
  if (getAxis() < 0 || getAxis() >= like.getRank())
    return emitOpError() << "axis " << getAxis() << " is out of range for "
                         << like;
  return success();
}

LogicalResult ToFloatOp::verify() {
  if (getInput().getType().getShape() != getType().getShape())
    return emitOpError() << "changes the shape: " << getInput().getType()
                         << " to " << getType();
  return success();
}

LogicalResult FloorToIntOp::verify() {
  if (getInput().getType().getShape() != getType().getShape())
    return emitOpError() << "changes the shape: " << getInput().getType()
                         << " to " << getType();
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
  if (failed(inferBroadcast(getLoc(), {getInput(), getLike()}, inferred)))
    return failure();
  if (inferred[0] != getType())
    return emitOpError() << "cannot broadcast " << getInput().getType()
                         << " to " << getType();
  return success();
}

OpFoldResult BroadcastToOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto inner = getInput().getDefiningOp<BroadcastToOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

namespace {

/// dim_size of a static axis -> a constant.
struct StaticDimSize : OpRewritePattern<DimSizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DimSizeOp op,
                                PatternRewriter &rewriter) const override {
    auto in = op.getInput().getType();
    if (in.isDynamicDim(op.getAxis()))
      return failure();
    Type elem = in.getElementType();
    double size = double(in.getDimSize(op.getAxis()));
    auto scalar = RankedTensorType::get({}, elem);
    Attribute value = rewriter.getFloatAttr(elem, size);
    rewriter.replaceOpWithNewOp<ConstantOp>(
        op, DenseElementsAttr::get(scalar, ArrayRef<Attribute>(value)));
    return success();
  }
};

/// dim_size(reduce(x, a, keepdim), b) with b != a -> dim_size(x, b'), and
/// dim_size(broadcast_to(x, like), b) -> dim_size(like, b).
struct DimSizeOfOperand : OpRewritePattern<DimSizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DimSizeOp op,
                                PatternRewriter &rewriter) const override {
    Operation *def = op.getInput().getDefiningOp();
    if (!def)
      return failure();
    int64_t axis = op.getAxis();
    Value source;
    if (auto bc = dyn_cast<BroadcastToOp>(def)) {
      source = bc.getLike();
    } else if (isa<ReduceSumOp, ReduceMeanOp, ReduceMaxOp>(def)) {
      auto reduced = def->getAttrOfType<IntegerAttr>("axis").getInt();
      auto keep = def->getAttrOfType<BoolAttr>("keepdim");
      if (keep && keep.getValue()) {
        if (axis == reduced)
          return failure();
      } else if (axis >= reduced) {
        ++axis;
      }
      source = def->getOperand(0);
    } else {
      return failure();
    }
    rewriter.replaceOpWithNewOp<DimSizeOp>(op, op.getType(), source,
                                           rewriter.getI64IntegerAttr(axis));
    return success();
  }
};

/// div(broadcast_to(x, like), s), s a scalar -> broadcast_to(div(x, s),
/// like): fewer divisions, and broadcast chains meet and fold.
struct DivideBeforeBroadcast : OpRewritePattern<DivOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DivOp op,
                                PatternRewriter &rewriter) const override {
    auto bc = op.getLhs().getDefiningOp<BroadcastToOp>();
    auto s = cast<RankedTensorType>(op.getRhs().getType());
    if (!bc || !bc->hasOneUse() || s.getRank() != 0 ||
        bc.getType() != op.getType())
      return failure();
    Value quotient =
        rewriter.create<DivOp>(op.getLoc(), bc.getInput(), op.getRhs());
    rewriter.replaceOpWithNewOp<BroadcastToOp>(op, op.getType(), quotient,
                                               bc.getLike());
    return success();
  }
};

/// A permute that keeps the order of the dimensions not of size 1 (static
/// 1; a symbolic one may be anything) moves no element in row-major
/// memory: it is a reshape, which kiln-fuse leaves as a view of its
/// operand where the permute was a copy kernel (a GPT decode step merging
/// its heads, [1, 4, 1, 32] -> [1, 1, 4, 32], once per layer and byte).
struct PermuteOfUnitDims : OpRewritePattern<PermuteOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PermuteOp op,
                                PatternRewriter &rewriter) const override {
    auto in = cast<RankedTensorType>(op.getInput().getType());
    int64_t last = -1;
    for (int64_t p : op.getPermutation()) {
      if (in.getDimSize(p) == 1)
        continue;
      if (p < last)
        return failure();
      last = p;
    }
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), op.getInput());
    return success();
  }
};

/// reduce(neg(x)) -> neg(reduce(x)) for a sum or a mean, when the neg has
/// no other user: the negation then runs on the (smaller) reduced tensor.
/// A gradient through a subtraction is such a neg; inside BatchNorm's
/// backward pass its full-size result was stored for the reduction alone.
template <typename ReduceT>
struct NegateAfterReduction : OpRewritePattern<ReduceT> {
  using OpRewritePattern<ReduceT>::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceT op,
                                PatternRewriter &rewriter) const override {
    auto neg = op.getInput().template getDefiningOp<NegOp>();
    if (!neg || !neg->hasOneUse())
      return failure();
    Value reduced =
        rewriter.create<ReduceT>(op.getLoc(), op.getType(), neg.getInput(),
                                 op.getAxisAttr(), op.getKeepdimAttr());
    rewriter.replaceOpWithNewOp<NegOp>(op, reduced);
    return success();
  }
};

} // namespace

void ReduceSumOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<NegateAfterReduction<ReduceSumOp>>(context);
}

void ReduceMeanOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                               MLIRContext *context) {
  results.add<NegateAfterReduction<ReduceMeanOp>>(context);
}

void DimSizeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<StaticDimSize, DimSizeOfOperand>(context);
}

void DivOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  results.add<DivideBeforeBroadcast>(context);
}

void PermuteOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<PermuteOfUnitDims>(context);
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

/// The named symbols of one side of a reshape, checked against its type.
static FailureOr<DimSymbols> namedSymbols(ReshapeOp op, ArrayAttr names,
                                          RankedTensorType type,
                                          StringRef side) {
  if (static_cast<int64_t>(names.size()) != type.getRank())
    return op.emitOpError() << side << "_symbols has " << names.size()
                            << " entries for " << type;
  DimSymbols syms;
  for (auto [d, a] : llvm::enumerate(names)) {
    StringRef name = cast<StringAttr>(a).getValue();
    if (name.empty() != !type.isDynamicDim(d))
      return op.emitOpError()
             << side << "_symbols entry " << d << " ('" << name << "') must "
             << (type.isDynamicDim(d) ? "name the symbolic"
                                      : "be \"\" for the static")
             << " dimension " << d << " of " << type;
    if (!name.empty() && !DimProduct::parse(name))
      return op.emitOpError()
             << side << "_symbols entry " << d << " ('" << name
             << "') is neither a symbol nor a product such as 128*batch";
    syms.push_back(name);
  }
  return syms;
}

LogicalResult ReshapeOp::verify() {
  auto in = getInput().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError() << "changes the element type: " << in << " to " << out;
  if (getInputSymbols().has_value() != getResultSymbols().has_value())
    return emitOpError("names the symbols of one side only: give both "
                       "input_symbols and result_symbols, or neither");
  if (getInputSymbols()) {
    auto from = namedSymbols(*this, *getInputSymbols(), in, "input");
    auto to = namedSymbols(*this, *getResultSymbols(), out, "result");
    if (failed(from) || failed(to))
      return failure();
    DimProduct a = DimProduct::of(in.getShape(), *from);
    DimProduct b = DimProduct::of(out.getShape(), *to);
    if (!(a == b))
      return emitOpError() << "changes the element count: " << shapeString(in)
                           << " holds " << a.str() << " elements, "
                           << shapeString(out) << " " << b.str();
    return success();
  }
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
                         << shapeString(in) << " -> " << shapeString(out)
                         << " (a reshape that merges or splits symbolic "
                            "dimensions names them: input_symbols, "
                            "result_symbols)";
  if (nIn != nOut)
    return emitOpError() << "changes the element count: " << shapeString(in)
                         << " (" << nIn << " per symbol) -> "
                         << shapeString(out) << " (" << nOut << ")";
  return success();
}

/// The names of `type`'s `?` dimensions in order, taken from `names` (one
/// side of a reshape that keeps its symbols in order).
static ArrayAttr inOrder(Builder &b, ArrayAttr names, RankedTensorType type) {
  SmallVector<Attribute> symbolic;
  for (Attribute a : names)
    if (!cast<StringAttr>(a).getValue().empty())
      symbolic.push_back(a);
  SmallVector<Attribute> out;
  size_t next = 0;
  for (int64_t d = 0; d < type.getRank(); ++d)
    out.push_back(type.isDynamicDim(d) && next < symbolic.size()
                      ? symbolic[next++]
                      : b.getStringAttr(""));
  return b.getArrayAttr(out);
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  // Not when it names its symbols in another order: [?batch, ?seq] ->
  // [?seq, ?batch] has one type on both sides and moves every element.
  if (getInput().getType() == getType() &&
      (!getInputSymbols() || !getResultSymbols() ||
       *getInputSymbols() == *getResultSymbols()))
    return getInput();
  // reshape(reshape(x)) -> reshape(x), keeping the names of x's symbols
  // and of the result's.
  auto inner = getInput().getDefiningOp<ReshapeOp>();
  if (!inner)
    return {};
  Builder b(getContext());
  auto x = inner.getInput().getType();
  if (inner.getInputSymbols() || getInputSymbols()) {
    ArrayAttr from = inner.getInputSymbols()
                         ? *inner.getInputSymbols()
                         : inOrder(b, *getInputSymbols(), x);
    ArrayAttr to = getResultSymbols()
                       ? *getResultSymbols()
                       : inOrder(b, *inner.getResultSymbols(), getType());
    setInputSymbolsAttr(from);
    setResultSymbolsAttr(to);
  }
  getInputMutable().assign(inner.getInput());
  if (x == getType() && getInputSymbols() &&
      *getInputSymbols() == *getResultSymbols())
    return getInput();
  return getResult();
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
  // The memory plan's placement: both or neither, one entry per result.
  if (bool(getArena()) != bool(getOffset()))
    return emitOpError() << "needs both arena and offset, or neither";
  auto perResult = [&](StringRef what, size_t n) -> LogicalResult {
    if (n != getNumResults())
      return emitOpError() << what << " has " << n << " entries for "
                           << getNumResults() << " results";
    return success();
  };
  if (getArena() && (failed(perResult("arena", getArena()->size())) ||
                     failed(perResult("offset", getOffset()->size()))))
    return failure();
  if (auto targets = getAssignTo())
    return perResult("assign_to", targets->size());
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

#include "kiln/Dialect/KilnEnums.cpp.inc"

#define GET_OP_CLASSES
#include "kiln/Dialect/KilnOps.cpp.inc"
