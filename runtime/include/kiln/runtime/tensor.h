// An owning, dense, row-major fp32 tensor, and zero-copy Halide views of it.
#pragma once

#include <HalideRuntime.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace kiln::rt {

inline constexpr int kMaxRank = 8;

class Tensor {
public:
  Tensor() = default;
  // Zero-filled tensor of the given shape.
  explicit Tensor(std::vector<int64_t> shape);
  Tensor(std::vector<int64_t> shape, std::vector<float> values);

  const std::vector<int64_t> &shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int i) const { return shape_.at(static_cast<size_t>(i)); }
  int64_t numel() const { return static_cast<int64_t>(values_.size()); }
  float *data() { return values_.data(); }
  const float *data() const { return values_.data(); }
  std::span<float> values() { return values_; }
  std::span<const float> values() const { return values_; }

  // Changes the shape; keeps storage when the element count is unchanged,
  // otherwise reallocates zero-filled.
  void resize(std::vector<int64_t> shape);

  // "[128, 784]"
  std::string shape_string() const;

private:
  std::vector<int64_t> shape_;
  std::vector<float> values_;
};

// "[128, 784]" for any shape.
std::string shape_string(std::span<const int64_t> shape);

// A halide_buffer_t describing `shape` over `data`. Halide's dimension 0 is
// the innermost, so dimensions are reversed: tensor [M, K] is Halide (k, m).
// The view owns nothing and must not outlive `data`.
struct BufferView {
  halide_buffer_t buffer{};
  halide_dimension_t dims[kMaxRank]{};

  BufferView(const float *data, std::span<const int64_t> shape);
  explicit BufferView(const Tensor &tensor)
      : BufferView(tensor.data(), tensor.shape()) {}
  BufferView(const BufferView &) = delete;
  BufferView &operator=(const BufferView &) = delete;
  halide_buffer_t *get() { return &buffer; }
};

} // namespace kiln::rt
