// An owning, dense, row-major tensor of fp32 values (model data) or int32
// values (token ids, class indices), and zero-copy Halide views of it.
#pragma once

#include <HalideRuntime.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::rt {

inline constexpr int kMaxRank = 8;

// Element types; both are 4 bytes, so buffers of either share an arena.
enum class DType { f32, i32 };
// "f32" / "i32", as docs/ir.md and error messages spell them.
const char *dtype_name(DType dtype);

class Tensor {
public:
  Tensor() = default;
  // Zero-filled tensor of the given shape.
  explicit Tensor(std::vector<int64_t> shape, DType dtype = DType::f32);
  Tensor(std::vector<int64_t> shape, std::vector<float> values);
  // An i32 tensor (a named constructor: {1, 2} would be ambiguous).
  static Tensor of_ints(std::vector<int64_t> shape, std::vector<int32_t> ints);

  const std::vector<int64_t> &shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int i) const { return shape_.at(static_cast<size_t>(i)); }
  DType dtype() const { return dtype_; }
  int64_t numel() const {
    return static_cast<int64_t>(dtype_ == DType::f32 ? values_.size()
                                                     : ints_.size());
  }
  // The values of an f32 tensor (empty for an i32 one)...
  float *data() { return values_.data(); }
  const float *data() const { return values_.data(); }
  std::span<float> values() { return values_; }
  std::span<const float> values() const { return values_; }
  // ...and of an i32 one (empty for an f32 one).
  int32_t *ints() { return ints_.data(); }
  const int32_t *ints() const { return ints_.data(); }
  // The storage whatever the type (a kernel argument).
  const void *raw() const {
    return dtype_ == DType::f32 ? static_cast<const void *>(values_.data())
                                : static_cast<const void *>(ints_.data());
  }

  // Changes the shape; keeps storage when the element count is unchanged,
  // otherwise reallocates zero-filled.
  void resize(std::vector<int64_t> shape);
  // The same, to `dtype`: a tensor of another type is reallocated
  // zero-filled (an entry point's integer output given an empty Tensor).
  void resize(std::vector<int64_t> shape, DType dtype);

  // "[128, 784]"
  std::string shape_string() const;

private:
  std::vector<int64_t> shape_;
  DType dtype_ = DType::f32;
  std::vector<float> values_;
  std::vector<int32_t> ints_;
};

// Copies `src` (dense, shape `src_shape`) into `dst` at [position, position
// + n) along `axis`, n = src_shape[axis]; the other dimensions must be
// dst's. Throws Error naming `what` (and writes nothing) when the slice does
// not fit: a KV cache written past its end.
void write_slice(Tensor &dst, int axis, int64_t position, const float *src,
                 std::span<const int64_t> src_shape, std::string_view what);

// How write_slice places a slice: `outer` runs of n * inner values, at
// (o * size + position) * inner in dst. Throws as write_slice does.
struct SliceLayout {
  int64_t outer = 1, inner = 1, n = 0, size = 0;
};
SliceLayout slice_layout(const Tensor &dst, int axis, int64_t position,
                         std::span<const int64_t> src_shape,
                         std::string_view what);

// "[128, 784]" for any shape.
std::string shape_string(std::span<const int64_t> shape);

// The index of the first value that is NaN or infinite, or -1: what the
// readers of weights, images and latents and the reports of metrics check
// before a number is used.
int64_t first_non_finite(std::span<const float> values);

// A halide_buffer_t describing `shape` over `data`. Halide's dimension 0 is
// the innermost, so dimensions are reversed: tensor [M, K] is Halide (k, m).
// The view owns nothing and must not outlive `data`.
struct BufferView {
  halide_buffer_t buffer{};
  halide_dimension_t dims[kMaxRank]{};

  BufferView(const void *data, std::span<const int64_t> shape,
             DType dtype = DType::f32);
  explicit BufferView(const Tensor &tensor)
      : BufferView(tensor.raw(), tensor.shape(), tensor.dtype()) {}
  BufferView(const BufferView &) = delete;
  BufferView &operator=(const BufferView &) = delete;
  halide_buffer_t *get() { return &buffer; }
};

} // namespace kiln::rt
