//===- Contract.cpp - what an entry point's tensors mean ------------------===//

#include "kiln/Analysis/Contract.h"

#include "kiln/Dialect/KilnOps.h"
#include <cmath>

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;

namespace kiln {
namespace {

/// The shape a kind needs: the batch (a symbol) first, then `rank` more
/// static dimensions; -1 for any number of them (images). Text is i32, may
/// have a static batch (generation from a KV cache is batch 1) and a
/// symbolic length (a prefill over the prompt's own bytes).
struct KindRule {
  StringRef kind;
  bool input;
  int rank;
  StringRef shape; // for messages
  bool ints = false;
};

constexpr KindRule kRules[] = {
    {"images", true, -1, "[batch, ...]"},
    {"onehot", true, 1, "[batch, classes]"},
    {"noise", true, 1, "[batch, L]"},
    {"text", true, 1, "[batch, T] of i32 bytes", true},
    {"next_text", true, 1, "[batch, T] of i32 bytes", true},
    {"position", true, 0, "an i32 scalar", true},
    {"source", true, 1, "[batch, S] of i32 bytes", true},
    {"timestep", true, 0, "[batch] of i32", true},
    {"prev_timestep", true, 0, "[batch] of i32", true},
    {"eta", true, 0, "an f32 scalar"},
    {"latent", true, 1, "[batch, L]"},
    {"images", false, -1, "[batch, ...]"},
    {"loss", false, 0, "a scalar"},
    {"logits", false, 1, "[batch, classes]"},
    {"features", false, 1, "[batch, N]"},
    {"latent", false, 1, "[batch, L]"},
    {"score", false, 0, "[batch]"},
    {"next_logits", false, 2, "[batch, T, V]"},
};

std::optional<DataMeaning> meaning(DictionaryAttr attrs) {
  auto data = attrs ? attrs.getAs<DictionaryAttr>("kiln.data") : nullptr;
  auto kind = data ? data.getAs<StringAttr>("kind") : nullptr;
  if (!kind)
    return std::nullopt;
  DataMeaning m{kind.getValue()};
  if (auto min = data.getAs<FloatAttr>("min"))
    m.min = min.getValueAsDouble();
  if (auto max = data.getAs<FloatAttr>("max"))
    m.max = max.getValueAsDouble();
  return m;
}

LogicalResult checkOne(func::FuncOp func, bool input, unsigned i,
                       DictionaryAttr attrs, Type type) {
  Attribute raw = attrs ? attrs.get("kiln.data") : Attribute();
  if (!raw)
    return success();
  const char *side = input ? "argument" : "result";
  auto fail = [&]() {
    return func.emitError() << "kiln.data of " << side << " " << i << " ";
  };
  auto data = dyn_cast<DictionaryAttr>(raw);
  auto kind = data ? data.getAs<StringAttr>("kind") : nullptr;
  if (!kind)
    return fail() << "must be {kind = \"...\"}, got " << raw;
  const KindRule *rule = llvm::find_if(kRules, [&](const KindRule &r) {
    return r.kind == kind.getValue() && r.input == input;
  });
  if (rule == std::end(kRules)) {
    std::string kinds;
    for (const KindRule &r : kRules)
      if (r.input == input && !StringRef(kinds).contains(r.kind))
        kinds += (kinds.empty() ? "" : ", ") + r.kind.str();
    return fail() << "has kind '" << kind.getValue() << "'; an " << side
                  << " may be " << kinds;
  }
  bool images = rule->kind == "images";
  bool steps = rule->kind == "timestep" || rule->kind == "prev_timestep";
  // A position may state the window it lies in (max: the KV cache's size).
  bool window = rule->kind == "position" && data.get("max");
  for (NamedAttribute a : data) {
    bool allowed = a.getName() == "kind" ||
                   ((images || steps || window) &&
                    (a.getName() == "min" || a.getName() == "max") &&
                    isa<FloatAttr>(a.getValue()));
    if (!allowed)
      return fail() << "has an unexpected entry " << a.getName() << " = "
                    << a.getValue();
  }
  if (images) {
    auto min = data.getAs<FloatAttr>("min"), max = data.getAs<FloatAttr>("max");
    if (!min || !max || !(min.getValueAsDouble() < max.getValueAsDouble()))
      return fail() << "needs a pixel range min < max, got " << data;
  }
  if (steps || window) {
    auto max = data.getAs<FloatAttr>("max");
    if (!max || max.getValueAsDouble() < 1 ||
        max.getValueAsDouble() != std::floor(max.getValueAsDouble()))
      return fail() << "needs the number of "
                    << (steps ? "timesteps" : "window positions")
                    << " as max (a positive integer), got " << data;
  }
  auto t = cast<RankedTensorType>(type);
  bool text = rule->kind == "text" || rule->kind == "next_text" ||
              rule->kind == "source" || rule->kind == "next_logits";
  // A prompt and its logits may have any length: text and next_logits.
  bool promptLength = rule->kind == "text" || rule->kind == "next_logits";
  bool scalar =
      rule->kind == "loss" || rule->kind == "position" || rule->kind == "eta";
  bool per_batch = rule->kind == "score" || rule->kind == "timestep" ||
                   rule->kind == "prev_timestep";
  bool fits;
  if (t.getElementType().isInteger(32) != rule->ints)
    fits = false;
  else if (scalar)
    fits = t.getRank() == 0;
  else if (text)
    fits = t.getRank() == rule->rank + 1 &&
           llvm::all_of(llvm::enumerate(t.getShape()), [&](auto d) {
             return d.index() == 0 || !ShapedType::isDynamic(d.value()) ||
                    (d.index() == 1 && promptLength);
           });
  else if (per_batch)
    fits = t.getRank() == 1 && t.isDynamicDim(0);
  else
    fits = t.getRank() >= 2 && t.isDynamicDim(0) &&
           (rule->rank < 0 || t.getRank() == rule->rank + 1) &&
           llvm::all_of(t.getShape().drop_front(),
                        [](int64_t d) { return !ShapedType::isDynamic(d); });
  if (!fits)
    return fail() << "'" << rule->kind << "' must be " << rule->shape
                  << (promptLength ? " (static but maybe the batch and length)"
                      : text       ? " (all static but maybe the batch)"
                      : scalar     ? ""
                                   : " (the batch symbolic, the rest static)")
                  << ", got " << t;
  return success();
}

} // namespace

std::optional<DataMeaning> argumentData(func::FuncOp func, unsigned i) {
  return meaning(func.getArgAttrDict(i));
}

std::optional<DataMeaning> resultData(func::FuncOp func, unsigned i) {
  return meaning(func.getResultAttrDict(i));
}

LogicalResult checkContract(func::FuncOp func) {
  if (Attribute kind = func->getAttr("kiln.entry"); kind && !entryKind(func))
    return func.emitError("kiln.entry must be #kiln<entry infer> or "
                          "#kiln<entry train> (or gradients or update, which "
                          "kilnc --data-parallel adds), got ")
           << kind;
  if (Attribute batch = func->getAttr("kiln.batch")) {
    auto n = dyn_cast<IntegerAttr>(batch);
    if (entryKind(func) != EntryKind::train)
      return func.emitError("kiln.batch is for train entry points");
    if (!n || n.getInt() < 1)
      return func.emitError("kiln.batch must be a positive integer, got ")
             << batch;
  }
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (failed(checkOne(func, true, i, func.getArgAttrDict(i),
                        func.getArgument(i).getType())))
      return failure();
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    if (failed(checkOne(func, false, i, func.getResultAttrDict(i),
                        func.getResultTypes()[i])))
      return failure();
  return success();
}

} // namespace kiln
