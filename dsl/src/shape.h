// Run-time shapes: what the builder checks symbolic dimensions with.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kiln/dsl/graph_api.h"

namespace kiln::dsl::detail {

// A static size (symbol empty) or a named symbolic dimension (size -1). A
// dimension that merges others is named by their product, "128*batch*seq"
// (docs/ir.md, "Symbolic dimensions"; canonical_product spells it).
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

// The element count of a shape as a product: a coefficient and the sorted
// symbols (each factor of a merged dimension), e.g. {128, {"batch", "seq"}}.
struct Product {
  int64_t coefficient = 1;
  std::vector<std::string> symbols;
  bool operator==(const Product &) const = default;
};
Product product_of(const Shape &s);
// "128*batch*seq": the coefficient unless 1, then the symbols; a product
// with no symbol is its static size as a Dim with an empty symbol.
Dim canonical_product(const Product &p);
std::string to_string(const Product &p);

} // namespace kiln::dsl::detail
