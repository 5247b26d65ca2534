#include "kiln/runtime/tensor.h"

#include "kiln/runtime/error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

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

void Tensor::resize(std::vector<int64_t> shape) {
  const size_t n = checked_numel(shape);
  if (dtype_ == DType::f32 && n != values_.size())
    values_.assign(n, 0.0f);
  if (dtype_ == DType::i32 && n != ints_.size())
    ints_.assign(n, 0);
  shape_ = std::move(shape);
}

std::string Tensor::shape_string() const { return rt::shape_string(shape_); }

std::string shape_string(std::span<const int64_t> shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

} // namespace kiln::rt
