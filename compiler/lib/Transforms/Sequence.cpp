//===- Sequence.cpp - entry points made of train entry points ------------===//
//
// After the optimizer pass a train entry point reads parameters with
// kiln.param_ref (the value at the start of the call) and writes them with
// kiln.param_assign (taking effect at its end). An entry point of
// kiln.sequences runs several of them in one call: their bodies in order,
// where a part's param_ref of a parameter an earlier part assigned reads
// the assigned value, and only the last assignment of each parameter is
// kept. Whatever the parts compute alike from the same values (a GAN's
// generator forward pass, in d_step and again in g_step) becomes one
// computation under CSE, which is the point: PyTorch's DCGAN loop reuses
// the fake batch the same way.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"

namespace kiln {
#define GEN_PASS_DEF_KILNSEQUENCE
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

StringAttr argName(func::FuncOp f, unsigned i) {
  return f.getArgAttrOfType<StringAttr>(i, "kiln.name");
}
StringAttr resultName(func::FuncOp f, unsigned i) {
  return f.getResultAttrOfType<StringAttr>(i, "kiln.name");
}

class SequenceBuilder {
public:
  SequenceBuilder(ModuleOp module, StringAttr name)
      : module_(module), name_(name) {}

  LogicalResult build(ArrayAttr entries) {
    SymbolTable table(module_);
    if (table.lookup(name_))
      return error() << "names an existing symbol";
    SmallVector<func::FuncOp> parts;
    for (Attribute e : entries) {
      auto s = dyn_cast<StringAttr>(e);
      auto f = s ? table.lookup<func::FuncOp>(s) : func::FuncOp();
      if (!f)
        return error() << "entries must name functions of the module; " << e
                       << " does not";
      if (entryKind(f) != EntryKind::train)
        return error() << "'" << s.getValue() << "' is not a train entry point";
      parts.push_back(f);
    }
    if (parts.size() < 2)
      return error() << "needs at least two entry points";
    if (failed(collectSignature(parts)))
      return failure();
    // The parts' training batch (kiln.batch), where they state one, must
    // agree: one call feeds them one batch.
    IntegerAttr batch;
    for (func::FuncOp part : parts) {
      auto b = part->getAttrOfType<IntegerAttr>("kiln.batch");
      if (batch && b && b != batch)
        return error() << "its parts train with different batches ("
                       << batch.getInt() << " and " << b.getInt() << ")";
      batch = batch ? batch : b;
    }

    OpBuilder mb(module_.getBodyRegion());
    mb.setInsertionPointToEnd(module_.getBody());
    auto fn =
        mb.create<func::FuncOp>(parts.front().getLoc(), name_.getValue(),
                                mb.getFunctionType(argTypes_, resultTypes_));
    fn.setAllArgAttrs(argAttrs_);
    fn.setAllResultAttrs(resultAttrs_);
    fn->setAttr("kiln.entry",
                EntryKindAttr::get(mb.getContext(), EntryKind::train));
    fn->setAttr("kiln.sequence", entries);
    if (batch)
      fn->setAttr("kiln.batch", batch);
    if (!minimums_.empty())
      fn->setAttr("kiln.minimums", mb.getArrayAttr(minimums_.getArrayRef()));
    Block *body = fn.addEntryBlock();
    OpBuilder b = OpBuilder::atBlockEnd(body);

    llvm::StringMap<Value> assigned;           // by the parts before this one
    llvm::StringMap<ParamAssignOp> lastAssign; // in fn
    SmallVector<Value> results;
    for (func::FuncOp part : parts) {
      IRMapping map;
      for (unsigned i = 0; i < part.getNumArguments(); ++i)
        map.map(part.getArgument(i),
                body->getArgument(argIndex_.lookup(argName(part, i))));
      llvm::StringMap<Value> assignedHere;
      for (Operation &op : part.getBody().front().without_terminator()) {
        if (auto ref = dyn_cast<ParamRefOp>(op)) {
          auto it = assigned.find(ref.getName());
          if (it != assigned.end()) {
            map.map(ref.getResult(), it->second);
            continue;
          }
        }
        Operation *copy = b.clone(op, map);
        if (auto as = dyn_cast<ParamAssignOp>(copy)) {
          if (ParamAssignOp earlier = lastAssign.lookup(as.getName()))
            earlier.erase();
          lastAssign[as.getName()] = as;
          assignedHere[as.getName()] = as.getValue();
        }
      }
      // A part's own param_refs read the values from before it.
      for (auto &entry : assignedHere)
        assigned[entry.getKey()] = entry.getValue();
      for (Value v : part.getBody().front().getTerminator()->getOperands())
        results.push_back(map.lookupOrDefault(v));
    }
    b.create<func::ReturnOp>(fn.getLoc(), results);
    return success();
  }

private:
  InFlightDiagnostic error() {
    return module_.emitError()
           << "kiln.sequences '" << name_.getValue() << "': ";
  }

  /// Inputs by name (first appearance; the same type and attributes in
  /// every part that has it), results all of them (names unique),
  /// kiln.minimums all of them.
  LogicalResult collectSignature(ArrayRef<func::FuncOp> parts) {
    llvm::StringMap<StringRef> resultOwner;
    for (func::FuncOp part : parts) {
      for (unsigned i = 0; i < part.getNumArguments(); ++i) {
        StringAttr name = argName(part, i);
        if (!name)
          return error() << "input " << i << " of '" << part.getSymName()
                         << "' has no kiln.name";
        Type type = part.getArgument(i).getType();
        DictionaryAttr attrs = part.getArgAttrDict(i);
        auto [it, fresh] = argIndex_.try_emplace(name, argTypes_.size());
        if (fresh) {
          argTypes_.push_back(type);
          argAttrs_.push_back(attrs);
        } else if (argTypes_[it->second] != type ||
                   argAttrs_[it->second] != attrs) {
          return error() << "input '" << name.getValue() << "' of '"
                         << part.getSymName()
                         << "' differs from the same input of an earlier "
                            "entry point (type or symbols)";
        }
      }
      for (unsigned i = 0; i < part.getNumResults(); ++i) {
        StringAttr name = resultName(part, i);
        if (!name)
          return error() << "result " << i << " of '" << part.getSymName()
                         << "' has no kiln.name";
        auto [it, fresh] =
            resultOwner.try_emplace(name.getValue(), part.getSymName());
        if (!fresh)
          return error() << "'" << it->second << "' and '" << part.getSymName()
                         << "' both have an output '" << name.getValue()
                         << "'; rename one with .outputs(...)";
        resultTypes_.push_back(part.getResultTypes()[i]);
        resultAttrs_.push_back(part.getResultAttrDict(i));
      }
      if (auto mins = part->getAttrOfType<ArrayAttr>("kiln.minimums"))
        for (Attribute m : mins)
          minimums_.insert(m);
    }
    return success();
  }

  ModuleOp module_;
  StringAttr name_;
  llvm::StringMap<unsigned> argIndex_;
  SmallVector<Type> argTypes_, resultTypes_;
  SmallVector<DictionaryAttr> argAttrs_, resultAttrs_;
  llvm::SetVector<Attribute> minimums_;
};

struct SequencePass : kiln::impl::KilnSequenceBase<SequencePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto sequences = module->getAttrOfType<ArrayAttr>("kiln.sequences");
    if (!sequences)
      return;
    for (Attribute a : sequences) {
      auto dict = dyn_cast<DictionaryAttr>(a);
      auto name = dict ? dict.getAs<StringAttr>("name") : StringAttr();
      auto entries = dict ? dict.getAs<ArrayAttr>("entries") : ArrayAttr();
      if (!name || !entries) {
        module.emitError("kiln.sequences: each element must be {entries = "
                         "[\"a\", \"b\", ...], name = \"...\"}");
        return signalPassFailure();
      }
      if (failed(SequenceBuilder(module, name).build(entries)))
        return signalPassFailure();
    }
  }
};

} // namespace
