//===- Fusion.cpp - partition entry points into kernels -------------------===//
//
// Greedy, in program order; each op either starts a group or joins the
// groups of its operands' producers:
//  - An anchored group (a matmul, a convolution, a reduction or a row
//    normalisation) has one output (an attention may have two, below) and
//    takes pointwise epilogue ops over
//    exactly its domain, with the cheap groups that only feed them (a ReLU
//    mask, a bias reshape, the 0.2 x of a leaky ReLU max(x, 0.2 x) of the
//    anchor's output).
//  - Pointwise groups absorb pointwise consumers. When all their values have
//    one shape (one domain), groups meeting at an op merge and may keep
//    several outputs, computed in one loop nest (a Halide Tuple); this is
//    what makes an optimizer update one kernel per parameter. A pointwise
//    op also takes every other producer group that only feeds it, unless
//    that group is smaller (broadcast into the op) and not cheap: it would
//    be recomputed per element.
//  - Layout ops join a pointwise group whose only output they consume; a
//    reduction may take such a group as its prologue. A reshape left on its
//    own is no kernel but a view of its operand's memory. A reshape that
//    merges the innermost dimension joins no group when it only feeds row
//    ops or reductions, and no kernel reads through one left as a view.
//  - An attention's log-sum-exp (its gradient's input) joins the attention
//    of the same scores: one kernel with two outputs of different shapes;
//    its value gradient joins its key gradient (one Tuple).
//  - A reduction of a reduction of the same kind (a mean over N, H and W is
//    three reduce_mean ops) joins it: the emitter writes the chain as one
//    multi-axis reduction, read once instead of once per axis.
// Before grouping, shape-only operands move to stored values of the same
// shape, and a cheap pointwise op on values that are stored anyway
// (x - mean, 0.2 * x) is copied into each pointwise or reduction consumer,
// so that it is recomputed where it is used instead of written and read
// back: a pass over a [64, 64, 14, 14] tensor that is not in cache costs
// ~0.5 ms, the subtraction nothing.
// A group is placed where its last op was, so every value a group computes
// that is used outside it must only be used after that point.
//
//===----------------------------------------------------------------------===//

#include "FusionPrep.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

namespace kiln {
#define GEN_PASS_DEF_KILNFUSE
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

/// Ops computed inside kernels; constants and parameter reads are not.
bool isComputation(Operation *op) {
  return isAnchor(op) || isPointwise(op) || isLayout(op);
}

Type resultType(Operation *op) { return op->getResult(0).getType(); }

/// `outer` reduces the result of `inner` the same way (the same op), so the
/// two are one reduction over both axes.
bool continuesReduction(Operation *inner, Operation *outer) {
  return isa<ReduceSumOp, ReduceMeanOp, ReduceMaxOp>(inner) &&
         inner->getName() == outer->getName() &&
         outer->getOperand(0) == inner->getResult(0);
}

struct Group {
  SmallVector<Operation *> ops; // in program order
  Operation *anchor = nullptr;  // contraction or reduction, if any
  bool merged = false;          // absorbed into another group
  /// Has a partner's output (partnerOf), maybe over another domain: takes
  /// no epilogue.
  bool sealed = false;
  /// True when recomputing it per element costs next to nothing.
  bool cheap() const {
    return llvm::all_of(ops, [](Operation *op) {
      return isCheap(op) || isLayout(op) || isa<DimSizeOp>(op);
    });
  }
  /// True when every op is pointwise with one and the same result type.
  bool oneDomain() const {
    if (anchor)
      return false;
    for (Operation *op : ops)
      if (!isPointwise(op) || resultType(op) != resultType(ops.front()))
        return false;
    return true;
  }
};

class Fuser {
public:
  Fuser(func::FuncOp func, StringRef model) : func_(func), model_(model) {}

  void run() {
    // Parameter assignments take effect when the entry point ends
    // (docs/ir.md); moving them there lets the values they store join
    // kernels with later ops.
    Block &block = func_.getBody().front();
    SmallVector<ParamAssignOp> assigns(block.getOps<ParamAssignOp>());
    for (ParamAssignOp assign : assigns)
      assign->moveBefore(block.getTerminator());
    // An op that another op's kernel computes moves next to it: place()
    // joins them.
    for (Operation &op : block)
      if (Operation *partner = partnerOf(&op))
        partner_[&op] = partner;
    for (auto [op, partner] : partner_)
      op->moveAfter(partner);
    fusion::retargetShapeOperands(block);
    fusion::rematerializeCheapOps(block);
    for (auto [i, op] : llvm::enumerate(func_.getBody().front()))
      position_[&op] = i;
    for (Operation &op : func_.getBody().front())
      if (isComputation(&op))
        place(&op);
    size_t index = 0;
    for (Group &g : groups_)
      if (!g.merged && !isView(g))
        materialize(g, index++);
  }

private:
  /// A reshape on its own copies nothing: it stays outside any kernel, as a
  /// view of its operand's memory (kiln-memory-plan keeps that memory alive
  /// for the view's users; the plan gives it its own shape). Flattening the
  /// discriminator's [64, 128, 7, 7] features was a 0.28 ms copy.
  static bool isView(const Group &g) {
    return g.ops.size() == 1 && isa<ReshapeOp>(g.ops.front()) &&
           !g.ops.front()->getOperand(0).getDefiningOp<ConstantOp>();
  }

  /// A reshape that merges the innermost dimension ([N, C, H, W] <-> [N,
  /// G, C / G * H * W], GroupNorm's group view): inside a kernel every
  /// index it maps divides, and the vectorized loop over the merged
  /// dimension gathers its lanes one by one. As a view it costs nothing and
  /// the kernels on either side read and write contiguously.
  static bool isMergingReshape(Operation *op) {
    auto rs = dyn_cast<ReshapeOp>(op);
    return rs && !rs.getInput().getDefiningOp<ConstantOp>() &&
           dividesInnermost(rs);
  }
  /// So no kernel reads through one that is a view already: GroupNorm's
  /// scale, shift and SiLU read its normalized output back through the
  /// group view, 133 of the 1200 ms of 16 DDIM-50 samples (DDPM, Zen 5, 1
  /// thread) ...
  static bool isMergingView(const Group &g) {
    return g.ops.size() == 1 && isMergingReshape(g.ops.front());
  }
  /// ... and one into a row op or a reduction stays one rather than end
  /// its producer's kernel: GroupNorm's dy * weight written through the
  /// group view took 0.99 ms per call ([64, 32, 28, 28]), 20 ms of the
  /// train step, and 5.8 ms as a plain product. Not a merge into other
  /// users: a nearest upsampling's [N, C, H, 2, W, 2] -> [N, C, 2H, 2W],
  /// written out as six dimensions with the innermost of size 2, ran 11.7
  /// ms per call instead of 2.2 with its merge inside.
  static bool staysView(Operation *op) {
    return isMergingReshape(op) && !op->use_empty() &&
           llvm::all_of(op->getUsers(), [](Operation *user) {
             return isRowOp(user) || isReduction(user);
           });
  }

  /// The op whose kernel also computes `op`, as a second output: an
  /// attention's log-sum-exp (made by its gradient) goes with the
  /// attention of the same scores, whose row statistics it is (1.1 of the
  /// 2.3 ms the two took apart per GPT layer, Zen 5, 1 thread); an
  /// attention's value gradient with its key gradient, one pass over the
  /// tiles of P and dS giving both.
  static Operation *partnerOf(Operation *op) {
    // Both results are the kernel's outputs (the emitter relies on it).
    if (op->use_empty())
      return nullptr;
    Block *block = op->getBlock();
    if (auto lse = dyn_cast<AttentionLseOp>(op)) {
      for (auto att : block->getOps<AttentionOp>())
        if (lse.isStatisticOf(att) && att->isBeforeInBlock(op) &&
            !att->use_empty())
          return att;
    } else if (auto dv = dyn_cast<AttentionGradOp>(op);
               dv && dv.getWrt() == AttentionOperand::value) {
      for (auto dk : block->getOps<AttentionGradOp>())
        if (dv.pairsWith(dk) && dk->isBeforeInBlock(op) && !dk->use_empty())
          return dk;
    }
    return nullptr;
  }

  /// Every value of `g` used outside g and `op` is used after `op`.
  bool laterUsesOnly(const Group &g, Operation *op) const {
    for (Operation *member : g.ops)
      for (Operation *user : member->getResult(0).getUsers()) {
        if (user == op || llvm::is_contained(g.ops, user))
          continue;
        if (position_.lookup(user) <= position_.lookup(op))
          return false;
      }
    return true;
  }

  /// Every value of `g` is used only inside g or by `op`.
  bool onlyFeeds(const Group &g, Operation *op) const {
    for (Operation *member : g.ops)
      for (Operation *user : member->getResult(0).getUsers())
        if (user != op && !llvm::is_contained(g.ops, user))
          return false;
    return true;
  }

  /// onlyFeeds(g, op), where g's values may also be used by cheap groups
  /// that only feed op (they join op's kernel with g: the 0.2 x of a leaky
  /// ReLU max(x, 0.2 x) over a convolution's output).
  bool onlyFeedsWithCheap(const Group &g, Operation *op) const {
    for (Operation *member : g.ops)
      for (Operation *user : member->getResult(0).getUsers()) {
        if (user == op || llvm::is_contained(g.ops, user))
          continue;
        auto it = groupOf_.find(user);
        if (it == groupOf_.end())
          return false;
        const Group &other = groups_[it->second];
        if (other.anchor || !other.cheap() || !onlyFeeds(other, op))
          return false;
      }
    return true;
  }

  /// The live groups that produce operands of `op`, without repeats.
  SmallVector<size_t> producers(Operation *op) const {
    SmallVector<size_t> out;
    for (Value v : op->getOperands())
      if (Operation *def = v.getDefiningOp()) {
        auto it = groupOf_.find(def);
        if (it != groupOf_.end() && !llvm::is_contained(out, it->second))
          out.push_back(it->second);
      }
    return out;
  }

  /// An op that only moves elements, each read once with plain index
  /// arithmetic: a matmul can read through it instead of a copy.
  static bool isIndexRemap(Operation *op) {
    if (auto rs = dyn_cast<ReshapeOp>(op))
      return !rs.getInputSymbols() && splitsOnly(rs);
    return isa<PermuteOp, TransposeOp, SliceOp>(op);
  }

  /// The dimensions other than static 1s, in order.
  static SmallVector<int64_t> nonUnit(ArrayRef<int64_t> shape) {
    SmallVector<int64_t> kept;
    for (int64_t size : shape)
      if (size != 1)
        kept.push_back(size);
    return kept;
  }

  /// Each input dimension becomes one or more whole output dimensions
  /// ([B, T, 256] -> [B, T, 4, 64]): the input index is a sum of products,
  /// never a division (a merge would divide in the matmul's inner loop).
  /// Static 1s on either side take no part. Counted, an input 1 consumed
  /// no output dimension, so in [1, S, 128] -> [1, S, 4, 32] (a prompt's
  /// heads at batch 1) the symbolic S met the output's 1 and the test
  /// failed: the prefill's attention read q through a copy kernel (time to
  /// first byte 0.942 -> 0.891 ms on 1 thread, 0.573 -> 0.556 on 2,
  /// medians of 5 alternating runs, Zen 5). The emitter's index
  /// (groupedReshapeIndex, HalideEmitter.cpp) skips static 1s the same
  /// way.
  static bool splitsOnly(ReshapeOp rs) {
    return splitsOnly(rs.getInput().getType().getShape(),
                      rs.getType().getShape());
  }
  static bool splitsOnly(ArrayRef<int64_t> inShape,
                         ArrayRef<int64_t> outShape) {
    const SmallVector<int64_t> in = nonUnit(inShape), out = nonUnit(outShape);
    size_t o = 0;
    for (int64_t size : in) {
      if (ShapedType::isDynamic(size)) {
        if (o == out.size() || !ShapedType::isDynamic(out[o++]))
          return false;
        continue;
      }
      int64_t product = 1;
      while (product < size && o < out.size() && !ShapedType::isDynamic(out[o]))
        product *= out[o++];
      if (product != size)
        return false;
    }
    return o == out.size();
  }

  /// A reshape whose innermost index divides: the innermost dimensions of
  /// extent above 1 (the vectorized one) differ, both static, and the
  /// reshape is more than splits (a bias's [C] -> [1, C, 1, 1] divides
  /// nothing). Merging outer dimensions only ([B, T, C] -> [B * T, C])
  /// divides once per row, which costs nothing.
  static bool dividesInnermost(ReshapeOp rs) {
    SmallVector<int64_t> in = nonUnit(rs.getInput().getType().getShape()),
                         out = nonUnit(rs.getType().getShape());
    return !in.empty() && !out.empty() && !ShapedType::isDynamic(in.back()) &&
           !ShapedType::isDynamic(out.back()) && in.back() != out.back() &&
           !splitsOnly(rs);
  }

  /// The row ops (kiln.normalize, kiln.cross_entropy and their gradients):
  /// their kernels read every operand element by element, once per pass
  /// over a row, so each operand may have its own prologue: the gradient
  /// g = dy * weight of a LayerNorm's scale is computed in its kernel.
  static bool isRowOp(Operation *op) {
    return isa<NormalizeOp, NormalizeGradOp, CrossEntropyOp,
               CrossEntropyGradOp>(op);
  }

  /// A group a row op's kernel may compute instead of reading it. It is
  /// read once per pass over a row (3 or 4), so only a cheap one, and not
  /// through a reshape that merges dimensions: GroupNorm's
  /// [N, C, H, W] -> [N, G, C / G * H * W] divides every index of the row,
  /// and as normalize_grad's prologue that took 5.2 ms where the kernel
  /// alone takes about a tenth (profile, DDPM).
  static bool isRowPrologue(const Group &g) {
    return g.cheap() && llvm::all_of(g.ops, [](Operation *member) {
             auto rs = dyn_cast<ReshapeOp>(member);
             return !rs || splitsOnly(rs);
           });
  }

  void place(Operation *op) {
    SmallVector<size_t> join;
    if (Operation *partner = partner_.lookup(op);
        partner && partner == op->getPrevNode() && groupOf_.count(partner)) {
      // A second output of the kernel just before it (run() put it there).
      Group &g = groups_[groupOf_[partner]];
      g.ops.push_back(op);
      g.sealed = true;
      groupOf_[op] = groupOf_[partner];
      return;
    }
    if (staysView(op)) {
      groups_.push_back({});
      groups_.back().ops.push_back(op);
      groupOf_[op] = groups_.size() - 1;
      return;
    }
    // A matmul or attention reads operands that are only moved elements
    // (attention heads split off and permuted) in place: each producer
    // group of such ops that only feeds it is its prologue.
    if (isa<MatmulOp, AttentionOp, AttentionLseOp, AttentionGradOp>(op))
      for (size_t gi : producers(op)) {
        const Group &g = groups_[gi];
        if (!g.anchor && onlyFeeds(g, op) && llvm::all_of(g.ops, isIndexRemap))
          join.push_back(gi);
      }
    // Otherwise a matmul or a convolution never joins a producer: inlining
    // into its loads would recompute the producer once per output column
    // (channel).
    if (!isContraction(op)) {
      SmallVector<size_t> feeding = producers(op);
      // An anchor first: the kernel it leads keeps its schedule.
      for (size_t gi : feeding) {
        Group &g = groups_[gi];
        if (g.anchor && !g.sealed && onlyFeedsWithCheap(g, op) &&
            ((isPointwise(op) && resultType(op) == resultType(g.ops.back())) ||
             (g.ops.back() == g.anchor && continuesReduction(g.anchor, op)))) {
          // Epilogue over exactly the anchor's domain, or the next axis of a
          // reduction that has no epilogue yet.
          join.push_back(gi);
          break;
        }
      }
      bool anchorJoined = !join.empty();
      for (size_t gi : feeding) {
        Group &g = groups_[gi];
        if (g.anchor || (anchorJoined && !isPointwise(op)) || isMergingView(g))
          continue;
        bool ok = false;
        if (anchorJoined)
          // A cheap group that only feeds the epilogue (a ReLU mask) is
          // computed in it instead of stored for it.
          ok = onlyFeeds(g, op) && g.cheap();
        else if (isPointwise(op) && g.oneDomain() &&
                 resultType(g.ops.front()) == resultType(op))
          ok = laterUsesOnly(g, op); // a same-domain merge, several outputs
        else if (isPointwise(op))
          // Every producer group that only feeds it: a per-channel factor
          // and a recomputed x - mean meet in one kernel. A smaller group
          // is recomputed per element of op, so only when it is cheap: a
          // per-channel sqrt and division inlined into a [64, 64, 14, 14]
          // kernel cost more than reading them from a 64-float buffer.
          ok = onlyFeeds(g, op) &&
               (resultType(g.ops.back()) == resultType(op) || g.cheap());
        else
          // A prologue takes one group only, except for a row op's.
          ok = onlyFeeds(g, op) && (join.empty() || isRowOp(op)) &&
               (isLayout(op) || isReduction(op)) &&
               (!isRowOp(op) || isRowPrologue(g));
        if (ok)
          join.push_back(gi);
        if (ok && !isPointwise(op) && !isRowOp(op))
          break;
      }
    }
    if (join.empty()) {
      groups_.push_back({});
      join.push_back(groups_.size() - 1);
    }
    size_t target = join.front();
    for (size_t gi : llvm::drop_begin(join)) {
      for (Operation *member : groups_[gi].ops) {
        groups_[target].ops.push_back(member);
        groupOf_[member] = target;
      }
      groups_[gi].ops.clear();
      groups_[gi].merged = true;
    }
    Group &g = groups_[target];
    llvm::sort(g.ops, [&](Operation *a, Operation *b) {
      return position_.lookup(a) < position_.lookup(b);
    });
    g.ops.push_back(op);
    if (isAnchor(op))
      g.anchor = op;
    groupOf_[op] = target;
  }

  void materialize(Group &g, size_t index) {
    llvm::SmallPtrSet<Operation *, 16> inGroup(g.ops.begin(), g.ops.end());
    llvm::SetVector<Value> inputs;
    SmallVector<Operation *> constants;
    SmallVector<Value> outputs;
    for (Operation *op : g.ops) {
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
      Value r = op->getResult(0);
      if (llvm::any_of(r.getUsers(),
                       [&](Operation *u) { return !inGroup.contains(u); }))
        outputs.push_back(r);
    }

    Operation *last = g.ops.back();
    OpBuilder b(last);
    std::string name =
        ("kiln_" + model_ + "_" + func_.getSymName() + "_k" + Twine(index))
            .str();
    auto fused =
        b.create<FusedOp>(last->getLoc(), ValueRange(outputs).getTypes(),
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
    SmallVector<Value> yielded;
    for (Value out : outputs)
      yielded.push_back(map.lookup(out));
    inner.create<YieldOp>(last->getLoc(), yielded);

    for (auto [out, result] : llvm::zip(outputs, fused.getResults()))
      out.replaceUsesWithIf(result, [&](OpOperand &use) {
        return !inGroup.contains(use.getOwner());
      });
    for (Operation *op : llvm::reverse(g.ops))
      op->erase();
  }

  func::FuncOp func_;
  std::string model_;
  SmallVector<Group> groups_;
  DenseMap<Operation *, size_t> groupOf_;
  DenseMap<Operation *, size_t> position_;
  /// partnerOf, found once before the ops move.
  llvm::MapVector<Operation *, Operation *> partner_;
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
