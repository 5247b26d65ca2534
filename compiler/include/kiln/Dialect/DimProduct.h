//===- DimProduct.h - the size of a symbolic dimension ----------*- C++ -*-===//
//
// A `?` dimension is named by a symbol ("batch"), or, after a reshape that
// merges dimensions, by their product ("128*batch*seq"). The names travel
// in kiln.symbols, in kiln.reshape's attributes and in the plan; this is
// their one parser and printer on the compiler side (docs/ir.md, "Symbolic
// dimensions").
//
//===----------------------------------------------------------------------===//
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace kiln {

/// One entry per dimension: the symbol's name, or "" for a static size. A
/// dimension made by a reshape that merges others is their product, written
/// "128*batch*seq": a static coefficient (left out when 1), then the
/// symbols in sorted order (docs/ir.md, "Symbolic dimensions").
using DimSymbols = llvm::SmallVector<llvm::StringRef, 4>;

/// A symbolic dimension's size as a product.
struct DimProduct {
  int64_t coefficient = 1;
  llvm::SmallVector<llvm::StringRef, 2> symbols; // sorted

  /// Parses "batch" or "128*batch*seq"; nullopt when malformed.
  static std::optional<DimProduct> parse(llvm::StringRef text);
  /// The product of every dimension of a shape: static sizes and the
  /// coefficients of products go to the coefficient.
  static DimProduct of(llvm::ArrayRef<int64_t> shape, const DimSymbols &syms);
  /// The canonical spelling (sorted symbols, coefficient first unless 1).
  std::string str() const;
  bool operator==(const DimProduct &other) const {
    return coefficient == other.coefficient && symbols == other.symbols;
  }
};

} // namespace kiln
