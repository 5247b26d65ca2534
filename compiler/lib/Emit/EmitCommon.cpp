//===- EmitCommon.cpp - helpers shared by the emitters --------------------===//

#include "EmitCommon.h"

#include "mlir/IR/Location.h"
#include "llvm/Support/Format.h"

#include <set>

using namespace mlir;

namespace kiln::emit {

std::vector<ParamInfo> collectParams(ModuleOp module) {
  std::vector<ParamInfo> params;
  for (auto p : module.getOps<ParameterOp>())
    params.push_back({p.getSymName().str(), p});
  return params;
}

std::vector<func::FuncOp> collectEntries(ModuleOp module) {
  std::vector<func::FuncOp> entries;
  for (auto f : module.getOps<func::FuncOp>())
    if (!f.isExternal() && f->hasAttr("kiln.entry"))
      entries.push_back(f);
  return entries;
}

std::string identifier(StringRef name) {
  std::string id;
  for (char c : name)
    id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0])))
    id = "_" + id;
  return id;
}

std::string symbolExpr(StringRef dim) {
  auto p = DimProduct::parse(dim);
  if (!p)
    return dim.empty() ? "1" : "sym_" + identifier(dim);
  std::string s = p->coefficient == 1 ? "" : std::to_string(p->coefficient);
  for (StringRef sym : p->symbols)
    s += (s.empty() ? "" : " * ") + ("sym_" + identifier(sym));
  return p->coefficient == 1 && p->symbols.size() == 1 ? s : "(" + s + ")";
}

std::vector<std::string> kernelSymbolArgs(FusedOp fused,
                                          SymbolicShapes &shapes) {
  std::set<std::string> readable, used;
  for (Value in : fused.getBody().getArguments())
    if (auto syms = shapes.get(in); succeeded(syms))
      for (StringRef s : *syms)
        if (!s.empty())
          readable.insert(s.str());
  auto use = [&](Value v) {
    if (auto syms = shapes.get(v); succeeded(syms))
      for (StringRef s : *syms)
        if (readable.count(s.str()) == 0)
          if (auto p = DimProduct::parse(s))
            for (StringRef factor : p->symbols)
              if (readable.count(factor.str()) == 0)
                used.insert(factor.str());
  };
  fused.getBody().walk([&](Operation *op) {
    for (Value r : op->getResults())
      use(r);
  });
  return {used.begin(), used.end()};
}

std::string cppElementType(Type tensorType) {
  Type elem = cast<RankedTensorType>(tensorType).getElementType();
  return elem.isF64() ? "double" : elem.isInteger(32) ? "int32_t" : "float";
}

std::string quoted(StringRef text) {
  std::string s = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      s += '\\';
    s += c;
  }
  return s + "\"";
}

std::string argName(func::FuncOp func, unsigned index) {
  if (auto n = func.getArgAttrOfType<StringAttr>(index, "kiln.name"))
    return n.getValue().str();
  return "input" + std::to_string(index);
}

std::string resultName(func::FuncOp func, unsigned index) {
  if (auto n = func.getResultAttrOfType<StringAttr>(index, "kiln.name"))
    return n.getValue().str();
  return "output" + std::to_string(index);
}

bool needsFallback(FusedOp fused, Schedule schedule) {
  if (schedule == Schedule::heuristic)
    return false;
  auto symbolic = [](Type t) {
    return !cast<RankedTensorType>(t).hasStaticShape();
  };
  return llvm::any_of(fused.getInputs().getTypes(), symbolic) ||
         llvm::any_of(fused.getResultTypes(), symbolic);
}

std::string sourceLine(Operation *op) {
  Location loc = op->getLoc();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    if (!fused.getLocations().empty())
      loc = fused.getLocations().front();
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return (file.getFilename().getValue() + ":" + Twine(file.getLine())).str();
  return "";
}

} // namespace kiln::emit
