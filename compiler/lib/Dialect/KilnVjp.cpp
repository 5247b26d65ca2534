//===- KilnVjp.cpp - each op's vector-Jacobian product --------------------===//
//
// Gradients are written with the dialect's own ops, so the backward graph
// is ordinary IR. Broadcasting ops sum their gradient back to each
// operand's shape; non-smooth points (relu at 0, max at ties) take the
// subgradient PyTorch takes: the "greater than" branch.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/KilnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <optional>

using namespace mlir;
using namespace kiln;

namespace {

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// A scalar constant of `like`'s element type.
Value scalar(OpBuilder &b, Location loc, Value like, double value) {
  auto type = RankedTensorType::get({}, tensorType(like).getElementType());
  Attribute attr;
  if (type.getElementType().isF64())
    attr = DenseElementsAttr::get(type, value);
  else
    attr = DenseElementsAttr::get(type, static_cast<float>(value));
  return b.create<ConstantOp>(loc, cast<ElementsAttr>(attr));
}

Value reduceTo(OpBuilder &b, Location loc, Value g, RankedTensorType target) {
  return formula::sumToShape(b, loc, g, target);
}

Value mul(OpBuilder &b, Location loc, Value x, Value y) {
  return b.create<MulOp>(loc, x, y);
}
Value sub(OpBuilder &b, Location loc, Value x, Value y) {
  return b.create<SubOp>(loc, x, y);
}

/// Gradients of a binary op given the two unreduced partials.
LogicalResult binary(OpBuilder &b, Operation *op, Value ga, Value gb,
                     SmallVectorImpl<Value> &grads) {
  Location loc = op->getLoc();
  grads.push_back(reduceTo(b, loc, ga, tensorType(op->getOperand(0))));
  grads.push_back(reduceTo(b, loc, gb, tensorType(op->getOperand(1))));
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Pointwise ops state their gradients in KilnOps.td; max's is here.
//===----------------------------------------------------------------------===//

/// The value of a splat float constant.
std::optional<double> splatConstant(Value v) {
  auto c = v.getDefiningOp<ConstantOp>();
  auto dense = c ? dyn_cast<DenseElementsAttr>(c.getValue()) : nullptr;
  if (!dense || !dense.isSplat() || !isa<FloatType>(dense.getElementType()))
    return std::nullopt;
  return dense.getSplatValue<APFloat>().convertToDouble();
}

/// Whether `b` is s * a with a constant s in [0, 1).
bool isShrunkCopy(Value b, Value a) {
  auto m = b.getDefiningOp<MulOp>();
  if (!m || (m.getLhs() != a && m.getRhs() != a))
    return false;
  auto s = splatConstant(m.getLhs() == a ? m.getRhs() : m.getLhs());
  return s && *s >= 0 && *s < 1;
}

LogicalResult MaxOp::buildVjp(OpBuilder &b, Value g,
                              SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  // A leaky ReLU, max(x, s x) with 0 <= s < 1: x wins exactly where the
  // result is positive, so the gradient reads the result (which the next
  // layer keeps anyway) and x need not be kept for the backward pass: one
  // stored activation fewer per layer. The same subgradient at x = 0.
  Value aWins = isShrunkCopy(getRhs(), getLhs())
                    ? b.create<StepOp>(loc, getResult())
                    : b.create<StepOp>(loc, sub(b, loc, getLhs(), getRhs()));
  Value ga = mul(b, loc, g, aWins);
  return binary(b, *this, ga, sub(b, loc, g, ga), grads);
}

//===----------------------------------------------------------------------===//
// Contraction and reductions
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::buildVjp(OpBuilder &b, Value g,
                                 SmallVectorImpl<Value> &grads) {
  // C = op(A) op(B), per batch index. With G = dC:
  //   A [M,K]: dA = G op(B)^T        A stored [K,M]: dA = op(B) G^T
  //   B [K,N]: dB = op(A)^T G        B stored [N,K]: dB = G^T op(A)
  // Each case is one matmul with transpose flags, never a materialised
  // transpose; an operand broadcast over batch dimensions gets the sum of
  // its gradients over them.
  Location loc = getLoc();
  Value a = getA(), bb = getB();
  bool ta = getTransposeA(), tb = getTransposeB();
  Value da, db;
  if (!ta)
    da = b.create<MatmulOp>(loc, g, bb, false, !tb);
  else
    da = b.create<MatmulOp>(loc, bb, g, tb, true);
  if (!tb)
    db = b.create<MatmulOp>(loc, a, g, !ta, false);
  else
    db = b.create<MatmulOp>(loc, g, a, true, ta);
  grads.push_back(reduceTo(b, loc, da, tensorType(a)));
  grads.push_back(reduceTo(b, loc, db, tensorType(bb)));
  return success();
}

LogicalResult AttentionOp::buildVjp(OpBuilder &b, Value g,
                                    SmallVectorImpl<Value> &grads) {
  // Flash attention's backward: with L the scores' row log-sum-exp and
  // delta = rowsum(dO * O), each gradient recomputes the tile of
  // P = exp(scores - L) it needs instead of reading stored scores.
  Location loc = getLoc();
  Value q = getQ(), k = getK(), v = getV(), mask = getMask();
  Value lse = b.create<AttentionLseOp>(loc, q, k, mask, getScaleAttr(),
                                       getCausalAttr());
  int64_t last = tensorType(g).getRank() - 1;
  Value delta =
      b.create<ReduceSumOp>(loc, mul(b, loc, g, getResult()), last, false);
  for (AttentionOperand wrt : {AttentionOperand::query, AttentionOperand::key,
                               AttentionOperand::value})
    grads.push_back(b.create<AttentionGradOp>(
        loc, q, k, v, g, lse, delta, mask, getScaleAttr(), getCausalAttr(),
        AttentionOperandAttr::get(b.getContext(), wrt)));
  if (mask)
    grads.push_back(nullptr); // a mask is not differentiated
  return success();
}

LogicalResult NormalizeOp::buildVjp(OpBuilder &b, Value g,
                                    SmallVectorImpl<Value> &grads) {
  // One kernel that recomputes the row's mean and variance from x: cheaper
  // than storing them, as the row is read anyway.
  grads.push_back(
      b.create<NormalizeGradOp>(getLoc(), getInput(), g, getEpsAttr()));
  return success();
}

LogicalResult CrossEntropyOp::buildVjp(OpBuilder &b, Value g,
                                       SmallVectorImpl<Value> &grads) {
  // One kernel that recomputes the row's softmax from the logits.
  grads.push_back(
      b.create<CrossEntropyGradOp>(getLoc(), getLogits(), getTargets(), g));
  grads.push_back(nullptr); // targets are indices
  return success();
}

/// A reduction's result (or its gradient) with the reduced axis kept as 1.
static Value keepAxis(OpBuilder &b, Location loc, Value g, int64_t axis,
                      bool keepdim) {
  if (keepdim)
    return g;
  SmallVector<int64_t> shape(tensorType(g).getShape());
  shape.insert(shape.begin() + axis, 1);
  return b.create<ReshapeOp>(
      loc, RankedTensorType::get(shape, tensorType(g).getElementType()), g);
}

/// The gradient of a sum over `axis`, stretched back to the input's shape.
static Value unreduce(OpBuilder &b, Location loc, Value g, Value input,
                      int64_t axis, bool keepdim) {
  return b.create<BroadcastToOp>(loc, keepAxis(b, loc, g, axis, keepdim),
                                 input);
}

LogicalResult ReduceSumOp::buildVjp(OpBuilder &b, Value g,
                                    SmallVectorImpl<Value> &grads) {
  grads.push_back(
      unreduce(b, getLoc(), g, getInput(), getAxis(), getKeepdim()));
  return success();
}

LogicalResult ReduceMeanOp::buildVjp(OpBuilder &b, Value g,
                                     SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value n = b.create<DimSizeOp>(
      loc, RankedTensorType::get({}, tensorType(g).getElementType()),
      getInput(), getAxis());
  Value scaled = b.create<DivOp>(loc, g, n);
  grads.push_back(
      unreduce(b, loc, scaled, getInput(), getAxis(), getKeepdim()));
  return success();
}

LogicalResult ReduceMaxOp::buildVjp(OpBuilder &b, Value g,
                                    SmallVectorImpl<Value> &grads) {
  // The gradient goes to the elements equal to the maximum, split evenly
  // where several tie (PyTorch's amax): mask = 1 - step(max - x), exact
  // since max - x is 0 exactly there and positive elsewhere.
  Location loc = getLoc();
  Value x = getInput();
  int64_t axis = getAxis();
  Value max = unreduce(b, loc, getResult(), x, axis, getKeepdim());
  Value mask = sub(b, loc, scalar(b, loc, x, 1),
                   b.create<StepOp>(loc, sub(b, loc, max, x)));
  Value count = b.create<ReduceSumOp>(loc, mask, axis, true);
  Value share =
      b.create<DivOp>(loc, keepAxis(b, loc, g, axis, getKeepdim()), count);
  grads.push_back(mul(b, loc, mask, share));
  return success();
}

//===----------------------------------------------------------------------===//
// Convolutions
//
// With y = conv2d(x, w): dx is the transposed convolution of dy with the
// same weight, and dw the correlation of x with dy over the batch
// (kiln.conv2d_weight_grad). conv_transpose2d is conv2d's adjoint in x, so
// its own gradients are the same two ops with the roles swapped.
//===----------------------------------------------------------------------===//

LogicalResult Conv2dOp::buildVjp(OpBuilder &b, Value g,
                                 SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  auto x = tensorType(getInput()), w = tensorType(getWeight());
  ArrayRef<int64_t> s = getStride(), p = getPadding();
  // Rows and columns of the padded input past the last whole stride are
  // read by no output; the transposed convolution gives them back as
  // output_padding (zeros unless the padding reaches into them).
  SmallVector<int64_t> outputPadding, kernel;
  for (int i = 0; i < 2; ++i) {
    outputPadding.push_back(
        (x.getDimSize(2 + i) + 2 * p[i] - w.getDimSize(2 + i)) % s[i]);
    kernel.push_back(w.getDimSize(2 + i));
  }
  grads.push_back(b.create<ConvTranspose2dOp>(
      loc, g, getWeight(), getStrideAttr(), getPaddingAttr(),
      b.getDenseI64ArrayAttr(outputPadding)));
  grads.push_back(b.create<Conv2dWeightGradOp>(
      loc, getInput(), g, getStrideAttr(), getPaddingAttr(),
      b.getDenseI64ArrayAttr(kernel)));
  return success();
}

LogicalResult ConvTranspose2dOp::buildVjp(OpBuilder &b, Value g,
                                          SmallVectorImpl<Value> &grads) {
  // y[n, o] gathers x[n, c] * w[c, o]: dx = conv2d(dy, w) (w [C, O, KH, KW]
  // read as a conv2d weight with O input channels), dw[c, o] =
  // conv2d_weight_grad(dy, x) (dy as the input, x as the gradient).
  Location loc = getLoc();
  auto w = tensorType(getWeight());
  grads.push_back(b.create<Conv2dOp>(loc, g, getWeight(), getStrideAttr(),
                                     getPaddingAttr()));
  grads.push_back(b.create<Conv2dWeightGradOp>(
      loc, g, getInput(), getStrideAttr(), getPaddingAttr(),
      b.getDenseI64ArrayAttr({w.getDimSize(2), w.getDimSize(3)})));
  return success();
}

LogicalResult Conv2dWeightGradOp::buildVjp(OpBuilder &b, Value g,
                                           SmallVectorImpl<Value> &grads) {
  // r[o, c] = sum x[n, c] * dy[n, o] (bilinear): with G = dr [O, C, KH, KW],
  // d input = conv_transpose2d(dy, G), d grad = conv2d(input, G).
  Location loc = getLoc();
  auto x = tensorType(getInput());
  ArrayRef<int64_t> s = getStride(), p = getPadding(), k = getKernelSize();
  SmallVector<int64_t> outputPadding;
  for (int i = 0; i < 2; ++i)
    outputPadding.push_back((x.getDimSize(2 + i) + 2 * p[i] - k[i]) % s[i]);
  grads.push_back(b.create<ConvTranspose2dOp>(
      loc, getGrad(), g, getStrideAttr(), getPaddingAttr(),
      b.getDenseI64ArrayAttr(outputPadding)));
  grads.push_back(b.create<Conv2dOp>(loc, getInput(), g, getStrideAttr(),
                                     getPaddingAttr()));
  return success();
}

//===----------------------------------------------------------------------===//
// Layout
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::buildVjp(OpBuilder &b, Value g,
                                  SmallVectorImpl<Value> &grads) {
  // The inverse reshape: a merge's gradient is the split back.
  grads.push_back(b.create<ReshapeOp>(getLoc(), getInput().getType(), g,
                                      getResultSymbolsAttr(),
                                      getInputSymbolsAttr()));
  return success();
}

LogicalResult ConcatOp::buildVjp(OpBuilder &b, Value g,
                                 SmallVectorImpl<Value> &grads) {
  int64_t offset = 0, axis = getAxis();
  for (Value in : getInputs()) {
    int64_t size = tensorType(in).getDimSize(axis);
    grads.push_back(b.create<SliceOp>(getLoc(), g, axis, offset, size));
    offset += size;
  }
  return success();
}

LogicalResult SliceOp::buildVjp(OpBuilder &b, Value g,
                                SmallVectorImpl<Value> &grads) {
  int64_t total = getInput().getType().getDimSize(getAxis());
  int64_t after = total - getStart() - getSize();
  grads.push_back(b.create<PadOp>(getLoc(), g, getAxis(), getStart(), after));
  return success();
}

LogicalResult PadOp::buildVjp(OpBuilder &b, Value g,
                              SmallVectorImpl<Value> &grads) {
  grads.push_back(
      b.create<SliceOp>(getLoc(), g, getAxis(), getBefore(),
                        getInput().getType().getDimSize(getAxis())));
  return success();
}

LogicalResult TransposeOp::buildVjp(OpBuilder &b, Value g,
                                    SmallVectorImpl<Value> &grads) {
  grads.push_back(b.create<TransposeOp>(getLoc(), g));
  return success();
}

LogicalResult PermuteOp::buildVjp(OpBuilder &b, Value g,
                                  SmallVectorImpl<Value> &grads) {
  ArrayRef<int64_t> perm = getPermutation();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = int64_t(i);
  grads.push_back(b.create<PermuteOp>(getLoc(), g, inverse));
  return success();
}

LogicalResult GatherOp::buildVjp(OpBuilder &b, Value g,
                                 SmallVectorImpl<Value> &grads) {
  grads.push_back(
      b.create<ScatterAddOp>(getLoc(), g, getIndices(), getAxis(),
                             getTable().getType().getDimSize(getAxis())));
  grads.push_back(Value()); // indices
  return success();
}

LogicalResult ScatterAddOp::buildVjp(OpBuilder &b, Value g,
                                     SmallVectorImpl<Value> &grads) {
  grads.push_back(b.create<GatherOp>(getLoc(), g, getIndices(), getAxis()));
  grads.push_back(Value()); // indices
  return success();
}

LogicalResult OneHotOp::buildVjp(OpBuilder &, Value,
                                 SmallVectorImpl<Value> &grads) {
  grads.push_back(Value()); // indices have no gradient
  return success();
}

LogicalResult IotaOp::buildVjp(OpBuilder &, Value,
                               SmallVectorImpl<Value> &grads) {
  grads.push_back(Value()); // indices are constants; `like` gives a shape
  return success();
}

LogicalResult ToFloatOp::buildVjp(OpBuilder &, Value,
                                  SmallVectorImpl<Value> &grads) {
  grads.push_back(Value()); // indices have no gradient
  return success();
}

LogicalResult FloorToIntOp::buildVjp(OpBuilder &, Value,
                                     SmallVectorImpl<Value> &grads) {
  grads.push_back(Value()); // piecewise constant: no gradient
  return success();
}

LogicalResult BroadcastToOp::buildVjp(OpBuilder &b, Value g,
                                      SmallVectorImpl<Value> &grads) {
  grads.push_back(reduceTo(b, getLoc(), g, getInput().getType()));
  grads.push_back(Value()); // shape only
  return success();
}

LogicalResult DimSizeOp::buildVjp(OpBuilder &, Value,
                                  SmallVectorImpl<Value> &grads) {
  grads.push_back(Value()); // shape only
  return success();
}

// Each process's input reaches every process's sum, so the gradient of
// one process's input is the sum of the processes' gradients.
LogicalResult ReplicaSumOp::buildVjp(OpBuilder &b, Value g,
                                     SmallVectorImpl<Value> &grads) {
  grads.push_back(b.create<ReplicaSumOp>(getLoc(), g));
  return success();
}

LogicalResult ReplicaCountOp::buildVjp(OpBuilder &, Value,
                                       SmallVectorImpl<Value> &) {
  return success(); // no operand
}

LogicalResult RandomNormalOp::buildVjp(OpBuilder &, Value,
                                       SmallVectorImpl<Value> &grads) {
  grads.push_back(Value()); // shape only
  return success();
}

LogicalResult RandomUniformOp::buildVjp(OpBuilder &, Value,
                                        SmallVectorImpl<Value> &grads) {
  grads.push_back(Value()); // shape only
  return success();
}
