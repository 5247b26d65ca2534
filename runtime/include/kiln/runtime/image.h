// 8-bit grey images, and grids of model outputs to look at.
#pragma once

#include "kiln/runtime/tensor.h"

#include <cstdint>
#include <vector>

namespace kiln::rt {

struct GrayImage {
  int64_t width = 0, height = 0;
  std::vector<uint8_t> pixels; // row-major, height * width
};

// Separator lines between grid cells: mid grey, visible against Fashion-
// MNIST's black backgrounds and white garments alike.
inline constexpr uint8_t kGridSeparator = 128;

// Lays out `images` ([N, H, W], or [N, P] with P a square number, e.g.
// [N, 784] as 28 x 28) in rows of `cols`, separated by 1-pixel lines; cells
// past the last image stay black. Values map [lo, hi] -> [0, 255], clamped
// and rounded (NaN -> 0). Throws Error for other shapes or cols < 1.
GrayImage image_grid(const Tensor &images, int64_t cols, float lo = 0.0f,
                     float hi = 1.0f);

} // namespace kiln::rt
