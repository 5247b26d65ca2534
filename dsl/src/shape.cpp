#include "shape.h"

#include <fmt/format.h>

namespace kiln::dsl::detail {

Shape to_shape(ShapeRef ref) {
  Shape s(ref.rank);
  for (int i = 0; i < ref.rank; ++i) {
    if (ref.dims[i].symbol)
      s[i] = Dim{-1, ref.dims[i].symbol};
    else
      s[i] = Dim{ref.dims[i].size, {}};
  }
  return s;
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
