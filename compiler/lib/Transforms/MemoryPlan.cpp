//===- MemoryPlan.cpp - static arena offsets by liveness ------------------===//

#include "kiln/Analysis/SymbolicShapes.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

#include <map>

namespace kiln {
#define GEN_PASS_DEF_KILNMEMORYPLAN
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

// Bytes: two cache lines, two AVX-512 vectors, and the sub-buffer origin
// alignment OpenCL devices ask for (PoCL: 128; the runtime checks the
// device's own, kiln/runtime/device.h), so a region is a kernel argument
// on every device.
constexpr int64_t kAlignment = 128;

struct Buffer {
  Value value;
  int64_t bytes;     // per unit of the region's symbol product
  size_t begin, end; // live range in op positions, inclusive
  int64_t offset = 0;
};

/// Bytes per unit of the value's size class (sizeClassKey): the static
/// dimensions times the coefficients of merged symbolic ones.
int64_t unitBytes(RankedTensorType type, const DimSymbols &symbols) {
  int64_t n = type.getElementTypeBitWidth() / 8 * symbolCoefficient(symbols);
  for (int64_t d : type.getShape())
    if (!ShapedType::isDynamic(d))
      n *= d;
  return (n + kAlignment - 1) / kAlignment * kAlignment;
}

/// First fit, largest first: place each buffer at the lowest offset that
/// does not overlap a placed buffer whose lifetime overlaps its own.
int64_t place(std::vector<Buffer> &buffers) {
  std::vector<Buffer *> order;
  for (Buffer &b : buffers)
    order.push_back(&b);
  std::stable_sort(order.begin(), order.end(),
                   [](Buffer *a, Buffer *b) { return a->bytes > b->bytes; });
  std::vector<Buffer *> placed;
  int64_t total = 0;
  for (Buffer *b : order) {
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (Buffer *p : placed)
      if (p->begin <= b->end && b->begin <= p->end)
        busy.push_back({p->offset, p->offset + p->bytes});
    llvm::sort(busy);
    int64_t offset = 0;
    for (auto [lo, hi] : busy) {
      if (offset + b->bytes <= lo)
        break;
      offset = std::max(offset, hi);
    }
    b->offset = offset;
    total = std::max(total, offset + b->bytes);
    placed.push_back(b);
  }
  return total;
}

/// Kernel results that a kiln.param_assign stores into a parameter are
/// written into that parameter's back buffer, which the runtime swaps in
/// when the entry point ends (kiln::rt::Session::back_buffer): no arena
/// space and no copy, and no kernel ever reads and writes the same memory
/// (Halide assumes inputs and outputs do not alias). Applies to a value
/// assigned to one parameter, that parameter assigned once, and the value
/// not also returned. Marks the kernel with `assign_to`: one parameter name
/// per result, "" for results that go to the arena.
llvm::DenseSet<Value> planBackBufferUpdates(func::FuncOp func, Builder &b) {
  llvm::DenseSet<Value> placed;
  Operation *ret = func.getBody().front().getTerminator();
  llvm::StringMap<unsigned> assignCount;
  for (auto assign : func.getBody().front().getOps<ParamAssignOp>())
    ++assignCount[assign.getName()];
  DenseMap<Operation *, SmallVector<Attribute>> targets;
  for (auto assign : func.getBody().front().getOps<ParamAssignOp>()) {
    Value v = assign.getValue();
    auto fused = v.getDefiningOp<FusedOp>();
    if (!fused || assignCount[assign.getName()] != 1 ||
        llvm::count_if(v.getUsers(),
                       [](Operation *u) { return isa<ParamAssignOp>(u); }) !=
            1 ||
        llvm::is_contained(ret->getOperands(), v))
      continue;
    auto &names = targets[fused];
    if (names.empty())
      names.assign(fused.getNumResults(), b.getStringAttr(""));
    names[cast<OpResult>(v).getResultNumber()] =
        b.getStringAttr(assign.getName());
    placed.insert(v);
  }
  for (auto &[op, names] : targets)
    op->setAttr("assign_to", b.getArrayAttr(names));
  return placed;
}

struct MemoryPlanPass : kiln::impl::KilnMemoryPlanBase<MemoryPlanPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolicShapes shapes;
    // Region numbers are shared by all entry points of the module, so the
    // runtime keeps one growing allocation per size class.
    std::map<std::string, int64_t> regionOf;
    module.walk([&](FusedOp fused) {
      for (Value r : fused.getResults()) {
        auto syms = shapes.get(r);
        if (failed(syms))
          return signalPassFailure();
        regionOf.emplace(sizeClassKey(*syms), 0);
      }
    });
    int64_t next = 0;
    for (auto &[key, index] : regionOf)
      index = next++;

    Builder b(module.getContext());
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      DenseMap<Operation *, size_t> position;
      for (auto [i, op] : llvm::enumerate(func.getBody().front()))
        position[&op] = i;
      Operation *ret = func.getBody().front().getTerminator();

      llvm::DenseSet<Value> inPlace = planBackBufferUpdates(func, b);
      std::map<std::string, std::vector<Buffer>> byRegion;
      for (auto fused : func.getBody().front().getOps<FusedOp>()) {
        for (Value r : fused.getResults()) {
          if (llvm::is_contained(ret->getOperands(), r) || inPlace.contains(r))
            continue; // written into an output tensor or a parameter
          size_t end = position[fused];
          // Reshapes outside kernels are views of r (kiln-fuse), and a
          // kiln.replica_sum sums r where it lies: r lives as long as
          // their users.
          SmallVector<Value> aliases{r};
          while (!aliases.empty())
            for (Operation *user : aliases.pop_back_val().getUsers()) {
              end = std::max(end, position[user]);
              if (isa<ReshapeOp, ReplicaSumOp>(user))
                aliases.push_back(user->getResult(0));
            }
          auto syms = shapes.get(r);
          if (failed(syms))
            return signalPassFailure();
          byRegion[sizeClassKey(*syms)].push_back(
              {r, unitBytes(cast<RankedTensorType>(r.getType()), *syms),
               position[fused], end});
        }
      }

      DenseMap<Value, std::pair<int64_t, int64_t>> placement;
      SmallVector<Attribute> regions;
      for (auto &[key, buffers] : byRegion) {
        int64_t bytes = place(buffers);
        for (Buffer &buf : buffers)
          placement[buf.value] = {regionOf[key], buf.offset};
        regions.push_back(b.getDictionaryAttr(
            {b.getNamedAttr("region", b.getI64IntegerAttr(regionOf[key])),
             b.getNamedAttr("symbols", b.getStringAttr(key)),
             b.getNamedAttr("bytes", b.getI64IntegerAttr(bytes))}));
      }
      func->setAttr("kiln.arena", b.getArrayAttr(regions));

      for (auto fused : func.getBody().front().getOps<FusedOp>()) {
        SmallVector<int64_t> arena, offset;
        for (Value r : fused.getResults()) {
          auto it = placement.find(r);
          arena.push_back(it == placement.end() ? -1 : it->second.first);
          offset.push_back(it == placement.end() ? 0 : it->second.second);
        }
        fused.setArenaAttr(b.getDenseI64ArrayAttr(arena));
        fused.setOffsetAttr(b.getDenseI64ArrayAttr(offset));
      }
    }
  }
};

} // namespace
