//===- Interpreter.cpp - a naive double-precision kiln evaluator ----------===//

#include "kiln/Interpreter/Interpreter.h"
#include "Attention.h"
#include "kiln/Dialect/KilnOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;

namespace kiln::interp {

DTensor::DTensor(std::vector<int64_t> s, double fill)
    : shape(std::move(s)), data(size_t(numel()), fill) {}

int64_t DTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

namespace {

using Index = std::vector<int64_t>;

/// Row-major strides.
Index strides(const Index &shape) {
  Index s(shape.size(), 1);
  for (int64_t i = int64_t(shape.size()) - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/// Calls f(index) for every index of `shape`, in row-major order.
void forEach(const Index &shape, const std::function<void(const Index &)> &f) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  Index idx(shape.size(), 0);
  for (int64_t flat = 0; flat < n; ++flat) {
    int64_t rem = flat;
    for (int64_t i = int64_t(shape.size()) - 1; i >= 0; --i) {
      idx[i] = rem % shape[i];
      rem /= shape[i];
    }
    f(idx);
  }
}

/// The row-major position of `idx` in a tensor of `shape`.
size_t flatIndex(const Index &shape, const Index &idx) {
  Index s = strides(shape);
  int64_t off = 0;
  for (size_t i = 0; i < idx.size(); ++i)
    off += idx[i] * s[i];
  return size_t(off);
}

double at(const DTensor &t, const Index &idx) {
  return t.data[flatIndex(t.shape, idx)];
}

/// Element of `t` read by NumPy broadcasting at result index `idx`.
double broadcastAt(const DTensor &t, const Index &idx) {
  Index own(t.shape.size());
  size_t shift = idx.size() - t.shape.size();
  for (size_t i = 0; i < t.shape.size(); ++i)
    own[i] = t.shape[i] == 1 ? 0 : idx[i + shift];
  return at(t, own);
}

Index broadcastShape(const Index &a, const Index &b) {
  size_t rank = std::max(a.size(), b.size());
  Index out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i + a.size() >= rank ? a[i + a.size() - rank] : 1;
    int64_t db = i + b.size() >= rank ? b[i + b.size() - rank] : 1;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

/// The last two dimensions of `t` as a matrix at batch index `batch` (of
/// the broadcast batch shape): element (r, c) of the stored matrix.
double matrixAt(const DTensor &t, const Index &batch, int64_t r, int64_t c) {
  Index idx(batch);
  idx.push_back(r);
  idx.push_back(c);
  return broadcastAt(t, idx);
}

/// op(a) op(b) per batch index, batch dimensions broadcast.
DTensor matmul(const DTensor &a, const DTensor &b, bool ta, bool tb) {
  size_t ra = a.shape.size(), rb = b.shape.size();
  int64_t m = a.shape[ra - (ta ? 1 : 2)], k = a.shape[ra - (ta ? 2 : 1)];
  int64_t n = b.shape[rb - (tb ? 2 : 1)];
  Index batch = broadcastShape(Index(a.shape.begin(), a.shape.end() - 2),
                               Index(b.shape.begin(), b.shape.end() - 2));
  Index shape = batch;
  shape.push_back(m);
  shape.push_back(n);
  DTensor r(shape);
  size_t out = 0;
  forEach(batch, [&](const Index &bi) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (int64_t p = 0; p < k; ++p)
          sum += (ta ? matrixAt(a, bi, p, i) : matrixAt(a, bi, i, p)) *
                 (tb ? matrixAt(b, bi, j, p) : matrixAt(b, bi, p, j));
        r.data[out++] = sum;
      }
  });
  return r;
}

DTensor reduceMax(const DTensor &a, int64_t axis, bool keepdim) {
  Index shape = a.shape;
  shape[axis] = 1;
  DTensor r(shape, -INFINITY);
  forEach(a.shape, [&](const Index &idx) {
    Index o = idx;
    o[axis] = 0;
    double &m = r.data[flatIndex(r.shape, o)];
    m = std::max(m, at(a, idx));
  });
  if (!keepdim)
    r.shape.erase(r.shape.begin() + axis);
  return r;
}

/// The three convolutions, as plain sums over every index (NCHW).
/// conv2d: y[n,o,i,j] += x[n,c,i*sh-ph+kh, j*sw-pw+kw] w[o,c,kh,kw].
DTensor conv2d(const DTensor &x, const DTensor &w, ArrayRef<int64_t> s,
               ArrayRef<int64_t> p) {
  int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
  int64_t o = w.shape[0], kh = w.shape[2], kw = w.shape[3];
  int64_t oh = (h + 2 * p[0] - kh) / s[0] + 1;
  int64_t ow = (wd + 2 * p[1] - kw) / s[1] + 1;
  DTensor y({n, o, oh, ow});
  for (int64_t b = 0; b < n; ++b)
    for (int64_t q = 0; q < o; ++q)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double sum = 0;
          for (int64_t ci = 0; ci < c; ++ci)
            for (int64_t u = 0; u < kh; ++u)
              for (int64_t v = 0; v < kw; ++v) {
                int64_t hi = i * s[0] - p[0] + u, wi = j * s[1] - p[1] + v;
                if (hi >= 0 && hi < h && wi >= 0 && wi < wd)
                  sum += at(x, {b, ci, hi, wi}) * at(w, {q, ci, u, v});
              }
          y.data[size_t(((b * o + q) * oh + i) * ow + j)] = sum;
        }
  return y;
}

/// conv_transpose2d: y[n,o,h*sh-ph+kh, v*sw-pw+kw] += x[n,c,h,v] w[c,o,kh,kw].
DTensor convTranspose2d(const DTensor &x, const DTensor &w, ArrayRef<int64_t> s,
                        ArrayRef<int64_t> p, ArrayRef<int64_t> op) {
  int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
  int64_t o = w.shape[1], kh = w.shape[2], kw = w.shape[3];
  int64_t oh = (h - 1) * s[0] - 2 * p[0] + kh + op[0];
  int64_t ow = (wd - 1) * s[1] - 2 * p[1] + kw + op[1];
  DTensor y({n, o, oh, ow});
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ci = 0; ci < c; ++ci)
      for (int64_t hi = 0; hi < h; ++hi)
        for (int64_t wi = 0; wi < wd; ++wi)
          for (int64_t q = 0; q < o; ++q)
            for (int64_t u = 0; u < kh; ++u)
              for (int64_t v = 0; v < kw; ++v) {
                int64_t i = hi * s[0] - p[0] + u, j = wi * s[1] - p[1] + v;
                if (i >= 0 && i < oh && j >= 0 && j < ow)
                  y.data[size_t(((b * o + q) * oh + i) * ow + j)] +=
                      at(x, {b, ci, hi, wi}) * at(w, {ci, q, u, v});
              }
  return y;
}

/// conv2d_weight_grad: r[o,c,kh,kw] += dy[n,o,i,j] x[n,c,i*sh-ph+kh, ...].
DTensor conv2dWeightGrad(const DTensor &x, const DTensor &dy,
                         ArrayRef<int64_t> s, ArrayRef<int64_t> p,
                         ArrayRef<int64_t> k) {
  int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
  int64_t o = dy.shape[1], oh = dy.shape[2], ow = dy.shape[3];
  DTensor r({o, c, k[0], k[1]});
  for (int64_t q = 0; q < o; ++q)
    for (int64_t ci = 0; ci < c; ++ci)
      for (int64_t u = 0; u < k[0]; ++u)
        for (int64_t v = 0; v < k[1]; ++v) {
          double sum = 0;
          for (int64_t b = 0; b < n; ++b)
            for (int64_t i = 0; i < oh; ++i)
              for (int64_t j = 0; j < ow; ++j) {
                int64_t hi = i * s[0] - p[0] + u, wi = j * s[1] - p[1] + v;
                if (hi >= 0 && hi < h && wi >= 0 && wi < wd)
                  sum += at(dy, {b, q, i, j}) * at(x, {b, ci, hi, wi});
              }
          r.data[size_t(((q * c + ci) * k[0] + u) * k[1] + v)] = sum;
        }
  return r;
}

DTensor reduce(const DTensor &a, int64_t axis, bool keepdim, bool mean) {
  Index shape = a.shape;
  shape[axis] = 1;
  DTensor r(shape);
  forEach(a.shape, [&](const Index &idx) {
    Index o = idx;
    o[axis] = 0;
    r.data[flatIndex(r.shape, o)] += at(a, idx);
  });
  if (mean)
    for (double &x : r.data)
      x /= double(a.shape[axis]);
  if (!keepdim)
    r.shape.erase(r.shape.begin() + axis);
  return r;
}

/// kiln.normalize (no `grad`) or kiln.normalize_grad, row by row over the
/// last axis, straight from the formulas of KilnOps.td.
DTensor normalizeRows(const DTensor &x, const DTensor *grad, double eps) {
  const int64_t width = x.shape.back();
  DTensor r(x.shape);
  for (int64_t row = 0; row < x.numel() / width; ++row) {
    const double *xs = x.data.data() + row * width;
    double mean = 0, var = 0;
    for (int64_t c = 0; c < width; ++c)
      mean += xs[c] / double(width);
    for (int64_t c = 0; c < width; ++c)
      var += (xs[c] - mean) * (xs[c] - mean) / double(width);
    const double inv_std = 1 / std::sqrt(var + eps);
    double *out = r.data.data() + row * width;
    for (int64_t c = 0; c < width; ++c)
      out[c] = (xs[c] - mean) * inv_std;
    if (!grad)
      continue;
    const double *g = grad->data.data() + row * width;
    double mean_g = 0, mean_gy = 0;
    for (int64_t c = 0; c < width; ++c) {
      mean_g += g[c] / double(width);
      mean_gy += g[c] * out[c] / double(width);
    }
    for (int64_t c = 0; c < width; ++c)
      out[c] = (g[c] - mean_g - out[c] * mean_gy) * inv_std;
  }
  return r;
}

/// kiln.cross_entropy (no `grad`: the loss per row) or
/// kiln.cross_entropy_grad, row by row, from the formulas of KilnOps.td.
FailureOr<DTensor> crossEntropyRows(Operation *op, const DTensor &logits,
                                    const DTensor &targets,
                                    const DTensor *grad) {
  const int64_t classes = logits.shape.back();
  const int64_t rows = logits.numel() / classes;
  DTensor r(grad ? logits.shape : targets.shape);
  for (int64_t row = 0; row < rows; ++row) {
    const double *x = logits.data.data() + row * classes;
    const double t = targets.data[size_t(row)];
    if (!(t >= 0 && t < double(classes)))
      return op->emitError("interpreter: target ")
             << t << " outside [0, " << classes << ")";
    double m = -INFINITY, s = 0;
    for (int64_t c = 0; c < classes; ++c)
      m = std::max(m, x[c]);
    for (int64_t c = 0; c < classes; ++c)
      s += std::exp(x[c] - m);
    if (!grad) {
      r.data[size_t(row)] = std::log(s) - (x[int64_t(t)] - m);
      continue;
    }
    for (int64_t c = 0; c < classes; ++c)
      r.data[size_t(row * classes + c)] =
          grad->data[size_t(row)] *
          (std::exp(x[c] - m) / s - (c == int64_t(t) ? 1.0 : 0.0));
  }
  return r;
}

} // namespace

FailureOr<std::vector<DTensor>> evaluate(func::FuncOp func,
                                         const std::vector<DTensor> &args,
                                         Environment &env) {
  if (args.size() != func.getNumArguments())
    return func.emitError("interpreter: wrong number of arguments");
  DenseMap<Value, DTensor> values;
  // The symbols' sizes, from the arguments that name them (kiln.symbols).
  llvm::StringMap<int64_t> symbols;
  for (auto [arg, t] : llvm::zip(func.getArguments(), args)) {
    values[arg] = t;
    if (auto names = func.getArgAttrOfType<ArrayAttr>(arg.getArgNumber(),
                                                      "kiln.symbols"))
      for (auto [d, name] :
           llvm::enumerate(names.getAsValueRange<StringAttr>()))
        if (!name.empty() && d < t.shape.size())
          symbols[name] = t.shape[d];
  }
  std::map<std::string, DTensor> assigned;

  std::function<FailureOr<std::vector<DTensor>>(Block &)> run =
      [&](Block &block) -> FailureOr<std::vector<DTensor>> {
    for (Operation &op : block) {
      auto in = [&](unsigned i) -> const DTensor & {
        return values[op.getOperand(i)];
      };
      if (isa<func::ReturnOp, YieldOp>(op)) {
        std::vector<DTensor> out;
        for (Value v : op.getOperands())
          out.push_back(values[v]);
        return out;
      }
      auto resultShape = [&]() {
        auto type = cast<RankedTensorType>(op.getResult(0).getType());
        Index shape(type.getShape());
        return shape;
      };
      // Every op with a formula (KilnOps.td), under NumPy broadcasting.
      if (auto pointwise = dyn_cast<PointwiseOpInterface>(op)) {
        std::vector<const DTensor *> operands;
        Index shape;
        for (Value v : op.getOperands()) {
          operands.push_back(&values[v]);
          shape = broadcastShape(shape, values[v].shape);
        }
        DTensor r(shape);
        std::vector<double> x(operands.size());
        size_t k = 0;
        forEach(r.shape, [&](const Index &idx) {
          for (size_t i = 0; i < operands.size(); ++i)
            x[i] = broadcastAt(*operands[i], idx);
          r.data[k++] = pointwise.evaluate(x);
        });
        values[op.getResult(0)] = std::move(r);
        continue;
      }
      FailureOr<DTensor> result =
          llvm::TypeSwitch<Operation *, FailureOr<DTensor>>(&op)
              .Case<ParamRefOp>([&](ParamRefOp ref) -> FailureOr<DTensor> {
                auto it = env.params.find(ref.getName().str());
                if (it == env.params.end())
                  return ref.emitError("interpreter: no value for parameter");
                return it->second;
              })
              .Case<ConstantOp>([&](ConstantOp c) -> FailureOr<DTensor> {
                auto dense = cast<DenseElementsAttr>(c.getValue());
                DTensor t(resultShape());
                size_t k = 0;
                for (APFloat v : dense.getValues<APFloat>())
                  t.data[k++] = v.convertToDouble();
                if (dense.isSplat())
                  std::fill(t.data.begin(), t.data.end(),
                            dense.getSplatValue<APFloat>().convertToDouble());
                return t;
              })
              .Case<MatmulOp>([&](MatmulOp mm) -> FailureOr<DTensor> {
                return matmul(in(0), in(1), mm.getTransposeA(),
                              mm.getTransposeB());
              })
              .Case<AttentionOp>([&](AttentionOp att) -> FailureOr<DTensor> {
                return detail::attention(
                    {&in(0), &in(1), &in(2), att.getMask() ? &in(3) : nullptr,
                     att.getScale().convertToDouble(), att.getCausal()});
              })
              .Case<AttentionLseOp>(
                  [&](AttentionLseOp att) -> FailureOr<DTensor> {
                    return detail::attentionLse(
                        {&in(0), &in(1), nullptr,
                         att.getMask() ? &in(2) : nullptr,
                         att.getScale().convertToDouble(), att.getCausal()});
                  })
              .Case<AttentionGradOp>(
                  [&](AttentionGradOp att) -> FailureOr<DTensor> {
                    return detail::attentionGrad(
                        {&in(0), &in(1), &in(2),
                         att.getMask() ? &in(6) : nullptr,
                         att.getScale().convertToDouble(), att.getCausal()},
                        in(3), in(4), in(5), int(att.getWrt()));
                  })
              .Case<ReduceSumOp, ReduceMeanOp>(
                  [&](auto red) -> FailureOr<DTensor> {
                    return reduce(in(0), red.getAxis(), red.getKeepdim(),
                                  isa<ReduceMeanOp>(op));
                  })
              .Case<CrossEntropyOp>([&](CrossEntropyOp) -> FailureOr<DTensor> {
                return crossEntropyRows(&op, in(0), in(1), nullptr);
              })
              .Case<CrossEntropyGradOp>(
                  [&](CrossEntropyGradOp) -> FailureOr<DTensor> {
                    return crossEntropyRows(&op, in(0), in(1), &in(2));
                  })
              .Case<NormalizeOp>([&](NormalizeOp n) -> FailureOr<DTensor> {
                return normalizeRows(in(0), nullptr,
                                     n.getEps().convertToDouble());
              })
              .Case<NormalizeGradOp>(
                  [&](NormalizeGradOp n) -> FailureOr<DTensor> {
                    return normalizeRows(in(0), &in(1),
                                         n.getEps().convertToDouble());
                  })
              .Case<ReduceMaxOp>([&](ReduceMaxOp red) -> FailureOr<DTensor> {
                return reduceMax(in(0), red.getAxis(), red.getKeepdim());
              })
              .Case<Conv2dOp>([&](Conv2dOp c) -> FailureOr<DTensor> {
                return conv2d(in(0), in(1), c.getStride(), c.getPadding());
              })
              .Case<ConvTranspose2dOp>(
                  [&](ConvTranspose2dOp c) -> FailureOr<DTensor> {
                    return convTranspose2d(in(0), in(1), c.getStride(),
                                           c.getPadding(),
                                           c.getOutputPadding());
                  })
              .Case<Conv2dWeightGradOp>(
                  [&](Conv2dWeightGradOp c) -> FailureOr<DTensor> {
                    return conv2dWeightGrad(in(0), in(1), c.getStride(),
                                            c.getPadding(), c.getKernelSize());
                  })
              .Case<ReshapeOp>([&](ReshapeOp rs) -> FailureOr<DTensor> {
                DTensor r = in(0);
                Index shape = resultShape();
                if (auto named = rs.getResultSymbols()) {
                  // Each symbolic dimension is its product of symbols.
                  for (auto [d, name] :
                       llvm::enumerate(named->getAsValueRange<StringAttr>())) {
                    if (name.empty())
                      continue;
                    auto p = DimProduct::parse(name);
                    if (!p)
                      return rs.emitError("interpreter: bad symbol ") << name;
                    shape[d] = p->coefficient;
                    for (StringRef sym : p->symbols) {
                      auto it = symbols.find(sym);
                      if (it == symbols.end())
                        return rs.emitError("interpreter: no argument binds ")
                               << sym;
                      shape[d] *= it->second;
                    }
                  }
                  r.shape = shape;
                  return r;
                }
                // Symbolic dimensions keep their sizes, in order.
                auto inType = rs.getInput().getType();
                size_t next = 0;
                for (int64_t &size : shape) {
                  if (!ShapedType::isDynamic(size))
                    continue;
                  while (!inType.isDynamicDim(next))
                    ++next;
                  size = r.shape[next++];
                }
                r.shape = shape;
                return r;
              })
              .Case<GatherOp>([&](GatherOp g) -> FailureOr<DTensor> {
                const DTensor &table = in(0), &idx = in(1);
                size_t axis = size_t(g.getAxis()), span = idx.shape.size();
                Index shape(table.shape.begin(), table.shape.begin() + axis);
                shape.insert(shape.end(), idx.shape.begin(), idx.shape.end());
                shape.insert(shape.end(), table.shape.begin() + axis + 1,
                             table.shape.end());
                DTensor r(shape);
                size_t k = 0;
                bool bad = false;
                forEach(shape, [&](const Index &at_) {
                  Index j(at_.begin() + axis, at_.begin() + axis + span);
                  int64_t row = int64_t(at(idx, j));
                  bad |= row < 0 || row >= table.shape[axis];
                  Index src(at_.begin(), at_.begin() + axis);
                  src.push_back(bad ? 0 : row);
                  src.insert(src.end(), at_.begin() + axis + span, at_.end());
                  r.data[k++] = at(table, src);
                });
                if (bad)
                  return g.emitError("interpreter: index out of range");
                return r;
              })
              .Case<ScatterAddOp>([&](ScatterAddOp sc) -> FailureOr<DTensor> {
                const DTensor &values = in(0), &idx = in(1);
                size_t axis = size_t(sc.getAxis()), span = idx.shape.size();
                Index shape(values.shape.begin(), values.shape.begin() + axis);
                shape.push_back(sc.getSize());
                shape.insert(shape.end(), values.shape.begin() + axis + span,
                             values.shape.end());
                DTensor r(shape);
                bool bad = false;
                forEach(values.shape, [&](const Index &at_) {
                  Index j(at_.begin() + axis, at_.begin() + axis + span);
                  int64_t row = int64_t(at(idx, j));
                  if (row < 0 || row >= sc.getSize()) {
                    bad = true;
                    return;
                  }
                  Index dst(at_.begin(), at_.begin() + axis);
                  dst.push_back(row);
                  dst.insert(dst.end(), at_.begin() + axis + span, at_.end());
                  r.data[flatIndex(r.shape, dst)] += at(values, at_);
                });
                if (bad)
                  return sc.emitError("interpreter: index out of range");
                return r;
              })
              .Case<OneHotOp>([&](OneHotOp oh) -> FailureOr<DTensor> {
                const DTensor &idx = in(0);
                Index shape = idx.shape;
                shape.push_back(oh.getClasses());
                DTensor r(shape);
                for (size_t i = 0; i < idx.data.size(); ++i) {
                  int64_t c = int64_t(idx.data[i]);
                  if (c < 0 || c >= oh.getClasses())
                    return oh.emitError("interpreter: index out of range");
                  r.data[i * size_t(oh.getClasses()) + size_t(c)] = 1;
                }
                return r;
              })
              .Case<WriteSliceOp>([&](WriteSliceOp ws) -> FailureOr<DTensor> {
                DTensor r = in(0);
                const DTensor &v = in(1);
                size_t axis = size_t(ws.getAxis());
                int64_t pos = int64_t(in(2).data[0]);
                if (pos < 0 || pos + v.shape[axis] > r.shape[axis])
                  return ws.emitError("interpreter: position out of range");
                size_t k = 0;
                forEach(v.shape, [&](const Index &idx) {
                  Index dst = idx;
                  dst[axis] += pos;
                  r.data[flatIndex(r.shape, dst)] = v.data[k++];
                });
                return r;
              })
              .Case<IotaOp>([&](IotaOp io) -> FailureOr<DTensor> {
                DTensor r(in(0).shape);
                size_t k = 0;
                forEach(r.shape, [&](const Index &idx) {
                  r.data[k++] = double(idx[size_t(io.getAxis())]);
                });
                return r;
              })
              .Case<ToFloatOp>(
                  [&](ToFloatOp) -> FailureOr<DTensor> { return in(0); })
              .Case<FloorToIntOp>([&](FloorToIntOp) -> FailureOr<DTensor> {
                DTensor r = in(0);
                for (double &v : r.data)
                  v = std::floor(v);
                return r;
              })
              .Case<PermuteOp>([&](PermuteOp pm) -> FailureOr<DTensor> {
                const DTensor &x = in(0);
                ArrayRef<int64_t> perm = pm.getPermutation();
                Index shape;
                for (int64_t p : perm)
                  shape.push_back(x.shape[p]);
                DTensor r(shape);
                size_t k = 0;
                Index src(perm.size());
                forEach(shape, [&](const Index &idx) {
                  for (size_t i = 0; i < perm.size(); ++i)
                    src[perm[i]] = idx[i];
                  r.data[k++] = at(x, src);
                });
                return r;
              })
              .Case<TransposeOp>([&](auto) -> FailureOr<DTensor> {
                const DTensor &a = in(0);
                DTensor r({a.shape[1], a.shape[0]});
                forEach(r.shape, [&](const Index &idx) {
                  r.data[size_t(idx[0] * r.shape[1] + idx[1])] =
                      at(a, {idx[1], idx[0]});
                });
                return r;
              })
              .Case<SliceOp>([&](SliceOp s) -> FailureOr<DTensor> {
                const DTensor &a = in(0);
                Index shape = a.shape;
                shape[s.getAxis()] = s.getSize();
                DTensor r(shape);
                size_t k = 0;
                forEach(shape, [&](const Index &idx) {
                  Index src = idx;
                  src[s.getAxis()] += s.getStart();
                  r.data[k++] = at(a, src);
                });
                return r;
              })
              .Case<PadOp>([&](PadOp p) -> FailureOr<DTensor> {
                const DTensor &a = in(0);
                Index shape = a.shape;
                int64_t axis = p.getAxis();
                shape[axis] += p.getBefore() + p.getAfter();
                DTensor r(shape);
                size_t k = 0;
                forEach(shape, [&](const Index &idx) {
                  Index src = idx;
                  src[axis] -= p.getBefore();
                  bool inside = src[axis] >= 0 && src[axis] < a.shape[axis];
                  r.data[k++] = inside ? at(a, src) : 0.0;
                });
                return r;
              })
              .Case<ConcatOp>([&](ConcatOp c) -> FailureOr<DTensor> {
                int64_t axis = c.getAxis();
                Index shape = in(0).shape;
                shape[axis] = 0;
                for (unsigned i = 0; i < op.getNumOperands(); ++i)
                  shape[axis] += in(i).shape[axis];
                DTensor r(shape);
                size_t k = 0;
                forEach(shape, [&](const Index &idx) {
                  Index src = idx;
                  unsigned i = 0;
                  while (src[axis] >= in(i).shape[axis])
                    src[axis] -= in(i++).shape[axis];
                  r.data[k++] = at(in(i), src);
                });
                return r;
              })
              .Case<BroadcastToOp>([&](auto) -> FailureOr<DTensor> {
                DTensor r(in(1).shape);
                size_t k = 0;
                forEach(r.shape, [&](const Index &idx) {
                  r.data[k++] = broadcastAt(in(0), idx);
                });
                return r;
              })
              // One process: the whole job (kiln-local-replicas).
              .Case<ReplicaSumOp>(
                  [&](auto) -> FailureOr<DTensor> { return in(0); })
              .Case<ReplicaCountOp>(
                  [&](auto) -> FailureOr<DTensor> { return DTensor({}, 1.0); })
              .Case<DimSizeOp>([&](DimSizeOp d) -> FailureOr<DTensor> {
                return DTensor({}, double(in(0).shape[d.getAxis()]));
              })
              .Case<RandomNormalOp>(
                  [&](RandomNormalOp r) -> FailureOr<DTensor> {
                    DTensor t(in(0).shape);
                    for (int64_t i = 0; i < t.numel(); ++i)
                      t.data[size_t(i)] = env.random(r.getStream(), i);
                    return t;
                  })
              .Case<RandomUniformOp>(
                  [&](RandomUniformOp r) -> FailureOr<DTensor> {
                    DTensor t(in(0).shape);
                    for (int64_t i = 0; i < t.numel(); ++i)
                      t.data[size_t(i)] = env.uniform(r.getStream(), i);
                    return t;
                  })
              .Case<FusedOp>([&](FusedOp f) -> FailureOr<DTensor> {
                for (auto [arg, v] :
                     llvm::zip(f.getBody().getArguments(), f.getInputs()))
                  values[arg] = values[v];
                auto out = run(f.getBody().front());
                if (failed(out))
                  return failure();
                if (out->size() != 1)
                  return f.emitError("interpreter: multi-result kernel");
                return (*out)[0];
              })
              .Case<ParamAssignOp>([&](ParamAssignOp a) -> FailureOr<DTensor> {
                assigned[a.getName().str()] = in(0);
                return DTensor();
              })
              .Case<GradientOp>(
                  [&](auto) -> FailureOr<DTensor> { return DTensor(); })
              .Default([&](Operation *other) -> FailureOr<DTensor> {
                return other->emitError("interpreter: cannot evaluate");
              });
      if (failed(result))
        return failure();
      if (op.getNumResults() == 1)
        values[op.getResult(0)] = std::move(*result);
    }
    return func.emitError("interpreter: block without terminator");
  };
  auto results = run(func.getBody().front());
  // Assignments take effect when the function ends (docs/ir.md).
  for (auto &[name, value] : assigned)
    env.params[name] = std::move(value);
  return results;
}

} // namespace kiln::interp
