#include "kiln/runtime/error.h"
#include "kiln/runtime/tensor.h"

#include <fmt/format.h>

#include <limits>

namespace kiln::rt {

BufferView::BufferView(const void *data, std::span<const int64_t> shape,
                       DType dtype) {
  const int rank = static_cast<int>(shape.size());
  if (rank > kMaxRank)
    throw Error(fmt::format("tensor {} has rank {}; Halide buffers allow {}",
                            shape_string(shape), rank, kMaxRank));
  // halide_dimension_t holds 32-bit extents and strides.
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  int64_t stride = 1;
  for (int i = 0; i < rank; ++i) {
    // Halide dimension i is tensor dimension rank-1-i (row-major storage).
    const int64_t extent = shape[static_cast<size_t>(rank - 1 - i)];
    if (extent < 0 || extent > kMax || stride > kMax)
      throw Error(fmt::format(
          "tensor {} does not fit a Halide buffer (32-bit extents and strides)",
          shape_string(shape)));
    dims[i] = halide_dimension_t(0, static_cast<int32_t>(extent),
                                 static_cast<int32_t>(stride));
    stride *= extent > 0 ? extent : 1; // keep strides sane for empty tensors
  }
  buffer.device = 0;
  buffer.device_interface = nullptr;
  // Halide takes a non-const host pointer for inputs and outputs alike; the
  // generated code never writes an input.
  buffer.host = static_cast<uint8_t *>(const_cast<void *>(data));
  buffer.flags = 0;
  buffer.type = dtype == DType::f32 ? halide_type_t(halide_type_float, 32, 1)
                                    : halide_type_t(halide_type_int, 32, 1);
  buffer.dimensions = rank;
  buffer.dim = dims;
  buffer.padding = nullptr;
}

} // namespace kiln::rt
