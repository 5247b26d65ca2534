//===- HalideEmitter.cpp - one Halide generator per kernel ----------------===//
//
// The algorithm of each kiln.fused kernel is written out op by op as Halide
// Funcs (one Func per op, which Halide inlines unless a schedule says
// otherwise); the schedule is a call into the hand schedule library
// (compiler/halide/include/kiln/halide/kernel_support.h) chosen by the
// kernel's anchor, so algorithm and schedule stay apart as in Halide's apps.
//
// Halide's dimension 0 is the innermost, so a tensor [M, K] is indexed
// f(k, m): the tensor dimension i of a rank-R value is the Var d{R-1-i}.
//
//===----------------------------------------------------------------------===//

#include "EmitCommon.h"
#include "kiln/Emit/Emitters.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"

#include <array>
#include <map>
#include <numeric>
#include <optional>

using namespace mlir;

namespace kiln {
namespace {

using Index = std::vector<std::string>; // tensor order

/// Reductions over a static axis at most this long become pointwise sums.
constexpr int64_t kUnrollReduction = 4;

using llvm::join;

/// A reduction whose only user reduces it further (emitReduce): the
/// chain's input, the axes of it reduced so far, and which of its axes
/// each dimension of the value is.
struct PendingReduction {
  Value source;
  std::vector<int64_t> axes;
  std::vector<int64_t> dimsOf;
};

class KernelEmitter {
public:
  KernelEmitter(FusedOp fused, SymbolicShapes &shapes,
                const EmitOptions &options, llvm::raw_ostream &os)
      : fused_(fused), shapes_(shapes), schedule_(options.schedule),
        convAlgorithm_(options.convAlgorithm), os_(os),
        elemType_(computeType(fused)),
        elem_(elemType_.isF32() ? "float" : "double") {}

  /// The kernel's float type: its first float result's, else its first
  /// float input's (a kernel may only produce indices), else f32.
  static Type computeType(FusedOp fused) {
    auto isFloat = [](Value v) {
      return isa<FloatType>(
          cast<RankedTensorType>(v.getType()).getElementType());
    };
    for (Value v : fused.getResults())
      if (isFloat(v))
        return cast<RankedTensorType>(v.getType()).getElementType();
    for (Value v : fused.getInputs())
      if (isFloat(v))
        return cast<RankedTensorType>(v.getType()).getElementType();
    return Float32Type::get(fused.getContext());
  }

  LogicalResult emit() {
    symbolArgs_ = emit::kernelSymbolArgs(fused_, shapes_);
    Block &body = fused_.getBody().front();
    for (auto [i, arg] : llvm::enumerate(body.getArguments()))
      names_[arg] = "in" + std::to_string(i);
    lseKernel_ = isLogSumExpKernel(body.getTerminator()->getOperands());

    // Algorithm first, into a buffer: it decides which members exist.
    std::string algo;
    llvm::raw_string_ostream a(algo);
    for (Operation &op : body.without_terminator())
      if (failed(emitOp(op, a)))
        return failure();
    auto yield = cast<YieldOp>(body.getTerminator());
    auto outputs = yield.getValues();
    int64_t outRank = rank(outputs[0]);
    const bool oneDomain = llvm::all_of(
        outputs, [&](Value v) { return shape(v) == shape(outputs[0]); });
    if (!oneDomain && !lseKernel_)
      return fused_.emitError("kernel outputs of different shapes: only an "
                              "attention and its log-sum-exp may share one");
    if (!oneDomain) {
      // Each output over its own domain; the second's is the first's outer
      // dimensions, indexed by the first's outer Vars so that the schedule
      // can compute both in one loop nest (compute_with).
      for (auto [i, v] : llvm::enumerate(outputs)) {
        Index t = tvars(outRank);
        t.resize(rank(v));
        a << "    out" << i << "(" << outerVars(outRank, rank(v))
          << ") = " << call(v, t) << ";\n";
      }
    } else if (outputs.size() == 1) {
      a << "    out0(" << vars(outRank)
        << ") = " << call(outputs[0], tvars(outRank)) << ";\n";
    } else {
      // Several outputs of one domain: one Tuple, computed in one loop nest.
      std::vector<std::string> values;
      for (Value v : outputs)
        values.push_back(call(v, tvars(outRank)));
      a << "    out0(" << vars(outRank) << ") = Tuple(" << join(values, ", ")
        << ");\n";
    }

    std::string cls = "Kernel_" + fused_.getKernel().str();
    os_ << "// " << fused_.getKernel() << ":";
    for (Operation &op : body.without_terminator()) {
      if (isa<ConstantOp>(op))
        continue;
      os_ << " " << op.getName().stripDialect();
      std::string where = emit::sourceLine(&op);
      if (!where.empty())
        os_ << " (" << where << ")";
    }
    os_ << "\nclass " << cls << " : public Halide::Generator<" << cls
        << "> {\npublic:\n";
    for (auto [i, arg] : llvm::enumerate(body.getArguments()))
      os_ << "  Input<Buffer<" << emit::cppElementType(arg.getType()) << ">> in"
          << i << "{\"in" << i << "\", " << rank(arg) << "}; // "
          << describe(arg) << "\n";
    for (const std::string &sym : symbolArgs_)
      os_ << "  Input<int32_t> sym_" << emit::identifier(sym) << "{\"sym_"
          << emit::identifier(sym) << "\"}; // no input has it\n";
    if (usesRandom_)
      os_ << "  // The session's seed, the entry point's call number, and the\n"
          << "  // process's share of a data-parallel batch.\n"
          << "  Input<uint32_t> seed_lo{\"seed_lo\"}, seed_hi{\"seed_hi\"}, "
             "counter{\"counter\"}, shard{\"shard\"};\n";
    if (!oneDomain) {
      for (auto [i, v] : llvm::enumerate(outputs))
        os_ << "  Output<Buffer<" << emit::cppElementType(v.getType())
            << ">> out" << i << "{\"out" << i << "\", " << rank(v) << "}; // "
            << describe(v) << "\n";
    } else if (outputs.size() == 1) {
      os_ << "  Output<Buffer<" << emit::cppElementType(outputs[0].getType())
          << ">> out0{\"out0\", " << outRank << "}; // " << describe(outputs[0])
          << "\n";
    } else {
      std::vector<std::string> types;
      for (Value v : outputs) {
        Type t = cast<RankedTensorType>(v.getType()).getElementType();
        types.push_back(t.isInteger(32) ? "Int(32)"
                        : t.isF32()     ? "Float(32)"
                                        : "Float(64)");
      }
      os_ << "  Output<Buffer<>> out0{\"out0\", {" << join(types, ", ") << "}, "
          << outRank << "}; // " << outputs.size() << " x "
          << describe(outputs[0]) << "\n";
    }
    if (maxRank_ > 0) {
      os_ << "  Var";
      for (int64_t d = 0; d < maxRank_; ++d)
        os_ << (d ? ", " : " ") << "d" << d << "{\"d" << d << "\"}";
      os_ << ";\n";
    }
    for (const std::string &m : members_)
      os_ << "  " << m << ";\n";
    os_ << "\n  void generate() {\n";
    // Static extents as constraints: Halide folds them into the code and
    // drops specializations that cannot apply (half the compile time of a
    // matmul kernel, and the GEMV path for small static row counts).
    for (auto [i, arg] : llvm::enumerate(body.getArguments()))
      if (rank(arg) > 0)
        os_ << "    kiln::halide::constrain_shape(in" << i << ", "
            << constraints(arg) << ");\n";
    for (const auto &[sym, expr] : symbolDefs_)
      os_ << "    Expr " << sym << " = " << expr << ";\n";
    os_ << algo;
    if (!oneDomain) {
      for (auto [i, v] : llvm::enumerate(outputs))
        os_ << "    kiln::halide::constrain_shape(out" << i << ", "
            << constraints(v) << ");\n";
    } else if (outRank > 0) {
      os_ << "    kiln::halide::constrain_"
          << (outputs.size() == 1 ? "shape" : "tuple_shape") << "(out0, "
          << constraints(outputs[0]) << ");\n";
    }
    os_ << "  }\n\n  void schedule() {\n";
    for (auto [i, arg] : llvm::enumerate(body.getArguments()))
      os_ << "    kiln::halide::set_estimates(in" << i << ", " << estimates(arg)
          << ");\n";
    for (auto [i, v] :
         llvm::enumerate(oneDomain ? outputs.take_front(1) : outputs))
      os_ << "    kiln::halide::set_estimates(out" << i << ", " << estimates(v)
          << ");\n";
    for (const std::string &sym : symbolArgs_)
      os_ << "    sym_" << emit::identifier(sym)
          << ".set_estimate(kiln::halide::kSymbolEstimate);\n";
    // The autoschedulers need an estimate for every input, scalars too.
    if (usesRandom_)
      os_ << "    seed_lo.set_estimate(0);\n    seed_hi.set_estimate(0);\n"
             "    counter.set_estimate(0);\n    shard.set_estimate(0);\n";
    os_ << "    if (auto_schedule)\n      return;\n";
    emitSchedule(yield);
    os_ << "  }\n};\nHALIDE_REGISTER_GENERATOR(" << cls << ", "
        << fused_.getKernel() << ")\n";
    if (emit::needsFallback(fused_, schedule_))
      os_ << "// Hand-scheduled twin for sizes below the estimates.\n"
          << "HALIDE_REGISTER_GENERATOR(" << cls << ", " << fused_.getKernel()
          << emit::kFallbackSuffix << ")\n";
    os_ << "\n";
    return success();
  }

private:
  static int64_t rank(Value v) {
    return cast<RankedTensorType>(v.getType()).getRank();
  }
  static ArrayRef<int64_t> shape(Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  }

  /// The kernel computes an attention and, as its second output, the
  /// log-sum-exp of the same scores (kiln-fuse puts them together).
  static bool isLogSumExpKernel(ValueRange outputs) {
    if (outputs.size() != 2)
      return false;
    auto att = outputs[0].getDefiningOp<AttentionOp>();
    auto lse = outputs[1].getDefiningOp<AttentionLseOp>();
    return att && lse && lse.isStatisticOf(att);
  }

  /// The last r of the Vars of a rank-R result, in Halide order: its outer
  /// dimensions ("d1, d2" for r = 2, R = 3).
  std::string outerVars(int64_t R, int64_t r) {
    maxRank_ = std::max(maxRank_, R);
    std::vector<std::string> v;
    for (int64_t d = R - r; d < R; ++d)
      v.push_back("d" + std::to_string(d));
    return join(v, ", ");
  }

  /// Whether a pointwise read of `v` clamps its indices to the input's
  /// bounds when an autoscheduler schedules the kernel. Adams2019
  /// vectorizes some Funcs past an extent of 8 with 16 lanes shifted
  /// inwards, so they read before the input's start ("Input buffer in0 is
  /// accessed at -8"); those lanes are discarded, so the clamp is exact.
  /// The clamp is in the index, not a Func the autoscheduler could stage
  /// (a repeat_edge Func staged for a matmul's operands computed wrong
  /// scores); inputs handed whole to a library function (operandFunc,
  /// matmulOperand's own operand, convolutions, reductions) are read as
  /// they are.
  bool readsClamped(Value v) {
    auto arg = dyn_cast<BlockArgument>(v);
    return arg && arg.getOwner() == &fused_.getBody().front() &&
           schedule_ != Schedule::heuristic && rank(v) > 0;
  }

  /// "d0, d1" for rank 2: Halide order, innermost first.
  std::string vars(int64_t r) {
    maxRank_ = std::max(maxRank_, r);
    std::vector<std::string> v;
    for (int64_t d = 0; d < r; ++d)
      v.push_back("d" + std::to_string(d));
    return join(v, ", ");
  }
  /// Tensor-order variables of a rank-r result: {"d{r-1}", ..., "d0"}.
  Index tvars(int64_t r) {
    maxRank_ = std::max(maxRank_, r);
    Index t;
    for (int64_t i = 0; i < r; ++i)
      t.push_back("d" + std::to_string(r - 1 - i));
    return t;
  }

  std::string describe(Value v) {
    auto type = cast<RankedTensorType>(v.getType());
    auto syms = shapes_.get(v);
    std::vector<std::string> dims;
    for (int64_t d = 0; d < type.getRank(); ++d)
      dims.push_back(type.isDynamicDim(d) && succeeded(syms)
                         ? (*syms)[d].str()
                         : std::to_string(type.getDimSize(d)));
    return "[" + join(dims, ", ") + "]";
  }

  std::string estimates(Value v) {
    auto type = cast<RankedTensorType>(v.getType());
    std::vector<std::string> e;
    for (int64_t d = type.getRank() - 1; d >= 0; --d)
      e.push_back(type.isDynamicDim(d) ? "kiln::halide::kSymbolEstimate"
                                       : std::to_string(type.getDimSize(d)));
    return "{" + join(e, ", ") + "}";
  }

  /// Static extents in Halide order, kDynamic for symbolic ones.
  std::string constraints(Value v) {
    auto type = cast<RankedTensorType>(v.getType());
    std::vector<std::string> e;
    for (int64_t d = type.getRank() - 1; d >= 0; --d)
      e.push_back(type.isDynamicDim(d) ? "kiln::halide::kDynamic"
                                       : std::to_string(type.getDimSize(d)));
    return "{" + join(e, ", ") + "}";
  }

  std::string literal(double value) {
    return formula::detail::literal(value, elemType_.isF32()).text;
  }

  /// The expected size of a symbolic dimension d of v, as a C++ int
  /// expression: kSymbolEstimate per symbol, times the static coefficient
  /// ("128*batch": 128 * kSymbolEstimate); "" for a static dimension. A
  /// scheduling hint (kiln::halide::matmul's k_estimate).
  FailureOr<std::string> symbolicEstimate(Value v, int64_t d) {
    auto type = cast<RankedTensorType>(v.getType());
    if (!type.isDynamicDim(d))
      return std::string();
    auto syms = shapes_.get(v);
    if (failed(syms))
      return failure();
    auto product = DimProduct::parse((*syms)[d]);
    if (!product)
      return std::string();
    std::vector<std::string> factors;
    if (product->coefficient != 1)
      factors.push_back(std::to_string(product->coefficient));
    factors.resize(factors.size() + product->symbols.size(),
                   "kiln::halide::kSymbolEstimate");
    return join(factors, " * ");
  }

  /// The extent of tensor dimension d of v, as a C++ Expr.
  FailureOr<std::string> extent(Value v, int64_t d) {
    auto type = cast<RankedTensorType>(v.getType());
    if (!type.isDynamicDim(d))
      return std::to_string(type.getDimSize(d));
    auto syms = shapes_.get(v);
    if (failed(syms))
      return failure();
    return symbol((*syms)[d]);
  }

  /// A local Expr bound to a symbolic dimension's size: read off the first
  /// input that has a dimension of that size, else (a product of symbols,
  /// "128*batch*seq") made from its factors, else the kernel's scalar
  /// argument for it.
  FailureOr<std::string> symbol(StringRef sym) {
    if (auto name = findSymbol(sym))
      return *name;
    return fused_.emitError() << "kernel " << fused_.getKernel()
                              << " has no input of symbolic size '" << sym
                              << "' and does not take it as an argument";
  }

  std::optional<std::string> findSymbol(StringRef sym) {
    std::string name = "sym_" + emit::identifier(sym);
    if (symbolDefs_.count(name))
      return name;
    for (auto [i, arg] : llvm::enumerate(fused_.getBody().getArguments())) {
      auto syms = shapes_.get(arg);
      if (failed(syms))
        continue;
      for (auto [d, s] : llvm::enumerate(*syms))
        if (s == sym) {
          symbolDefs_[name] = "in" + std::to_string(i) + ".dim(" +
                              std::to_string(rank(arg) - 1 - d) + ").extent()";
          return name;
        }
    }
    auto product = DimProduct::parse(sym);
    if (product && (product->coefficient != 1 || product->symbols.size() > 1)) {
      std::string expr = std::to_string(product->coefficient);
      bool all = true;
      for (StringRef factor : product->symbols) {
        auto f = findSymbol(factor);
        all = all && f;
        if (f)
          expr += " * " + *f;
      }
      if (all) {
        symbolDefs_[name] = expr;
        return name;
      }
    }
    // A kernel argument of its own (emit::kernelSymbolArgs).
    if (llvm::is_contained(symbolArgs_, sym.str()))
      return "Expr(" + name + ")";
    return std::nullopt;
  }

  /// A call of value v at tensor-order index idx.
  std::string call(Value v, const Index &idx) {
    auto lit = literals_.find(v);
    if (lit != literals_.end())
      return lit->second;
    Index rev(idx.rbegin(), idx.rend());
    if (readsClamped(v))
      return "kiln::halide::read_input(" + names_.lookup(v) +
             ", auto_schedule, {" + join(rev, ", ") + "})";
    return names_.lookup(v) + "(" + join(rev, ", ") + ")";
  }

  /// Index into `operand` for a result index under NumPy broadcasting.
  Index broadcastIndex(Value operand, Value result, const Index &idx) {
    auto ot = cast<RankedTensorType>(operand.getType());
    auto rt = cast<RankedTensorType>(result.getType());
    Index out;
    int64_t shift = rt.getRank() - ot.getRank();
    for (int64_t j = 0; j < ot.getRank(); ++j)
      out.push_back(ot.getDimSize(j) == 1 && rt.getDimSize(j + shift) != 1
                        ? "0"
                        : idx[j + shift]);
    return out;
  }

  std::string define(Value v, llvm::raw_ostream &a) {
    std::string name = "v" + std::to_string(next_++);
    members_.push_back("Func " + name + "{\"" + name + "\"}");
    names_[v] = name;
    a << "    " << name << "(" << vars(rank(v)) << ") = ";
    return name;
  }

  LogicalResult emitOp(Operation &op, llvm::raw_ostream &a) {
    if (auto c = dyn_cast<ConstantOp>(op)) {
      auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
      if (!dense)
        return op.emitError("only dense constants are supported in kernels");
      if (dense.isSplat()) {
        literals_[c.getResult()] =
            literal(dense.getSplatValue<APFloat>().convertToDouble());
        return success();
      }
      return emitTable(c.getResult(), dense, a);
    }
    Value result = op.getResult(0);
    Index t = tvars(rank(result));
    // Every op with a formula (KilnOps.td), under NumPy broadcasting.
    if (auto pointwise = dyn_cast<PointwiseOpInterface>(op)) {
      std::vector<std::string> operands;
      for (Value v : op.getOperands())
        operands.push_back(call(v, broadcastIndex(v, result, t)));
      define(result, a);
      a << pointwise.emitHalide(operands, elemType_.isF32()) << ";\n";
      return success();
    }
    return llvm::TypeSwitch<Operation *, LogicalResult>(&op)
        .Case<BroadcastToOp>([&](BroadcastToOp bc) {
          std::string x =
              call(bc.getInput(), broadcastIndex(bc.getInput(), result, t));
          define(result, a);
          a << x << ";\n";
          return success();
        })
        .Case<DimSizeOp>([&](DimSizeOp ds) -> LogicalResult {
          auto n = extent(ds.getInput(), ds.getAxis());
          if (failed(n))
            return failure();
          literals_[result] = "cast<" + elem_ + ">(" + *n + ")";
          return success();
        })
        .Case<PadOp>([&](PadOp pad) { return emitPad(pad, a); })
        .Case<RandomNormalOp>([&](RandomNormalOp rn) {
          return emitRandom(rn.getResult(), "random_normal", rn.getStream(), a);
        })
        .Case<RandomUniformOp>([&](RandomUniformOp ru) {
          return emitRandom(ru.getResult(), "random_uniform", ru.getStream(),
                            a);
        })
        .Case<MatmulOp>([&](MatmulOp mm) { return emitMatmul(mm, a); })
        .Case<AttentionOp>([&](AttentionOp att) {
          return emitAttention(
              att, "Output",
              {att.getQ(), att.getK(), att.getV(), att.getMask(), {}, {}, {}},
              att.getScale().convertToDouble(), att.getCausal(), a);
        })
        .Case<AttentionLseOp>([&](AttentionLseOp att) -> LogicalResult {
          // The log-sum-exp of the kernel's attention: its statistics.
          if (auto forward = dyn_cast_or_null<AttentionOp>(anchor_);
              forward && att.isStatisticOf(forward)) {
            if (!lseKernel_)
              return att.emitError("the log-sum-exp of the kernel's "
                                   "attention must be its second output, "
                                   "the attention's result its first");
            define(att.getResult(), a);
            a << "kiln::halide::attention_log_sum_exp(" << anchorName_
              << ", get_target())(" << vars(rank(att.getResult())) << ");\n";
            return success();
          }
          return emitAttention(
              att, "LogSumExp",
              {att.getQ(), att.getK(), {}, att.getMask(), {}, {}, {}},
              att.getScale().convertToDouble(), att.getCausal(), a);
        })
        .Case<AttentionGradOp>([&](AttentionGradOp att) -> LogicalResult {
          // dk and dv of one kernel (kiln-fuse pairs them): elements 0 and
          // 1 of one GradKeyValue part.
          const int element = att.getWrt() == AttentionOperand::key ? 0 : 1;
          if (pairedGrad(att)) {
            if (auto first = dyn_cast_or_null<AttentionGradOp>(anchor_);
                first && first.pairsWith(att)) {
              define(att.getResult(), a);
              a << anchorName_ << ".result(" << vars(rank(att.getResult()))
                << ")[" << element << "];\n";
              return success();
            }
            return emitAttention(
                att, "GradKeyValue",
                {att.getQ(), att.getK(), att.getV(), att.getMask(),
                 att.getGrad(), att.getLse(), att.getDelta()},
                att.getScale().convertToDouble(), att.getCausal(), a, element);
          }
          const char *part =
              att.getWrt() == AttentionOperand::query ? "GradQuery"
              : att.getWrt() == AttentionOperand::key ? "GradKey"
                                                      : "GradValue";
          return emitAttention(
              att, part,
              {att.getQ(), att.getK(), att.getV(), att.getMask(), att.getGrad(),
               att.getLse(), att.getDelta()},
              att.getScale().convertToDouble(), att.getCausal(), a);
        })
        .Case<CrossEntropyOp>([&](CrossEntropyOp ce) {
          return emitCrossEntropy(ce, "Loss", ce.getLogits(), ce.getTargets(),
                                  {}, a);
        })
        .Case<CrossEntropyGradOp>([&](CrossEntropyGradOp ce) {
          return emitCrossEntropy(ce, "Grad", ce.getLogits(), ce.getTargets(),
                                  ce.getGrad(), a);
        })
        .Case<NormalizeOp>([&](NormalizeOp n) {
          return emitNormalize(n, "Output", n.getInput(), {},
                               n.getEps().convertToDouble(), a);
        })
        .Case<NormalizeGradOp>([&](NormalizeGradOp n) {
          return emitNormalize(n, "Grad", n.getInput(), n.getGrad(),
                               n.getEps().convertToDouble(), a);
        })
        .Case<Conv2dOp>([&](Conv2dOp c) {
          auto w = c.getWeight().getType();
          return emitConv(c, "conv2d", c.getInput(), c.getWeight(),
                          w.getDimSize(0), w.getDimSize(2), w.getDimSize(3),
                          c.getStride(), c.getPadding(), {0, 0}, a);
        })
        .Case<ConvTranspose2dOp>([&](ConvTranspose2dOp c) {
          auto w = c.getWeight().getType();
          return emitConv(c, "conv_transpose2d", c.getInput(), c.getWeight(),
                          w.getDimSize(1), w.getDimSize(2), w.getDimSize(3),
                          c.getStride(), c.getPadding(), c.getOutputPadding(),
                          a);
        })
        .Case<Conv2dWeightGradOp>([&](Conv2dWeightGradOp c) {
          auto k = c.getKernelSize();
          return emitConv(c, "conv2d_weight_grad", c.getInput(), c.getGrad(),
                          c.getGrad().getType().getDimSize(1), k[0], k[1],
                          c.getStride(), c.getPadding(), {0, 0}, a);
        })
        .Case<ReduceSumOp, ReduceMeanOp, ReduceMaxOp>(
            [&](auto red) { return emitReduce(red, red.getAxis(), a); })
        .Case<ReshapeOp>([&](ReshapeOp rs) { return emitReshape(rs, a); })
        .Case<ConcatOp>([&](ConcatOp cat) { return emitConcat(cat, a); })
        .Case<SliceOp>([&](SliceOp s) {
          Index in = t;
          in[s.getAxis()] =
              t[s.getAxis()] + " + " + std::to_string(s.getStart());
          std::string x = call(s.getInput(), in);
          define(result, a);
          a << x << ";\n";
          return success();
        })
        .Case<GatherOp>([&](GatherOp g) {
          int64_t axis = g.getAxis(), span = rank(g.getIndices());
          Index at(t.begin() + axis, t.begin() + axis + span);
          std::string row =
              "kiln::halide::checked_index(" + call(g.getIndices(), at) + ", " +
              std::to_string(g.getTable().getType().getDimSize(axis)) +
              ", \"kiln.gather\", get_target())";
          Index in(t.begin(), t.begin() + axis);
          in.push_back(row);
          in.insert(in.end(), t.begin() + axis + span, t.end());
          std::string x = call(g.getTable(), in);
          define(result, a);
          a << x << ";\n";
          return success();
        })
        .Case<OneHotOp>([&](OneHotOp oh) {
          Index at(t.begin(), t.end() - 1);
          std::string c = "kiln::halide::checked_index(" +
                          call(oh.getIndices(), at) + ", " +
                          std::to_string(oh.getClasses()) +
                          ", \"kiln.one_hot\", get_target())";
          define(result, a);
          a << "select(" << c << " == " << t.back() << ", " << literal(1)
            << ", " << literal(0) << ");\n";
          return success();
        })
        .Case<IotaOp>([&](IotaOp io) {
          define(result, a);
          a << "cast<" << elem_ << ">(" << t[io.getAxis()] << ");\n";
          return success();
        })
        .Case<ToFloatOp>([&](ToFloatOp tf) {
          std::string x = call(tf.getInput(), t);
          define(result, a);
          a << "cast<" << elem_ << ">(" << x << ");\n";
          return success();
        })
        .Case<FloorToIntOp>([&](FloorToIntOp fl) {
          std::string x = call(fl.getInput(), t);
          define(result, a);
          a << "cast<int32_t>(floor(" << x << "));\n";
          return success();
        })
        .Case<ScatterAddOp>(
            [&](ScatterAddOp sc) { return emitScatterAdd(sc, a); })
        .Case<PermuteOp>([&](PermuteOp pm) {
          ArrayRef<int64_t> perm = pm.getPermutation();
          Index in(perm.size());
          for (size_t i = 0; i < perm.size(); ++i)
            in[perm[i]] = t[i];
          std::string x = call(pm.getInput(), in);
          define(result, a);
          a << x << ";\n";
          return success();
        })
        .Case<TransposeOp>([&](TransposeOp tr) {
          std::string x = call(tr.getInput(), {t[1], t[0]});
          define(result, a);
          a << x << ";\n";
          return success();
        })
        .Default([&](Operation *other) {
          return other->emitError("cannot be emitted as Halide");
        });
  }

  /// A constant of several values (a schedule table, a small matrix): a
  /// Buffer the generator fills, which Halide compiles into the kernel as
  /// read-only data; it is read like any value.
  LogicalResult emitTable(Value result, DenseElementsAttr dense,
                          llvm::raw_ostream &a) {
    auto type = cast<RankedTensorType>(result.getType());
    std::string name = "table" + std::to_string(next_++);
    members_.push_back("Buffer<" + elem_ + "> " + name);
    std::vector<std::string> extents, values;
    for (int64_t d = type.getRank() - 1; d >= 0; --d)
      extents.push_back(std::to_string(type.getDimSize(d)));
    // Exact hexadecimal literals of the element type.
    const bool f32 = elemType_.isF32();
    for (APFloat v : dense.getValues<APFloat>()) {
      double x = v.convertToDouble();
      if (f32)
        x = static_cast<float>(x);
      std::string text;
      llvm::raw_string_ostream os(text);
      os << llvm::format("%a", x) << (f32 ? "f" : "");
      values.push_back(os.str());
    }
    // Halide's dimension 0 is the innermost, so row-major values fill the
    // buffer in memory order.
    a << "    " << name << " = Buffer<" << elem_ << ">(std::vector<int>{"
      << join(extents, ", ") << "});\n    {\n      const " << elem_
      << " values[] = {" << join(values, ", ") << "};\n      std::copy("
      << "std::begin(values), std::end(values), " << name << ".data());\n"
      << "    }\n";
    names_[result] = name;
    return success();
  }

  LogicalResult emitMatmul(MatmulOp mm, llvm::raw_ostream &a) {
    if (anchor_)
      return mm.emitError("a kernel may hold only one contraction");
    const int64_t kDim = rank(mm.getA()) - (mm.getTransposeA() ? 2 : 1);
    auto k = extent(mm.getA(), kDim);
    auto kEstimate = symbolicEstimate(mm.getA(), kDim);
    if (failed(k) || failed(kEstimate))
      return failure();
    std::string lhs = matmulOperand(mm.getA(), mm.getResult(), a);
    std::string rhs = matmulOperand(mm.getB(), mm.getResult(), a);
    std::string m = "mm" + std::to_string(next_);
    members_.push_back("kiln::halide::Matmul " + m);
    a << "    " << m << " = kiln::halide::matmul(" << lhs << ", " << rhs << ", "
      << *k << ", {.transpose_a = " << (mm.getTransposeA() ? "true" : "false")
      << ", .transpose_b = " << (mm.getTransposeB() ? "true" : "false") << "}"
      << (kEstimate->empty() ? "" : ", " + *kEstimate) << ");\n";
    define(mm.getResult(), a);
    a << m << ".result(" << vars(rank(mm.getResult())) << ");\n";
    anchor_ = mm;
    anchorName_ = m;
    return success();
  }

  /// The operands of an attention op, in kiln::halide::AttentionInputs'
  /// order (q, k, v, mask, dO, lse, delta); null where the op has none.
  using AttentionOperands = std::array<Value, 7>;

  /// kiln.attention and its gradient ops: one part of the fused attention
  /// of the Halide library (kiln/halide/attention.h).
  LogicalResult emitAttention(Operation *op, StringRef part,
                              const AttentionOperands &in, double scale,
                              bool causal, llvm::raw_ostream &a,
                              int element = -1) {
    if (anchor_)
      return op->emitError("a kernel may hold only one contraction");
    Value q = in[0], k = in[1], v = in[2], mask = in[3];
    int64_t r = rank(q);
    auto queries = extent(q, r - 2), keys = extent(k, r - 2);
    if (failed(queries) || failed(keys))
      return failure();
    int64_t head = cast<RankedTensorType>(q.getType()).getDimSize(r - 1);
    int64_t valueHead =
        v ? cast<RankedTensorType>(v.getType()).getDimSize(r - 1) : head;
    std::vector<std::string> funcs;
    for (auto [i, operand] : llvm::enumerate(in)) {
      if (i == 3 && operand) {
        funcs.push_back(attentionMask(mask, q, a));
        continue;
      }
      auto func = operandFunc(op, operand, a);
      if (failed(func))
        return failure();
      funcs.push_back(*func);
    }
    std::string att = "att" + std::to_string(next_++);
    members_.push_back("kiln::halide::Attention " + att);
    a << "    " << att
      << " = kiln::halide::attention(kiln::halide::AttentionPart::" << part
      << ", {" << join(funcs, ", ") << "}, {" << *queries << ", " << *keys
      << ", " << head << ", " << valueHead << ", " << r - 2 << ", "
      << llvm::format("%.17g", scale) << ", " << (causal ? "true" : "false")
      << "});\n";
    defineByAnchor(op, att, a, element);
    return success();
  }

  /// The other of an attention's key and value gradients, where the kernel
  /// computes both (kiln-fuse's partners).
  AttentionGradOp pairedGrad(AttentionGradOp att) {
    for (auto other : fused_.getBody().front().getOps<AttentionGradOp>())
      if (att.pairsWith(other))
        return other;
    return {};
  }

  /// kiln.normalize or its gradient (`g` null for the former): one part of
  /// the row normalisation of the Halide library
  /// (kiln/halide/normalization.h).
  LogicalResult emitNormalize(Operation *op, StringRef part, Value x, Value g,
                              double eps, llvm::raw_ostream &a) {
    if (anchor_)
      return op->emitError("a kernel may hold only one reduction");
    auto xFunc = operandFunc(op, x, a), gFunc = operandFunc(op, g, a);
    if (failed(xFunc) || failed(gFunc))
      return failure();
    auto type = cast<RankedTensorType>(x.getType());
    std::string n = "norm" + std::to_string(next_++);
    members_.push_back("kiln::halide::Normalization " + n);
    a << "    " << n
      << " = kiln::halide::normalize(kiln::halide::NormalizationPart::" << part
      << ", " << *xFunc << ", " << *gFunc << ", " << type.getRank() << ", "
      << type.getDimSize(type.getRank() - 1) << ", "
      << llvm::format("%.17g", eps) << ");\n";
    defineByAnchor(op, n, a);
    return success();
  }

  /// kiln.cross_entropy or its gradient (`grad` null for the former): one
  /// part of the softmax cross-entropy of the Halide library
  /// (kiln/halide/cross_entropy.h). The targets are read through
  /// checked_index, so an out-of-range class stops the kernel.
  LogicalResult emitCrossEntropy(Operation *op, StringRef part, Value logits,
                                 Value targets, Value grad,
                                 llvm::raw_ostream &a) {
    if (anchor_)
      return op->emitError("a kernel may hold only one reduction");
    auto logitsFunc = operandFunc(op, logits, a),
         gradFunc = operandFunc(op, grad, a);
    if (failed(logitsFunc) || failed(gradFunc))
      return failure();
    auto type = cast<RankedTensorType>(logits.getType());
    int64_t classes = type.getDimSize(type.getRank() - 1);
    int64_t rows = rank(targets);
    std::string checked = "v" + std::to_string(next_++);
    members_.push_back("Func " + checked + "{\"" + checked + "\"}");
    a << "    " << checked << "(" << vars(rows)
      << ") = kiln::halide::checked_index(" << call(targets, tvars(rows))
      << ", " << classes << ", \"kiln.cross_entropy\", get_target());\n";
    std::string ce = "ce" + std::to_string(next_++);
    members_.push_back("kiln::halide::CrossEntropy " + ce);
    a << "    " << ce
      << " = kiln::halide::cross_entropy(kiln::halide::CrossEntropyPart::"
      << part << ", " << *logitsFunc << ", " << checked << ", " << *gradFunc
      << ", " << type.getRank() << ", " << classes << ");\n";
    defineByAnchor(op, ce, a);
    return success();
  }

  /// The Func an anchor's library call reads for `operand`: its name, or
  /// an undefined Func() where the op has none.
  FailureOr<std::string> operandFunc(Operation *op, Value operand,
                                     llvm::raw_ostream &a) {
    if (!operand)
      return std::string("Func()");
    if (auto name = names_.find(operand); name != names_.end())
      return name->second;
    // A splat constant (the 1 that seeds a scalar loss's gradient) as a
    // Func of its rank.
    auto literal = literals_.find(operand);
    if (literal == literals_.end())
      return op->emitError(op->getName().stripDialect())
             << " cannot read a constant operand";
    std::string name = "v" + std::to_string(next_++);
    members_.push_back("Func " + name + "{\"" + name + "\"}");
    a << "    " << name << "(" << vars(rank(operand))
      << ") = " << literal->second << ";\n";
    return name;
  }

  /// `op`'s result as the result of the library object `anchor` (an
  /// Attention, a Normalization), which leads the kernel's schedule.
  /// `element`: the op's element of a Tuple result, or -1.
  void defineByAnchor(Operation *op, const std::string &anchor,
                      llvm::raw_ostream &a, int element = -1) {
    Value result = op->getResult(0);
    define(result, a);
    a << anchor << ".result(" << vars(rank(result)) << ")"
      << (element < 0 ? "" : "[" + std::to_string(element) + "]") << ";\n";
    anchor_ = op;
    anchorName_ = anchor;
  }

  /// An attention key mask [..., K] as a Func of q's batch dimensions and
  /// the key: a mask dimension of 1 is read at 0 (broadcast).
  std::string attentionMask(Value mask, Value q, llvm::raw_ostream &a) {
    auto mt = cast<RankedTensorType>(mask.getType());
    auto qt = cast<RankedTensorType>(q.getType());
    int64_t r = mt.getRank();
    Index t = tvars(r), idx = t;
    for (int64_t d = 0; d + 1 < r; ++d)
      if (mt.getDimSize(d) == 1 && qt.getDimSize(d) != 1)
        idx[d] = "0";
    std::string name = "v" + std::to_string(next_++);
    members_.push_back("Func " + name + "{\"" + name + "\"}");
    a << "    " << name << "(" << vars(r) << ") = " << call(mask, idx) << ";\n";
    return name;
  }

  /// A matmul operand with the batch dimensions of the result: the operand
  /// itself when it has them, else a view that broadcasts it (a 2-D weight
  /// shared by every batch index, a batch dimension of 1).
  std::string matmulOperand(Value operand, Value result, llvm::raw_ostream &a) {
    auto ot = cast<RankedTensorType>(operand.getType());
    auto rt = cast<RankedTensorType>(result.getType());
    int64_t r = rt.getRank();
    bool same = ot.getRank() == r;
    for (int64_t d = 0; same && d + 2 < r; ++d)
      same = ot.getDimSize(d) == rt.getDimSize(d);
    if (same)
      return names_.lookup(operand);
    // The operand's own matrix dimensions stay last (indexed like the
    // result's); its batch dimensions broadcast against the result's.
    Index idx = broadcastIndex(operand, result, tvars(r));
    std::string name = "v" + std::to_string(next_++);
    members_.push_back("Func " + name + "{\"" + name + "\"}");
    a << "    " << name << "(" << vars(r) << ") = " << call(operand, idx)
      << ";\n";
    return name;
  }

  /// kiln.scatter_add: a zero table plus one update over the indices'
  /// positions (an RDom), each adding its slice of `values` into the row
  /// its index names.
  LogicalResult emitScatterAdd(ScatterAddOp sc, llvm::raw_ostream &a) {
    if (anchor_)
      return sc.emitError("a kernel may hold only one reduction");
    Value result = sc.getResult();
    int64_t axis = sc.getAxis(), span = rank(sc.getIndices());
    Index t = tvars(rank(result));
    std::string s = "scatter" + std::to_string(next_++);
    members_.push_back("Func " + s + "{\"" + s + "\"}");
    // RDom dimensions innermost first, as Halide orders them.
    std::vector<std::string> extents;
    for (int64_t j = span - 1; j >= 0; --j) {
      auto e = extent(sc.getIndices(), j);
      if (failed(e))
        return failure();
      extents.push_back("0, " + *e);
    }
    a << "    " << s << "(" << vars(rank(result)) << ") = " << literal(0)
      << ";\n    {\n      RDom r(" << join(extents, ", ") << ");\n";
    Index at;
    for (int64_t j = 0; j < span; ++j)
      at.push_back("r[" + std::to_string(span - 1 - j) + "]");
    Index lhs(t.begin(), t.begin() + axis), values(lhs);
    lhs.push_back("kiln::halide::checked_index(" + call(sc.getIndices(), at) +
                  ", " + std::to_string(sc.getSize()) +
                  ", \"kiln.scatter_add\", get_target())");
    lhs.insert(lhs.end(), t.begin() + axis + 1, t.end());
    values.insert(values.end(), at.begin(), at.end());
    values.insert(values.end(), t.begin() + axis + 1, t.end());
    Index lhsRev(lhs.rbegin(), lhs.rend());
    a << "      " << s << "(" << join(lhsRev, ", ")
      << ") += " << call(sc.getValues(), values) << ";\n    }\n";
    define(result, a);
    a << s << "(" << vars(rank(result)) << ");\n";
    anchor_ = sc;
    anchorName_ = s;
    // Dimension 0 (Halide order) is pure in the update unless it is the
    // scattered axis.
    scatterInnermostPure_ = axis != rank(result) - 1;
    return success();
  }

  /// One of the convolutions of conv2d.h: `x` is the operand read with a
  /// zero border, `other` the per-channel one (weight, or dy for the weight
  /// gradient); `outChannels` is O of the Conv2dParams.
  LogicalResult emitConv(Operation *op, StringRef fn, Value x, Value other,
                         int64_t outChannels, int64_t kh, int64_t kw,
                         ArrayRef<int64_t> stride, ArrayRef<int64_t> padding,
                         ArrayRef<int64_t> outputPadding,
                         llvm::raw_ostream &a) {
    if (anchor_)
      return op->emitError("a kernel may hold only one contraction");
    auto xs = names_.find(x), os = names_.find(other);
    if (xs == names_.end() || os == names_.end())
      return op->emitError("cannot convolve a constant");
    auto xt = cast<RankedTensorType>(x.getType());
    std::string c = "conv" + std::to_string(next_);
    members_.push_back("kiln::halide::Conv2d " + c);
    a << "    " << c << " = kiln::halide::" << fn << "(" << xs->second << ", "
      << os->second << ", {.channels = " << xt.getDimSize(1)
      << ", .height = " << xt.getDimSize(2) << ", .width = " << xt.getDimSize(3)
      << ", .out_channels = " << outChannels << ", .kernel_h = " << kh
      << ", .kernel_w = " << kw << ", .stride_h = " << stride[0]
      << ", .stride_w = " << stride[1] << ", .pad_h = " << padding[0]
      << ", .pad_w = " << padding[1];
    if (outputPadding[0] || outputPadding[1])
      a << ", .output_pad_h = " << outputPadding[0]
        << ", .output_pad_w = " << outputPadding[1];
    if (convAlgorithm_ == ConvAlgorithm::direct)
      a << ", .algorithm = kiln::halide::ConvAlgorithm::Direct";
    else if (convAlgorithm_ == ConvAlgorithm::winograd)
      a << ", .algorithm = kiln::halide::ConvAlgorithm::Winograd";
    a << "}";
    if (isa<Conv2dWeightGradOp>(op)) {
      auto n = extent(x, 0);
      if (failed(n))
        return failure();
      a << ", " << *n;
    }
    a << ", get_target());\n";
    Value result = op->getResult(0);
    std::string value = c + ".result(" + vars(4) + ")";
    define(result, a);
    a << value << ";\n";
    anchor_ = op;
    anchorName_ = c;
    return success();
  }

  /// A reduction, or a chain of them (kiln-fuse puts a reduction of a
  /// reduction of the same kind in one kernel): each link but the last is
  /// only recorded, and the last reduces the chain's input over all the
  /// axes at once. Means compose since every group has the same size.
  template <typename ReduceT>
  LogicalResult emitReduce(ReduceT red, int64_t axis, llvm::raw_ostream &a) {
    Value in = red.getInput();
    Value result = red.getResult();
    PendingReduction chain{in, {}, {}};
    if (auto it = pending_.find(in); it != pending_.end()) {
      chain = it->second;
    } else {
      for (int64_t j = 0; j < rank(in); ++j)
        chain.dimsOf.push_back(j);
    }
    chain.axes.push_back(chain.dimsOf[axis]);
    if (!red.getKeepdim())
      chain.dimsOf.erase(chain.dimsOf.begin() + axis);
    if (result.hasOneUse()) {
      auto next = dyn_cast<ReduceT>(*result.getUsers().begin());
      if (next && next.getInput() == result) {
        pending_[result] = chain;
        return success();
      }
    }
    if (anchor_)
      return red.emitError("a kernel may hold only one reduction");
    Value source = chain.source;
    auto name = names_.find(source);
    if (name == names_.end())
      return red.emitError("cannot reduce a constant");
    // The index into `source` of the result's point t: reduced axes are
    // filled in below, kept ones are the result's.
    Index t = tvars(rank(result)), idx(rank(source), "0");
    for (auto [p, j] : llvm::enumerate(chain.dimsOf))
      if (!llvm::is_contained(chain.axes, j))
        idx[j] = t[p];
    // Few static points (pooling's 2 x 2) are written out as a pointwise
    // expression: an RDom of extent 2 on the innermost axis left the
    // classifier's pooling kernels at ~150M elements/s.
    auto sourceType = cast<RankedTensorType>(source.getType());
    int64_t points = 1;
    for (int64_t ax : chain.axes)
      points = sourceType.isDynamicDim(ax) ? kUnrollReduction + 1
                                           : points * sourceType.getDimSize(ax);
    if (points <= kUnrollReduction) {
      emitUnrolledReduce(red.getOperation(), chain, idx, points, a);
      return success(); // no anchor: the kernel is scheduled as pointwise
    }
    std::vector<std::string> extents; // Halide order
    for (int64_t d = rank(source) - 1; d >= 0; --d) {
      auto e = extent(source, d);
      if (failed(e))
        return failure();
      extents.push_back(*e);
    }
    std::vector<int64_t> dims; // Halide order, ascending
    for (int64_t ax : chain.axes)
      dims.push_back(rank(source) - 1 - ax);
    llvm::sort(dims);
    std::vector<std::string> dimNames;
    for (int64_t d : dims)
      dimNames.push_back(std::to_string(d));
    // With every reduced axis kept (or none), the result is indexed like
    // the reduction's; a chain that keeps some and drops others keeps all
    // and reads the kept ones at 0.
    int64_t kept = llvm::count_if(chain.dimsOf, [&](int64_t j) {
      return llvm::is_contained(chain.axes, j);
    });
    bool keepAll = kept == int64_t(chain.axes.size());
    Index rev(idx.rbegin(), idx.rend());
    std::string at =
        (keepAll || kept == 0) ? vars(rank(result)) : join(rev, ", ");
    std::string r = "red" + std::to_string(next_);
    members_.push_back("kiln::halide::Reduction " + r);
    a << "    " << r << " = kiln::halide::reduce(kiln::halide::ReduceOp::"
      << (isa<ReduceMeanOp>(red.getOperation())  ? "Mean"
          : isa<ReduceMaxOp>(red.getOperation()) ? "Max"
                                                 : "Sum")
      << ", " << name->second << ", {" << join(extents, ", ") << "}, {"
      << join(dimNames, ", ") << "}, " << (kept > 0 ? "true" : "false")
      << ");\n";
    define(result, a);
    a << r << ".result(" << at << ");\n";
    anchor_ = red;
    anchorName_ = r;
    return success();
  }

  /// The `points` values of `chain.source` over `chain.axes` combined in one
  /// expression; `idx` holds the kept axes' indices.
  void emitUnrolledReduce(Operation *red, const PendingReduction &chain,
                          Index idx, int64_t points, llvm::raw_ostream &a) {
    auto sourceType = cast<RankedTensorType>(chain.source.getType());
    std::string value;
    for (int64_t p = 0; p < points; ++p) {
      for (int64_t rest = p, i = int64_t(chain.axes.size()) - 1; i >= 0; --i) {
        int64_t n = sourceType.getDimSize(chain.axes[i]);
        idx[chain.axes[i]] = std::to_string(rest % n);
        rest /= n;
      }
      std::string term = call(chain.source, idx);
      if (value.empty())
        value = term;
      else if (isa<ReduceMaxOp>(red))
        value = "max(" + value + ", " + term + ")";
      else
        value = value + " + " + term;
    }
    if (isa<ReduceMeanOp>(red))
      value = "(" + value + ") / " + literal(double(points));
    define(red->getResult(0), a);
    a << value << ";\n";
  }

  /// Reshape index arithmetic by groups of adjacent dimensions with equal
  /// products: a symbolic dimension maps to itself, a split (one input
  /// dimension, several outputs) needs no division, and a merge divides
  /// only by small constants. The generic flat-index form divides by
  /// products that include the batch, which made pooling's reshapes the
  /// slowest kernels of the classifier. Fails when the groups do not line
  /// up, or a symbolic dimension meets another symbol (a reshape that names
  /// its symbols may reorder them): the caller then uses the generic form.
  std::optional<Index> groupedReshapeIndex(ReshapeOp rs, const Index &t) {
    RankedTensorType in = rs.getInput().getType(), out = rs.getType();
    FailureOr<DimSymbols> inSyms = shapes_.get(rs.getInput()),
                          outSyms = shapes_.get(rs.getResult());
    if (failed(inSyms) || failed(outSyms))
      return std::nullopt;
    int64_t rin = in.getRank(), rout = out.getRank();
    Index idx(rin, "0");
    int64_t i = 0, o = 0;
    auto unit = [](RankedTensorType type, int64_t d) {
      return !type.isDynamicDim(d) && type.getDimSize(d) == 1;
    };
    while (i < rin && o < rout) {
      // A static 1 adds nothing to the flat index, so it pairs with
      // nothing: in [1, seq, 512] <-> [seq, 512] (a prompt at batch 1) seq
      // maps to seq, where pairing the 1 with seq failed and the generic
      // form divided by seq twice per vector (the GPT prefill's GELU).
      if (unit(in, i) != unit(out, o)) {
        if (unit(in, i))
          ++i;
        else
          ++o;
        continue;
      }
      if (in.isDynamicDim(i) || out.isDynamicDim(o)) {
        if (!in.isDynamicDim(i) || !out.isDynamicDim(o) ||
            (*inSyms)[i] != (*outSyms)[o])
          return std::nullopt;
        idx[i++] = t[o++];
        continue;
      }
      int64_t gi = i, go = o, pi = in.getDimSize(i++), po = out.getDimSize(o++);
      while (pi != po) {
        if (pi < po) {
          if (i == rin || in.isDynamicDim(i))
            return std::nullopt;
          pi *= in.getDimSize(i++);
        } else {
          if (o == rout || out.isDynamicDim(o))
            return std::nullopt;
          po *= out.getDimSize(o++);
        }
      }
      // The group's flat index from its output dimensions, then the input
      // dimensions' digits; the outermost digit needs no modulo.
      std::string flat;
      int64_t stride = 1;
      for (int64_t k = o - 1; k >= go; --k) {
        std::string term =
            stride == 1 ? t[k] : t[k] + " * " + std::to_string(stride);
        flat = flat.empty() ? term : term + " + " + flat;
        stride *= out.getDimSize(k);
      }
      stride = 1;
      for (int64_t k = i - 1; k >= gi; --k) {
        std::string digit = stride == 1
                                ? "(" + flat + ")"
                                : "(" + flat + ") / " + std::to_string(stride);
        if (k > gi)
          digit = "(" + digit + ") % " + std::to_string(in.getDimSize(k));
        idx[k] = digit;
        stride *= in.getDimSize(k);
      }
    }
    // Whatever is left on either side has size 1 (index 0).
    for (; i < rin; ++i)
      if (in.isDynamicDim(i) || in.getDimSize(i) != 1)
        return std::nullopt;
    for (; o < rout; ++o)
      if (out.isDynamicDim(o) || out.getDimSize(o) != 1)
        return std::nullopt;
    return idx;
  }

  LogicalResult emitReshape(ReshapeOp rs, llvm::raw_ostream &a) {
    Value in = rs.getInput(), out = rs.getResult();
    Index t = tvars(rank(out));
    if (auto idx = groupedReshapeIndex(rs, t)) {
      std::string x = call(in, *idx);
      define(out, a);
      a << x << ";\n";
      return success();
    }
    // Trailing static dimensions that both shapes share map one to one
    // ([batch, 128, 512] -> [128*batch, 512]): through the flat index, the
    // innermost would be `(d0 + d1 * 512) % 512`, which Halide cannot
    // prove contiguous in a vector whose start is not provably aligned
    // (the shifted last vector of a row), so its loads were gathers: the
    // GPT's GELU and its gradient took 2.26 and 2.76 ms per call, 2.00 and
    // 2.49 this way (Xeon, one thread).
    auto inType = cast<RankedTensorType>(in.getType());
    auto outType = cast<RankedTensorType>(out.getType());
    int64_t shared = 0;
    while (shared < rank(in) && shared < rank(out)) {
      int64_t i = rank(in) - 1 - shared, o = rank(out) - 1 - shared;
      if (inType.isDynamicDim(i) || outType.isDynamicDim(o) ||
          inType.getDimSize(i) != outType.getDimSize(o))
        break;
      ++shared;
    }
    // Row-major flat index of the rest of the result, then digits in the
    // rest of the input's shape.
    std::string flat = "0";
    std::string stride = "1";
    for (int64_t i = rank(out) - 1 - shared; i >= 0; --i) {
      flat = "(" + flat + " + " + t[i] + " * " + stride + ")";
      auto e = extent(out, i);
      if (failed(e))
        return failure();
      stride = "(" + stride + " * " + *e + ")";
    }
    Index idx(rank(in));
    for (int64_t k = 0; k < shared; ++k)
      idx[rank(in) - 1 - k] = t[rank(out) - 1 - k];
    stride = "1";
    for (int64_t j = rank(in) - 1 - shared; j >= 0; --j) {
      auto e = extent(in, j);
      if (failed(e))
        return failure();
      idx[j] = "(" + flat + " / " + stride + ") % " + *e;
      stride = "(" + stride + " * " + *e + ")";
    }
    std::string x = call(in, idx);
    define(out, a);
    a << x << ";\n";
    return success();
  }

  LogicalResult emitConcat(ConcatOp cat, llvm::raw_ostream &a) {
    Value out = cat.getResult();
    Index t = tvars(rank(out));
    int64_t axis = cat.getAxis(), offset = 0;
    std::vector<std::string> arms;
    auto inputs = cat.getInputs();
    for (auto [k, in] : llvm::enumerate(inputs)) {
      int64_t size = cast<RankedTensorType>(in.getType()).getDimSize(axis);
      noteInnerBoundary(out, axis, offset);
      // Clamped so that bounds inference never reads outside an input.
      Index idx = t;
      idx[axis] = "clamp(" + t[axis] + " - " + std::to_string(offset) +
                  ", 0, " + std::to_string(size - 1) + ")";
      offset += size;
      if (k + 1 < inputs.size())
        arms.push_back(t[axis] + " < " + std::to_string(offset));
      arms.push_back(call(in, idx));
    }
    define(out, a);
    a << (arms.size() == 1 ? arms[0] : "select(" + join(arms, ", ") + ")")
      << ";\n";
    return success();
  }

  LogicalResult emitPad(PadOp pad, llvm::raw_ostream &a) {
    Value out = pad.getResult();
    Index t = tvars(rank(out));
    int64_t axis = pad.getAxis(), before = pad.getBefore();
    int64_t size = pad.getInput().getType().getDimSize(axis);
    noteInnerBoundary(out, axis, before);
    noteInnerBoundary(out, axis, before + size);
    Index idx = t;
    // Clamped so that bounds inference never reads outside the input.
    idx[axis] = "clamp(" + t[axis] + " - " + std::to_string(before) + ", 0, " +
                std::to_string(size - 1) + ")";
    std::string x = call(pad.getInput(), idx);
    define(out, a);
    a << "select(" << t[axis] << " >= " << before << " && " << t[axis] << " < "
      << before + size << ", " << x << ", " << literal(0) << ");\n";
    return success();
  }

  /// Records where a concatenation or pad along the innermost axis of
  /// `v` switches source, for the pointwise schedule (inner_segment).
  void noteInnerBoundary(Value v, int64_t axis, int64_t at) {
    auto type = cast<RankedTensorType>(v.getType());
    if (axis != type.getRank() - 1 || type.isDynamicDim(axis))
      return;
    int64_t &g = innerBoundaries_[type.getDimSize(axis)];
    g = std::gcd(g, at);
  }

  /// The piece length of the output's innermost dimension: the greatest
  /// common divisor of the boundaries noted along innermost axes of the
  /// same length (a reshape or permute in between keeps the length but may
  /// move the axis: then the schedule is slower, never wrong); 0 if none.
  int64_t innerSegment(Value out) {
    auto type = cast<RankedTensorType>(out.getType());
    if (type.getRank() == 0 || type.isDynamicDim(type.getRank() - 1))
      return 0;
    const int64_t extent = type.getDimSize(type.getRank() - 1);
    auto it = innerBoundaries_.find(extent);
    if (it == innerBoundaries_.end())
      return 0;
    const int64_t segment = std::gcd(it->second, extent);
    return segment < extent ? segment : 0;
  }

  /// kiln::halide::random_normal / random_uniform at the row-major index.
  /// A tensor whose first dimension is symbolic (a batch) is shard `shard`
  /// of a data-parallel batch: its elements are numbered after those of the
  /// shards before it, so N processes draw what one process would for the
  /// whole batch (docs/training.md).
  LogicalResult emitRandom(Value out, StringRef fn, int64_t stream,
                           llvm::raw_ostream &a) {
    Index t = tvars(rank(out));
    std::string flat = "0", numel = "1";
    for (int64_t i = 0; i < rank(out); ++i) {
      auto e = extent(out, i);
      if (failed(e))
        return failure();
      flat = "(" + flat + ") * " + *e + " + " + t[i];
      numel = "(" + numel + ") * " + *e;
    }
    auto type = cast<RankedTensorType>(out.getType());
    if (type.getRank() > 0 && type.isDynamicDim(0))
      flat = "cast<uint32_t>(" + flat + ") + shard * cast<uint32_t>(" + numel +
             ")";
    usesRandom_ = true;
    define(out, a);
    a << "kiln::halide::" << fn << "<" << elem_
      << ">(seed_lo, seed_hi, counter, " << stream << ", " << flat << ");\n";
    return success();
  }

  void emitSchedule(YieldOp yield) {
    int64_t r = rank(yield.getValues()[0]);
    std::vector<std::string> v;
    for (int64_t d = 0; d < r; ++d)
      v.push_back("d" + std::to_string(d));
    if (isa_and_nonnull<MatmulOp>(anchor_)) {
      std::vector<std::string> batch(v.begin() + 2, v.end());
      os_ << "    kiln::halide::schedule_matmul(" << anchorName_
          << ", out0, d0, d1, "
          << (batch.empty() ? "" : "{" + join(batch, ", ") + "}, ")
          << "get_target());\n";
    } else if (isa_and_nonnull<AttentionOp, AttentionLseOp, AttentionGradOp>(
                   anchor_)) {
      os_ << "    kiln::halide::schedule_attention(" << anchorName_
          << ", out0, {" << join(v, ", ") << "}, get_target()"
          << (lseKernel_ ? ", out1" : "") << ");\n";
    } else if (isa_and_nonnull<CrossEntropyOp, CrossEntropyGradOp>(anchor_)) {
      os_ << "    kiln::halide::schedule_cross_entropy(" << anchorName_
          << ", out0, {" << join(v, ", ") << "}, get_target());\n";
    } else if (isa_and_nonnull<NormalizeOp, NormalizeGradOp>(anchor_)) {
      os_ << "    kiln::halide::schedule_normalization(" << anchorName_
          << ", out0, {" << join(v, ", ") << "}, get_target());\n";
    } else if (isa_and_nonnull<ScatterAddOp>(anchor_)) {
      os_ << "    kiln::halide::schedule_scatter(" << anchorName_ << ", out0, {"
          << join(v, ", ") << "}, "
          << (scatterInnermostPure_ ? "true" : "false") << ", get_target());\n";
    } else if (anchor_ && isContraction(anchor_)) {
      os_ << "    kiln::halide::schedule_conv2d(" << anchorName_ << ", out0, {"
          << join(v, ", ") << "}, get_target());\n";
    } else if (anchor_) {
      os_ << "    kiln::halide::schedule_reduction(" << anchorName_
          << ", out0, {" << join(v, ", ") << "}, get_target());\n";
    } else {
      const int64_t segment = innerSegment(yield.getValues()[0]);
      os_ << "    kiln::halide::schedule_pointwise(out0, {" << join(v, ", ")
          << "}, get_target()"
          << (segment ? ", " + std::to_string(segment) : "") << ");\n";
    }
  }

  FusedOp fused_;
  SymbolicShapes &shapes_;
  Schedule schedule_;
  ConvAlgorithm convAlgorithm_;
  llvm::raw_ostream &os_;
  Type elemType_;    // the kernel's element type (f32 or f64)
  std::string elem_; // its C++ spelling
  DenseMap<Value, std::string> names_;
  DenseMap<Value, PendingReduction> pending_;
  DenseMap<Value, std::string> literals_;
  std::vector<std::string> members_;
  // In dependency order: a product after its factors.
  llvm::MapVector<std::string, std::string, std::map<std::string, unsigned>>
      symbolDefs_;
  std::vector<std::string> symbolArgs_; // emit::kernelSymbolArgs
  Operation *anchor_ = nullptr;
  std::string anchorName_;
  bool scatterInnermostPure_ = false; // emitScatterAdd
  // Innermost extent -> gcd of its concat/pad boundaries (noteInnerBoundary).
  std::map<int64_t, int64_t> innerBoundaries_;
  int64_t maxRank_ = 0;
  bool usesRandom_ = false;
  /// isLogSumExpKernel of the kernel's outputs.
  bool lseKernel_ = false;
  int next_ = 0;
};

} // namespace

LogicalResult emitHalideKernels(ModuleOp module, const EmitOptions &options,
                                llvm::raw_ostream &os) {
  os << "// Generated by kilnc from model '" << options.model
     << "'. Do not edit: change the model or the schedule library.\n"
     << "// One Halide generator per kernel; schedule: "
     << stringifySchedule(options.schedule)
     << ".\n#include \"kiln/halide/kernel_support.h\"\n"
     << "#include \"kiln/halide/random.h\"\n\n"
     << "// HALIDE_REGISTER_GENERATOR must be used at global scope.\n"
     << "using namespace Halide;\n\n";
  SymbolicShapes shapes;
  bool ok = true;
  // Kernels that kiln-dedupe-kernels found equal share a name: one
  // generator each.
  llvm::StringSet<> emitted;
  module.walk([&](FusedOp fused) {
    if (emitted.insert(fused.getKernel()).second &&
        failed(KernelEmitter(fused, shapes, options, os).emit()))
      ok = false;
  });
  return success(ok);
}

} // namespace kiln
