//===- Fusion.cpp - partition entry points into kernels -------------------===//
//
// Greedy, in program order. A group always has exactly one output: the
// result of its last op, and every other value it computes is used only
// inside it. That keeps each kernel a single Halide pipeline with one output
// whose schedule is chosen by its anchor (see docs/architecture.md).
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace kiln {
#define GEN_PASS_DEF_KILNFUSE
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

struct Group {
  SmallVector<Operation *> ops;
  Operation *anchor = nullptr; // matmul or reduction, if any
  Value output() const { return ops.back()->getResult(0); }
};

bool isLayout(Operation *op) {
  return isa<ReshapeOp, ConcatOp, SliceOp, TransposeOp, PadOp>(op);
}

/// Ops computed inside kernels; constants and parameter reads are not.
bool isComputation(Operation *op) {
  return isAnchor(op) || isPointwise(op) || isLayout(op);
}

/// Whether `op`, a consumer of group `g`'s output, may join `g`.
bool canJoin(const Group &g, Operation *op) {
  Value out = g.output();
  if (!out.hasOneUse() || *out.getUsers().begin() != op)
    return false;
  if (!g.anchor)
    // Pointwise kernels absorb anything elementwise or layout, and feed a
    // reduction as its prologue (inlined into the reduction's loads).
    return isPointwise(op) || isLayout(op) ||
           isa<ReduceSumOp, ReduceMeanOp>(op);
  // Epilogues: pointwise ops over exactly the anchor's domain.
  return isPointwise(op) && op->getResult(0).getType() == out.getType();
}

class Fuser {
public:
  Fuser(func::FuncOp func, StringRef model) : func_(func), model_(model) {}

  void run() {
    SmallVector<Group> groups;
    DenseMap<Operation *, size_t> groupOf;
    for (Operation &op : func_.getBody().front()) {
      if (!isComputation(&op))
        continue;
      std::optional<size_t> joined;
      for (Value operand : op.getOperands()) {
        Operation *def = operand.getDefiningOp();
        auto it = def ? groupOf.find(def) : groupOf.end();
        if (it == groupOf.end() || !canJoin(groups[it->second], &op))
          continue;
        // A matmul never joins a producer: inlining into its loads would
        // recompute the producer once per output column.
        if (isa<MatmulOp>(op))
          continue;
        joined = it->second;
        break;
      }
      if (!joined) {
        groups.push_back({});
        joined = groups.size() - 1;
      }
      Group &g = groups[*joined];
      g.ops.push_back(&op);
      if (isAnchor(&op))
        g.anchor = &op;
      groupOf[&op] = *joined;
    }
    for (auto [index, g] : llvm::enumerate(groups))
      materialize(g, index);
  }

private:
  void materialize(Group &g, size_t index) {
    llvm::SmallPtrSet<Operation *, 16> inGroup(g.ops.begin(), g.ops.end());
    llvm::SetVector<Value> inputs;
    SmallVector<Operation *> constants;
    for (Operation *op : g.ops)
      for (Value v : op->getOperands()) {
        Operation *def = v.getDefiningOp();
        if (def && inGroup.contains(def))
          continue;
        if (def && isa<ConstantOp>(def)) {
          if (!llvm::is_contained(constants, def))
            constants.push_back(def);
          continue;
        }
        inputs.insert(v);
      }

    Operation *last = g.ops.back();
    OpBuilder b(last);
    std::string name =
        ("kiln_" + model_ + "_" + func_.getSymName() + "_k" + Twine(index))
            .str();
    Value out = g.output();
    auto fused = b.create<FusedOp>(last->getLoc(), TypeRange{out.getType()},
                                   inputs.getArrayRef(), name);
    Block &body = fused.getBody().front();
    IRMapping map;
    for (auto [input, arg] : llvm::zip(inputs, body.getArguments()))
      map.map(input, arg);
    OpBuilder inner = OpBuilder::atBlockEnd(&body);
    for (Operation *c : constants)
      inner.clone(*c, map);
    for (Operation *op : g.ops)
      inner.clone(*op, map);
    inner.create<YieldOp>(last->getLoc(), ValueRange{map.lookup(out)});

    out.replaceAllUsesWith(fused.getResult(0));
    for (Operation *op : llvm::reverse(g.ops))
      op->erase();
  }

  func::FuncOp func_;
  std::string model_;
};

struct FusePass : kiln::impl::KilnFuseBase<FusePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::string model = "model";
    if (auto name = module->getAttrOfType<StringAttr>("kiln.model"))
      model = name.getValue().str();
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal())
        Fuser(func, model).run();
    // Constants now live inside the kernels that use them.
    module.walk([](ConstantOp c) {
      if (c.use_empty())
        c.erase();
    });
  }
};

} // namespace
