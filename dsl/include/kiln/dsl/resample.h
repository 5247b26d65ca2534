// Resampling of images [N, C, H, W].
//
//   auto y = upsample_nearest2x(x);   // [N, C, H, W] -> [N, C, 2H, 2W]
//
// torch.nn.Upsample(scale_factor=2, mode="nearest"): each pixel becomes a
// 2 x 2 block. A composite of views and one broadcasting multiply by ones
// ([N, C, H, 1, W, 1] x [2, 1, 2] -> [N, C, H, 2, W, 2]), fused into its
// producer's kernel, which writes the upsampled image: a convolution, its
// usual consumer, reads its input from memory (compiler Fusion.cpp). The
// gradient sums each block.
#pragma once

#include "kiln/dsl/constants.h"
#include "kiln/dsl/elementwise.h"
#include "kiln/dsl/shape_ops.h"
#include "kiln/dsl/tensor.h"

namespace kiln::dsl {

template <auto N, int C, int H, int W>
Tensor<N, C, 2 * H, 2 * W>
upsample_nearest2x(const Tensor<N, C, H, W> &x,
                   std::source_location loc = std::source_location::current()) {
  auto blocks = mul(reshape<N, C, H, 1, W, 1>(x, loc), full<2, 1, 2>(1.0f, loc),
                    loc); // [N, C, H, 2, W, 2]
  return reshape<N, C, 2 * H, 2 * W>(blocks, loc);
}

} // namespace kiln::dsl
