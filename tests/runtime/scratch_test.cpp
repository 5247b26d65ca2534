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
using kiln::rt::kScratchSmallCacheMax;
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

TEST(Scratch, LargeBlocksAreReusedThroughTheSharedCache) {
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
}

// Small blocks go to the freeing thread's own lists, one per rounded size
// (128-byte steps): the same size comes back, another does not.
TEST(Scratch, SmallBlocksAreReusedPerThreadAndSize) {
  scratch_trim();
  const auto before = scratch_stats();
  EXPECT_EQ(before.thread_small_bytes, 0u);
  void *a = scratch_malloc(nullptr, 1000);
  scratch_free(nullptr, a);
  // 1000 bytes with the 128-byte header and 64-byte tail: 1280.
  EXPECT_EQ(scratch_stats().thread_small_bytes, 1280u);
  EXPECT_EQ(scratch_stats().cached_blocks, before.cached_blocks);
  EXPECT_EQ(scratch_stats().fresh, before.fresh);
  void *other = scratch_malloc(nullptr, 2000); // another rounded size
  EXPECT_NE(other, a);
  auto *b = static_cast<unsigned char *>(scratch_malloc(nullptr, 1010));
  EXPECT_EQ(b, a); // 1010 rounds to 1280 too
  EXPECT_EQ(scratch_stats().thread_small_reused,
            before.thread_small_reused + 1);
  EXPECT_EQ(scratch_stats().thread_small_bytes, 0u);
  std::memset(b, 0x5a, 1010); // the block is whole: its link is not in it
  scratch_free(nullptr, b);
  scratch_free(nullptr, other);

  // Another thread's blocks are its own: this thread's list is untouched.
  std::thread([a] {
    EXPECT_EQ(scratch_stats().thread_small_bytes, 0u);
    void *c = scratch_malloc(nullptr, 1000);
    EXPECT_NE(c, a);
    scratch_free(nullptr, c);
    EXPECT_EQ(scratch_stats().thread_small_bytes, 1280u);
  }).join(); // and gives them back as it ends (the sanitizer build's
             // LeakSanitizer would report them otherwise)
  void *d = scratch_malloc(nullptr, 1000);
  EXPECT_EQ(d, a);
  scratch_free(nullptr, d);
  scratch_trim();
  EXPECT_EQ(scratch_stats().thread_small_bytes, 0u);
}

// The largest small request and the smallest large one.
TEST(Scratch, TheSmallAndLargeCachesMeetAtTheThreshold) {
  scratch_trim();
  const auto before = scratch_stats();
  void *s = scratch_malloc(nullptr, kScratchCacheMin - 1);
  void *l = scratch_malloc(nullptr, kScratchCacheMin);
  scratch_free(nullptr, s);
  scratch_free(nullptr, l);
  const auto after = scratch_stats();
  EXPECT_EQ(after.cached_blocks, before.cached_blocks + 1);
  EXPECT_EQ(after.thread_small_bytes,
            (kScratchCacheMin - 1 + 128 + 64 + 127) / 128 * 128);
  void *s_again = scratch_malloc(nullptr, kScratchCacheMin - 1);
  void *l_again = scratch_malloc(nullptr, kScratchCacheMin);
  EXPECT_EQ(s_again, s);
  EXPECT_EQ(l_again, l);
  scratch_free(nullptr, s_again);
  scratch_free(nullptr, l_again);
  scratch_trim();
}

TEST(Scratch, ASmallCacheHoldsAtMostItsCap) {
  scratch_trim();
  std::vector<void *> blocks;
  const size_t block = 4096;
  for (size_t i = 0; i < 2 * kScratchSmallCacheMax / block; ++i)
    blocks.push_back(scratch_malloc(nullptr, block));
  for (void *p : blocks)
    scratch_free(nullptr, p);
  // 4096 bytes round to 4352: as many as fit under the cap are kept.
  const size_t kept = kScratchSmallCacheMax / 4352 * 4352;
  EXPECT_EQ(scratch_stats().thread_small_bytes, kept);
  scratch_trim();
  EXPECT_EQ(scratch_stats().thread_small_bytes, 0u);
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

// Small blocks freed on a thread other than the one that allocated them
// (a parallel kernel's tasks move between threads): each goes to the
// freeing thread's list, and stays whole.
TEST(Scratch, SmallBlocksMoveBetweenThreadsSafely) {
  constexpr int kThreads = 4, kBlocks = 300;
  std::vector<std::vector<unsigned char *>> made(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([t, &made] {
      for (int i = 0; i < kBlocks; ++i) {
        const size_t bytes = 64 + 200 * ((i + t) % 7);
        auto *p = static_cast<unsigned char *>(scratch_malloc(nullptr, bytes));
        std::memset(p, t, bytes);
        made[t].push_back(p);
      }
    });
  for (std::thread &t : threads)
    t.join();
  threads.clear();
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([t, &made] {
      // Frees another thread's blocks, then allocates from its own list.
      for (unsigned char *p : made[(t + 1) % kThreads]) {
        EXPECT_EQ(p[0], (t + 1) % kThreads);
        scratch_free(nullptr, p);
      }
      const auto before = scratch_stats();
      EXPECT_GT(before.thread_small_bytes, 0u);
      for (int i = 0; i < kBlocks; ++i) {
        const size_t bytes = 64 + 200 * (i % 7);
        auto *p = static_cast<unsigned char *>(scratch_malloc(nullptr, bytes));
        std::memset(p, 0xee, bytes);
        scratch_free(nullptr, p);
      }
      // Every request was served from the blocks this thread freed.
      EXPECT_EQ(scratch_stats().thread_small_reused,
                before.thread_small_reused + kBlocks);
    });
  for (std::thread &t : threads)
    t.join();
}

} // namespace
