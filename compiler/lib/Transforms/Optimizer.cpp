//===- Optimizer.cpp - optimizer updates as IR ----------------------------===//
//
// PyTorch's formulas (torch.optim, foreach=False), element by element:
//   SGD:   g += wd * w;  buf = momentum * buf + g;  w -= lr * buf
//   Adam:  g += wd * w;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
//          w -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
//   AdamW: w *= 1 - lr * wd, then Adam's step without the L2 term.
// t counts this entry point's calls; b^t is computed as exp(t * ln b).
// lr is read from the buffer parameter ENTRY.lr (initialised to the
// model's value), so a schedule changes it per step without recompiling;
// likewise a weight decay or clip_grad_norm the model gives (> 0) from
// ENTRY.weight_decay and ENTRY.clip_grad_norm, which `kiln train` sets. One
// the model does not give is compiled out, not read as 0: clipping costs a
// pass over every gradient.
// Weight decay skips parameters matching a `no_decay` glob ("*.bias"), and
// with clip_grad_norm > 0 every gradient is first scaled by
// min(1, clip / (||g|| + 1e-6)), ||g|| the norm of all of them together
// (torch.nn.utils.clip_grad_norm_).
// With ema = d > 0 the entry point also keeps an exponential moving average
// of every parameter it updates, the state tensor PARAM.ema: the new
// weights at its first call (t = 1), then ema = d ema + (1 - d) w; SGD gets
// the step counter ENTRY.step for it. ENTRY is the function's
// kiln.optimizer_of when it has one (an F_update of kiln-data-parallel).
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/Support/GlobPattern.h"

#include <cmath>

namespace kiln {
#define GEN_PASS_DEF_KILNOPTIMIZER
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

struct Config {
  std::string kind;
  double lr = 1e-3, momentum = 0, beta1 = 0.9, beta2 = 0.999, eps = 1e-8,
         weightDecay = 0, clipGradNorm = 0, ema = 0;
  std::vector<llvm::GlobPattern> noDecay;
};

FailureOr<Config> readConfig(func::FuncOp func) {
  auto dict = func->getAttrOfType<DictionaryAttr>("kiln.optimizer");
  if (!dict)
    return func.emitError("train entry point has no kiln.optimizer");
  Config c;
  auto kind = dict.getAs<StringAttr>("kind");
  if (!kind || (kind.getValue() != "sgd" && kind.getValue() != "adam" &&
                kind.getValue() != "adamw"))
    return func.emitError("kiln.optimizer kind must be sgd, adam or adamw");
  c.kind = kind.getValue().str();
  auto field = [&](StringRef name, double &out) -> LogicalResult {
    Attribute a = dict.get(name);
    if (!a)
      return success(); // the default
    auto f = dyn_cast<FloatAttr>(a);
    if (!f)
      return func.emitError()
             << "kiln.optimizer field '" << name << "' must be a float";
    out = f.getValueAsDouble();
    return success();
  };
  if (c.kind == "adamw")
    c.weightDecay = 1e-2;
  if (failed(field("lr", c.lr)) || failed(field("momentum", c.momentum)) ||
      failed(field("beta1", c.beta1)) || failed(field("beta2", c.beta2)) ||
      failed(field("eps", c.eps)) ||
      failed(field("weight_decay", c.weightDecay)) ||
      failed(field("clip_grad_norm", c.clipGradNorm)) ||
      failed(field("ema", c.ema)))
    return failure();
  if (Attribute a = dict.get("no_decay")) {
    auto list = dyn_cast<ArrayAttr>(a);
    if (!list)
      return func.emitError("kiln.optimizer no_decay must be a list of "
                            "globs");
    for (Attribute item : list) {
      auto glob = dyn_cast<StringAttr>(item);
      auto pattern =
          glob ? llvm::GlobPattern::create(glob.getValue())
               : llvm::Expected<llvm::GlobPattern>(llvm::createStringError(
                     llvm::inconvertibleErrorCode(), "not a string"));
      if (!pattern) {
        std::string why = llvm::toString(pattern.takeError());
        return func.emitError("kiln.optimizer no_decay: ")
               << item << ": " << why;
      }
      c.noDecay.push_back(std::move(*pattern));
    }
  }
  // Written so that NaN fails every test.
  if (!(c.lr >= 0 && c.momentum >= 0 && c.weightDecay >= 0 && c.eps >= 0 &&
        c.clipGradNorm >= 0 && c.beta1 >= 0 && c.beta1 < 1 && c.beta2 >= 0 &&
        c.beta2 < 1 && c.ema >= 0 && c.ema < 1) ||
      !std::isfinite(c.lr + c.momentum + c.weightDecay + c.eps +
                     c.clipGradNorm))
    return func.emitError("kiln.optimizer has an out-of-range value: ") << dict;
  return c;
}

class Updater {
public:
  Updater(func::FuncOp func, const Config &config)
      : func_(func), config_(config),
        module_(func->getParentOfType<ModuleOp>()), table_(module_),
        b_(func.getBody().front().getTerminator()) {}

  LogicalResult run() {
    SmallVector<GradientOp> grads(func_.getBody().front().getOps<GradientOp>());
    if (grads.empty())
      return success();
    loc_ = grads.front().getLoc();
    // After the last parameter: a parameter's index is its random stream
    // (rt::ParamStore), so the rate must not move the ones after it.
    auto scalarType = RankedTensorType::get({}, b_.getF32Type());
    Operation *lastParam = nullptr;
    for (ParameterOp p : module_.getOps<ParameterOp>())
      lastParam = p;
    auto lr = state(owner() + ".lr", scalarType, lastParam, ParamRole::buffer,
                    config_.lr);
    if (failed(lr))
      return failure();
    lr_ = read(*lr);
    Operation *lastBuffer = *lr;
    auto buffer = [&](const char *name, double value) -> FailureOr<Value> {
      auto p = state(owner() + name, scalarType, lastBuffer, ParamRole::buffer,
                     value);
      if (failed(p))
        return failure();
      lastBuffer = *p;
      return read(*p);
    };
    if (config_.weightDecay > 0) {
      FailureOr<Value> wd = buffer(".weight_decay", config_.weightDecay);
      if (failed(wd))
        return failure();
      weightDecay_ = *wd;
    }
    if (config_.clipGradNorm > 0) {
      FailureOr<Value> clip = buffer(".clip_grad_norm", config_.clipGradNorm);
      if (failed(clip))
        return failure();
      clipGradNorm_ = *clip;
    }
    if (config_.kind != "sgd" || config_.ema > 0)
      countStep();
    if (config_.kind != "sgd")
      biasCorrections();
    if (config_.ema > 0) // 0 at the first call: the average starts there
      emaDecay_ = mul(scalar(config_.ema),
                      b_.create<StepOp>(loc_, sub(step_, scalar(1.5))));
    if (clipGradNorm_)
      clipGradients(grads);
    for (GradientOp g : grads) {
      if (failed(update(g)))
        return failure();
      g.erase();
    }
    return success();
  }

private:
  Value scalar(double v) {
    auto type = RankedTensorType::get({}, b_.getF32Type());
    return b_.create<ConstantOp>(
        loc_, cast<ElementsAttr>(
                  DenseElementsAttr::get(type, static_cast<float>(v))));
  }
  Value mul(Value a, Value b) { return b_.create<MulOp>(loc_, a, b); }
  Value add(Value a, Value b) { return b_.create<AddOp>(loc_, a, b); }
  Value sub(Value a, Value b) { return b_.create<SubOp>(loc_, a, b); }
  Value div(Value a, Value b) { return b_.create<DivOp>(loc_, a, b); }

  /// A state tensor (zeros), or a buffer holding `value`, declared next to
  /// `after`.
  FailureOr<ParameterOp> state(const std::string &name, Type type,
                               Operation *after,
                               ParamRole role = ParamRole::state,
                               double value = 0) {
    if (auto existing = table_.lookup<ParameterOp>(name)) {
      if (existing.getRole() != role || existing.getType() != type)
        return func_.emitError() << "optimizer state '" << name
                                 << "' clashes with a parameter of that name";
      return existing;
    }
    OpBuilder mb(after);
    mb.setInsertionPointAfter(after);
    const bool zeros = role == ParamRole::state;
    auto p = mb.create<ParameterOp>(
        after->getLoc(), mb.getStringAttr(name), TypeAttr::get(type),
        InitKindAttr::get(mb.getContext(),
                          zeros ? InitKind::zeros : InitKind::constant),
        zeros ? mb.getDenseF64ArrayAttr({}) : mb.getDenseF64ArrayAttr({value}),
        ParamRoleAttr::get(mb.getContext(), role));
    table_.insert(p);
    return p;
  }

  /// g *= min(1, clip / (||g|| + 1e-6)) for every gradient, ||g|| over all.
  void clipGradients(SmallVectorImpl<GradientOp> &grads) {
    Value total;
    for (GradientOp g : grads) {
      Value sq = mul(g.getGrad(), g.getGrad());
      while (cast<RankedTensorType>(sq.getType()).getRank() > 0)
        sq = b_.create<ReduceSumOp>(loc_, sq, 0, false);
      total = total ? add(total, sq) : sq;
    }
    Value norm = b_.create<SqrtOp>(loc_, total);
    Value factor = b_.create<MinOp>(
        loc_, scalar(1), div(clipGradNorm_, add(norm, scalar(1e-6))));
    for (GradientOp g : grads)
      g.getGradMutable().assign(mul(g.getGrad(), factor));
  }

  /// Whose optimizer this is: the train entry point that
  /// kiln-data-parallel split this update from, else this one.
  std::string owner() {
    if (auto of = func_->getAttrOfType<StringAttr>("kiln.optimizer_of"))
      return of.getValue().str();
    return func_.getSymName().str();
  }

  Value read(ParameterOp p) {
    return b_.create<ParamRefOp>(loc_, p.getType(),
                                 FlatSymbolRefAttr::get(p.getSymNameAttr()));
  }
  void assign(ParameterOp p, Value v) {
    b_.create<ParamAssignOp>(loc_, FlatSymbolRefAttr::get(p.getSymNameAttr()),
                             v);
  }

  /// t += 1: this entry point's calls, counted in ENTRY.step.
  void countStep() {
    auto scalarType = RankedTensorType::get({}, b_.getF32Type());
    Operation *firstParam =
        (*module_.getOps<ParameterOp>().begin()).getOperation();
    auto step = state(owner() + ".step", scalarType, firstParam);
    step_ = add(read(*step), scalar(1));
    assign(*step, step_);
  }

  /// bc1 = 1 - b1^t; bc2 = 1 - b2^t.
  void biasCorrections() {
    bc1_ = oneMinusPower(config_.beta1, step_);
    sqrtBc2_ = b_.create<SqrtOp>(loc_, oneMinusPower(config_.beta2, step_));
  }

  /// 1 - beta^t in float32. 1 - exp(x) with x = t log(beta) cancels (beta2
  /// = 0.999: every update was scaled by 1 - 7e-6 at t = 1, measured against
  /// PyTorch, which works in double), so while beta^t > 1/2 it is
  /// -expm1(x) by Kahan's (u - 1) x / log(u), u = exp(x), accurate to a few
  /// ulps; below, 1 - u does not cancel (and u may underflow to 0, where
  /// Kahan's form is 0). u != 1 holds for every beta below 1 - 1e-6.
  Value oneMinusPower(double beta, Value t) {
    if (beta == 0)
      return scalar(1);
    Value x = mul(t, scalar(std::log(beta)));
    Value u = b_.create<ExpOp>(loc_, x);
    Value plain = sub(scalar(1), u);
    if (1.0 - beta < 1e-6)
      return plain;
    Value kahan = b_.create<NegOp>(
        loc_, div(mul(sub(u, scalar(1)), x), b_.create<LogOp>(loc_, u)));
    Value near = b_.create<StepOp>(loc_, sub(u, scalar(0.5)));
    return add(mul(near, kahan), mul(sub(scalar(1), near), plain));
  }

  /// The parameter's new value, and its moving average when kept.
  LogicalResult update(GradientOp grad) {
    auto param = table_.lookup<ParameterOp>(grad.getName());
    if (!param)
      return grad.emitError("gradient of an unknown parameter");
    FailureOr<Value> next = step(param, grad.getGrad());
    if (failed(next))
      return failure();
    assign(param, *next);
    if (config_.ema == 0)
      return success();
    auto ema = state(param.getSymName().str() + ".ema", param.getType(), param);
    if (failed(ema))
      return failure();
    assign(*ema, add(mul(emaDecay_, read(*ema)),
                     mul(sub(scalar(1), emaDecay_), *next)));
    return success();
  }

  /// The optimizer's step: the parameter's next value.
  FailureOr<Value> step(ParameterOp param, Value g) {
    if (!cast<RankedTensorType>(param.getType()).getElementType().isF32())
      return param.emitError("optimizers update f32 parameters only");
    std::string name = param.getSymName().str();
    Value w = read(param);
    // Null for none.
    Value wd = weightDecay_;
    if (llvm::any_of(config_.noDecay,
                     [&](const llvm::GlobPattern &p) { return p.match(name); }))
      wd = nullptr;
    if (config_.kind == "sgd") {
      if (wd)
        g = add(g, mul(wd, w));
      if (config_.momentum != 0) {
        auto buf = state(name + ".momentum_buffer", param.getType(), param);
        if (failed(buf))
          return failure();
        g = add(mul(scalar(config_.momentum), read(*buf)), g);
        assign(*buf, g);
      }
      return sub(w, mul(lr_, g));
    }
    if (config_.kind == "adam" && wd)
      g = add(g, mul(wd, w));
    if (config_.kind == "adamw" && wd)
      w = mul(w, sub(scalar(1), mul(lr_, wd)));
    auto m = state(name + ".exp_avg", param.getType(), param);
    if (failed(m))
      return failure();
    auto v = state(name + ".exp_avg_sq", param.getType(), *m);
    if (failed(v))
      return failure();
    Value m1 = add(mul(scalar(config_.beta1), read(*m)),
                   mul(scalar(1 - config_.beta1), g));
    Value v1 = add(mul(scalar(config_.beta2), read(*v)),
                   mul(scalar(1 - config_.beta2), mul(g, g)));
    assign(*m, m1);
    assign(*v, v1);
    Value denom =
        add(div(b_.create<SqrtOp>(loc_, v1), sqrtBc2_), scalar(config_.eps));
    Value stepSize = div(lr_, bc1_);
    return sub(w, mul(stepSize, div(m1, denom)));
  }

  func::FuncOp func_;
  Config config_;
  ModuleOp module_;
  SymbolTable table_;
  OpBuilder b_;
  Location loc_ = UnknownLoc::get(func_.getContext());
  Value lr_, weightDecay_, clipGradNorm_, step_, bc1_, sqrtBc2_, emaDecay_;
};

struct OptimizerPass : kiln::impl::KilnOptimizerBase<OptimizerPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.getBody().front().getOps<GradientOp>().empty())
        continue;
      auto config = readConfig(func);
      if (failed(config) || failed(Updater(func, *config).run()))
        return signalPassFailure();
    }
  }
};

} // namespace
