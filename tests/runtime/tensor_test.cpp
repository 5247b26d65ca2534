// Tensor storage and the Halide view of it (reversed dims, dense strides).
#include "kiln/runtime/error.h"
#include "kiln/runtime/tensor.h"

#include <gtest/gtest.h>

using namespace kiln::rt;

TEST(Tensor, ZeroFilledWithShape) {
  Tensor t({2, 3, 4});
  EXPECT_EQ(t.rank(), 3);
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(t.shape_string(), "[2, 3, 4]");
  for (float v : t.values())
    EXPECT_EQ(v, 0.0f);
}

TEST(Tensor, ScalarHasOneElement) {
  Tensor t(std::vector<int64_t>{});
  EXPECT_EQ(t.rank(), 0);
  EXPECT_EQ(t.numel(), 1);
  EXPECT_EQ(t.shape_string(), "[]");
}

TEST(Tensor, ValuesMustMatchShape) {
  EXPECT_NO_THROW(Tensor({2, 2}, {1, 2, 3, 4}));
  try {
    Tensor({2, 3}, {1, 2, 3});
    FAIL();
  } catch (const Error &e) {
    EXPECT_STREQ(e.what(), "a tensor of shape [2, 3] needs 6 values, got 3");
  }
}

TEST(Tensor, NegativeDimensionIsAnError) {
  EXPECT_THROW(Tensor({2, -1}), Error);
}

TEST(Tensor, ResizeKeepsStorageWhenCountIsUnchanged) {
  Tensor t({2, 3}, {1, 2, 3, 4, 5, 6});
  const float *before = t.data();
  t.resize({3, 2});
  EXPECT_EQ(t.data(), before);
  EXPECT_EQ(t.values()[5], 6.0f);
  t.resize({4, 2});
  EXPECT_EQ(t.numel(), 8);
  EXPECT_EQ(t.values()[0], 0.0f);
}

TEST(BufferView, DimsAreReversedWithDenseStrides) {
  Tensor t({2, 3, 5});
  BufferView v(t);
  const halide_buffer_t &b = v.buffer;
  ASSERT_EQ(b.dimensions, 3);
  EXPECT_EQ(b.host, reinterpret_cast<uint8_t *>(t.data()));
  // Halide dim 0 is the innermost tensor dim.
  EXPECT_EQ(b.dim[0].extent, 5);
  EXPECT_EQ(b.dim[0].stride, 1);
  EXPECT_EQ(b.dim[1].extent, 3);
  EXPECT_EQ(b.dim[1].stride, 5);
  EXPECT_EQ(b.dim[2].extent, 2);
  EXPECT_EQ(b.dim[2].stride, 15);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(b.dim[i].min, 0);
}

TEST(BufferView, IsHostOnlyFloat32) {
  Tensor t({4});
  BufferView v(t);
  EXPECT_EQ(v.buffer.type.code, halide_type_float);
  EXPECT_EQ(v.buffer.type.bits, 32);
  EXPECT_EQ(v.buffer.type.lanes, 1);
  EXPECT_EQ(v.buffer.flags, 0u);
  EXPECT_EQ(v.buffer.device, 0u);
  EXPECT_EQ(v.buffer.device_interface, nullptr);
  EXPECT_EQ(v.get(), &v.buffer);
  EXPECT_EQ(v.buffer.dim, v.dims);
}

TEST(BufferView, AddressesMatchRowMajorIndexing) {
  Tensor t({3, 4});
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data()[i] = static_cast<float>(i);
  BufferView v(t.data(), t.shape());
  const auto *host = reinterpret_cast<const float *>(v.buffer.host);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c)
      EXPECT_EQ(host[c * v.buffer.dim[0].stride + r * v.buffer.dim[1].stride],
                static_cast<float>(r * 4 + c));
}

TEST(BufferView, ScalarHasNoDimensions) {
  Tensor t(std::vector<int64_t>{});
  BufferView v(t);
  EXPECT_EQ(v.buffer.dimensions, 0);
}

TEST(BufferView, RejectsTooHighRankAnd32BitOverflow) {
  std::vector<int64_t> rank9(9, 1);
  float x = 0;
  EXPECT_THROW(BufferView(&x, rank9), Error);
  std::vector<int64_t> huge = {int64_t{1} << 31};
  EXPECT_THROW(BufferView(&x, huge), Error);
  std::vector<int64_t> huge_stride = {2, 1 << 16, 1 << 16}; // stride 2^32
  EXPECT_THROW(BufferView(&x, huge_stride), Error);
}
