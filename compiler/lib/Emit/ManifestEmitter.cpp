//===- ManifestEmitter.cpp - the model described as JSON ------------------===//

#include "EmitCommon.h"
#include "kiln/Analysis/Contract.h"
#include "kiln/Emit/Emitters.h"

#include "llvm/Support/JSON.h"

using namespace mlir;
namespace json = llvm::json;

namespace kiln {
namespace {

json::Array dims(Value v, SymbolicShapes &shapes) {
  auto type = cast<RankedTensorType>(v.getType());
  auto syms = shapes.get(v);
  json::Array a;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (type.isDynamicDim(d) && succeeded(syms))
      a.push_back((*syms)[d]);
    else
      a.push_back(type.getDimSize(d));
  }
  return a;
}

} // namespace

LogicalResult emitManifest(ModuleOp module, const EmitOptions &options,
                           llvm::raw_ostream &os) {
  SymbolicShapes shapes;
  json::Array params;
  int64_t total = 0;
  for (auto p : emit::collectParams(module)) {
    auto type = cast<RankedTensorType>(p.op.getType());
    json::Array shape, args;
    for (int64_t d : type.getShape())
      shape.push_back(d);
    for (double x : p.op.getInitArgs())
      args.push_back(x);
    total += type.getNumElements();
    params.push_back(json::Object{{"name", p.name},
                                  {"shape", std::move(shape)},
                                  {"init", stringifyInitKind(p.op.getInit())},
                                  {"init_args", std::move(args)}});
  }

  // A tensor's name and shape, and its meaning where the model states it.
  auto tensor = [&](std::string name, Value v, std::optional<DataMeaning> m) {
    json::Object t{{"name", std::move(name)}, {"shape", dims(v, shapes)}};
    if (m) {
      json::Object data{{"kind", m->kind}};
      if (m->kind == "images") {
        data["min"] = m->min;
        data["max"] = m->max;
      } else if (m->max > 0) { // timesteps' count, a position's window
        data["max"] = m->max;
      }
      t["data"] = std::move(data);
    }
    return t;
  };
  json::Array entries;
  for (func::FuncOp f : emit::collectEntries(module)) {
    json::Array inputs, outputs, kernels, arena;
    for (BlockArgument arg : f.getArguments())
      inputs.push_back(tensor(emit::argName(f, arg.getArgNumber()), arg,
                              argumentData(f, arg.getArgNumber())));
    Operation *ret = f.getBody().front().getTerminator();
    for (auto [j, v] : llvm::enumerate(ret->getOperands()))
      outputs.push_back(tensor(emit::resultName(f, j), v, resultData(f, j)));
    for (auto fused : f.getBody().front().getOps<FusedOp>()) {
      json::Array ops, ins, outs;
      for (Operation &op : fused.getBody().front().without_terminator())
        if (!isa<ConstantOp>(op))
          ops.push_back(op.getName().stripDialect());
      for (Value v : fused.getInputs())
        ins.push_back(dims(v, shapes));
      for (Value v : fused.getResults())
        outs.push_back(dims(v, shapes));
      kernels.push_back(json::Object{{"name", fused.getKernel()},
                                     {"ops", std::move(ops)},
                                     {"inputs", std::move(ins)},
                                     {"outputs", std::move(outs)}});
    }
    if (auto regions = f->getAttrOfType<ArrayAttr>("kiln.arena"))
      for (Attribute r : regions) {
        auto dict = cast<DictionaryAttr>(r);
        arena.push_back(json::Object{
            {"region", cast<IntegerAttr>(dict.get("region")).getInt()},
            {"bytes_per_unit", cast<IntegerAttr>(dict.get("bytes")).getInt()},
            {"unit", cast<StringAttr>(dict.get("symbols")).getValue()}});
      }
    json::Object entry{{"name", f.getSymName()},
                       {"kind", stringifyEntryKind(*entryKind(f))},
                       {"inputs", std::move(inputs)},
                       {"outputs", std::move(outputs)},
                       {"kernels", std::move(kernels)},
                       {"arena", std::move(arena)}};
    if (auto batch = f->getAttrOfType<IntegerAttr>("kiln.batch"))
      entry["batch"] = batch.getInt();
    entries.push_back(std::move(entry));
  }

  json::Object root{{"model", options.model},
                    {"schedule", stringifySchedule(options.schedule)},
                    {"parameter_count", total},
                    {"parameters", std::move(params)},
                    {"entry_points", std::move(entries)}};
  os << llvm::formatv("{0:2}", json::Value(std::move(root))) << "\n";
  return success();
}

} // namespace kiln
