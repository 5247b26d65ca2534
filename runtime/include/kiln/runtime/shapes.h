// Shapes of entry-point arguments: printing descriptors, binding symbolic
// dimensions ("batch") to sizes, and checking tensors against descriptors.
#pragma once

#include "kiln/runtime/model.h"
#include "kiln/runtime/tensor.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::rt {

// "[batch, 32]"
std::string dims_string(std::span<const DimDesc> dims);

// The symbols of an entry point in first-use order (inputs, then outputs);
// a product such as "128*batch" (a merged dimension) is not one.
std::vector<std::string_view> entry_symbols(const EntryDesc &entry);

// Sizes of symbolic dimensions, with where each was bound, for messages.
class SymbolBindings {
public:
  std::optional<int64_t> find(std::string_view symbol) const;
  void bind(std::string_view symbol, int64_t size, std::string origin);
  // "input 'x'" for a binding made while checking x.
  const std::string &origin(std::string_view symbol) const;

private:
  struct Binding {
    std::string_view symbol;
    int64_t size;
    std::string origin;
  };
  std::vector<Binding> bindings_;
};

// The concrete shape of `dims`, or nothing if a symbol is unbound.
std::optional<std::vector<int64_t>> resolve(std::span<const DimDesc> dims,
                                            const SymbolBindings &bindings);

// Checks `tensors` against `descs` (count, rank, static sizes, symbols
// consistent with `bindings`, which it extends) and throws Error otherwise.
// `where` prefixes messages ("mlp.forward"); `role` is "input" or "output".
void check_tensors(std::string_view where, std::string_view role,
                   std::span<const TensorDesc> descs,
                   std::span<const Tensor *const> tensors,
                   SymbolBindings &bindings);

} // namespace kiln::rt
