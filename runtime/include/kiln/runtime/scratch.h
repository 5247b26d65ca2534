// The allocator behind the scratch buffers of generated kernels
// (halide_malloc / halide_free): large blocks are kept for reuse instead of
// going back to the C library, which returns them to the system (trimming
// the heap or unmapping them) so that the next call of the same kernel
// takes a page fault per 4 KiB again. A Winograd weight gradient of the
// GAN allocates 13 MB per call: 8.6 ms per call through malloc, 2.9 ms
// with its blocks reused (bench/conv_bench, 1 thread).
#pragma once

#include <cstddef>

namespace kiln::rt {

// Installs the hooks in the Halide runtime, once per process; a Session
// does so when it is created. Without a Halide runtime linked in (a program
// without models) it does nothing.
void install_scratch_allocator();

struct ScratchStats {
  size_t cached_bytes = 0; // large blocks held for reuse now
  size_t cached_blocks = 0;
  size_t reused = 0; // large allocations served from the cache
  size_t fresh = 0;  // large allocations from the C library
  // The calling thread's small blocks held for reuse now, and the small
  // allocations it served from them.
  size_t thread_small_bytes = 0;
  size_t thread_small_reused = 0;
};
ScratchStats scratch_stats();

// Returns every cached large block, and the calling thread's small ones, to
// the C library (memory a long-lived program no longer wants held; tests
// start from an empty cache). Other threads' small blocks, at most
// kScratchSmallCacheMax each, go back when those threads end.
void scratch_trim();

// The hooks (Halide's halide_malloc_t and halide_free_t). Blocks are
// aligned to 128 bytes with 64 readable bytes on both sides, as Halide
// requires. Blocks of at least kScratchCacheMin bytes are reused, up to
// kScratchCacheMax bytes held in all: a request takes the most recently
// freed block of the smallest size that holds it, if at most twice as
// large. Kernels then share a few blocks that stay in cache rather than
// one per distinct size (the GAN step: 44.0 -> 43.1 ms on 1 thread,
// alternating runs of bench/gan_bench).
//
// Smaller blocks are kept too, per thread and without a lock, up to
// kScratchSmallCacheMax bytes per thread; a request takes the thread's most
// recently freed block of the same rounded size (128-byte steps). Tiled
// kernels allocate them per tile: the GPT's fused attention about 100,000
// of 1-8 KiB per train step, which glibc's aligned_alloc and free made
// about 10 ms of a 134 ms step (bench/gpt_bench, 1 thread, Zen 5).
constexpr size_t kScratchCacheMin = size_t(64) << 10;
constexpr size_t kScratchCacheMax = size_t(512) << 20;
constexpr size_t kScratchSmallCacheMax = size_t(1) << 20;
void *scratch_malloc(void *user_context, size_t bytes);
void scratch_free(void *user_context, void *ptr);

} // namespace kiln::rt
