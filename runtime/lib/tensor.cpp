#include "kiln/runtime/tensor.h"

#include "kiln/runtime/error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace kiln::rt {
namespace {

// Element count of a shape, rejecting what no tensor can have.
size_t checked_numel(std::span<const int64_t> shape) {
  size_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      throw Error(fmt::format("tensor shape {} has a negative dimension",
                              shape_string(shape)));
    if (d != 0 && n > std::numeric_limits<size_t>::max() / sizeof(float) /
                          static_cast<size_t>(d))
      throw Error(
          fmt::format("tensor shape {} is too large", shape_string(shape)));
    n *= static_cast<size_t>(d);
  }
  return n;
}

} // namespace

const char *dtype_name(DType dtype) {
  return dtype == DType::f32 ? "f32" : "i32";
}

Tensor::Tensor(std::vector<int64_t> shape, DType dtype)
    : shape_(std::move(shape)), dtype_(dtype) {
  (dtype_ == DType::f32 ? values_.assign(checked_numel(shape_), 0.0f)
                        : ints_.assign(checked_numel(shape_), 0));
}

Tensor Tensor::of_ints(std::vector<int64_t> shape, std::vector<int32_t> ints) {
  Tensor t;
  t.shape_ = std::move(shape);
  t.dtype_ = DType::i32;
  t.ints_ = std::move(ints);
  const size_t n = checked_numel(t.shape_);
  if (t.ints_.size() != n)
    throw Error(fmt::format("a tensor of shape {} needs {} values, got {}",
                            rt::shape_string(t.shape_), n, t.ints_.size()));
  return t;
}

Tensor::Tensor(std::vector<int64_t> shape, std::vector<float> values)
    : shape_(std::move(shape)), values_(std::move(values)) {
  const size_t n = checked_numel(shape_);
  if (values_.size() != n)
    throw Error(fmt::format("a tensor of shape {} needs {} values, got {}",
                            rt::shape_string(shape_), n, values_.size()));
}

void Tensor::resize(std::vector<int64_t> shape, DType dtype) {
  if (dtype != dtype_) {
    values_.clear();
    ints_.clear();
    values_.shrink_to_fit();
    ints_.shrink_to_fit();
    dtype_ = dtype;
  }
  resize(std::move(shape));
}

void Tensor::resize(std::vector<int64_t> shape) {
  const size_t n = checked_numel(shape);
  if (dtype_ == DType::f32 && n != values_.size())
    values_.assign(n, 0.0f);
  if (dtype_ == DType::i32 && n != ints_.size())
    ints_.assign(n, 0);
  shape_ = std::move(shape);
}

SliceLayout slice_layout(const Tensor &dst, int axis, int64_t position,
                         std::span<const int64_t> src_shape,
                         std::string_view what) {
  const auto a = static_cast<size_t>(axis);
  bool fits = src_shape.size() == dst.shape().size() && a < src_shape.size();
  for (size_t d = 0; fits && d < src_shape.size(); ++d)
    fits = d == a || src_shape[d] == dst.shape()[d];
  if (!fits)
    throw Error(fmt::format("{}: a slice of shape {} does not fit {}", what,
                            shape_string(src_shape), dst.shape_string()));
  const int64_t n = src_shape[a], size = dst.shape()[a];
  if (position < 0 || position > size - n)
    throw Error(fmt::format("{}: position {} is outside [0, {}] (axis {} "
                            "holds {}; the slice is {} long)",
                            what, position, size - n, axis, size, n));
  // Rows of the slice: `outer` blocks of n * inner values each, placed at
  // `position` in blocks of size * inner.
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < a; ++d)
    outer *= src_shape[d];
  for (size_t d = a + 1; d < src_shape.size(); ++d)
    inner *= src_shape[d];
  return {outer, inner, n, size};
}

void write_slice(Tensor &dst, int axis, int64_t position, const float *src,
                 std::span<const int64_t> src_shape, std::string_view what) {
  const SliceLayout l = slice_layout(dst, axis, position, src_shape, what);
  for (int64_t o = 0; o < l.outer; ++o)
    std::copy_n(src + o * l.n * l.inner, l.n * l.inner,
                dst.data() + (o * l.size + position) * l.inner);
}

std::string Tensor::shape_string() const { return rt::shape_string(shape_); }

std::string shape_string(std::span<const int64_t> shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

int64_t first_non_finite(std::span<const float> values) {
  const auto bad = std::ranges::find_if_not(
      values, [](float v) { return std::isfinite(v); });
  return bad == values.end() ? -1 : bad - values.begin();
}

} // namespace kiln::rt
