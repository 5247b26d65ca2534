#include "shape.h"

#include <algorithm>
#include <string_view>

#include <fmt/format.h>

namespace kiln::dsl::detail {

Shape to_shape(ShapeRef ref) {
  Shape s(ref.rank);
  for (int i = 0; i < ref.rank; ++i) {
    if (ref.dims[i].symbol)
      s[i] = canonical_product(product_of(Shape{Dim{-1, ref.dims[i].symbol}}));
    else
      s[i] = Dim{ref.dims[i].size, {}};
  }
  return s;
}

Product product_of(const Shape &s) {
  Product p;
  for (const Dim &d : s) {
    if (!d.symbolic()) {
      p.coefficient *= d.size;
      continue;
    }
    // A product's factors: sizes and symbols joined by '*'.
    std::string_view rest = d.symbol;
    while (!rest.empty()) {
      const size_t end = std::min(rest.find('*'), rest.size());
      const std::string_view factor = rest.substr(0, end);
      rest.remove_prefix(std::min(end + 1, rest.size()));
      if (!factor.empty() &&
          factor.find_first_not_of("0123456789") == std::string_view::npos)
        p.coefficient *= std::stoll(std::string(factor));
      else
        p.symbols.emplace_back(factor);
    }
  }
  std::sort(p.symbols.begin(), p.symbols.end());
  return p;
}

std::string to_string(const Product &p) {
  std::string s = p.coefficient == 1 && !p.symbols.empty()
                      ? ""
                      : fmt::to_string(p.coefficient);
  for (const std::string &sym : p.symbols)
    s += (s.empty() ? "" : "*") + sym;
  return s;
}

Dim canonical_product(const Product &p) {
  if (p.symbols.empty())
    return Dim{p.coefficient, {}};
  return Dim{-1, to_string(p)};
}

bool is_static_one(const Dim &d) { return !d.symbolic() && d.size == 1; }

std::string to_string(const Dim &d) {
  return d.symbolic() ? d.symbol : fmt::to_string(d.size);
}

std::string to_string(const Shape &s) {
  std::string out = "Tensor<";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i)
      out += ", ";
    out += to_string(s[i]);
  }
  return out + ">";
}

int64_t static_elements(const Shape &s) {
  int64_t n = 1;
  for (const Dim &d : s)
    if (!d.symbolic())
      n *= d.size;
  return n;
}

} // namespace kiln::dsl::detail
