#include "builder.h"

#include <cmath>

#include <fmt/format.h>

#include "kiln/dsl/error.h"
#include "kiln/dsl/model.h"

namespace kiln::dsl::detail {
namespace {
Builder *g_current = nullptr;
}

SrcLoc to_src_loc(const Loc &loc) {
  return {loc.file_name() ? loc.file_name() : "", loc.line(), loc.column()};
}

void fail(const SrcLoc &loc, const std::string &message) {
  if (loc.file.empty())
    throw Error(fmt::format("error: {}", message));
  throw Error(fmt::format("{}:{}:{}: error: {}", loc.file, loc.line, loc.column,
                          message));
}

void fail(const Loc &loc, const std::string &message) {
  fail(to_src_loc(loc), message);
}

Builder &Builder::current(std::string_view what, const Loc &loc) {
  if (!g_current)
    fail(loc, fmt::format("{}: no model is being built (declare parameters "
                          "as members of a Model and use ops inside entry "
                          "points; tests need a live ModuleBuilder)",
                          what));
  return *g_current;
}

Builder *Builder::current_or_null() { return g_current; }
void Builder::set_current(Builder *b) { g_current = b; }

int Builder::new_handle(int function, int index) {
  values_.push_back({function, index});
  return int(values_.size()) - 1;
}

int Builder::operand(int handle, std::string_view op, const SrcLoc &loc) {
  if (open_ < 0)
    fail(loc, fmt::format("{}: ops can only be used while an entry point is "
                          "traced (in a function passed to infer()/train())",
                          op));
  if (handle < 0 || handle >= int(values_.size()))
    fail(loc, fmt::format("{}: an operand is an empty Tensor (default-"
                          "constructed and never assigned)",
                          op));
  ValueRef v = values_[handle];
  Function &f = open_function();
  if (v.function == -1) {
    // A buffer written earlier in this entry point reads as its new value
    // (the write happens in place).
    if (auto w = f.state_values.find(v.index);
        w != f.state_values.end() && module_.params[v.index].buffer)
      return w->second.node;
    auto [it, inserted] = f.param_refs.try_emplace(v.index, 0);
    if (inserted) {
      Parameter &p = module_.params[v.index];
      p.used = true;
      AttrValue ref(AttrValue::SymbolRef);
      ref.symbol = p.name;
      f.nodes.push_back({"kiln.param_ref", {}, {{"name", ref}}, p.shape, loc});
      it->second = int(f.nodes.size()) - 1;
    }
    return it->second;
  }
  if (v.function != open_) {
    std::string from = v.function < int(module_.functions.size())
                           ? module_.functions[v.function].name
                           : std::string("(aborted)");
    fail(loc, fmt::format("{}: an operand comes from entry point '{}'; "
                          "tensors cannot be shared between entry points",
                          op, from));
  }
  return v.index;
}

const Shape &Builder::shape(int node) const {
  return module_.functions[open_].nodes[node].shape;
}

bool Builder::ints(int node) const {
  return module_.functions[open_].nodes[node].ints;
}

void Builder::set_ints(int node) {
  module_.functions[open_].nodes[node].ints = true;
}

int Builder::add_node(std::string op, std::vector<int> operands, Attrs attrs,
                      Shape shape, const SrcLoc &loc) {
  Function &f = open_function();
  f.nodes.push_back({std::move(op), std::move(operands), std::move(attrs),
                     std::move(shape), loc});
  return int(f.nodes.size()) - 1;
}

int Builder::result(int node, ShapeRef promised) {
  const Node &n = open_function().nodes[node];
  Shape typed = to_shape(promised);
  if (n.shape != typed)
    fail(n.loc, fmt::format("internal error in the Kiln DSL: {} inferred {} "
                            "but the C++ type is {}",
                            n.op, to_string(n.shape), to_string(typed)));
  return new_handle(open_, node);
}

int Builder::declare_parameter(std::string_view name, Shape shape,
                               InitKind init, std::vector<double> args,
                               const SrcLoc &loc, bool state, bool buffer) {
  if (name.empty())
    fail(loc, "parameter: the name must not be empty");
  for (const Parameter &p : module_.params)
    if (p.name == name)
      fail(loc, fmt::format("parameter '{}' is declared twice (first at "
                            "{}:{}); parameter names must be unique",
                            name, p.loc.file, p.loc.line));
  for (const Function &f : module_.functions)
    if (f.name == name)
      fail(loc,
           fmt::format("parameter '{}' has the name of an entry point", name));
  module_.params.push_back({std::string(name), std::move(shape), init,
                            std::move(args), loc, false, state, buffer});
  return new_handle(-1, int(module_.params.size()) - 1);
}

int Builder::state_parameter(int handle, std::string_view what,
                             const SrcLoc &loc) {
  if (handle < 0 || handle >= int(values_.size()) ||
      values_[handle].function != -1 ||
      !(module_.params[values_[handle].index].state ||
        module_.params[values_[handle].index].buffer))
    fail(loc, fmt::format("{}: not a state parameter or a buffer", what));
  return values_[handle].index;
}

int Builder::state_value(int handle, const SrcLoc &loc) {
  int param = state_parameter(handle, "state", loc);
  Function &f = open_function();
  auto it = f.state_values.find(param);
  if (it != f.state_values.end())
    return it->second.node;
  return operand(handle, "state", loc);
}

void Builder::assign_state(int param, int node, std::string_view what,
                           const SrcLoc &loc) {
  Function &f = open_function();
  const Parameter &p = module_.params[param];
  if (f.kind != "train" && !p.buffer)
    fail(loc, fmt::format("{}: updating '{}' (state) is only possible in a "
                          "train entry point; '{}' is an infer entry point",
                          what, p.name, f.name));
  if (f.nodes[node].shape != p.shape)
    fail(loc, fmt::format("{}: the new value of '{}' is {}, the parameter "
                          "is {}",
                          what, p.name, to_string(f.nodes[node].shape),
                          to_string(p.shape)));
  if (!f.state_values.count(param))
    f.state_order.push_back(param);
  f.state_values[param] = {node, loc};
}

namespace {

// Ranges PyTorch's optimizers accept (they raise ValueError otherwise).
void check_optimizer(const OptimizerSpec &o, std::string_view entry,
                     const SrcLoc &loc) {
  std::string_view kind = o.kind;
  std::string type = kind == "sgd" ? "Sgd" : kind == "adam" ? "Adam" : "AdamW";
  for (int i = 0; i < o.count; ++i) {
    std::string_view field = o.names[i];
    double v = o.values[i];
    const char *need = nullptr;
    if (!std::isfinite(v))
      need = "finite";
    else if (field == "lr" && !(v > 0))
      need = "> 0";
    else if ((field == "momentum" || field == "weight_decay" ||
              field == "clip_grad_norm") &&
             !(v >= 0))
      need = ">= 0";
    else if ((field == "beta1" || field == "beta2" || field == "ema") &&
             !(v >= 0 && v < 1))
      need = "in [0, 1)";
    else if (field == "eps" && !(v > 0))
      need = "> 0";
    if (need)
      fail(loc, fmt::format("train('{}'): {}: .{} must be {}, got {}{}", entry,
                            type, field, need, v,
                            kind == "sgd" && field == "lr" && v == 0
                                ? " (SGD has no default learning rate: "
                                  "write Sgd{.lr = ...})"
                                : ""));
  }
}

} // namespace

void Builder::begin_entry(std::string_view name, const char *kind, int num_args,
                          const OptimizerSpec *optimizer, const SrcLoc &loc) {
  if (open_ >= 0)
    fail(loc, fmt::format("{}('{}'): entry point '{}' is still being traced; "
                          "entry points cannot nest",
                          kind, name, open_function().name));
  if (name.empty())
    fail(loc, fmt::format("{}: the entry point name must not be empty", kind));
  for (const Function &f : module_.functions)
    if (f.name == name)
      fail(loc, fmt::format("{}: entry point '{}' is defined twice (first at "
                            "{}:{})",
                            kind, name, f.loc.file, f.loc.line));
  for (const Parameter &p : module_.params)
    if (p.name == name)
      fail(loc, fmt::format("{}: entry point '{}' has the name of a "
                            "parameter",
                            kind, name));
  bool train = std::string_view(kind) == "train";
  if (train != (optimizer != nullptr))
    fail(loc, fmt::format("{}('{}'): {}", kind, name,
                          train ? "a train entry point needs an optimizer"
                                : "only train entry points take an optimizer"));
  if (optimizer)
    check_optimizer(*optimizer, name, loc);
  Function f;
  f.name = std::string(name);
  f.kind = kind;
  if (optimizer) {
    f.optimizer = optimizer->kind;
    // Every field, except clipping and the moving average when they are
    // off (0): written only when used, so models without them keep their
    // text.
    for (int i = 0; i < optimizer->count; ++i)
      if ((std::string_view(optimizer->names[i]) != "clip_grad_norm" &&
           std::string_view(optimizer->names[i]) != "ema") ||
          optimizer->values[i] != 0)
        f.optimizer_fields.emplace_back(optimizer->names[i],
                                        optimizer->values[i]);
  }
  f.loc = loc;
  f.num_args = num_args;
  f.nodes.resize(num_args);
  module_.functions.push_back(std::move(f));
  open_ = int(module_.functions.size()) - 1;
  stream_at_begin_ = module_.next_stream;
}

int Builder::argument(int index, Shape shape, bool ints) {
  Function &f = open_function();
  f.nodes.at(index).shape = std::move(shape);
  f.nodes[index].ints = ints;
  f.nodes[index].loc = f.loc;
  return new_handle(open_, index);
}

int Builder::end_entry(const int *results, int count) {
  Function &f = open_function();
  SrcLoc loc = f.loc;
  std::string what = fmt::format("entry point '{}' result", f.name);
  for (int i = 0; i < count; ++i)
    f.results.push_back(operand(results[i], what, loc));
  // State updates take effect at the end: one kiln.param_assign per state
  // parameter, of its final value (docs/ir.md).
  for (int param : f.state_order) {
    const StateValue &v = f.state_values.at(param);
    AttrValue ref(AttrValue::SymbolRef);
    ref.symbol = module_.params[param].name;
    f.nodes.push_back(
        {"kiln.param_assign", {v.node}, {{"name", ref}}, {}, v.loc, false});
  }
  for (int i = 0; i < f.num_args; ++i)
    f.arg_names.push_back(fmt::format("input{}", i));
  for (int i = 0; i < count; ++i)
    f.result_names.push_back(f.kind == "train" && i == 0
                                 ? std::string("loss")
                                 : fmt::format("output{}", i));
  int index = open_;
  open_ = -1;
  return index;
}

void Builder::abort_entry() noexcept {
  if (open_ >= 0 && open_ == int(module_.functions.size()) - 1) {
    module_.functions.pop_back();
    module_.next_stream = stream_at_begin_;
  }
  open_ = -1;
}

void Builder::set_names(int entry, bool results, const std::string_view *names,
                        int count) {
  Function &f = module_.functions.at(entry);
  std::vector<std::string> &target = results ? f.result_names : f.arg_names;
  const char *what = results ? "outputs" : "inputs";
  if (count != int(target.size()))
    fail(f.loc, fmt::format("entry point '{}' has {} {}, but {} names were "
                            "given",
                            f.name, target.size(), what, count));
  for (int i = 0; i < count; ++i) {
    if (names[i].empty())
      fail(f.loc, fmt::format("entry point '{}': {} names must not be empty",
                              f.name, what));
    for (int j = 0; j < i; ++j)
      if (names[j] == names[i])
        fail(f.loc, fmt::format("entry point '{}': {} name '{}' is used "
                                "twice",
                                f.name, what, names[i]));
    target[i] = std::string(names[i]);
  }
}

void Builder::set_params(int entry, const std::string_view *prefixes, int count,
                         const SrcLoc &where) {
  Function &f = module_.functions.at(entry);
  // Errors point at the train() call unless a location is given.
  const SrcLoc &loc = where.file.empty() ? f.loc : where;
  std::string what = fmt::format("train('{}').params", f.name);
  if (f.kind != "train")
    fail(loc, fmt::format("infer('{}').params: only train entry points "
                          "update parameters",
                          f.name));
  if (!f.optimizer_params.empty())
    fail(loc, fmt::format("{}: given twice", what));
  if (count == 0)
    fail(loc, fmt::format("{}: give at least one name prefix", what));
  for (int i = 0; i < count; ++i) {
    std::string_view prefix = prefixes[i];
    if (prefix.empty())
      fail(loc, fmt::format("{}: a prefix must not be empty (leave params "
                            "out to update every parameter)",
                            what));
    for (int j = 0; j < i; ++j)
      if (prefixes[j] == prefix)
        fail(loc, fmt::format("{}: prefix '{}' is given twice", what, prefix));
    bool any = false;
    for (const auto &[param, node] : f.param_refs) {
      const Parameter &p = module_.params[param];
      any = any || (!p.state && p.name.starts_with(prefix));
    }
    if (!any)
      fail(loc, fmt::format("{}: no trainable parameter that '{}' reads "
                            "starts with '{}'",
                            what, f.name, prefix));
    f.optimizer_params.emplace_back(prefix);
  }
}

void Builder::set_no_decay(int entry, const std::string_view *globs, int count,
                           const SrcLoc &where) {
  Function &f = module_.functions.at(entry);
  const SrcLoc &loc = where.file.empty() ? f.loc : where;
  std::string what = fmt::format("train('{}').no_decay", f.name);
  if (f.kind != "train")
    fail(loc, fmt::format("infer('{}').no_decay: only train entry points "
                          "decay weights",
                          f.name));
  if (!f.optimizer_no_decay.empty())
    fail(loc, fmt::format("{}: given twice", what));
  if (count == 0)
    fail(loc, fmt::format("{}: give at least one glob", what));
  for (int i = 0; i < count; ++i) {
    if (globs[i].empty())
      fail(loc, fmt::format("{}: a glob must not be empty", what));
    f.optimizer_no_decay.emplace_back(globs[i]);
  }
}

void Builder::add_sequence(std::string_view name,
                           const std::string_view *entries, int count,
                           const SrcLoc &loc) {
  const std::string what = fmt::format("sequence('{}')", name);
  auto declared = [&](std::string_view n) -> const Function * {
    for (const Function &f : module_.functions)
      if (f.name == n)
        return &f;
    return nullptr;
  };
  if (name.empty())
    fail(loc, "sequence: the entry point needs a name");
  if (declared(name))
    fail(loc, fmt::format("{}: an entry point of that name exists", what));
  for (const Sequence &s : module_.sequences)
    if (s.name == name)
      fail(loc, fmt::format("{}: declared twice", what));
  if (count < 2)
    fail(loc, fmt::format("{}: give at least two train entry points", what));
  Sequence seq{std::string(name), {}, loc};
  for (int i = 0; i < count; ++i) {
    const Function *f = declared(entries[i]);
    if (!f)
      fail(loc, fmt::format("{}: no entry point '{}' declared before it", what,
                            entries[i]));
    if (f->kind != "train")
      fail(loc, fmt::format("{}: '{}' is an {} entry point; a sequence "
                            "calls train entry points",
                            what, entries[i], f->kind));
    for (int j = 0; j < i; ++j)
      if (entries[j] == entries[i])
        fail(loc, fmt::format("{}: '{}' is given twice", what, entries[i]));
    seq.entries.emplace_back(entries[i]);
  }
  module_.sequences.push_back(std::move(seq));
}

// graph_api.h entry points that only forward to the current builder.

int parameter(std::string_view name, ShapeRef shape, InitKind init, double a,
              double b, Loc loc, bool state, bool buffer) {
  std::vector<double> args;
  if (init == InitKind::constant)
    args = {a};
  else if (init == InitKind::uniform || init == InitKind::normal)
    args = {a, b};
  return Builder::current("parameter", loc)
      .declare_parameter(name, to_shape(shape), init, std::move(args),
                         to_src_loc(loc), state, buffer);
}

int argument(int index, ShapeRef shape, bool ints) {
  return Builder::current("argument", Loc{})
      .argument(index, to_shape(shape), ints);
}

void begin_entry(std::string_view name, const char *kind, int num_args,
                 const OptimizerSpec *optimizer, Loc loc) {
  Builder::current(kind, loc).begin_entry(name, kind, num_args, optimizer,
                                          to_src_loc(loc));
}

int end_entry(const int *results, int count) {
  return Builder::current("return", Loc{}).end_entry(results, count);
}

void abort_entry() noexcept {
  if (Builder *b = Builder::current_or_null())
    b->abort_entry();
}

void set_names(int entry, bool results, const std::string_view *names,
               int count) {
  Builder::current("names", Loc{}).set_names(entry, results, names, count);
}

void add_sequence(std::string_view name, const std::string_view *entries,
                  int count, Loc loc) {
  Builder::current("sequence", loc)
      .add_sequence(name, entries, count, to_src_loc(loc));
}

void set_no_decay(int entry, const std::string_view *globs, int count,
                  Loc loc) {
  Builder::current("no_decay", loc)
      .set_no_decay(entry, globs, count, to_src_loc(loc));
}

void set_params(int entry, const std::string_view *prefixes, int count,
                Loc loc) {
  Builder::current("params", loc)
      .set_params(entry, prefixes, count, to_src_loc(loc));
}

int state_read(int state, std::string_view what, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current(what, loc);
  b.state_parameter(state, what, at); // names `what` in the error
  return b.handle(b.state_value(state, at));
}

void state_assign(int state, int value, std::string_view what, Loc loc) {
  SrcLoc at = to_src_loc(loc);
  Builder &b = Builder::current(what, loc);
  int param = b.state_parameter(state, what, at);
  b.assign_state(param, b.operand(value, what, at), what, at);
}

void Builder::require_minimum(const std::string &symbol, int64_t min,
                              std::string why) {
  std::vector<SymbolMinimum> &all = open_function().minimums;
  for (SymbolMinimum &m : all)
    if (m.symbol == symbol) {
      if (min > m.min) {
        m.min = min;
        m.why = std::move(why);
      }
      return;
    }
  all.push_back({symbol, min, std::move(why)});
}

} // namespace kiln::dsl::detail
