//===- DimProduct.cpp - the size of a symbolic dimension ------------------===//

#include "kiln/Dialect/DimProduct.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace llvm;

namespace kiln {

std::optional<DimProduct> DimProduct::parse(StringRef text) {
  DimProduct p;
  SmallVector<StringRef> parts;
  text.split(parts, '*');
  for (StringRef part : parts) {
    if (part.empty())
      return std::nullopt;
    int64_t n;
    if (!part.getAsInteger(10, n)) {
      if (n < 1)
        return std::nullopt;
      p.coefficient *= n;
      continue;
    }
    if (!llvm::all_of(part,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; }))
      return std::nullopt;
    p.symbols.push_back(part);
  }
  if (p.symbols.empty())
    return std::nullopt; // a static size is not written as a symbol
  llvm::sort(p.symbols);
  return p;
}

DimProduct DimProduct::of(ArrayRef<int64_t> shape, const DimSymbols &syms) {
  DimProduct p;
  for (auto [size, sym] : llvm::zip(shape, syms)) {
    if (sym.empty()) {
      p.coefficient *= size;
      continue;
    }
    // Symbols reaching here came from parse() (arguments, reshapes).
    auto factor = parse(sym);
    p.coefficient *= factor ? factor->coefficient : 1;
    llvm::append_range(p.symbols, factor ? factor->symbols
                                         : SmallVector<StringRef, 2>{sym});
  }
  llvm::sort(p.symbols);
  return p;
}

std::string DimProduct::str() const {
  std::string s = coefficient == 1 ? "" : std::to_string(coefficient);
  for (StringRef sym : symbols)
    s += (s.empty() ? "" : "*") + sym.str();
  return s;
}

} // namespace kiln
