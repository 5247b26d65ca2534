// Run-time shapes: what the builder checks symbolic dimensions with.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kiln/dsl/graph_api.h"

namespace kiln::dsl::detail {

// A static size (symbol empty) or a named symbolic dimension (size -1).
struct Dim {
  int64_t size = 0;
  std::string symbol;
  bool symbolic() const { return !symbol.empty(); }
  bool operator==(const Dim &) const = default;
};
using Shape = std::vector<Dim>;

Shape to_shape(ShapeRef ref);
bool is_static_one(const Dim &d);

// As C++ spells the type: "Tensor<batch, 784>", "Tensor<>".
std::string to_string(const Shape &s);
std::string to_string(const Dim &d);

// Product of the static dimensions.
int64_t static_elements(const Shape &s);

} // namespace kiln::dsl::detail
