// The text is a pure function of the Module: same model, same bytes.
// Attribute dictionaries are written sorted by name, as MLIR prints them.
#include "mlir_writer.h"

#include <algorithm>

#include <fmt/format.h>

#include "mlir_text.h"

namespace kiln::dsl::detail {
namespace {

const char *init_name(InitKind k) {
  switch (k) {
  case InitKind::zeros:
    return "zeros";
  case InitKind::ones:
    return "ones";
  case InitKind::constant:
    return "constant";
  case InitKind::uniform:
    return "uniform";
  case InitKind::normal:
    return "normal";
  }
  return "?";
}

// dense<splat> or dense<[[a, b], [c, d]]>, row-major.
std::string dense(const AttrValue &v) {
  if (v.dense.size() == 1)
    return fmt::format("dense<{}> : {}", f32_literal(v.dense[0]),
                       tensor_type(v.dense_shape));
  std::string out;
  size_t next = 0;
  auto emit = [&](auto &self, size_t dim) -> void {
    if (dim == v.dense_shape.size()) {
      out += f32_literal(v.dense[next++]);
      return;
    }
    out += '[';
    for (int64_t i = 0; i < v.dense_shape[dim].size; ++i) {
      if (i)
        out += ", ";
      self(self, dim + 1);
    }
    out += ']';
  };
  emit(emit, 0);
  return fmt::format("dense<{}> : {}", out, tensor_type(v.dense_shape));
}

std::string symbols_attr(const Shape &s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i)
    out += (i ? ", " : "") + string_literal(s[i].symbol);
  return out + "]";
}

std::string attr_value(const AttrValue &v) {
  switch (v.kind) {
  case AttrValue::I64:
    return fmt::format("{} : i64", v.i);
  case AttrValue::F64:
    return f64_literal(v.f) + " : f64";
  case AttrValue::Bool:
    return v.b ? "true" : "false";
  case AttrValue::SymbolRef:
    return symbol_ref(v.symbol, true);
  case AttrValue::DenseF32:
    return dense(v);
  case AttrValue::Symbols:
    return symbols_attr(v.dense_shape);
  case AttrValue::I64Array: {
    std::string out = "array<i64";
    for (size_t i = 0; i < v.ints.size(); ++i)
      out += fmt::format("{}{}", i ? ", " : ": ", v.ints[i]);
    return out + ">";
  }
  }
  return "?";
}

std::string attr_dict(Attrs attrs) {
  if (attrs.empty())
    return "";
  std::sort(attrs.begin(), attrs.end(),
            [](const auto &a, const auto &b) { return a.first < b.first; });
  std::string out = " {";
  for (size_t i = 0; i < attrs.size(); ++i)
    out += fmt::format("{}{} = {}", i ? ", " : "", attrs[i].first,
                       attr_value(attrs[i].second));
  return out + "}";
}

std::string f64_array(const std::vector<double> &v) {
  std::string out = "array<f64";
  for (size_t i = 0; i < v.size(); ++i)
    out += (i ? ", " : ": ") + f64_literal(v[i]);
  return out + ">";
}

// `role` is written only for state and buffers: parameter is the default.
void write_parameter(std::string &out, const Parameter &p) {
  out += fmt::format(
      "  \"kiln.parameter\"() {{init = #kiln<init {}>, init_args = {}, "
      "{}sym_name = {}, type = {}}} : () -> () {}\n",
      init_name(p.init), f64_array(p.init_args),
      p.state    ? "role = #kiln<role state>, "
      : p.buffer ? "role = #kiln<role buffer>, "
                 : "",
      string_literal(p.name), tensor_type(p.shape), location(p.loc));
}

// ", kiln.optimizer = {beta1 = 9.000000e-01 : f64, ..., kind = "adam", ...}"
// (fields and kind sorted by name, as MLIR prints a dictionary), or "".
std::string optimizer_attr(const Function &f) {
  if (f.optimizer.empty())
    return "";
  std::vector<std::pair<std::string, std::string>> entries;
  entries.emplace_back("kind", string_literal(f.optimizer));
  for (const auto &[name, value] : f.optimizer_fields)
    entries.emplace_back(name, f64_literal(value) + " : f64");
  auto strings = [](const std::vector<std::string> &items) {
    std::string list = "[";
    for (size_t i = 0; i < items.size(); ++i)
      list += (i ? ", " : "") + string_literal(items[i]);
    return list + "]";
  };
  if (!f.optimizer_params.empty())
    entries.emplace_back("params", strings(f.optimizer_params));
  if (!f.optimizer_no_decay.empty())
    entries.emplace_back("no_decay", strings(f.optimizer_no_decay));
  std::sort(entries.begin(), entries.end());
  std::string out = ", kiln.optimizer = {";
  for (size_t i = 0; i < entries.size(); ++i)
    out += fmt::format("{}{} = {}", i ? ", " : "", entries[i].first,
                       entries[i].second);
  return out + "}";
}

// ", kiln.minimums = [{min = 2 : i64, symbol = "batch", why = "..."}]", or
// "" (keys sorted, as MLIR prints a dictionary).
std::string minimums_attr(const Function &f) {
  if (f.minimums.empty())
    return "";
  std::string out = ", kiln.minimums = [";
  for (size_t i = 0; i < f.minimums.size(); ++i)
    out += fmt::format("{}{{min = {} : i64, symbol = {}, why = {}}}",
                       i ? ", " : "", f.minimums[i].min,
                       string_literal(f.minimums[i].symbol),
                       string_literal(f.minimums[i].why));
  return out + "]";
}

// ", kiln.data = {kind = "images", max = 1.0 : f64, min = 0.0 : f64}" for
// a tensor whose meaning was declared, else "". Images carry their pixel
// range, timesteps their count and positions their window (as max).
std::string data_attr(const std::vector<DataSpec> &data, size_t i) {
  if (i >= data.size())
    return "";
  const DataSpec &d = data[i];
  if (d.kind == "images" || d.kind == "timestep" || d.kind == "prev_timestep" ||
      (d.kind == "position" && d.max > 0))
    return fmt::format(", kiln.data = {{kind = {}, max = {} : f64, min = {} "
                       ": f64}}",
                       string_literal(d.kind), f64_literal(d.max),
                       f64_literal(d.min));
  return fmt::format(", kiln.data = {{kind = {}}}", string_literal(d.kind));
}

void write_function(std::string &out, const Function &f) {
  // SSA names: arguments %argN, op results %N in creation order.
  // Ops without a result (kiln.param_assign) take no number.
  std::vector<std::string> names(f.nodes.size());
  for (size_t i = 0, op = 0; i < f.nodes.size(); ++i)
    names[i] = int(i) < f.num_args     ? fmt::format("%arg{}", i)
               : f.nodes[i].has_result ? fmt::format("%{}", op++)
                                       : std::string();

  out += fmt::format("  func.func {}(", symbol_ref(f.name));
  for (int i = 0; i < f.num_args; ++i)
    out += fmt::format(
        "{}{}: {} {{kiln.name = {}, kiln.symbols = {}{}}}", i ? ", " : "",
        names[i], tensor_type(f.nodes[i].shape, f.nodes[i].ints),
        string_literal(f.arg_names[i]), symbols_attr(f.nodes[i].shape),
        data_attr(f.arg_data, size_t(i)));
  out += ") -> (";
  for (size_t i = 0; i < f.results.size(); ++i)
    out += fmt::format(
        "{}{} {{kiln.name = {}{}}}", i ? ", " : "",
        tensor_type(f.nodes[f.results[i]].shape, f.nodes[f.results[i]].ints),
        string_literal(f.result_names[i]), data_attr(f.result_data, i));
  const std::string batch =
      f.batch ? fmt::format(", kiln.batch = {} : i64", f.batch) : "";
  out += fmt::format(") attributes {{kiln.entry = #kiln<entry {}>{}{}{}}} {{\n",
                     f.kind, batch, minimums_attr(f), optimizer_attr(f));

  for (size_t i = f.num_args; i < f.nodes.size(); ++i) {
    const Node &n = f.nodes[i];
    std::string operands, types;
    for (size_t j = 0; j < n.operands.size(); ++j) {
      operands += (j ? ", " : "") + names[n.operands[j]];
      types += (j ? ", " : "") + tensor_type(f.nodes[n.operands[j]].shape,
                                             f.nodes[n.operands[j]].ints);
    }
    if (n.has_result)
      out += fmt::format("    {} = {}({}){} : ({}) -> {} {}\n", names[i],
                         string_literal(n.op), operands, attr_dict(n.attrs),
                         types, tensor_type(n.shape, n.ints), location(n.loc));
    else
      out += fmt::format("    {}({}){} : ({}) -> () {}\n", string_literal(n.op),
                         operands, attr_dict(n.attrs), types, location(n.loc));
  }

  std::string values, types;
  for (size_t i = 0; i < f.results.size(); ++i) {
    values += (i ? ", " : "") + names[f.results[i]];
    types += (i ? ", " : "") + tensor_type(f.nodes[f.results[i]].shape,
                                           f.nodes[f.results[i]].ints);
  }
  out += fmt::format("    func.return {} : {} {}\n", values, types,
                     location(f.loc));
  out += fmt::format("  }} {}\n", location(f.loc));
}

} // namespace

// ", kiln.sequences = [{entries = ["d_step", "g_step"], name = "..."}]",
// or nothing.
std::string sequences_attr(const Module &m) {
  if (m.sequences.empty())
    return "";
  std::string out = ", kiln.sequences = [";
  for (size_t i = 0; i < m.sequences.size(); ++i) {
    const Sequence &s = m.sequences[i];
    std::string entries;
    for (size_t j = 0; j < s.entries.size(); ++j)
      entries += (j ? ", " : "") + string_literal(s.entries[j]);
    out += fmt::format("{}{{entries = [{}], name = {}}}", i ? ", " : "",
                       entries, string_literal(s.name));
  }
  return out + "]";
}

std::string write_mlir(const Module &m) {
  std::string out = fmt::format("module attributes {{kiln.model = {}{}}} {{\n",
                                string_literal(m.name), sequences_attr(m));
  for (const Parameter &p : m.params)
    if (p.used)
      write_parameter(out, p);
  for (const Function &f : m.functions)
    write_function(out, f);
  out += "}\n";
  return out;
}

} // namespace kiln::dsl::detail
