#include "kiln/runtime/image.h"

#include "kiln/runtime/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace kiln::rt {
namespace {

uint8_t to_byte(float v, float lo, float hi) {
  const float unit = (v - lo) / (hi - lo);
  if (!(unit > 0)) // also NaN
    return 0;
  return static_cast<uint8_t>(std::lround(std::min(unit, 1.0f) * 255.0f));
}

} // namespace

GrayImage image_grid(const Tensor &images, int64_t cols, float lo, float hi) {
  int64_t h = 0, w = 0;
  if (images.rank() == 3) {
    h = images.dim(1);
    w = images.dim(2);
  } else if (images.rank() == 2) {
    const auto side = static_cast<int64_t>(
        std::llround(std::sqrt(static_cast<double>(images.dim(1)))));
    if (side * side != images.dim(1))
      throw Error(fmt::format("images {}: {} pixels per image is not a "
                              "square; pass them as [N, H, W]",
                              images.shape_string(), images.dim(1)));
    h = w = side;
  } else {
    throw Error(fmt::format("images {}: expected [N, H, W] or [N, H*W]",
                            images.shape_string()));
  }
  if (cols < 1)
    throw Error(
        fmt::format("an image grid needs at least one column, got {}", cols));
  if (!(lo < hi))
    throw Error(fmt::format("pixel range [{}, {}] is empty", lo, hi));
  const int64_t n = images.dim(0);
  cols = std::max<int64_t>(1, std::min(cols, n));
  const int64_t rows = n == 0 ? 1 : (n + cols - 1) / cols;
  GrayImage grid;
  grid.width = cols * w + (cols - 1);
  grid.height = rows * h + (rows - 1);
  if (grid.width <= 0 || grid.height <= 0)
    throw Error(
        fmt::format("images {} make an empty grid", images.shape_string()));
  grid.pixels.assign(static_cast<size_t>(grid.width * grid.height),
                     kGridSeparator);
  for (int64_t cell = 0; cell < rows * cols; ++cell) {
    const int64_t x0 = (cell % cols) * (w + 1), y0 = (cell / cols) * (h + 1);
    const float *src = cell < n ? images.data() + cell * h * w : nullptr;
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x)
        grid.pixels[static_cast<size_t>((y0 + y) * grid.width + x0 + x)] =
            src ? to_byte(src[y * w + x], lo, hi) : 0;
  }
  return grid;
}

} // namespace kiln::rt
