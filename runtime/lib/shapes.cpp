#include "kiln/runtime/shapes.h"

#include "kiln/runtime/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace kiln::rt {

std::string dims_string(std::span<const DimDesc> dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i > 0)
      s += ", ";
    s += dims[i].symbol.empty() ? std::to_string(dims[i].size)
                                : std::string(dims[i].symbol);
  }
  return s + "]";
}

std::vector<std::string_view> entry_symbols(const EntryDesc &entry) {
  std::vector<std::string_view> symbols;
  auto collect = [&](const std::vector<TensorDesc> &descs) {
    for (const TensorDesc &t : descs)
      for (const DimDesc &d : t.dims)
        if (!d.symbol.empty() && d.symbol.find('*') == std::string_view::npos &&
            std::ranges::find(symbols, d.symbol) == symbols.end())
          symbols.push_back(d.symbol);
  };
  collect(entry.inputs);
  collect(entry.outputs);
  return symbols;
}

std::optional<int64_t> SymbolBindings::find(std::string_view symbol) const {
  for (const Binding &b : bindings_)
    if (b.symbol == symbol)
      return b.size;
  // A product of symbols and sizes, "128*batch*seq" (docs/ir.md): only the
  // plan's outputs have such dimensions, never its inputs.
  const size_t star = symbol.find('*');
  if (star == std::string_view::npos)
    return std::nullopt;
  int64_t size = 1;
  for (std::string_view rest = symbol; !rest.empty();) {
    const size_t end = std::min(rest.find('*'), rest.size());
    const std::string_view factor = rest.substr(0, end);
    rest.remove_prefix(std::min(end + 1, rest.size()));
    int64_t n = 0;
    auto [ptr, ec] =
        std::from_chars(factor.data(), factor.data() + factor.size(), n);
    if (ec == std::errc() && ptr == factor.data() + factor.size()) {
      size *= n;
    } else if (auto bound = find(factor)) {
      size *= *bound;
    } else {
      return std::nullopt;
    }
  }
  return size;
}

void SymbolBindings::bind(std::string_view symbol, int64_t size,
                          std::string origin) {
  for (Binding &b : bindings_)
    if (b.symbol == symbol) {
      b.size = size;
      b.origin = std::move(origin);
      return;
    }
  bindings_.push_back({symbol, size, std::move(origin)});
}

const std::string &SymbolBindings::origin(std::string_view symbol) const {
  static const std::string none;
  for (const Binding &b : bindings_)
    if (b.symbol == symbol)
      return b.origin;
  return none;
}

std::optional<std::vector<int64_t>> resolve(std::span<const DimDesc> dims,
                                            const SymbolBindings &bindings) {
  std::vector<int64_t> shape;
  shape.reserve(dims.size());
  for (const DimDesc &d : dims) {
    if (d.symbol.empty()) {
      shape.push_back(d.size);
    } else if (auto size = bindings.find(d.symbol)) {
      shape.push_back(*size);
    } else {
      return std::nullopt;
    }
  }
  return shape;
}

namespace {

// Checks one tensor, binding the symbols it introduces. Returns nothing on
// success, else extra detail for the message ("" when the shapes say it all).
std::optional<std::string> mismatch(const TensorDesc &desc,
                                    const Tensor &tensor, std::string_view what,
                                    SymbolBindings &bindings) {
  if (tensor.rank() != static_cast<int>(desc.dims.size()))
    return "";
  // Bind into a copy so that a tensor that fails leaves no bindings behind.
  SymbolBindings local = bindings;
  for (size_t i = 0; i < desc.dims.size(); ++i) {
    const DimDesc &d = desc.dims[i];
    const int64_t got = tensor.dim(static_cast<int>(i));
    if (d.symbol.empty()) {
      if (got != d.size)
        return "";
    } else if (auto bound = local.find(d.symbol)) {
      if (*bound != got)
        return fmt::format(" with {} = {} (from {})", d.symbol, *bound,
                           local.origin(d.symbol));
    } else if (got < 1) {
      return fmt::format(" ({} must be at least 1)", d.symbol);
    } else {
      local.bind(d.symbol, got, std::string(what));
    }
  }
  bindings = std::move(local);
  return std::nullopt;
}

} // namespace

void check_tensors(std::string_view where, std::string_view role,
                   std::span<const TensorDesc> descs,
                   std::span<const Tensor *const> tensors,
                   SymbolBindings &bindings) {
  if (tensors.size() != descs.size()) {
    std::string names;
    for (const TensorDesc &d : descs)
      names += fmt::format("{}{} {}", names.empty() ? "" : ", ", d.name,
                           dims_string(d.dims));
    throw Error(fmt::format("{}: expects {} {}{} ({}) but got {}", where,
                            descs.size(), role, descs.size() == 1 ? "" : "s",
                            names.empty() ? "none" : names, tensors.size()));
  }
  for (size_t i = 0; i < descs.size(); ++i) {
    const TensorDesc &desc = descs[i];
    const std::string what = fmt::format("{} '{}'", role, desc.name);
    if (tensors[i] == nullptr)
      throw Error(fmt::format("{}: {} is null", where, what));
    if (tensors[i]->dtype() != desc.dtype)
      throw Error(fmt::format("{}: {} holds {} values but the entry expects "
                              "{}",
                              where, what, dtype_name(tensors[i]->dtype()),
                              dtype_name(desc.dtype)));
    if (auto detail = mismatch(desc, *tensors[i], what, bindings))
      throw Error(fmt::format("{}: {} has shape {} but the entry expects {}{}",
                              where, what, tensors[i]->shape_string(),
                              dims_string(desc.dims), *detail));
  }
}

} // namespace kiln::rt
