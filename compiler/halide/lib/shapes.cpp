#include "kiln/halide/shapes.h"

#include <stdexcept>
#include <string>

namespace kiln::halide {

Halide::Region estimate_region(const std::vector<int> &extents) {
  Halide::Region region;
  region.reserve(extents.size());
  for (int extent : extents) {
    if (extent <= 0) {
      throw std::invalid_argument(
          "kiln: estimate extent must be positive, got " +
          std::to_string(extent));
    }
    region.emplace_back(0, extent);
  }
  return region;
}

} // namespace kiln::halide
