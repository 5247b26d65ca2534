#include "describe.h"

#include "contract.h"

#include "kiln/runtime/shapes.h"

#include <fmt/format.h>

namespace kiln::cli {

std::string describe(const rt::TensorDesc &tensor) {
  // Floats are the default; integers (token ids) say so.
  const std::string type =
      tensor.dtype == rt::DType::f32
          ? ""
          : std::string(" ") + rt::dtype_name(tensor.dtype);
  if (tensor.data.kind == rt::DataKind::unspecified)
    return fmt::format("{} {}{}", tensor.name, rt::dims_string(tensor.dims),
                       type);
  return fmt::format("{} {}{} ({})", tensor.name, rt::dims_string(tensor.dims),
                     type, data_string(tensor.data));
}

std::string describe(const rt::EntryDesc &entry) {
  auto join = [](const std::vector<rt::TensorDesc> &tensors) {
    std::string s;
    for (const rt::TensorDesc &t : tensors)
      s += (s.empty() ? "" : ", ") + describe(t);
    return s.empty() ? std::string("()") : s;
  };
  std::string s = fmt::format("{} ({}): {} -> {}", entry.name, entry.kind,
                              join(entry.inputs), join(entry.outputs));
  for (const rt::SymbolMinimum &m : entry.minimums)
    s += fmt::format("; {} >= {}", m.symbol, m.min);
  if (entry.batch)
    s += fmt::format("; trains with batch {}", entry.batch);
  return s;
}

std::string describe_init(const rt::ParamDesc &param) {
  switch (param.init) {
  case rt::InitKind::zeros:
    return "zeros";
  case rt::InitKind::ones:
    return "ones";
  case rt::InitKind::constant:
    return fmt::format("constant({:g})", param.a);
  case rt::InitKind::uniform:
    return fmt::format("uniform({:g}, {:g})", param.a, param.b);
  case rt::InitKind::normal:
    return fmt::format("normal(mean {:g}, std {:g})", param.a, param.b);
  }
  return "?";
}

std::string grouped(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

} // namespace kiln::cli
