// The scratch allocator behind generated kernels' halide_malloc
// (runtime/include/kiln/runtime/scratch.h), called through its hooks.
#include "kiln/runtime/scratch.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace {

using kiln::rt::kScratchCacheMax;
using kiln::rt::kScratchCacheMin;
using kiln::rt::scratch_free;
using kiln::rt::scratch_malloc;
using kiln::rt::scratch_stats;
using kiln::rt::scratch_trim;

bool aligned(void *p) { return reinterpret_cast<uintptr_t>(p) % 128 == 0; }

TEST(Scratch, BlocksAreAlignedAndWritableWithSlack) {
  for (size_t bytes :
       {size_t(1), size_t(100), size_t(4096), kScratchCacheMin - 1,
        kScratchCacheMin, size_t(3) << 20}) {
    auto *p = static_cast<unsigned char *>(scratch_malloc(nullptr, bytes));
    ASSERT_NE(p, nullptr) << bytes;
    EXPECT_TRUE(aligned(p)) << bytes;
    // Halide may read 8 bytes before and after a block; writing the whole
    // block and reading its neighbourhood must be valid (ASan would say).
    std::memset(p, 0xab, bytes);
    volatile unsigned char around = p[-8] ^ p[bytes + 7];
    (void)around;
    scratch_free(nullptr, p);
  }
  scratch_free(nullptr, nullptr); // like free(nullptr)
}

TEST(Scratch, LargeBlocksAreReusedSmallOnesAreNot) {
  scratch_trim();
  const size_t big = (size_t(5) << 20) + 123; // an odd size: rounded up
  void *a = scratch_malloc(nullptr, big);
  const auto before = scratch_stats();
  scratch_free(nullptr, a);
  EXPECT_EQ(scratch_stats().cached_blocks, before.cached_blocks + 1);
  void *b = scratch_malloc(nullptr, big + 1000); // same 64 KiB granule
  EXPECT_EQ(b, a);
  EXPECT_EQ(scratch_stats().reused, before.reused + 1);
  EXPECT_EQ(scratch_stats().cached_blocks, before.cached_blocks);
  scratch_free(nullptr, b);

  const auto small_before = scratch_stats();
  void *s = scratch_malloc(nullptr, 1000);
  scratch_free(nullptr, s);
  EXPECT_EQ(scratch_stats().cached_blocks, small_before.cached_blocks);
  EXPECT_EQ(scratch_stats().fresh, small_before.fresh);
}

// A smaller request takes the most recently freed block of up to twice its
// size (the one likeliest still in cache), and the block keeps its size.
TEST(Scratch, ReusesTheLatestBlockOfAtMostTwiceTheSize) {
  scratch_trim();
  const size_t mib = size_t(1) << 20;
  void *a = scratch_malloc(nullptr, 20 * mib);
  void *b = scratch_malloc(nullptr, 20 * mib);
  scratch_free(nullptr, a);
  scratch_free(nullptr, b);
  void *c = scratch_malloc(nullptr, 12 * mib);
  EXPECT_EQ(c, b);
  void *d = scratch_malloc(nullptr, 9 * mib); // a is more than twice 9 MiB
  EXPECT_NE(d, a);
  scratch_free(nullptr, c);
  auto *e = static_cast<unsigned char *>(scratch_malloc(nullptr, 20 * mib));
  EXPECT_EQ(e, b);
  std::memset(e, 0xcd, 20 * mib); // still 20 MiB long
  scratch_free(nullptr, e);
  scratch_free(nullptr, d);
}

TEST(Scratch, HoldsAtMostTheCap) {
  const size_t block = size_t(48) << 20;
  std::vector<void *> blocks;
  for (size_t i = 0; i < kScratchCacheMax / block + 3; ++i)
    blocks.push_back(scratch_malloc(nullptr, block));
  for (void *p : blocks)
    scratch_free(nullptr, p);
  EXPECT_LE(scratch_stats().cached_bytes, kScratchCacheMax);
  EXPECT_GT(scratch_stats().cached_bytes, kScratchCacheMax - 2 * block);
  scratch_trim();
  EXPECT_EQ(scratch_stats().cached_bytes, 0u);
  EXPECT_EQ(scratch_stats().cached_blocks, 0u);
}

TEST(Scratch, ThreadsShareTheCacheSafely) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t] {
      for (int i = 0; i < 200; ++i) {
        const size_t bytes = (size_t(1 + (i + t) % 3)) << 20;
        auto *p = static_cast<unsigned char *>(scratch_malloc(nullptr, bytes));
        p[0] = p[bytes - 1] = static_cast<unsigned char>(t);
        EXPECT_EQ(p[0], t);
        scratch_free(nullptr, p);
      }
    });
  for (std::thread &t : threads)
    t.join();
  EXPECT_LE(scratch_stats().cached_bytes, kScratchCacheMax);
}

} // namespace
